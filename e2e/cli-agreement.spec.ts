/**
 * The command line and the page agree (issue 6): the same image through `layerscope inspect
 * --json` and through the page in Chromium gives the same layers (digest, diff_id, media type,
 * trusted, every entry), the same merged filesystem (each path, its type, size, mode and
 * providing layer) and the same efficiency figures. The page's side is read from what it shows
 * and from its own JSON exports (e2e/export.spec.ts checks those equal the rows shown).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test, type Download, type Locator, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";

const ROOT = join(import.meta.dirname, "..");
const FILETREE = join(ROOT, "src", "core", "filetree", "testdata");

interface CliEntry {
  path: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
  whiteout: string;
}
interface CliResult {
  layers: { index: number; digest: string; diffId: string | null; mediaType: string; trusted: boolean; partial: boolean; entries: CliEntry[] }[];
  merged: { path: string; type: string; size: number; mode: number; layer: number; implied: boolean }[];
  efficiency: { dive: { efficiency: number; wastedBytes: number; userWastedPercent: number } };
}

/** Runs the real bin, as a user would, and parses its stdout. */
async function cli<T>(command: "inspect" | "diff", args: readonly string[]): Promise<T> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, "cli/bin.mjs"), command, ...args, "--json"], {
    cwd: ROOT,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, DOCKER_CONFIG: join(ROOT, "e2e", "fixtures", "no-docker-config") },
  });
  expect(stderr).toBe("");
  return JSON.parse(stdout) as T;
}

const cliInspect = (args: readonly string[]): Promise<CliResult> => cli<CliResult>("inspect", args);

async function downloadJson<T>(page: Page, button: Locator): Promise<T> {
  const [d] = (await Promise.all([page.waitForEvent("download"), button.click()])) as [Download, void];
  return JSON.parse(readFileSync(await d.path(), "utf8")) as T;
}

const mode = (m: number): string => (m & 0o7777).toString(8).padStart(4, "0");

/** Compares everything the page shows of the open image with the command line's result. */
async function expectAgreement(page: Page, cli: CliResult): Promise<void> {
  const rows = page.getByTestId("layers").getByTestId("layer-row");
  await expect(rows).toHaveCount(cli.layers.length, { timeout: 15_000 });
  for (const [i, l] of cli.layers.entries()) {
    await expect(rows.nth(i)).toHaveAttribute("data-trusted", String(l.trusted), { timeout: 30_000 });
  }

  // Each layer's listing, as the page exports it, against the command line's entries.
  for (const [i, l] of cli.layers.entries()) {
    await rows.nth(i).click();
    type PageLayer = {
      layer: { layerIndex: number; digest: string; diffId: string | null; mediaType: string; trusted: boolean; partial: boolean; entries: number };
      entries: { path: string; type: string; size: number; mode: string; uid: number; gid: number; linkTarget: string | null; whiteout: string }[];
    };
    const doc = await downloadJson<PageLayer>(page, page.getByTestId("layer-export-json"));
    expect(doc.layer, `layer ${i}`).toEqual({ layerIndex: i, digest: l.digest, diffId: l.diffId, mediaType: l.mediaType, trusted: l.trusted, partial: l.partial, entries: l.entries.length });
    expect(
      doc.entries.map((e) => [e.path, e.type, e.size, e.mode, e.uid, e.gid, e.linkTarget, e.whiteout]),
      `entries of layer ${i}`,
    ).toEqual(l.entries.map((e) => [e.path, e.type, e.size, mode(e.mode), e.uid, e.gid, e.linkTarget, e.whiteout]));
  }

  // The merged filesystem at the top layer.
  type PageMerged = { complete: boolean; entries: { path: string; type: string; size: number; mode: string; layerIndex: number; implied: boolean }[] };
  const merged = await downloadJson<PageMerged>(page, page.getByTestId("merged").getByTestId("merged-export-json"));
  expect(merged.complete).toBe(true);
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  expect(merged.entries.sort(byPath).map((e) => [e.path, e.type, e.size, e.mode, e.layerIndex, e.implied])).toEqual(
    [...cli.merged].sort(byPath).map((e) => [e.path, e.type, e.size, mode(e.mode), e.layer, e.implied]),
  );

  // dive's figures, as the efficiency panel shows them.
  const dive = page.getByTestId("efficiency").getByTestId("efficiency-dive");
  await expect(dive.getByTestId("efficiency-score")).toHaveAttribute("title", String(cli.efficiency.dive.efficiency));
  await expect(dive.getByTestId("efficiency-wasted")).toHaveAttribute("title", `${cli.efficiency.dive.wastedBytes.toLocaleString("en-US")} bytes`);
  await expect(dive.getByTestId("efficiency-user-wasted")).toHaveAttribute("title", new RegExp(`^${String(cli.efficiency.dive.userWastedPercent).replace(".", "\\.")} of `));
}

