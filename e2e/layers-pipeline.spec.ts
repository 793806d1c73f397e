/**
 * The layer pipeline in Chromium against the real registry and proxy (issue 3): gzip, zstd,
 * uncompressed and multi-member gzip layers decoded and verified twice in Web Workers; a blob
 * damaged in the registry's storage (D1); bytes after the tar end marker (D3).
 */
import { expect, test, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { LAYER_PATHS } from "./setup/layer-fixtures";

const row = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);

async function expectVerified(page: Page, i: number): Promise<void> {
  const r = row(page, i);
  await expect(r).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
  await expect(r.getByTestId("digest-verdict")).toContainText("verified");
  await expect(r.getByTestId("diffid-verdict")).toContainText("verified");
  await expect(r).toHaveAttribute("data-trusted", "true");
}

test("gzip, zstd, uncompressed and multi-member gzip layers: both digests verified, file trees shown", async ({ page }) => {
  const { hosts, images } = state();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await openDeepLink(page, ref(hosts.open, images.layers.repository, images.layers.tag));

  await expect(page.getByTestId("layers").getByTestId("layer-row")).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expectVerified(page, i);

  // Chromium's DecompressionStream stops after the first gzip member: the layer was read again with pako.
  await row(page, 3).getByTestId("layer-details-toggle").click();
  await expect(row(page, 3).getByTestId("layer-warnings")).toContainText("pako");

  const paths = [LAYER_PATHS.gzip, LAYER_PATHS.zstd, LAYER_PATHS.none, LAYER_PATHS.multi];
  for (const [i, path] of paths.entries()) {
    await row(page, i).click();
    const tree = page.getByTestId("filetree");
    await expect(tree).toBeVisible();
    const filter = page.getByTestId("tree-filter");
    await filter.fill(path.split("/").pop()!);
    await expect(tree.locator(`[data-testid="tree-row"][data-path="${path}"]`)).toBeVisible();
    await filter.fill("");
  }
  // The zstd layer modifies a file of the gzip layer below it.
  await row(page, 1).click();
  await page.getByTestId("tree-filter").fill("os-release");
  await expect(page.locator(`[data-testid="tree-row"][data-path="etc/os-release"]`)).toHaveAttribute("data-change", "modified");
  // No CSP violation or worker failure on the way (WebAssembly for sha256 and zstd).
  expect(errors.filter((e) => /Content.Security.Policy|WebAssembly|worker/i.test(e))).toEqual([]);
});

test("a blob with one flipped byte in the registry's storage: digest mismatch, layer untrusted (D1)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.layersFlipped;
  await openDeepLink(page, ref(hosts.open, img.repository, img.tag));
  const r = row(page, 0);
  await expect(r).toHaveAttribute("data-stage", /done|failed/, { timeout: 20_000 });
  await expect(r.getByTestId("digest-verdict")).toContainText("mismatch");
  await expect(r.getByTestId("digest-verdict")).toContainText(img.layerDigests[0]!);
  await expect(r).toHaveAttribute("data-trusted", "false");
  await expect(r.getByTestId("untrusted")).toBeVisible();
  await expect(r.getByTestId("diffid-verdict")).not.toContainText("verified");
});

test("bytes after the tar end marker: the diff_id does not match (D3)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.layersTrailing;
  await openDeepLink(page, ref(hosts.open, img.repository, img.tag));
  const r = row(page, 0);
  await expect(r).toHaveAttribute("data-stage", /done|failed/, { timeout: 20_000 });
  await expect(r.getByTestId("digest-verdict")).toContainText("verified");
  await expect(r.getByTestId("diffid-verdict")).toContainText("mismatch");
  await expect(r).toHaveAttribute("data-trusted", "false");
});
