/**
 * The merged filesystem (issue 4): the sample image's layers stacked as a container runtime
 * would, with provenance; "show deleted"; the layer slider; the efficiency panel. The sample is
 * verified from public/sample/ like any registry's image, offline.
 */
import { expect, test, type Page } from "@playwright/test";

const mergedRow = (page: Page, path: string) => page.getByTestId("merged-tree").locator(`[data-testid="merged-row"][data-path="${path}"]`);

test("the sample's merged filesystem: provenance, hidden versions, deleted paths, the slider and efficiency", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  for (let i = 0; i < 3; i++) {
    await expect(page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`)).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
  }
  const merged = page.getByTestId("merged");
  await expect(merged).toBeVisible();
  await expect(merged.getByTestId("merged-partial")).toHaveCount(0);
  await expect(merged.getByTestId("untrusted")).toHaveCount(0);

  // The slider starts at the top layer.
  const slider = page.getByTestId("merged-slider");
  await expect(slider).toHaveAttribute("min", "1");
  await expect(slider).toHaveAttribute("max", "3");
  await expect(slider).toHaveValue("3");
  await expect(page.getByTestId("merged-slider-label")).toContainText(/As of layer 3 of 3:.*rm \/etc\/motd/);

  // Filter to etc: the filter opens every directory leading to a match.
  await page.getByTestId("merged-filter").fill("etc/");
  const passwd = mergedRow(page, "etc/passwd");
  await expect(passwd).toHaveAttribute("data-layer", "2");
  await expect(passwd).toHaveAttribute("data-hidden-count", "1");
  await expect(passwd).toContainText("hides L1");
  await expect(passwd).toContainText("root:root"); // owner names from the tar header, as in the layer tree
  await expect(mergedRow(page, "etc/hostname")).toHaveAttribute("data-layer", "0");
  await expect(mergedRow(page, "etc/motd")).toHaveCount(0);

  // Show deleted: etc/motd struck through, removed by layer index 2 with its whiteout.
  await page.getByTestId("merged-show-deleted").check();
  const motd = mergedRow(page, "etc/motd");
  await expect(motd).toHaveAttribute("data-change", "deleted");
  await expect(motd).toHaveAttribute("data-removed-by", "2");
  await expect(motd).toContainText(".wh.motd");

  // Enter on a row opens its details: the provider and the version it hides.
  await page.getByTestId("merged-show-deleted").uncheck();
  await passwd.click();
  await expect(page.getByTestId("merged-details")).toHaveAttribute("data-path", "etc/passwd");
  await expect(page.getByTestId("merged-details")).toContainText(/Hides\s*L1/);

  // The slider from the keyboard: one step down is layer 2 (index 1), where etc/motd still exists.
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(slider).toHaveValue("2");
  await expect(page.getByTestId("merged-slider-label")).toContainText("COPY hello.txt");
  await expect(mergedRow(page, "etc/motd")).toHaveAttribute("data-layer", "0");
  await expect(mergedRow(page, "etc/motd")).not.toHaveAttribute("data-change", "deleted");
  await expect(mergedRow(page, "etc/passwd")).toHaveAttribute("data-layer", "0");
  await expect(mergedRow(page, "etc/passwd")).toHaveAttribute("data-hidden-count", "0");
  await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveValue("3");
  await expect(mergedRow(page, "etc/motd")).toHaveCount(0);

  // The merged tree from the keyboard: Home, → unfolds, ↓ moves.
  await page.getByTestId("merged-filter").fill("");
  const tree = page.getByTestId("merged-tree");
  // The filter applies as a deferred update: wait for the unfiltered rows before the keys act on them.
  await expect(mergedRow(page, "bin")).toBeVisible();
  await tree.focus();
  await page.keyboard.press("Home");
  await expect(tree.locator('[aria-selected="true"]')).toHaveAttribute("data-path", "bin");

  // Efficiency: dive's figures and the corrected one, per layer, and the biggest wasted files.
  const eff = page.getByTestId("efficiency");
  await expect(eff.getByTestId("efficiency-score").first()).toHaveText(/^\d+\.\d{4} %$/);
  await expect(eff.getByTestId("efficiency-wasted").first()).toContainText(/\d+ B/);
  await expect(eff.getByTestId("efficiency-user-wasted").first()).toHaveText(/^\d+\.\d{4} %$/);
  await expect(eff.getByTestId("efficiency-corrected-note")).toContainText("#684");
  await expect(eff.getByTestId("efficiency-layer-row")).toHaveCount(3);
  await expect(eff.locator('[data-testid="wasted-file"][data-path="etc/passwd"]')).toBeVisible();
  const motdWaste = eff.locator('[data-testid="wasted-file"][data-path="etc/motd"]');
  await expect(motdWaste).toBeVisible();

  // A layer chip goes to that layer in the layers list, and selects it.
  await motdWaste.locator('[data-testid="layer-chip"][data-layer="2"]').click();
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="2"]')).toBeFocused();
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="2"]')).toHaveAttribute("aria-current", "true");
});
