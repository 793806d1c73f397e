/**
 * Pictures (issue 5, point 7): the layer-size chart and the treemap of the merged filesystem, on
 * `e2e/pictures:v1` (e2e/setup/pictures-fixtures.ts) from the real registry, through the real
 * proxy, in Chromium. Expected figures come from the fixture's own entries, not the app's code.
 *
 * The merged tree does not listen for `reveal-merged` on this branch (the search helper's branch
 * adds that listener), so the treemap's reveal and open are asserted on the file-actions bus
 * itself: every action is also dispatched on window as FILE_ACTION_EVENT.
 */
import { expect, test, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink, openReference } from "./helpers/ui";
import { FILE_ACTION_EVENT } from "../src/features/files/actions";
import { layerColour } from "../src/features/pictures/model";

/** Records the actions emitted on the bus from now on, in `window.__fileActions`. */
async function recordActions(page: Page): Promise<void> {
  await page.evaluate((type) => {
    const w = window as unknown as { __fileActions: unknown[] };
    w.__fileActions = [];
    window.addEventListener(type, (e) => w.__fileActions.push((e as CustomEvent).detail));
  }, FILE_ACTION_EVENT);
}
const actions = (page: Page): Promise<unknown[]> => page.evaluate(() => (window as unknown as { __fileActions: unknown[] }).__fileActions);

