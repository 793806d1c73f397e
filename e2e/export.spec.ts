/**
 * Export (issue 5, point 4): the merged tree, a layer's listing and a comparison, downloaded as
 * JSON and CSV from the real page and parsed here; their rows are what the page shows.
 */
import { readFileSync } from "node:fs";
import { expect, test, type Download, type Locator, type Page } from "@playwright/test";
import { COMPARE_CSV_HEADER, LAYER_CSV_HEADER, MERGED_CSV_HEADER, parseCsv } from "../src/core/export";
import { FORMULA_NAME } from "./setup/search-fixtures";
import { openDeepLink } from "./helpers/ui";
import { ref, state } from "./helpers/state";

async function download(page: Page, button: Locator): Promise<{ name: string; text: string }> {
  const [d] = (await Promise.all([page.waitForEvent("download"), button.click()])) as [Download, void];
  const path = await d.path();
  return { name: d.suggestedFilename(), text: readFileSync(path, "utf8") };
}

async function openSearchImage(page: Page): Promise<void> {
  const { hosts, images } = state();
  await openDeepLink(page, ref(hosts.open, images.search.repository, images.search.tag));
  await expect(page.locator('[data-testid="layer-row"][data-stage="done"]')).toHaveCount(2, { timeout: 30_000 });
}

interface MergedEntryJson {
  path: string;
  type: string;
  size: number;
  mode: string;
  layerIndex: number;
  implied: boolean;
  linkTarget: string | null;
}

test("the merged filesystem as JSON and CSV: every path the tree shows, with its fields", async ({ page }) => {
  await openSearchImage(page);
  const merged = page.getByTestId("merged");
  await merged.getByTestId("merged-expand-all").click();
  // The page's rows: 31 paths fit the tree's window (20 rows + 12 of overscan), so all are in the DOM.
  const rows = merged.getByTestId("merged-row");
  await expect(merged.getByTestId("merged-count")).toContainText("31 paths");
  await expect(rows).toHaveCount(31);
  const shown = new Map<string, { layer: string | null; type: string | null; size: string | null; link: string | null }>();
  for (const r of await rows.all()) {
    shown.set((await r.getAttribute("data-path")) ?? "", {
      layer: await r.getAttribute("data-layer"),
      type: await r.getAttribute("data-type"),
      size: await r.getAttribute("data-size"),
      link: await r.getAttribute("data-link"),
    });
  }

  const json = await download(page, merged.getByTestId("merged-export-json"));
  expect(json.name).toBe("e2e_search-v1-merged.json");
  const doc = JSON.parse(json.text) as { schema: string; version: number; image: { reference: string; manifestDigest: string }; complete: boolean; entries: MergedEntryJson[]; deleted: unknown[] };
  expect(doc.schema).toBe("layerscope/merged-filesystem");
  expect(doc.version).toBe(1);
  expect(doc.image.manifestDigest).toBe(state().images.search.manifestDigest);
  expect(doc.complete).toBe(true);
  expect(doc.deleted).toEqual([]); // "show deleted" is off
  expect(doc.entries.map((e) => e.path).sort()).toEqual([...shown.keys()].sort());
  for (const e of doc.entries) {
    const row = shown.get(e.path);
    expect(row?.type, e.path).toBe(e.type);
    expect(row?.layer ?? null, e.path).toBe(e.implied ? null : String(e.layerIndex));
    if (e.type !== "dir") expect(row?.size, e.path).toBe(String(e.size));
    expect(row?.link ?? null, e.path).toBe(e.linkTarget);
  }
  expect(doc.entries.find((e) => e.path === "bin/su")?.mode).toBe("4755");
  expect(doc.entries.find((e) => e.path === "tmp")?.mode).toBe("1777");

  // With deleted paths shown, the export lists them too.
  await merged.getByTestId("merged-show-deleted").check();
  const withDeleted = JSON.parse((await download(page, merged.getByTestId("merged-export-json"))).text) as { deleted: { path: string; removedByLayerIndex: number; how: string }[] };
  expect(withDeleted.deleted.map((d) => `${d.path} ${d.removedByLayerIndex} ${d.how}`).sort()).toEqual(["bin/removed-later 1 whiteout", "var/drop 1 opaque"]);

  const csv = await download(page, merged.getByTestId("merged-export-csv"));
  expect(csv.name).toBe("e2e_search-v1-merged.csv");
  expect(csv.text).toContain("\r\n");
  const table = parseCsv(csv.text);
  expect(table[0]).toEqual([...MERGED_CSV_HEADER]);
  const present = table.slice(1).filter((r) => r[2] === "present");
  expect(present.map((r) => r[0]).sort()).toEqual(doc.entries.map((e) => (e.path.startsWith("=") ? `'${e.path}` : e.path)).sort());
  // The formula-like name is neutralised for spreadsheets, and the tooltip says so.
  expect(present.some((r) => r[0] === `'${FORMULA_NAME}`)).toBe(true);
  expect(present.some((r) => r[0] === FORMULA_NAME)).toBe(false);
  await expect(merged.getByTestId("merged-export-csv")).toHaveAttribute("title", /leading apostrophe/);
  expect(table.slice(1).filter((r) => r[2] === "deleted").map((r) => r[0]).sort()).toEqual(["bin/removed-later", "var/drop"]);
});

