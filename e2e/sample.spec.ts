/** The sample image ships with the app: it opens with no registry at all. */
import { expect, test } from "@playwright/test";

test("open the sample image without any registry request", async ({ page, context }) => {
  let registryRequests = 0;
  // Any registry traffic (from the page or its workers) fails and is counted.
  await context.route("**/registry/**", (route) => {
    registryRequests++;
    return route.abort("internetdisconnected");
  });
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  await expect(page.getByTestId("image-id")).toContainText(/sha256:[0-9a-f]{12}/);
  await expect(page.getByTestId("history-row").first()).toBeVisible();
  await expect(page.getByTestId("error")).toHaveCount(0);
  expect(registryRequests).toBe(0);
});
