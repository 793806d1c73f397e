/**
 * Local archives (issue 5, point 5): the third-party archives opened from disk through the file
 * chooser and by a real drop, with no registry involved — every layer verified in the workers,
 * dive's efficiency figures, ggcr's merged results — and each broken archive refused with its
 * reason. Provenance of the files: e2e/fixtures/third-party/README.md and
 * src/core/filetree/testdata/README.md.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { buildIndex, buildTar, jsonBytes, type BuiltBlob } from "../src/core/testing";
import { countRegistryRequests } from "./helpers/ui";

const ROOT = join(import.meta.dirname, "..");
const E2E = join(ROOT, "e2e", "fixtures", "third-party");
const FILETREE = join(ROOT, "src", "core", "filetree", "testdata");

/** Picks `file` (a path, or bytes built here) with the start page's "Open a local archive…" file chooser. */
async function pick(page: Page, file: string | { name: string; bytes: Uint8Array }): Promise<void> {
  await page.goto("/");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-open").click();
  await (await chooser).setFiles(typeof file === "string" ? file : { name: file.name, mimeType: "application/x-tar", buffer: Buffer.from(file.bytes) });
}

const layerRows = (page: Page) => page.getByTestId("layers").getByTestId("layer-row");

/** Every layer row reaches "trusted": digest and diff_id verified in the workers. */
async function expectAllTrusted(page: Page, count: number): Promise<void> {
  await expect(layerRows(page)).toHaveCount(count, { timeout: 15_000 });
  for (let i = 0; i < count; i++) await expect(layerRows(page).nth(i)).toHaveAttribute("data-trusted", "true", { timeout: 20_000 });
}

const mergedRow = (page: Page, path: string) => page.getByTestId("merged-tree").locator(`[data-testid="merged-row"][data-path="${path}"]`);

test("dive's docker save, picked from disk: 14 layers verified, dive's efficiency figures, no registry request", async ({ page }) => {
  test.setTimeout(60_000);
  const requests = countRegistryRequests(page);
  await pick(page, join(FILETREE, "test-docker-image.tar"));
  await expect(page.getByTestId("archive-title")).toHaveText("Local archive: test-docker-image.tar, 1.5 MB");
  await expect(page.getByTestId("archive-format")).toContainText("docker save");
  await expect(page.getByTestId("archive-synthesized")).toContainText("not a registry's");
  await expectAllTrusted(page, 14);
  await expect(page.getByTestId("history-row")).toHaveCount(15);
  await expect(page.getByTestId("config-verification")).toContainText(/verified/i);

  const dive = page.getByTestId("efficiency").getByTestId("efficiency-dive");
  await expect(dive.getByTestId("efficiency-score")).toHaveAttribute("title", "0.9844212134184309", { timeout: 20_000 });
  await expect(dive.getByTestId("efficiency-wasted")).toContainText("32,025 bytes");
  await expect(dive.getByTestId("efficiency-user-wasted")).toHaveAttribute("title", /^0\.4834911001404049 of /);
  expect(requests.urls).toEqual([]);
});

test("a real drop on the page opens the kaniko tarball: 14 gzip layers verified against the digests in their names", async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto("/");
  const bytes = readFileSync(join(E2E, "test-kaniko-image.tar")).toString("base64");
  await page.evaluate(async (b64) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([raw], "test-kaniko-image.tar", { type: "application/x-tar" }));
    const target = document.querySelector("main") ?? document.body;
    target.dispatchEvent(new DragEvent("dragenter", { bubbles: true, cancelable: true, dataTransfer: dt }));
    target.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
    target.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, bytes);
  await expect(page.getByTestId("archive-title")).toContainText("test-kaniko-image.tar");
  await expect(page.getByTestId("archive-format")).toContainText("kaniko");
  await expectAllTrusted(page, 14);
});

