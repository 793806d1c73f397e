/**
 * The byte-level rows of SECURITY.md that must hold in Chromium itself (issue 8), on layers from
 * the core's hostile corpus (src/core/testing/hostile, pushed by e2e/setup/hostile-fixtures.ts)
 * opened in the real app, whose layer workers run the same `runLayer` as the Vitest suite:
 *
 * - T9: multi-member gzip and trailing data decoded in Chromium: the browser's
 *   DecompressionStream first, then pako from byte 0; corrupt deflate keeps what came before it.
 * - T1, T2, T8, T13 as the page shows them: unsafe paths and links flagged and kept out of the
 *   merged view, a bad header stopping with the entries before it, odd types labelled.
 * - T10: a 10 GiB gzip bomb and a 10 GiB zstd bomb stop at the cap set in localStorage, in the
 *   worker; a zstd frame asking for a 2 GiB window is refused.
 * - T11: a layer of 1 000 001 entries meets the default entry budget; the page stays usable
 *   (the tree is virtualised: a few dozen rows in the DOM, a filter finds the last entry).
 */
import { expect, test, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { watchPage } from "./helpers/watch";
import { BOMB_REPO, MILLION_ENTRIES, MILLION_REPO, pushBombImage, pushMillionImage } from "./setup/hostile-fixtures";

const row = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);
const MiB = 1024 * 1024;

async function settled(page: Page, i: number, timeout = 60_000): Promise<void> {
  await expect(row(page, i)).toHaveAttribute("data-stage", /done|failed/, { timeout });
}

async function warningsOf(page: Page, i: number): Promise<string> {
  await row(page, i).getByTestId("layer-details-toggle").click();
  const w = row(page, i).getByTestId("layer-warnings");
  await expect(w).toBeVisible();
  return (await w.textContent()) ?? "";
}

test("T9: multi-member gzip, trailing bytes and corrupt deflate, decoded in Chromium (DecompressionStream, then pako)", async ({ page }) => {
  const w = await watchPage(page);
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, "e2e/hostile-gzip", "v1"));
  for (let i = 0; i < 4; i++) await settled(page, i);
  for (let i = 0; i < 3; i++) {
    await expect(row(page, i).getByTestId("digest-verdict")).toContainText("verified");
    await expect(row(page, i).getByTestId("diffid-verdict")).toContainText("verified");
    await expect(row(page, i)).toHaveAttribute("data-trusted", "true");
  }
  // Chromium's DecompressionStream stops at the second member and at trailing bytes: each layer
  // was read again from byte 0 with pako, which decoded every member and flagged what followed.
  expect(await warningsOf(page, 0)).toMatch(/browser's gzip decoder stopped.*pako/);
  const trailing = await warningsOf(page, 1);
  expect(trailing).toMatch(/pako/);
  expect(trailing).toMatch(/16 bytes of trailing data after the last gzip member/);
  expect(await warningsOf(page, 2)).toMatch(/1024 zero bytes after the last gzip member/);
  // Corrupt deflate: a clear error, untrusted, and the entries decoded before it still listed.
  const bad = row(page, 3);
  await expect(bad.locator('[data-testid="error"][data-kind="corrupt-compression"]')).toBeVisible();
  await expect(bad.getByTestId("partial")).toBeVisible();
  await expect(bad).toHaveAttribute("data-trusted", "false");
  await bad.click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-expand-all").click();
  await expect(files.locator('[data-testid="tree-row"][data-path="noise/f00"]')).toBeVisible();
  expect(w.violations).toEqual([]);
  expect(w.pageErrors).toEqual([]);
});

