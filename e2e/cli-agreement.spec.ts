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
export async function cliInspect(args: readonly string[]): Promise<CliResult> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, "cli/bin.mjs"), "inspect", ...args, "--json"], {
    cwd: ROOT,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, DOCKER_CONFIG: join(ROOT, "e2e", "fixtures", "no-docker-config") },
  });
  expect(stderr).toBe("");
  return JSON.parse(stdout) as CliResult;
}

async function downloadJson<T>(page: Page, button: Locator): Promise<T> {
  const [d] = (await Promise.all([page.waitForEvent("download"), button.click()])) as [Download, void];
  return JSON.parse(readFileSync(await d.path(), "utf8")) as T;
}

const mode = (m: number): string => (m & 0o7777).toString(8).padStart(4, "0");

/** Compares everything the page shows of the open image with the command line's result. */
export async function expectAgreement(page: Page, cli: CliResult): Promise<void> {
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