test("the layer-size chart and the treemap of e2e/pictures:v1", async ({ page }) => {
  // Many steps (chart, treemap zoom, keyboard, list, resize): ~15 s alone, twice that on a loaded machine.
  test.setTimeout(90_000);
  const s = state();
  const p = s.pictures;
  await openReference(page, ref(s.hosts.open, p.repository, p.tag));
  for (let i = 0; i < p.compressed.length; i++) {
    await expect(page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
  }
  const pictures = page.getByTestId("pictures");
  await page.getByTestId("section-nav").getByRole("link", { name: "Pictures" }).click();
  await expect(pictures).toBeInViewport();

  // The chart: one bar per layer, with the registry's compressed size and the tar's size.
  const bars = pictures.getByTestId("chart-layer");
  await expect(bars).toHaveCount(p.compressed.length);
  for (let i = 0; i < p.compressed.length; i++) {
    const bar = bars.nth(i);
    await expect(bar).toHaveAttribute("data-layer", String(i));
    await expect(bar).toHaveAttribute("data-status", "indexed");
    await expect(bar).toHaveAttribute("data-compressed", String(p.compressed[i]));
    await expect(bar).toHaveAttribute("data-uncompressed", String(p.uncompressed[i]));
    await expect(bar).toHaveAttribute("data-wasted", String(p.wasted[i]));
  }
  // Layer 0's overwritten data.txt and whited-out config: the wasted share, in bytes and as a share of its file bytes.
  const share = ((p.wasted[0]! / p.fileBytes[0]!) * 100).toFixed(1);
  await expect(bars.nth(0)).toContainText(`${share} % wasted`);
  await expect(bars.nth(0)).toHaveAttribute("title", new RegExp(`Wasted later: ${p.wasted[0]!.toLocaleString("en-US")} bytes`));
  await expect(bars.nth(0).getByTestId("bar-wasted")).toBeVisible();
  await expect(bars.nth(1).getByTestId("bar-wasted")).toHaveCount(0);
  await expect(bars.nth(2)).toContainText("empty: no files");
  await expect(bars.nth(3)).toHaveAttribute("title", /RUN rm \/etc\/config/);

  // Sizes span orders of magnitude: the log toggle is there and switches the scale.
  const chart = pictures.getByTestId("layer-sizes-chart");
  await expect(chart).toHaveAttribute("data-scale", "linear");
  await pictures.getByTestId("chart-scale-log").click();
  await expect(chart).toHaveAttribute("data-scale", "log");
  await chart.screenshot({ path: test.info().outputPath("layer-sizes-chart.png") });
  await pictures.getByTestId("chart-scale-linear").click();
  await expect(chart).toHaveAttribute("data-scale", "linear");
  await chart.screenshot({ path: test.info().outputPath("layer-sizes-chart-linear.png") });

  // The treemap: the biggest file tile names the right path and carries its layer's colour.
  const treemap = pictures.getByTestId("treemap");
  const files = treemap.getByTestId("treemap-file");
  await expect(files.first()).toBeVisible();
  const biggest = treemap.locator(`[data-testid="treemap-file"][data-path="${p.biggest.path}"]`);
  await expect(biggest).toHaveAttribute("data-layer", String(p.biggest.layer));
  await expect(biggest.locator("rect").first()).toHaveAttribute("fill", layerColour(p.biggest.layer));
  const areaOf = async (path: string): Promise<number> => {
    const box = await treemap.locator(`[data-testid="treemap-file"][data-path="${path}"] rect`).first().boundingBox();
    return (box?.width ?? 0) * (box?.height ?? 0);
  };
  const biggestArea = await areaOf(p.biggest.path);
  for (const path of await files.evaluateAll((els) => els.map((e) => e.getAttribute("data-path") ?? ""))) expect(await areaOf(path)).toBeLessThanOrEqual(biggestArea + 0.5);
  // The 300 tiny docs are gathered into one tile, in their directory.
  await expect(treemap.locator(`[data-testid="treemap-rest"][data-path="${p.small.dir}"]`)).toHaveAttribute("data-count", String(p.small.count));
  // The legend: one entry per layer, in the chips' numbering, with the same colours.
  await expect(treemap.getByTestId("legend-layer")).toHaveCount(p.compressed.length);
  await expect(treemap.locator(`[data-testid="legend-layer"][data-layer="${p.biggest.layer}"]`)).toHaveAttribute("data-colour", layerColour(p.biggest.layer));
  // Hover: path, size, layer.
  await biggest.locator("rect").first().hover();
  const tip = treemap.getByTestId("treemap-tooltip");
  await expect(tip).toContainText(p.biggest.path);
  await expect(tip).toContainText(`${p.biggest.size.toLocaleString("en-US")} bytes`);
  await expect(tip).toContainText(`Layer ${p.biggest.layer + 1}`);
  const timing = await treemap.getByTestId("treemap-box").getAttribute("data-timing-ms");
  console.log(`treemap layout/render ms (fixture, ${await treemap.getByTestId("treemap-box").getAttribute("data-tiles")} tiles): ${timing}`);
  await treemap.screenshot({ path: test.info().outputPath("treemap.png") });

  // Clicking a file selects it; its buttons reveal it in the merged tree and open it; double-click opens it.
  await recordActions(page);
  await biggest.locator("rect").first().click();
  await expect(treemap.getByTestId("treemap-selection")).toContainText(p.biggest.path);
  // A click only selects (the page stays on the treemap); "Show in merged tree" reveals it.
  expect(await actions(page)).toEqual([]);
  await treemap.getByTestId("treemap-reveal").click();
  await expect.poll(() => actions(page)).toContainEqual({ type: "reveal-merged", path: p.biggest.path });
  // The merged tree follows it: the row is selected and its details shown.
  await expect(page.locator(`[data-testid="merged-row"][data-path="${p.biggest.path}"]`)).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("merged-details")).toHaveAttribute("data-path", p.biggest.path);
  await biggest.scrollIntoViewIfNeeded();
  await treemap.getByTestId("treemap-open").click();
  await expect.poll(() => actions(page)).toContainEqual({ type: "open-file", layer: p.biggest.layer, path: p.biggest.path });
  // The viewer follows it: open on that file from that layer; Esc closes it.
  const viewer = page.getByTestId("file-viewer");
  await expect(viewer).toHaveAttribute("data-path", p.biggest.path);
  await expect(viewer).toHaveAttribute("data-layer", String(p.biggest.layer));
  await page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);

  // Clicking a directory zooms into it; the breadcrumb zooms out.
  await treemap.locator(`[data-testid="treemap-dir"][data-path="${p.zoom.dir}"] rect`).first().click({ position: { x: 5, y: 5 } });
  await expect(treemap.getByTestId("treemap-breadcrumb")).toContainText(p.zoom.dir);
  await expect(treemap.locator(`[data-testid="treemap-file"][data-path="${p.biggest.path}"]`)).toHaveCount(0);
  const inner = treemap.locator(`[data-testid="treemap-file"][data-path="${p.zoom.file}"]`);
  await expect(inner).toHaveAttribute("data-layer", String(p.zoom.layer));
  await inner.locator("rect").first().dblclick();
  await expect.poll(() => actions(page)).toContainEqual({ type: "open-file", layer: p.zoom.layer, path: p.zoom.file });
  await expect(viewer).toHaveAttribute("data-path", p.zoom.file);
  await page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);
  await treemap.screenshot({ path: test.info().outputPath("treemap-zoomed.png") });
  await treemap.getByTestId("treemap-crumb").first().click();
  await expect(biggest).toBeVisible();

  // The keyboard: one tab stop, arrows move, Enter zooms into a directory.
  const svg = treemap.locator("svg[aria-roledescription=treemap]");
  await svg.focus();
  await page.keyboard.press("Home");
  await page.keyboard.press("Enter");
  await expect(treemap.getByTestId("treemap-breadcrumb")).toContainText("usr");
  await page.keyboard.press("Backspace");
  await expect(treemap.getByTestId("treemap-breadcrumb")).not.toContainText("usr");

  // The list alternative lists the zoomed directory biggest first.
  await treemap.getByTestId("treemap-list-toggle").click();
  await expect(treemap.getByTestId("treemap-list-row").first()).toHaveAttribute("data-path", "usr");

  // Clicking a bar selects that layer in the layers list.
  await bars.nth(1).click();
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="1"]')).toHaveAttribute("aria-current", "true");

  // Responsive: on a phone-sized window the treemap follows the card's width.
  await page.setViewportSize({ width: 400, height: 800 });
  await expect.poll(async () => (await svg.boundingBox())?.width ?? 0).toBeLessThan(400);
  await expect(biggest).toBeVisible();
  await pictures.screenshot({ path: test.info().outputPath("pictures-narrow.png") });
});