for (const [file, compression] of [
  ["test-oci-gzip-image.tar", "gzip"],
  ["test-oci-zstd-image.tar", "zstd"],
  ["test-oci-uncompressed-image.tar", "none"],
  ["test-oci-estargz-image.tar", "gzip"],
] as const) {
  test(`dive's ${file}: the OCI layout's own index and manifest, its ${compression} layer verified`, async ({ page }) => {
    await pick(page, join(E2E, file));
    await expect(page.getByTestId("archive-format")).toContainText("OCI image layout");
    await expect(page.getByTestId("archive-synthesized")).toHaveCount(0);
    // The layout's own manifest, served with the digest index.json names, which the client checks.
    await expect(page.getByTestId("manifest-verification").first()).toContainText(/matches Docker-Content-Digest/);
    await expectAllTrusted(page, 1);
  });
}

test("Docker 25's docker save (OCI layout with a null index, and manifest.json): the image opens, and why manifest.json was read is said", async ({ page }) => {
  await pick(page, join(E2E, "hello-world-v25.tar"));
  await expect(page.getByTestId("archive-warnings")).toContainText("index.json was not used");
  await expectAllTrusted(page, 1);
  await expect(page.getByTestId("image-id")).toContainText("sha256:ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44");
});

test("ggcr's whiteout_image, whiteout_dir and overwritten_file: ggcr's merged results", async ({ page }) => {
  test.setTimeout(60_000);
  await pick(page, join(FILETREE, "whiteout_image.tar"));
  await expectAllTrusted(page, 3);
  await expect(mergedRow(page, "bar.txt")).toBeVisible();
  await expect(mergedRow(page, "foo.txt")).toHaveCount(0);

  await pick(page, join(FILETREE, "whiteout_dir.tar"));
  await expectAllTrusted(page, 4);
  await page.getByTestId("merged-expand-all").click();
  await expect(mergedRow(page, "a/baz")).toBeVisible();
  await expect(mergedRow(page, "b/bar")).toBeVisible();
  await expect(mergedRow(page, "a/foo")).toHaveCount(0);

  await pick(page, join(FILETREE, "overwritten_file.tar"));
  await expectAllTrusted(page, 3);
  await expect(mergedRow(page, "foo.txt")).toHaveAttribute("data-type", "symlink");
});

test("ggcr's test_bundle offers its 2 images; the picked one opens", async ({ page }) => {
  await pick(page, join(E2E, "test_bundle.tar"));
  const images = page.getByTestId("archive-image");
  await expect(images).toHaveCount(2);
  await expect(images.nth(0)).toContainText("test_image_2");
  await expect(images.nth(1)).toContainText("test_image_1");
  await expect(layerRows(page)).toHaveCount(0);
  await images.nth(1).click();
  await expect(images.nth(1)).toHaveAttribute("aria-pressed", "true");
  await expectAllTrusted(page, 1);
  await images.nth(0).click();
  await expect(page.getByTestId("archive-warnings")).toContainText("LayerSources");
  await expectAllTrusted(page, 1);
});

test("ggcr's test_link: image 3's layer member is a symlink to image 1's, resolved inside the archive", async ({ page }) => {
  await pick(page, join(E2E, "test_link.tar"));
  await page.getByTestId("archive-image").filter({ hasText: "test_image_3" }).click();
  await expectAllTrusted(page, 2);
});

test("ggcr's null_manifest is refused with its reason; so is a file that is not a tar", async ({ page }) => {
  await pick(page, join(E2E, "null_manifest.tar"));
  const error = page.getByTestId("archive-error");
  await expect(error).toContainText("manifest.json is null: it lists no images");
  await expect(error.locator('[data-kind="bad-archive"]')).toBeVisible();

  await page.goto("/");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-open").click();
  await (await chooser).setFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("these are not the layers you are looking for\n".repeat(40)) });
  await expect(page.getByTestId("archive-error")).toContainText("not a tar archive");
});

