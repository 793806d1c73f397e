/**
 * dive's own test image (wagoodman/dive, MIT; provenance in src/core/filetree/testdata/README.md),
 * pushed to the real registry with skopeo and opened in Chromium: the efficiency panel shows
 * dive's own figures to the last digit, the corrected figure beside them (dive issue #684), and
 * dive's inefficient files (issue 4, "Efficiency").
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";

const DIVE_TAR = join(import.meta.dirname, "..", "src", "core", "filetree", "testdata", "test-docker-image.tar");
const REPO = "third-party/dive-test";

test.beforeAll(() => {
  const { hosts } = state();
  const tmp = mkdtempSync(join(tmpdir(), "dive-push-"));
  try {
    execFileSync(
      "skopeo",
      ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", `docker-archive:${DIVE_TAR}`, `docker://${hosts.open}/${REPO}:latest`],
      { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: tmp } },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("dive's test image: dive's exact efficiency figures, the corrected ones, and dive's wasted files", async ({ page }) => {
  test.setTimeout(60_000);
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, REPO, "latest"));
  const rows = page.getByTestId("layers").getByTestId("layer-row");
  await expect(rows).toHaveCount(14);
  for (let i = 0; i < 14; i++) await expect(rows.nth(i)).toHaveAttribute("data-trusted", "true", { timeout: 20_000 });

  const eff = page.getByTestId("efficiency");
  const dive = eff.getByTestId("efficiency-dive");
  // dive/image/docker/image_archive_analysis_test.go: efficiency 0.9844212134184309, wasted 32025, user-wasted 0.4834911001404049.
  await expect(dive.getByTestId("efficiency-score")).toHaveAttribute("title", "0.9844212134184309", { timeout: 20_000 });
  await expect(dive.getByTestId("efficiency-wasted")).toContainText("32,025 bytes");
  await expect(dive.getByTestId("efficiency-user-wasted")).toHaveAttribute("title", /^0\.4834911001404049 of /);

  // dive issue #684: the one copy that has to stay is not waste.
  const corrected = eff.getByTestId("efficiency-corrected");
  await expect(corrected.getByTestId("efficiency-wasted")).toContainText("19,215 bytes");
  await expect(eff.getByTestId("efficiency-corrected-note")).toContainText("#684");

  // dive's inefficient files are among the biggest wasted files.
  for (const path of ["root/saved.txt", "root/example/somefile1.txt", "root/example/somefile3.txt"]) {
    await expect(eff.locator(`[data-testid="wasted-file"][data-path="${path}"]`)).toBeVisible();
  }
});