test("a layer still downloading is pending in the chart, then cancelled; a layer that fails verification is marked", async ({ page }) => {
  const { hosts, images } = state();
  // The slow front sends 4 MB/s: the 16 MiB layer stays pending for seconds.
  await openDeepLink(page, ref(hosts.slow, images.layersBig.repository, images.layersBig.tag));
  const bar = page.getByTestId("pictures").getByTestId("chart-layer").first();
  await expect(bar).toHaveAttribute("data-status", "pending");
  await expect(bar).toHaveAttribute("data-uncompressed", "");
  await expect(bar.getByTestId("bar-uncompressed")).toContainText(/pending… \d+ % downloaded/);
  await expect(page.getByTestId("pictures")).toContainText("The treemap appears once a layer is indexed.");
  await page.locator('[data-testid="layer-row"][data-layer-index="0"]').getByTestId("layer-cancel").click();
  await expect(bar).toHaveAttribute("data-status", "cancelled");
  await expect(bar.getByTestId("bar-uncompressed")).toContainText("cancelled: not indexed");

  // One flipped byte in the blob: the row carries the untrusted mark, whatever stage it ends in.
  const flipped = images.layersFlipped;
  await openDeepLink(page, ref(hosts.open, flipped.repository, flipped.tag));
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="0"]')).toHaveAttribute("data-stage", /done|failed/, { timeout: 20_000 });
  const flippedBar = page.getByTestId("pictures").getByTestId("chart-layer").first();
  await expect(flippedBar).toHaveAttribute("data-status", /indexed|partial|failed/);
  await expect(flippedBar).toHaveAttribute("title", /untrusted/);
});