test("T1, T2, T8, T13 in the page: escapes flagged and kept out of the merged view, a bad header partial, odd types labelled", async ({ page }) => {
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, "e2e/hostile-tar", "v1"));
  for (let i = 0; i < 4; i++) await settled(page, i);
  const files = page.getByTestId("layer-files");
  const treeRow = (path: string) => files.locator(`[data-testid="tree-row"][data-path="${path}"]`);

  // T1: "../etc/passwd" is listed where it was written, flagged, and not in the merged view.
  await row(page, 0).click();
  await files.getByTestId("tree-expand-all").click();
  await expect(treeRow("../etc/passwd").getByTestId("unsafe-path")).toBeVisible();
  // T2: "x → ../victim" is flagged; "x/file" is listed at its literal path.
  await row(page, 1).click();
  await files.getByTestId("tree-expand-all").click();
  await expect(treeRow("x").getByTestId("unsafe-link")).toBeVisible();
  await expect(treeRow("x/file")).toBeVisible();
  // T13: odd types shown with their kind.
  await row(page, 2).click();
  await files.getByTestId("tree-expand-all").click();
  for (const [path, type] of [
    ["mystery", "unknown"],
    ["sparse-gnu", "sparse"],
    ["tty", "char"],
    ["disk", "block"],
    ["pipe", "fifo"],
    ["contig", "contiguous"],
  ] as const) {
    await expect(treeRow(path), path).toHaveAttribute("data-type", type);
  }
  expect(await warningsOf(page, 2)).toMatch(/global/i);
  // T8: a bad checksum stops the layer with a clear error; the entries before it are kept.
  const bad = row(page, 3);
  await expect(bad.locator('[data-testid="error"][data-kind="corrupt-tar"]')).toContainText(/checksum/i);
  await expect(bad.getByTestId("partial")).toBeVisible();
  await bad.click();
  await files.getByTestId("tree-expand-all").click();
  await expect(treeRow("pre/kept")).toBeVisible();

  // The merged view never shows the escape (nor anything it would have reached).
  await expect(page.getByTestId("merged-summary")).toBeVisible({ timeout: 30_000 });
  const merged = page.getByTestId("merged-tree");
  await expect(merged.locator('[data-testid="merged-row"][data-path="ok"]')).toHaveCount(1);
  await expect(merged.locator('[data-testid="merged-row"][data-path="etc"]')).toHaveCount(0);
  await expect(merged.locator('[data-testid="merged-row"][data-path="../etc/passwd"]')).toHaveCount(0);
});

test("T10: a 10 GiB gzip bomb and a 10 GiB zstd bomb stop at the configured cap in the worker; a 2 GiB zstd window is refused", async ({ page }) => {
  test.setTimeout(300_000);
  const { hosts } = state();
  await pushBombImage({ base: `http://${hosts.open}` });
  const cap = 256 * MiB;
  await page.addInitScript((c) => localStorage.setItem("layerscope.limits.maxUncompressedBytes", String(c)), cap);
  const w = await watchPage(page);
  await openDeepLink(page, ref(hosts.open, BOMB_REPO, "v1"));
  for (let i = 0; i < 3; i++) await settled(page, i, 180_000);
  for (const i of [0, 1]) {
    const error = row(page, i).locator('[data-testid="error"][data-kind="limit-exceeded"]');
    await expect(error).toContainText(`stopped at ${cap} bytes: the uncompressed size limit (256 MiB)`);
    await expect(row(page, i)).toHaveAttribute("data-trusted", "false");
    // The blob itself is what the manifest names: only the decompressed side was stopped.
    await expect(row(page, i).getByTestId("digest-verdict")).toContainText("verified");
  }
  await expect(row(page, 2).locator('[data-testid="error"][data-kind="limit-exceeded"]')).toContainText("2 GiB window");
  // The page answered throughout and still does.
  await row(page, 2).click();
  await expect(row(page, 2)).toBeVisible();
  expect(w.violations).toEqual([]);
  expect(w.pageErrors).toEqual([]);
});

test("T11: a layer of 1 000 001 entries stops at the default entry budget; the page stays usable", async ({ page }) => {
  test.setTimeout(600_000);
  const { hosts } = state();
  await pushMillionImage({ base: `http://${hosts.open}` });
  const w = await watchPage(page);
  await openDeepLink(page, ref(hosts.open, MILLION_REPO, "v1"));
  await settled(page, 0, 420_000);
  const error = row(page, 0).locator('[data-testid="error"][data-kind="limit-exceeded"]');
  await expect(error).toContainText(`more than ${MILLION_ENTRIES - 1} entries`);
  await expect(row(page, 0).getByTestId("partial")).toBeVisible();
  // Virtualised: a million entries, a few dozen rows in the DOM; a filter finds the last one kept.
  await row(page, 0).click();
  const files = page.getByTestId("layer-files");
  await expect(files.getByTestId("filetree")).toBeVisible({ timeout: 120_000 });
  await files.getByTestId("tree-expand-all").click();
  // The budget's million entries (and the directory they are in).
  await expect(files.getByTestId("tree-count")).toContainText(/1,000,00\d in the tree/, { timeout: 120_000 });
  expect(await files.locator('[data-testid="tree-row"]').count()).toBeLessThan(500);
  await files.getByTestId("tree-filter").fill("0999999");
  await expect(files.locator('[data-testid="tree-row"][data-path="many/0999999"]')).toBeVisible({ timeout: 120_000 });
  expect(w.violations).toEqual([]);
  expect(w.pageErrors).toEqual([]);
});
