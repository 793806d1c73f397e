/** The image view's section nav: in-page links that keep the image open and its layer work running. */
import { expect, test } from "@playwright/test";

test("the section nav jumps to a section without reopening the image", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  const nav = page.getByTestId("section-nav");
  await expect(nav).toBeVisible();
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="2"]')).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
  const imageId = await page.getByTestId("image-id").textContent();

  await nav.getByRole("link", { name: "Efficiency" }).click();
  await expect(page.getByTestId("efficiency")).toBeInViewport();
  await nav.getByRole("link", { name: "How this image is built" }).click();
  await expect(page.getByTestId("learn")).toBeInViewport();
  // Same image, layers not restarted.
  await expect(page.getByTestId("image-id")).toHaveText(imageId ?? "");
  await expect(page.locator('[data-testid="layer-row"][data-layer-index="2"]')).toHaveAttribute("data-stage", "done");
  expect(new URL(page.url()).searchParams.get("image")).toBe("layerscope-sample.local/sample:latest");
});