test("after a reload the page names the archive that was open and asks for it again; picking it carries on", async ({ page }) => {
  await pick(page, join(E2E, "test-oci-gzip-image.tar"));
  await expectAllTrusted(page, 1);
  const url = page.url();
  await page.reload();
  await expect(page.getByTestId("archive-reopen")).toBeVisible();
  await expect(page.getByTestId("archive-remembered")).toHaveText("test-oci-gzip-image.tar");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-reopen-open").click();
  await (await chooser).setFiles(join(E2E, "test-oci-gzip-image.tar"));
  await expectAllTrusted(page, 1);
  expect(page.url()).toBe(url);
});

test("a multi-platform OCI layout: its index is served as a registry's, and the platform picker switches images", async ({ page }) => {
  const built = await buildIndex({
    images: [
      { platform: { os: "linux", architecture: "amd64" }, layers: [{ entries: [{ path: "etc/arch", content: "amd64" }] }] },
      { platform: { os: "linux", architecture: "arm64", variant: "v8" }, layers: [{ entries: [{ path: "etc/arch", content: "arm64" }] }] },
    ],
    attestations: true,
  });
  const blobs: BuiltBlob[] = [built.index, ...[...built.images, ...built.attestations].flatMap((i) => [i.manifest, i.config, ...i.layers])];
  const bytes = buildTar([
    { path: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
    ...blobs.map((b) => ({ path: `blobs/sha256/${b.digest.slice(7)}`, content: b.bytes })),
    { path: "index.json", content: jsonBytes({ schemaVersion: 2, manifests: [{ mediaType: built.index.mediaType, digest: built.index.digest, size: built.index.size }] }) },
  ]);
  await pick(page, { name: "multi.tar", bytes });
  const picker = page.getByTestId("platform-picker");
  await expect(picker).toHaveValue("linux/amd64");
  await expect(page.getByTestId("image-id")).toContainText(built.images[0]!.config.digest);
  await expectAllTrusted(page, 1);
  const arm = (await picker.locator("option").evaluateAll((opts) => opts.map((o) => (o as HTMLOptionElement).value))).find((v) => v.startsWith("linux/arm64"));
  await picker.selectOption(arm ?? "linux/arm64");
  await expect(page.getByTestId("image-id")).toContainText(built.images[1]!.config.digest);
  await expectAllTrusted(page, 1);
});

test("a truncated archive, a manifest.json naming a missing member, a config with the wrong number of diff_ids: each its precise reason", async ({ page }) => {
  const dive = new Uint8Array(readFileSync(join(FILETREE, "test-docker-image.tar")));
  await pick(page, { name: "cut.tar", bytes: dive.subarray(0, 700_000) });
  await expect(page.getByTestId("archive-error")).toContainText(/the archive is truncated: the stream ends inside the body of ".*layer\.tar" .*got \d+ of 1369600 bytes/i);

  const config = jsonBytes({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
  const oneDiffId = jsonBytes({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [`sha256:${"0".repeat(64)}`] } });
  const layer = buildTar([{ path: "hello", content: "hi" }]);
  await pick(page, {
    name: "missing.tar",
    bytes: buildTar([
      { path: "c.json", content: oneDiffId },
      { path: "manifest.json", content: jsonBytes([{ Config: "c.json", Layers: ["gone/layer.tar"] }]) },
    ]),
  });
  await expect(page.getByTestId("archive-error")).toContainText('Layer 1 of the image is "gone/layer.tar", but the archive has no such file');

  await pick(page, {
    name: "count.tar",
    bytes: buildTar([
      { path: "l/layer.tar", content: layer },
      { path: "c.json", content: config },
      { path: "manifest.json", content: jsonBytes([{ Config: "c.json", Layers: ["l/layer.tar"] }]) },
    ]),
  });
  await expect(page.getByTestId("archive-error")).toContainText("The image: manifest.json lists 1 layer file, but its config's rootfs.diff_ids has 0");
});
