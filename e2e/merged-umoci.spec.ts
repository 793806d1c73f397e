/**
 * Ground truth for the merged view (issue 4): an image built by umoci — files added, changed,
 * deleted (umoci writes `.wh.` whiteouts), a directory removed whole, a symlink, a hardlink —
 * pushed to the real registry with skopeo, opened in Chromium; the merged tree at the top layer
 * must list exactly what `umoci unpack` of the same image puts in its rootfs (paths, types, sizes,
 * link targets).
 */
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";

const REPO = "e2e/umoci-built";
let dir = "";
/** "type path size link" for every path umoci unpack put in the rootfs, sorted. */
let expected: string[] = [];

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: "utf8", env: { ...process.env, TMPDIR: dir } });

test.beforeAll(() => {
  const { hosts } = state();
  dir = mkdtempSync(join(tmpdir(), "umoci-e2e-"));
  const image = `${join(dir, "layout")}:t`;
  run("umoci", ["init", "--layout", join(dir, "layout")]);
  run("umoci", ["new", "--image", image]);

  // Layer 1: a small tree.
  const b1 = join(dir, "b1");
  run("umoci", ["unpack", "--image", image, b1]);
  const r1 = join(b1, "rootfs");
  mkdirSync(join(r1, "etc"), { recursive: true });
  mkdirSync(join(r1, "app", "cache", "deep"), { recursive: true });
  writeFileSync(join(r1, "etc", "motd"), "welcome\n");
  writeFileSync(join(r1, "etc", "config"), "v1\n");
  writeFileSync(join(r1, "app", "cache", "deep", "blob"), "x".repeat(5000));
  writeFileSync(join(r1, "app", "main"), "#!/bin/sh\necho hi\n");
  symlinkSync("main", join(r1, "app", "run"));
  run("umoci", ["repack", "--image", image, b1]);

  // Layer 2: delete a file, delete a directory whole, change a file, add a hardlink and a file.
  const b2 = join(dir, "b2");
  run("umoci", ["unpack", "--image", image, b2]);
  const r2 = join(b2, "rootfs");
  rmSync(join(r2, "etc", "motd"));
  rmSync(join(r2, "app", "cache"), { recursive: true });
  writeFileSync(join(r2, "etc", "config"), "version two\n");
  linkSync(join(r2, "app", "main"), join(r2, "app", "main-again"));
  writeFileSync(join(r2, "new.txt"), "new\n");
  run("umoci", ["repack", "--image", image, b2]);

  // The ground truth: what umoci itself unpacks.
  const final = join(dir, "final");
  run("umoci", ["unpack", "--image", image, final]);
  expected = run("find", [join(final, "rootfs"), "-mindepth", "1", "-printf", "%y %P %s %l\\n"])
    .trim()
    .split("\n")
    .map((line) => {
      const [type, path, size, link] = line.split(" ");
      // Directories' and symlinks' sizes are filesystem details, not tar sizes.
      return `${type} ${path} ${type === "f" ? size : "-"} ${type === "l" ? link : ""}`.trim();
    })
    .sort();

  run("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", `oci:${image}`, `docker://${hosts.open}/${REPO}:t`]);
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the merged tree equals umoci unpack of the same image", async ({ page }) => {
  test.setTimeout(60_000);
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, REPO, "t"));
  const rows = page.getByTestId("layers").getByTestId("layer-row");
  await expect(rows).toHaveCount(2);
  for (let i = 0; i < 2; i++) await expect(rows.nth(i)).toHaveAttribute("data-trusted", "true", { timeout: 20_000 });

  const merged = page.getByTestId("merged");
  await merged.getByTestId("merged-expand-all").click();
  const tree = merged.getByTestId("merged-tree");
  const got = (
    await tree.locator('[data-testid="merged-row"]').evaluateAll((els) =>
      els.map((e) => {
        const type = e.getAttribute("data-type");
        const t = type === "dir" ? "d" : type === "symlink" ? "l" : "f"; // a hardlink is a regular file on disk
        const size = t === "f" ? (e.getAttribute("data-size") ?? "?") : "-";
        const link = t === "l" ? (e.getAttribute("data-link") ?? "") : "";
        return `${t} ${e.getAttribute("data-path")} ${size} ${link}`.trim();
      }),
    )
  ).sort();
  // Hardlinks carry no size in the tar; on disk they are their target's bytes.
  const hardlinkFixed = got.map((l) => (l.startsWith("f app/main-again ") ? l.replace(/ \S+$/, ` ${expected.find((e) => e.startsWith("f app/main "))!.split(" ")[2]}`) : l));
  expect(hardlinkFixed).toEqual(expected);
  expect(expected).not.toContain("f etc/motd 8");
  expect(expected.some((l) => l.startsWith("d app/cache"))).toBe(false);
});
