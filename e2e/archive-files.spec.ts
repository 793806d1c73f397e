/**
 * Issue 5, point 5: "everything above works on it". dive's docker-save archive, opened from disk
 * with no registry, through the other file features: the viewer reads a file from the archive's
 * layer, search finds its paths and reveals them, the merged export lists them with their layers,
 * a path's history spans its layers, and the persistent cache serves the layers when the same
 * file is picked again. The expected bytes come from GNU tar on the same archive.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { countRegistryRequests } from "./helpers/ui";

const ARCHIVE = join(import.meta.dirname, "..", "src", "core", "filetree", "testdata", "test-docker-image.tar");
/** dive's Dockerfile.test-image: layer 1 is `ADD README.md /somefile.txt`; 7 is the `mv` to /root/saved.txt; 13 its `chmod +x`. */
const SOMEFILE_LAYER = 1;

/** A member of the archive's layer `i`, read with GNU tar (no code of ours). */
function fromArchive(i: number, path: string): string {
  const manifest = JSON.parse(execFileSync("tar", ["-xOf", ARCHIVE, "manifest.json"], { encoding: "utf8" })) as { Layers: string[] }[];
  const layerTar = execFileSync("tar", ["-xOf", ARCHIVE, manifest[0]!.Layers[i]!], { maxBuffer: 64 << 20 });
  return execFileSync("tar", ["-xO", path], { input: layerTar, encoding: "utf8" });
}

const layerRows = (page: Page) => page.getByTestId("layers").getByTestId("layer-row");

async function pickArchive(page: Page): Promise<void> {
  await page.goto("/");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-open").click();
  await (await chooser).setFiles(ARCHIVE);
  await expect(layerRows(page)).toHaveCount(14, { timeout: 15_000 });
  for (let i = 0; i < 14; i++) await expect(layerRows(page).nth(i)).toHaveAttribute("data-trusted", "true", { timeout: 20_000 });
}

test("a local archive's file opens in the viewer, read from its layer in the archive, byte for byte", async ({ page }) => {
  test.setTimeout(60_000);
  const requests = countRegistryRequests(page);
  await pickArchive(page);
  await layerRows(page).nth(SOMEFILE_LAYER).click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-filter").fill("somefile.txt");
  await files.locator('[data-testid="tree-row"][data-path="somefile.txt"]').click();
  await files.getByTestId("entry-open").click();
  const viewer = page.getByTestId("file-viewer");
  await expect(viewer).toHaveAttribute("data-path", "somefile.txt");
  await expect(viewer.getByTestId("viewer-verified")).toContainText("verified layer");
  const expected = fromArchive(SOMEFILE_LAYER, "somefile.txt").replace(/\n$/, "").split("\n");
  const lines = viewer.getByTestId("viewer-line");
  await expect(lines).toHaveCount(Math.min(expected.length, 1000));
  for (const i of [0, 1, Math.floor(expected.length / 2), expected.length - 1]) {
    await expect(lines.nth(i).locator("td").nth(1)).toHaveText(expected[i]!.replace(/\r$/, ""));
  }
  await page.keyboard.press("Escape");
  expect(requests.urls).toEqual([]);
});

test("a local archive's path history: /root/saved.txt added by the mv, its mode changed by the chmod", async ({ page }) => {
  test.setTimeout(60_000);
  await pickArchive(page);
  await layerRows(page).nth(13).click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-filter").fill("saved.txt");
  await files.locator('[data-testid="tree-row"][data-path="root/saved.txt"]').click();
  await files.getByTestId("open-history").click();
  const panel = page.getByTestId("history-panel");
  await expect(panel.getByTestId("history-path")).toHaveText("/root/saved.txt");
  const kinds = await panel.getByTestId("history-event").evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-kind")}@${r.getAttribute("data-layer")}`));
  expect(kinds).toEqual(["added@7", "changed@13"]);
  await expect(panel.getByTestId("history-event").nth(1).getByTestId("history-event-title")).toHaveText("changed: mode");
});

test("picking the same archive again: every layer comes from the persistent cache", async ({ page }) => {
  test.setTimeout(90_000);
  await pickArchive(page);
  await expect(page.getByTestId("cache-control")).toHaveAttribute("data-layers", "14", { timeout: 20_000 });
  await pickArchive(page);
  await expect(page.getByTestId("layers-cache-summary")).toContainText("14 of 14 layers from the cache");
  for (let i = 0; i < 14; i++) await expect(layerRows(page).nth(i).getByTestId("layer-source")).toContainText(/from cache \(verified \d/);
});

test("a local archive is searched and exported: every path named *saved*, revealed in the tree and in the JSON with its layer", async ({ page }) => {
  test.setTimeout(60_000);
  await pickArchive(page);
  await page.getByTestId("search-input").fill("saved");
  await page.getByTestId("search-input").press("Enter");
  const rows = page.locator('[data-testid="search-result"][data-scope="merged"]');
  // dive's Dockerfile: saved.txt (mv), .saved.txt (cp), saved.again1.txt and saved.again2.txt (cp); somefile3 was removed.
  const expected = ["root/.data/saved.again2.txt", "root/.saved.txt", "root/saved.txt", "tmp/saved.again1.txt"];
  await expect(rows).toHaveCount(expected.length);
  expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-path") ?? ""))).sort()).toEqual(expected);
  await page.locator('[data-testid="search-result"][data-path="root/saved.txt"] button').click();
  await expect(page.getByTestId("merged-details")).toHaveAttribute("data-path", "root/saved.txt");

  const merged = page.getByTestId("merged");
  const [d] = await Promise.all([page.waitForEvent("download"), merged.getByTestId("merged-export-json").click()]);
  const doc = JSON.parse(readFileSync((await d.path())!, "utf8")) as { complete: boolean; entries: { path: string; layerIndex: number; mode: string }[] };
  expect(doc.complete).toBe(true);
  const saved = doc.entries.find((e) => e.path === "root/saved.txt");
  expect(saved).toMatchObject({ layerIndex: 13 });
  expect(doc.entries.some((e) => e.path.startsWith("root/example"))).toBe(false); // rm -rf /root/example/
});
