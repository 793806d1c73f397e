/**
 * A path's history (issue 5 point 3) on an image pushed to the real test registry
 * (e2e/setup/history-fixtures.ts): etc/app.conf is added, changed, whited out and re-added;
 * srv/data/x.txt goes with its parent's whiteout. The panel lists every version with its layer,
 * mode and owner, marks the visible one, and diffs two versions read from their layers.
 */
import { expect, test, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openReference } from "./helpers/ui";
import { HISTORY_CREATED_BY, HISTORY_PARENT_WHITED_OUT, HISTORY_PATH } from "./setup/history-fixtures";

const layerRow = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);
const mergedRow = (page: Page, path: string) => page.getByTestId("merged-tree").locator(`[data-testid="merged-row"][data-path="${path}"]`);
const event = (page: Page, i: number) => page.getByTestId("history-panel").getByTestId("history-event").nth(i);

async function openImage(page: Page): Promise<void> {
  const { hosts, images } = state();
  await openReference(page, ref(hosts.open, images.history.repository, images.history.tag));
  for (let i = 0; i < 4; i++) {
    await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
    await expect(layerRow(page, i)).toHaveAttribute("data-trusted", "true");
  }
}

/** The unified diff's changed lines, as "-text" / "+text". */
async function changedLines(page: Page): Promise<string[]> {
  const rows = page.getByTestId("history-diff").locator('[data-testid="history-diff-line"]:not([data-kind="same"])');
  return rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute("data-kind") === "del" ? "-" : "+"}${(tr.lastElementChild?.textContent ?? "").replace(/^[−+]\s*(removed: |added: )?/, "")}`));
}

test("a path added, changed, whited out and re-added: every version, the visible one, and text diffs", async ({ page }) => {
  await openImage(page);

  // From the merged tree: the file's details have a History button.
  await page.getByTestId("merged-filter").fill("app.conf");
  await mergedRow(page, HISTORY_PATH).click();
  await expect(page.getByTestId("merged-details")).toHaveAttribute("data-path", HISTORY_PATH);
  const opener = page.getByTestId("merged-details").getByTestId("open-history").first();
  await opener.click();

  const panel = page.getByTestId("history-panel");
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute("role", "dialog");
  await expect(panel.getByTestId("history-path")).toHaveText(`/${HISTORY_PATH}`);
  await expect(panel.getByTestId("history-close")).toBeFocused();

  // Four events, one per layer, in layer order.
  await expect(panel.getByTestId("history-event")).toHaveCount(4);
  const kinds = await panel.getByTestId("history-event").evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-kind")}@${r.getAttribute("data-layer")}`));
  expect(kinds).toEqual(["added@0", "changed@1", "whited-out@2", "re-added@3"]);
  await expect(event(page, 0).getByTestId("history-event-meta")).toContainText("-rw-r--r--");
  await expect(event(page, 0).getByTestId("history-event-meta")).toContainText("root:root");
  await expect(event(page, 0).getByTestId("history-event-meta")).toContainText("2020-01-01T00:00:00Z");
  await expect(event(page, 1).getByTestId("history-event-title")).toHaveText("changed: size, mode, owner");
  await expect(event(page, 1).getByTestId("history-event-meta")).toContainText("-rw-r-----");
  await expect(event(page, 1).getByTestId("history-event-meta")).toContainText("app:app (1000:1000)");
  await expect(event(page, 1)).toContainText(HISTORY_CREATED_BY[1]);
  await expect(event(page, 2)).toContainText('The whiteout "etc/.wh.app.conf" hides this path in every lower layer.');
  await expect(event(page, 2)).toContainText(HISTORY_CREATED_BY[2]);

  // Only the re-added version is visible in the final image.
  await expect(panel.locator('[data-testid="history-event"][data-visible="true"]')).toHaveCount(1);
  await expect(event(page, 3)).toHaveAttribute("data-visible", "true");
  await expect(panel.getByTestId("history-summary")).toContainText("layer 4's file");

  // The default diff: the visible version (layer 4) against the one before it (layer 2), read from the registry.
  await expect(panel.getByTestId("history-diff-sides")).toContainText("layer 2");
  await expect(panel.getByTestId("history-diff-sides")).toContainText("layer 4");
  await expect(panel.getByTestId("history-diff")).toBeVisible({ timeout: 20_000 });
  expect(await changedLines(page)).toEqual(["-port=8080", "+port=9090"]);
  await expect(panel.getByTestId("history-diff-untrusted")).toHaveCount(0);
  await expect(panel.getByTestId("history-diff-cut")).toHaveCount(0);

  // Any two: A = layer 1's version, B = layer 2's: the exact changed lines, with line numbers.
  await event(page, 0).getByTestId("history-pick-a").click();
  await event(page, 1).getByTestId("history-pick-b").click();
  await expect(panel.getByTestId("history-diff-sides")).toContainText(/layer 1 .*→.*layer 2/);
  await expect.poll(() => changedLines(page), { timeout: 20_000 }).toEqual(["-port=80", "+port=8080", "+workers=4"]);
  await expect(panel.getByTestId("history-diff-hunk")).toHaveText(["@@ -1,3 +1,4 @@"]);
  const portLine = panel.locator('[data-testid="history-diff-line"][data-kind="add"]').first();
  await expect(portLine.locator("td").nth(1)).toHaveText("2"); // new line number

  // Side by side: the deleted line faces its replacement.
  await panel.getByTestId("history-layout-split").click();
  await expect(panel.getByTestId("history-diff")).toHaveAttribute("data-layout", "split");
  const changed = panel.locator('[data-testid="history-diff-line"][data-kind="change"]');
  await expect(changed).toHaveCount(2);
  await panel.screenshot({ path: "test-results/history-split.png" });
  await expect(changed.first()).toContainText("port=80");
  await expect(changed.first()).toContainText("port=8080");

  // "Diff with previous" on a row.
  await panel.getByTestId("history-layout-unified").click();
  await event(page, 3).getByTestId("history-diff-previous").click();
  await expect.poll(() => changedLines(page), { timeout: 20_000 }).toEqual(["-port=8080", "+port=9090"]);

  await panel.screenshot({ path: "test-results/history-panel.png" });

  // "Open" on a version asks the file viewer (open-file on the bus) for that layer's version; closing it keeps the history.
  await event(page, 1).getByTestId("history-open").click();
  const viewer = page.getByTestId("file-viewer");
  await expect(viewer).toHaveAttribute("data-layer", "1");
  await expect(viewer).toHaveAttribute("data-path", HISTORY_PATH);
  await expect(viewer.getByTestId("viewer-contents")).toContainText("port=8080", { timeout: 20_000 });
  await page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);
  await expect(panel).toBeVisible();
  await page.screenshot({ path: "test-results/history-page.png" });

  // Esc closes (also after a click on plain text inside) and gives focus back to the opener.
  await panel.getByTestId("history-summary").click();
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(opener).toBeFocused();
});