test("dive's docker save: the command line and the page agree on every layer, the merged tree and the figures", async ({ page }) => {
  test.setTimeout(120_000);
  const file = join(FILETREE, "test-docker-image.tar");
  const cli = await cliInspect([`docker-archive:${file}`]);
  expect(cli.layers).toHaveLength(14);
  await page.goto("/");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-open").click();
  await (await chooser).setFiles(file);
  await expectAgreement(page, cli);
});

test("a registry image: the command line (direct, --allow-private) and the page (through the proxy) agree", async ({ page }) => {
  test.setTimeout(120_000);
  const { hosts, images } = state();
  const reference = ref(hosts.open, images.history.repository, images.history.tag);
  const result = await cliInspect([reference, "--allow-private"]);
  expect(result.layers.map((l) => l.digest)).toEqual(images.history.layerDigests);
  await openDeepLink(page, reference);
  await expectAgreement(page, result);
});

interface CliDiff {
  layers: { sharedBase: { layers: number }; rows: { kind: string }[]; bytesToPull: number };
  files: {
    counts: Record<string, unknown>;
    rows: { path: string; kind: string; changes: string[]; content: string }[];
  };
}

test("two registry images compared: the command line's diff is the compare view's", async ({ page }) => {
  test.setTimeout(120_000);
  const { hosts, compare } = state();
  const a = ref(hosts.open, compare.v1.repository, compare.v1.tag);
  const b = ref(hosts.open, compare.v2.repository, compare.v2.tag);
  const diff = await cli<CliDiff>("diff", [a, b, "--allow-private"]);

  await page.goto(`/?image=${encodeURIComponent(a)}&compare=${encodeURIComponent(b)}`);
  const layers = page.getByTestId("compare-layers");
  await expect(page.getByTestId("shared-base")).toHaveAttribute("data-layers", String(diff.layers.sharedBase.layers));
  await expect(layers.getByTestId("compare-layer-row")).toHaveCount(diff.layers.rows.length);
  expect(await layers.getByTestId("compare-layer-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")))).toEqual(diff.layers.rows.map((r) => r.kind));
  await expect(page.getByTestId("bytes-to-pull")).toHaveAttribute("data-bytes", String(diff.layers.bytesToPull));

  const fd = page.getByTestId("file-diff");
  await expect(fd.getByTestId("file-diff-state")).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  type PageDiff = { counts: Record<string, unknown>; rows: { path: string; kind: string; changes: string[]; content: string }[] };
  const exported = await downloadJson<PageDiff>(page, fd.getByTestId("compare-export-json"));
  expect(exported.counts).toEqual(diff.files.counts);
  const key = (r: { path: string; kind: string; changes: string[]; content: string }): string => JSON.stringify([r.path, r.kind, r.changes, r.content]);
  expect(exported.rows.map(key).sort()).toEqual(diff.files.rows.map(key).sort());
  expect(diff.files.rows.length).toBeGreaterThan(0);
});
