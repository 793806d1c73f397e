/** Opening single-platform images: paste, deep link, history navigation, OCI, a real third-party image. */
import { expect, test } from "@playwright/test";
import { state, ref } from "./helpers/state";
import { expectImage, expectManifestVerified, openDeepLink, openReference } from "./helpers/ui";

test("paste a Docker image reference: digest verified, image ID, history with empty layers", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.docker;
  const reference = ref(hosts.open, img.repository, img.tag);
  await openReference(page, reference);

  await expect(page.getByTestId("image-ref")).toContainText(reference);
  await expectManifestVerified(page);
  await expect(page.getByTestId("media-type")).toContainText("application/vnd.docker.distribution.manifest.v2+json");
  await expectImage(page, img);
  // The page is now a deep link to what it shows.
  await expect(page).toHaveURL(/[?&]image=/);
});

test("labels: only http(s) values become links (SECURITY U1)", async ({ page }) => {
  const { hosts, images } = state();
  await openReference(page, ref(hosts.open, images.docker.repository, images.docker.tag));
  const labels = page.getByTestId("labels");
  await expect(labels).toContainText("javascript:alert(1)");
  await expect(labels.locator('a[href="https://example.com/layerscope/e2e"]')).toHaveCount(1);
  await expect(labels.locator("a[href^='javascript' i]")).toHaveCount(0);
});

test("deep link /?image=REF opens the image", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.docker;
  await openDeepLink(page, ref(hosts.open, img.repository, img.tag));
  await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest);
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
});

test("deep link by digest", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.oci;
  await openDeepLink(page, ref(hosts.open, img.repository, img.manifestDigest));
  await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest);
  await expect(page.getByTestId("manifest-verification")).toContainText(/verified/i);
});

test("back and forward restore the start page and the image", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.docker;
  const reference = ref(hosts.open, img.repository, img.tag);
  await openReference(page, reference);
  await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest);

  await page.goBack();
  await expect(page.getByTestId("ref-input")).toBeVisible();
  await expect(page.getByTestId("manifest-digest")).toHaveCount(0);

  await page.goForward();
  await expect(page.getByTestId("image-ref")).toContainText(reference);
  await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest);
});

test("back returns from one image to the previous one", async ({ page }) => {
  const { hosts, images } = state();
  const a = images.docker;
  const b = images.oci;
  await openDeepLink(page, ref(hosts.open, a.repository, a.tag));
  await expect(page.getByTestId("manifest-digest")).toContainText(a.manifestDigest);
  await openDeepLink(page, ref(hosts.open, b.repository, b.tag));
  await expect(page.getByTestId("manifest-digest")).toContainText(b.manifestDigest);
  await page.goBack();
  await expect(page.getByTestId("manifest-digest")).toContainText(a.manifestDigest);
  await page.goForward();
  await expect(page.getByTestId("manifest-digest")).toContainText(b.manifestDigest);
});

test("OCI image", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.oci;
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  await expect(page.getByTestId("media-type")).toContainText("application/vnd.oci.image.manifest.v1+json");
  await expectManifestVerified(page);
  await expectImage(page, img);
});

test("a real third-party image (ggcr hello-world, pushed with skopeo)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.helloWorld;
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  await expectManifestVerified(page);
  await expectImage(page, img);
});