test("a layer's listing as JSON and CSV: its entries in tar order", async ({ page }) => {
  await openSearchImage(page);
  await page.locator('[data-testid="layer-row"][data-layer-index="1"]').click();
  const files = page.getByTestId("layer-files");
  await expect(files.getByTestId("tree-summary")).toContainText("6 entries");

  const json = await download(page, files.getByTestId("layer-export-json"));
  expect(json.name).toBe("e2e_search-v1-layer-2.json");
  const doc = JSON.parse(json.text) as { schema: string; layer: { layerIndex: number; digest: string; trusted: boolean; entries: number }; entries: { path: string; whiteout: string; whiteoutTarget: string | null }[] };
  expect(doc.schema).toBe("layerscope/layer-listing");
  expect(doc.layer).toMatchObject({ layerIndex: 1, digest: state().images.search.layerDigests[1], trusted: true, entries: 6 });
  expect(doc.entries.map((e) => e.path)).toEqual(["bin/.wh.removed-later", "var", "var/.wh..wh..opq", "var/new.txt", "etc/app.conf", "new/deep/dir/file.txt"]);
  expect(doc.entries[0]).toMatchObject({ whiteout: "whiteout", whiteoutTarget: "bin/removed-later" });
  // The tree shows the whiteout under the name it hides.
  await files.getByTestId("tree-expand-all").click();
  await expect(files.locator('[data-testid="tree-row"][data-path="bin/removed-later"]')).toBeVisible();

  const csv = await download(page, files.getByTestId("layer-export-csv"));
  expect(csv.name).toBe("e2e_search-v1-layer-2.csv");
  const table = parseCsv(csv.text);
  expect(table[0]).toEqual([...LAYER_CSV_HEADER]);
  expect(table.slice(1).map((r) => r[0])).toEqual(doc.entries.map((e) => e.path));
});

test("a comparison as JSON and CSV from the compare view: the rows shown and the counts", async ({ page }) => {
  const { hosts, compare } = state();
  const v1 = ref(hosts.open, compare.v1.repository, compare.v1.tag);
  const v2 = ref(hosts.open, compare.v2.repository, compare.v2.tag);
  await page.goto(`/?image=${encodeURIComponent(v1)}&compare=${encodeURIComponent(v2)}`);
  const fd = page.getByTestId("file-diff");
  await expect(fd.getByTestId("file-diff-state")).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  const shownPaths = async (): Promise<string[]> => (await fd.getByTestId("diff-row").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-path")} ${e.getAttribute("data-kind")}`))).sort();

  const json = await download(page, fd.getByTestId("compare-export-json"));
  expect(json.name).toMatch(/^127\.0\.0\.1_\d+_e2e_compare_v1-vs-127\.0\.0\.1_\d+_e2e_compare_v2\.json$/);
  const doc = JSON.parse(json.text) as {
    schema: string;
    a: { reference: string };
    b: { reference: string };
    counts: Record<string, number>;
    rows: { path: string; kind: string; changes: string[]; a: { layerIndex: number } | null; b: { layerIndex: number } | null }[];
  };
  expect(doc.schema).toBe("layerscope/file-comparison");
  expect(doc.a.reference).toContain("e2e/compare:v1");
  expect(doc.b.reference).toContain("e2e/compare:v2");
  for (const kind of ["added", "removed", "changed", "uncertain", "unchanged"]) {
    expect(String(doc.counts[kind])).toBe(await fd.getByTestId(`diff-count-${kind}`).getAttribute("data-count"));
  }
  expect(doc.rows.map((r) => `${r.path} ${r.kind}`).sort()).toEqual(await shownPaths());
  expect(doc.rows.find((r) => r.path === "app/new.txt")).toMatchObject({ kind: "added", a: null });

  // Filtered to one attribute: the export follows what is shown.
  await fd.getByTestId("diff-attribute").selectOption("mode");
  await expect(fd.getByTestId("diff-row")).toHaveCount(1);
  const csv = await download(page, fd.getByTestId("compare-export-csv"));
  const table = parseCsv(csv.text);
  expect(table[0]).toEqual(COMPARE_CSV_HEADER);
  expect(table.slice(1).map((r) => `${r[0]} ${r[2]}`).sort()).toEqual(await shownPaths());
  expect(table[1]?.[3]).toBe("mode");
});
