/**
 * The file viewer and downloads (issue 5, point 1) against the real registry, proxy and built
 * app, on e2e/viewer:v1 (e2e/setup/viewer-fixtures.ts): text with line numbers, UTF-16, hex,
 * a PNG as an image, HTML and SVG as inert text (SECURITY U4), paging, downloads of a file, a
 * directory as a tar and a layer's tar, a layer that failed verification refused, and reading
 * a small file near the start of a large layer fetches far fewer bytes than the layer.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test, type Download, type Page } from "@playwright/test";
import { parseTar } from "../src/core/tar";
import { ref, state } from "./helpers/state";
import { binaryBytes, FLIPPED, largeLine, VIEWER } from "./setup/viewer-fixtures";

// The viewer's image has a 12 MiB layer, read (and verified) before each test opens files.
test.describe.configure({ timeout: 90_000 });

const layerRow = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);

async function openViewerImage(page: Page, host = state().hosts.open): Promise<void> {
  await page.goto(`/?${new URLSearchParams({ image: ref(host, VIEWER.repository, VIEWER.tag) }).toString()}`);
  for (let i = 0; i < 3; i++) {
    await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
    await expect(layerRow(page, i)).toHaveAttribute("data-trusted", "true");
  }
}

/** Selects layer `i`, filters its tree to `path` and opens the row's details. */
async function selectInLayer(page: Page, i: number, path: string): Promise<void> {
  await layerRow(page, i).click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-filter").fill(path);
  await files.locator(`[data-testid="tree-row"][data-path="${path}"]`).click();
  await expect(files.getByTestId("entry-details")).toHaveAttribute("data-path", path);
}

async function openInLayer(page: Page, i: number, path: string) {
  await selectInLayer(page, i, path);
  await page.getByTestId("layer-files").getByTestId("entry-open").click();
  const viewer = page.getByTestId("file-viewer");
  await expect(viewer).toBeVisible();
  await expect(viewer).toHaveAttribute("data-path", path);
  return viewer;
}

/** The text of line `i` (0-based) shown in the viewer, without its number. */
const line = (viewer: ReturnType<Page["getByTestId"]>, i: number) => viewer.getByTestId("viewer-line").nth(i).locator("td").nth(1);

const bytesOf = async (d: Download): Promise<Buffer> => readFileSync((await d.path())!);
const sha256 = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

test("a text file with line numbers, from a verified layer; Enter opens, Esc closes and focus returns to the tree", async ({ page }) => {
  await openViewerImage(page);
  await selectInLayer(page, 1, VIEWER.hello.path);
  // Enter on the focused row opens the viewer.
  await page.getByTestId("layer-files").getByTestId("filetree").focus();
  await page.keyboard.press("Enter");
  const viewer = page.getByTestId("file-viewer");
  await expect(viewer).toBeVisible();
  const text = viewer.getByTestId("viewer-text");
  await expect(text).toHaveAttribute("data-encoding", "utf-8");
  const lines = viewer.getByTestId("viewer-line");
  await expect(lines).toHaveCount(VIEWER.hello.lines.length);
  for (let i = 0; i < VIEWER.hello.lines.length; i++) {
    await expect(lines.nth(i).locator("td").first()).toHaveText(String(i + 1));
    await expect(lines.nth(i).locator("td").nth(1)).toHaveText(VIEWER.hello.lines[i]!);
  }
  const digest = state().viewer.layerDigests[1]!;
  await expect(viewer.getByTestId("viewer-provenance")).toContainText("Read from layer 2");
  await expect(viewer.getByTestId("viewer-provenance")).toContainText(digest.slice(7, 19));
  await expect(viewer.getByTestId("viewer-verified")).toContainText("verified layer");
  await expect(viewer.getByTestId("viewer-unverified")).toHaveCount(0);
  await page.screenshot({ path: "test-results/viewer-text.png" });

  await page.keyboard.press("Escape");
  await expect(viewer).toHaveCount(0);
  await expect(page.getByTestId("layer-files").getByTestId("filetree")).toBeFocused();
});