test("a file removed with its parent's whiteout; the layer tree's details open the history too", async ({ page }) => {
  await openImage(page);

  // Layer 1's tree: the file's details have a History button.
  await layerRow(page, 0).click();
  const tree = page.getByTestId("filetree");
  await page.getByTestId("tree-filter").fill("x.txt");
  await tree.locator(`[data-testid="tree-row"][data-path="${HISTORY_PARENT_WHITED_OUT}"]`).click();
  await expect(page.getByTestId("entry-details")).toHaveAttribute("data-path", HISTORY_PARENT_WHITED_OUT);
  await page.getByTestId("entry-details").getByTestId("open-history").click();

  const panel = page.getByTestId("history-panel");
  await expect(panel.getByTestId("history-path")).toHaveText(`/${HISTORY_PARENT_WHITED_OUT}`);
  // Keyboard: Tab stays inside the dialog, both ways.
  await expect(panel.getByTestId("history-close")).toBeFocused();
  for (const key of ["Tab", "Shift+Tab", "Shift+Tab", "Tab", "Tab"]) {
    await page.keyboard.press(key);
    expect(await panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  const kinds = await panel.getByTestId("history-event").evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-kind")}@${r.getAttribute("data-layer")}`));
  expect(kinds).toEqual(["added@0", "parent-whited-out@2"]);
  await expect(event(page, 1)).toContainText('The whiteout "srv/.wh.data" hides "srv/data" and everything under it.');
  await expect(panel.locator('[data-testid="history-event"][data-visible="true"]')).toHaveCount(0);
  await expect(panel.getByTestId("history-summary")).toContainText("not in the final image");
  await expect(panel.getByTestId("history-diff-none")).toBeVisible();
  await expect(panel.getByTestId("history-pick-a")).toHaveCount(0); // one version with contents: nothing to pick
  await panel.screenshot({ path: "test-results/history-parent-whiteout.png" });
  await panel.getByTestId("history-close").click();
  await expect(panel).toHaveCount(0);

  // The merged view's "hides" indicator opens the history of the path it hides versions of.
  await page.getByTestId("merged-filter").fill("app.conf");
  await expect(mergedRow(page, HISTORY_PATH)).toHaveAttribute("data-hidden-count", "2");
  await mergedRow(page, HISTORY_PATH).getByTestId("history-link").click();
  await expect(panel.getByTestId("history-path")).toHaveText(`/${HISTORY_PATH}`);
  await expect(panel.getByTestId("history-event")).toHaveCount(4);
});

test("a version from a layer that did not verify is labelled untrusted", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.layersTrailing; // diff_id mismatch: bytes after the tar end marker (D3)
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  await expect(layerRow(page, 0)).toHaveAttribute("data-trusted", "false", { timeout: 20_000 });
  await page.getByTestId("merged-filter").fill("file.txt");
  await mergedRow(page, "trailing/file.txt").click();
  await page.getByTestId("merged-details").getByTestId("open-history").first().click();
  const panel = page.getByTestId("history-panel");
  await expect(panel.getByTestId("history-event")).toHaveCount(1);
  await expect(event(page, 0)).toHaveAttribute("data-kind", "added");
  await expect(event(page, 0)).toContainText("untrusted layer");
  await expect(event(page, 0)).toHaveAttribute("data-visible", "true");

  // A version's layer chip closes the panel and goes to that layer in the layers list.
  await event(page, 0).getByTestId("layer-chip").click();
  await expect(panel).toHaveCount(0);
  await expect(layerRow(page, 0)).toHaveAttribute("aria-current", "true");
});
