/**
 * The file tree of a layer (issue 3 "The page"): change markers against the layers below,
 * keyboard navigation (arrows move and fold, Enter opens, `/` filters), sort by size, filter.
 * On the offline sample, whose layers are verified from public/sample/ like any registry's.
 */
import { expect, test, type Page } from "@playwright/test";

const layerRow = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);
const treeRow = (page: Page, path: string) => page.getByTestId("filetree").locator(`[data-testid="tree-row"][data-path="${path}"]`);
const selectedPath = (page: Page) => page.getByTestId("filetree").locator('[data-testid="tree-row"][aria-selected="true"]').getAttribute("data-path");

test("sample layers verify offline; the top layer's tree shows deleted, modified and added, and works from the keyboard", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  await expect(page.getByTestId("layers").getByTestId("layer-row")).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
    await expect(layerRow(page, i)).toHaveAttribute("data-trusted", "true");
  }

  // Select the top layer from the keyboard.
  await layerRow(page, 2).focus();
  await page.keyboard.press("Enter");
  const tree = page.getByTestId("filetree");
  await expect(tree).toBeVisible();

  // Arrows move and fold: → unfolds, ← on a child goes to its parent, ← again folds it.
  await tree.focus();
  await page.keyboard.press("Home");
  expect(await selectedPath(page)).toBe("etc");
  await expect(treeRow(page, "etc")).toHaveAttribute("data-change", "modified");
  await page.keyboard.press("ArrowRight");
  await expect(treeRow(page, "etc/motd")).toHaveAttribute("data-change", "deleted"); // .wh.motd
  await expect(treeRow(page, "etc/passwd")).toHaveAttribute("data-change", "modified");
  await page.keyboard.press("ArrowDown");
  expect(await selectedPath(page)).toBe("etc/motd");
  await page.keyboard.press("ArrowLeft");
  expect(await selectedPath(page)).toBe("etc");
  await page.keyboard.press("ArrowLeft");
  await expect(treeRow(page, "etc")).toHaveAttribute("aria-expanded", "false");
  await expect(treeRow(page, "etc/passwd")).toHaveCount(0);
  // Enter opens (toggles) a directory too.
  await page.keyboard.press("End");
  expect(await selectedPath(page)).toBe("home");
  await page.keyboard.press("Enter");
  await expect(treeRow(page, "home/app")).toHaveAttribute("data-change", "added");

  // `/` jumps to the filter; the filter keeps matches and their ancestors.
  await page.keyboard.press("/");
  await expect(page.getByTestId("tree-filter")).toBeFocused();
  await page.keyboard.type("passwd");
  await expect(treeRow(page, "etc/passwd")).toBeVisible();
  await expect(treeRow(page, "home/app")).toHaveCount(0);
  await page.getByTestId("tree-filter").fill("");

  // By size: the directory holding bytes (etc, 112 B of passwd) comes before the empty one (home).
  await page.getByTestId("tree-sort").selectOption("size");
  // The cleared filter and the new order apply as deferred updates: poll until they show.
  await expect
    .poll(() => tree.locator('[data-testid="tree-row"][aria-level="1"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-path"))))
    .toEqual(["etc", "home"]);
});