test("UTF-16 with a BOM is decoded; a hardlink reads its target's body; a symlink shows its target and opens it", async ({ page }) => {
  await openViewerImage(page);
  let viewer = await openInLayer(page, 1, VIEWER.utf16.path);
  await expect(viewer.getByTestId("viewer-text")).toHaveAttribute("data-encoding", "utf-16le");
  await expect(viewer.getByTestId("viewer-mode-text")).toContainText("UTF-16 LE with BOM");
  await expect(line(viewer, 0)).toContainText("Grüße aus UTF-16");
  await page.getByTestId("viewer-close").click();

  viewer = await openInLayer(page, 1, VIEWER.hardlink.path);
  await expect(line(viewer, 0)).toContainText(VIEWER.hello.lines[0]);
  await expect(viewer.getByTestId("viewer-provenance")).toContainText(`hardlink to /${VIEWER.hardlink.target}`);
  await page.keyboard.press("Escape");

  viewer = await openInLayer(page, 1, VIEWER.symlink.path);
  await expect(viewer.getByTestId("viewer-link-target")).toHaveText(VIEWER.symlink.target);
  await viewer.getByTestId("viewer-follow-link").click();
  await expect(viewer).toHaveAttribute("data-path", VIEWER.hello.path);
  await expect(line(viewer, 0)).toContainText(VIEWER.hello.lines[0]);
});

test("a binary file as a hex dump; a PNG rendered as an image from a blob: URL", async ({ page }) => {
  await openViewerImage(page);
  let viewer = await openInLayer(page, 1, VIEWER.binary.path);
  await expect(viewer.getByTestId("viewer-contents")).toHaveAttribute("data-mode", "hex");
  const first = [...binaryBytes().subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0"));
  await expect(viewer.getByTestId("viewer-hex-row").first()).toContainText(`00000000  ${first.slice(0, 8).join(" ")}  ${first.slice(8).join(" ")}`);
  await expect(viewer.getByTestId("viewer-hex-row")).toHaveCount(Math.ceil(binaryBytes().length / 16));
  await page.keyboard.press("Escape");

  viewer = await openInLayer(page, 1, VIEWER.png.path);
  await expect(viewer.getByTestId("viewer-contents")).toHaveAttribute("data-mode", "image");
  const img = viewer.getByTestId("viewer-image").locator("img");
  await expect(img).toHaveAttribute("src", /^blob:/);
  await expect(viewer.getByTestId("viewer-image-size")).toContainText(`${VIEWER.png.width} × ${VIEWER.png.height} px`);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(VIEWER.png.width);
  await page.screenshot({ path: "test-results/viewer-image.png" });
});

test("HTML and SVG with script are shown as text: no dialog, no script, nothing rendered", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await openViewerImage(page);
  const title = await page.title();
  for (const f of [VIEWER.html, VIEWER.svg]) {
    const viewer = await openInLayer(page, 1, f.path);
    await expect(viewer.getByTestId("viewer-contents")).toHaveAttribute("data-mode", "text");
    await expect(viewer.getByTestId("viewer-active-note")).toBeVisible();
    await expect(line(viewer, 0)).toHaveText(f.content.trimEnd());
    await expect(viewer.getByTestId("viewer-mode-image")).toHaveCount(0);
    await page.keyboard.press("Escape");
  }
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
  expect(await page.title()).toBe(title);
  await expect(page.locator("#pwned")).toHaveCount(0);
  await expect(page.locator("svg circle[r='5']")).toHaveCount(0);
  expect(violations).toEqual([]);
});

test("a large text file is paged, 1 000 lines a page", async ({ page }) => {
  await openViewerImage(page);
  const viewer = await openInLayer(page, 1, VIEWER.large.path);
  await expect(viewer.getByTestId("viewer-page")).toHaveText(`page 1 of ${Math.ceil(VIEWER.large.lines / 1000)}`);
  await expect(viewer.getByTestId("viewer-line")).toHaveCount(1000);
  await viewer.getByTestId("viewer-next").click();
  await expect(viewer.getByTestId("viewer-range")).toHaveText(`Lines 1,001–2,000 of ${VIEWER.large.lines.toLocaleString("en-US")}`);
  await expect(viewer.getByTestId("viewer-line").first().locator("td").first()).toHaveText("1001");
  await expect(viewer.getByTestId("viewer-line").first().locator("td").nth(1)).toHaveText(largeLine(1000));
});

test("downloads: a file's bytes, a merged directory as a tar, a layer's tar whose sha256 is its diff_id", async ({ page }) => {
  await openViewerImage(page);
  // One file, from the viewer.
  const viewer = await openInLayer(page, 1, VIEWER.binary.path);
  let wait = page.waitForEvent("download");
  await viewer.getByTestId("viewer-download").click();
  let d = await wait;
  expect(d.suggestedFilename()).toBe("data.bin");
  expect(new Uint8Array(await bytesOf(d))).toEqual(binaryBytes());
  await page.keyboard.press("Escape");

  // A directory from the merged view: each entry from the layer that provides it.
  const merged = page.getByTestId("merged");
  await merged.getByTestId("merged-filter").fill("tree");
  await merged.locator(`[data-testid="merged-row"][data-path="${VIEWER.tree.dir}"]`).click();
  wait = page.waitForEvent("download");
  await merged.getByTestId("entry-download-dir").click();
  d = await wait;
  expect(d.suggestedFilename()).toBe("tree.tar");
  const tar = new Uint8Array(await bytesOf(d));
  const parsed = await parseTar((async function* () {
    yield tar;
  })());
  expect(parsed.error).toBeUndefined();
  const byPath = new Map(parsed.entries.map((e) => [e.path, e]));
  expect([...byPath.keys()].sort()).toEqual(["tree", "tree/a.txt", "tree/sub", "tree/sub/b.bin", "tree/sub/link"]);
  for (const [path, f] of Object.entries(VIEWER.tree.files)) {
    const e = byPath.get(path)!;
    expect(Buffer.from(tar.subarray(e.dataOffset, e.dataOffset + e.size)).toString()).toBe(f.content);
  }
  expect(byPath.get("tree/sub/link")).toMatchObject({ type: "symlink", linkname: VIEWER.tree.symlink.target });

  // A layer's uncompressed tar: its sha256 is the config's diff_id.
  await layerRow(page, 1).click();
  wait = page.waitForEvent("download");
  await page.getByTestId("layer-download-tar").click();
  d = await wait;
  expect(sha256(await bytesOf(d))).toBe(state().viewer.diffIds[1]);
  await expect(page.getByTestId("layer-download-tar-done")).toContainText("digest verified, diff_id verified");
});

test("a file in a layer that failed verification is refused, with the reason", async ({ page }) => {
  await page.goto(`/?${new URLSearchParams({ image: ref(state().hosts.open, FLIPPED.repository, FLIPPED.tag) }).toString()}`);
  await expect(layerRow(page, 0)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
  await expect(layerRow(page, 0)).toHaveAttribute("data-trusted", "false");
  const viewer = await openInLayer(page, 0, FLIPPED.path);
  const error = viewer.getByTestId("viewer-error");
  await expect(error).toHaveAttribute("data-kind", "file-unavailable");
  await expect(error).toContainText("Not shown: the layer is not trusted");
  await expect(error).toContainText("does not match its digest");
  await expect(viewer.getByTestId("viewer-text")).toHaveCount(0);
  await expect(viewer.getByTestId("viewer-hex")).toHaveCount(0);
  await page.screenshot({ path: "test-results/viewer-refused.png" });
  await page.keyboard.press("Escape");

  // Its bytes are not handed out as a download either.
  await page.getByTestId("layer-files").getByTestId("entry-download").click();
  await expect(page.getByTestId("entry-download-error")).toContainText("not trusted");
});

test("opening a small file at the start of a 12 MiB layer fetches only that layer, and far fewer bytes than it", async ({ page, request }) => {
  const slow = state().hosts.slow;
  await openViewerImage(page, slow);
  const blobs = async () => (await (await request.get(`http://${slow}/__blobs`)).json()) as { path: string; total: number; sent: number; closedEarly: boolean; done: boolean }[];
  const before = (await blobs()).length;
  const viewer = await openInLayer(page, 0, VIEWER.bigFirst.path);
  await expect(line(viewer, 0)).toHaveText(VIEWER.bigFirst.content.trimEnd());
  await expect.poll(async () => (await blobs()).slice(before).every((r) => r.done || r.closedEarly)).toBe(true);
  const after = (await blobs()).slice(before);
  const layer0 = state().viewer.layerDigests[0]!;
  expect(after.map((r) => r.path.split("/blobs/")[1])).toEqual([layer0]);
  const read = after[0]!;
  expect(read.closedEarly).toBe(true);
  expect(read.sent).toBeLessThan(read.total / 4);
  test.info().annotations.push({ type: "bytes", description: `${read.sent} of ${read.total} bytes of the layer sent` });
});
