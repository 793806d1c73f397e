/**
 * The page rows of SECURITY.md (issue 8) in Chromium, under the Content-Security-Policy the app
 * ships with (proxy/static.ts APP_CSP, served by the built proxy): hostile labels, history,
 * author, environment, file names and registry error messages (e2e/setup/hostile-fixtures.ts)
 * must be shown as text — no dialog, no CSP violation, no navigation, no injected element —
 * with bidi and zero-width characters made visible and the layout intact (U1–U4); then every
 * view of the app is walked with the violation listener on (U5).
 *
 * Each test watches the page from before its first navigation (e2e/helpers/watch.ts); a canary
 * first proves the watch sees a violation when there is one, in the page and in a worker.
 */
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { APP_CSP } from "../proxy/static";
import { ref, state } from "./helpers/state";
import { openDeepLink, openReference } from "./helpers/ui";
import { injectedElements, overflowsHorizontally, watchPage, type Watch } from "./helpers/watch";
import { HOSTILE_ERROR_MESSAGE, PAGE_REPO, U1_LABELS, U1_LINKS, U_FILES, U4_HTML, U4_SVG, XSS_IMG, XSS_SCRIPT } from "./setup/hostile-fixtures";

test.describe.configure({ timeout: 120_000 });

const layerRow = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);

/** Nothing ran, nothing left the app's origin, nothing was injected. */
async function expectInert(page: Page, w: Watch, origin: string): Promise<void> {
  // Let late handlers (image errors, workers' console) arrive before judging.
  await page.waitForTimeout(500);
  expect(w.dialogs, "dialogs").toEqual([]);
  expect(w.violations, "CSP violations").toEqual([]);
  expect(w.popups, "popups").toEqual([]);
  expect(w.pageErrors, "uncaught errors").toEqual([]);
  for (const url of w.navigations) expect(new URL(url).origin, `navigation to ${url}`).toBe(origin);
  expect(await injectedElements(page), "injected elements").toEqual([]);
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await overflowsHorizontally(page);
  expect(scrollWidth, "the page must not scroll sideways").toBeLessThanOrEqual(innerWidth);
}

async function openPageImage(page: Page): Promise<void> {
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, PAGE_REPO, "v1"));
  for (let i = 0; i < 2; i++) await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
}

test("canary: the watch sees a CSP violation in the page and in a worker", async ({ page }) => {
  const w = await watchPage(page);
  const res = await page.goto("/");
  expect(res?.headers()["content-security-policy"]).toBe(APP_CSP);
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__ran = true";
    document.head.append(s);
  });
  await expect.poll(() => w.violations.filter((v) => v.startsWith("document:")).length).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined();
  const before = w.violations.length;
  await page.evaluate(() => {
    const url = URL.createObjectURL(new Blob(["setTimeout(() => { try { eval('1 + 1'); } catch (e) { console.log('eval refused: ' + e); } }, 200);"], { type: "text/javascript" }));
    (window as unknown as { __canary: Worker }).__canary = new Worker(url);
  });
  await expect.poll(() => w.violations.slice(before).some((v) => v.startsWith("worker") || /eval/i.test(v)), { timeout: 10_000 }).toBe(true);
});

test("U1: label values — javascript: in any case and spacing, data:, vbscript: — are plain text; only http(s) become links", async ({ page }) => {
  const w = await watchPage(page);
  await openPageImage(page);
  const origin = new URL(page.url()).origin;
  const labels = page.getByTestId("labels");
  await expect(labels).toBeVisible();
  const links = labels.locator("a");
  await expect(links).toHaveCount(U1_LINKS.length);
  expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(U1_LINKS);
  for (const a of await links.all()) {
    await expect(a).toHaveAttribute("rel", /noopener/);
    await expect(a).toHaveAttribute("rel", /noreferrer/);
  }
  // Every other value is text: click each, nothing happens.
  const navigations = w.navigations.length;
  for (const [key, value] of Object.entries(U1_LABELS)) {
    if (U1_LINKS.includes(value.trim())) continue;
    if (!/^u1\./.test(key)) continue;
    const cell = labels.locator("tr").filter({ has: page.getByRole("rowheader", { name: key, exact: true }) }).locator("td");
    await expect(cell).toBeVisible();
    await expect(cell.locator("a")).toHaveCount(0);
    await cell.click();
  }
  expect(w.navigations.length, "clicking a label navigated").toBe(navigations);
  await expectInert(page, w, origin);
});

test("U2, U3: history, author, environment and labels with HTML, </script>, bidi, zero-width, newlines and 100 000 characters", async ({ page }) => {
  const w = await watchPage(page);
  await openPageImage(page);
  const origin = new URL(page.url()).origin;
  const history = page.getByTestId("history-row");
  await expect(history).toHaveCount(4);
  // HTML shown literally.
  await expect(history.nth(0)).toContainText(XSS_SCRIPT);
  await expect(history.nth(0)).toContainText(XSS_IMG);
  // Bidi and zero-width characters made visible, never applied.
  await expect(history.nth(1)).toContainText("⟨U+202E⟩");
  await expect(history.nth(1)).toContainText("⟨U+200B⟩");
  await expect(history.nth(1)).not.toContainText("\u202E");
  const labels = page.getByTestId("labels");
  await expect(labels).toContainText(XSS_IMG);
  await expect(labels).toContainText(XSS_SCRIPT);
  await expect(labels).toContainText("invoice⟨U+202E⟩gpj.exe");
  await expect(labels).toContainText("zero⟨U+200B⟩width⟨U+200D⟩name");
  await expect(labels).toContainText("line one⟨\\n⟩line two⟨\\r⟩⟨\\n⟩line three");
  // The 100 000-character label and created_by do not push the page sideways.
  await expectNoSidewaysScroll(page);
  await page.getByTestId("labels").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/hardening-page-labels.png" });
  await expectInert(page, w, origin);
});

test("U2, U3: file names with HTML, </script>, bidi, zero-width, a newline and 60 000 characters in the layer tree", async ({ page }) => {
  const w = await watchPage(page);
  await openPageImage(page);
  const origin = new URL(page.url()).origin;
  await layerRow(page, 1).click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-expand-all").click();
  const paths = await files.locator('[data-testid="tree-row"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.path ?? ""));
  for (const p of [U_FILES.xssImg, U_FILES.bidi, U_FILES.zeroWidth, U_FILES.newline, U_FILES.html, "u2/<", "u2/</script><script>alert(2)<"]) expect(paths, p).toContain(p);
  const text = (await files.getByTestId("filetree").textContent()) ?? "";
  expect(text).toContain('<img src=x onerror="alert(1)">.txt');
  expect(text).toContain("script><script>alert(2)<");
  expect(text).toContain("invoice⟨U+202E⟩gpj.exe");
  expect(text).toContain("zero⟨U+200B⟩width⟨U+200D⟩name");
  expect(text).toContain("new⟨\\n⟩line");
  expect(text).not.toContain("\u202E");
  await page.screenshot({ path: "test-results/hardening-page-names.png" });
  // The long name: its row exists, cut for display, and the page does not scroll sideways.
  expect(paths.some((p) => p.length > 50_000)).toBe(true);
  await expectNoSidewaysScroll(page);
  // Its details (the full path is there to copy, cut on screen) keep the layout too.
  await files.getByTestId("tree-filter").fill("NNNNNNNN");
  await files.locator('[data-testid="tree-row"]').filter({ hasText: "NNNN" }).first().click();
  await expect(files.getByTestId("entry-details")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectInert(page, w, origin);
});

test("U2: a registry's error messages with HTML, </script> and bidi characters are shown literally", async ({ page }) => {
  const w = await watchPage(page);
  const { hosts } = state();
  for (const [repo, kind] of [
    ["u2/error-html", "registry-error"],
    ["u2/error-denied", "denied"],
  ] as const) {
    await openReference(page, ref(hosts.hostile, repo, "v1"));
    const error = page.locator(`[data-testid="error"][data-kind="${kind}"]`).first();
    await expect(error).toBeVisible();
    if (kind === "registry-error") {
      await expect(error).toContainText(XSS_SCRIPT);
      await expect(error).toContainText(XSS_IMG);
      await expect(error).toContainText("⟨U+202E⟩");
      expect(HOSTILE_ERROR_MESSAGE).toContain("\n");
    }
    await expect(error).not.toContainText("\u202E");
  }
  await expectInert(page, w, new URL(page.url()).origin);
});

test("U4: an .html and an .svg with script open in the viewer as text, never rendered", async ({ page }) => {
  // Also e2e/viewer.spec.ts ("HTML and SVG with script are shown as text"); here with the full watch.
  const w = await watchPage(page);
  await openPageImage(page);
  const origin = new URL(page.url()).origin;
  const title = await page.title();
  for (const [path, content] of [
    [U_FILES.html, U4_HTML],
    [U_FILES.svg, U4_SVG],
  ] as const) {
    await layerRow(page, 1).click();
    const files = page.getByTestId("layer-files");
    await files.getByTestId("tree-filter").fill(path.split("/").pop()!);
    await files.locator(`[data-testid="tree-row"][data-path="${path}"]`).click();
    await files.getByTestId("entry-open").click();
    const viewer = page.getByTestId("file-viewer");
    await expect(viewer).toHaveAttribute("data-path", path);
    await expect(viewer.getByTestId("viewer-contents")).toHaveAttribute("data-mode", "text");
    await expect(viewer.getByTestId("viewer-line").first().locator("td").nth(1)).toHaveText(content.trimEnd());
    await expect(viewer.getByTestId("viewer-mode-image")).toHaveCount(0);
    await page.keyboard.press("Escape");
    await files.getByTestId("tree-filter").fill("");
  }
  await expect(page.locator("svg circle[r='7']")).toHaveCount(0);
  expect(await page.title()).toBe(title);
  await expectInert(page, w, origin);
});

// ── U5: every view under the shipped CSP ──────────────────────────────────────────────────────────

const ARCHIVE = fileURLToPath(new URL("../src/core/filetree/testdata/test-docker-image.tar", import.meta.url));

test("U5: every view of the app under the shipped Content-Security-Policy: zero violations", async ({ page }) => {
  test.setTimeout(300_000);
  const w = await watchPage(page);
  const { hosts, images, compare, viewer, referrers } = state();
  const seen: string[] = [];
  const step = (name: string): void => {
    seen.push(name);
    expect(w.violations, `CSP violations after: ${seen.join(" → ")}`).toEqual([]);
  };

  // Start page, served with the policy.
  const res = await page.goto("/");
  expect(res?.headers()["content-security-policy"]).toBe(APP_CSP);
  await expect(page.getByTestId("ref-input")).toBeVisible();
  step("start page");

  // Image, layers (gzip native + pako fallback, zstd in WebAssembly, uncompressed), file tree.
  await openDeepLink(page, ref(hosts.open, images.layers.repository, images.layers.tag));
  for (let i = 0; i < 4; i++) await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
  await layerRow(page, 1).click();
  await expect(page.getByTestId("filetree")).toBeVisible();
  step("image and layers (gzip, zstd, tar, multi-member gzip)");

  // Merged filesystem, efficiency, teaching view, pictures, search.
  await expect(page.getByTestId("merged-summary")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("section-nav").getByRole("link", { name: "Efficiency" }).click();
  await expect(page.getByTestId("efficiency")).toBeInViewport();
  await page.getByTestId("section-nav").getByRole("link", { name: "How this image is built" }).click();
  await expect(page.getByTestId("learn")).toBeInViewport();
  await page.getByTestId("section-nav").getByRole("link", { name: "Pictures" }).click();
  await expect(page.getByTestId("pictures").getByTestId("layer-sizes-chart")).toBeVisible();
  step("merged, efficiency, teaching view, pictures");
  await page.getByTestId("search-input").fill("os-release");
  await page.getByTestId("search-input").press("Enter");
  await expect(page.getByTestId("search-summary")).toBeVisible();
  step("search");

  // The viewer: text, and a PNG through a blob: URL (img-src blob:).
  await openDeepLink(page, ref(hosts.open, viewer.repository, viewer.tag));
  for (let i = 0; i < 3; i++) await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 60_000 });
  await layerRow(page, 1).click();
  const files = page.getByTestId("layer-files");
  await files.getByTestId("tree-expand-all").click();
  const png = files.locator('[data-testid="tree-row"][data-type="file"][data-path$=".png"]').first();
  await png.click();
  await files.getByTestId("entry-open").click();
  await expect(page.getByTestId("file-viewer").getByTestId("viewer-contents")).toHaveAttribute("data-mode", "image");
  await page.keyboard.press("Escape");
  step("viewer (PNG as a blob: image)");

  // Compare.
  await page.goto(`/?${new URLSearchParams({ image: ref(hosts.open, compare.v1.repository, compare.v1.tag), compare: ref(hosts.open, compare.v2.repository, compare.v2.tag) })}`);
  await expect(page.getByTestId("file-diff").getByTestId("file-diff-state")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  step("compare");

  // Referrers, and an artifact opened.
  await openReference(page, ref(hosts.referrers, referrers.repository, referrers.tag));
  const list = page.getByTestId("referrer-list");
  await expect(list.getByTestId("referrer-row").first()).toBeVisible({ timeout: 30_000 });
  await list.getByTestId("referrer-row").first().getByTestId("referrer-toggle").click();
  await expect(list.getByTestId("artifact").first()).toBeVisible();
  step("referrers and an artifact");

  // Errors: a web page answering the API, and the hostile registry's messages.
  await openReference(page, ref(hosts.redirect, state().repos.html, "v1"));
  await expect(page.locator('[data-testid="error"][data-kind="not-a-registry"]').first()).toBeVisible();
  await openReference(page, ref(hosts.hostile, "u2/error-html", "v1"));
  await expect(page.locator('[data-testid="error"]').first()).toBeVisible();
  step("error pages");

  // A local archive (layers read from blob: URLs of the file), and the offline sample.
  await page.goto("/");
  const chooser = page.waitForEvent("filechooser");
  await page.getByTestId("archive-open").click();
  await (await chooser).setFiles(ARCHIVE);
  await expect(page.getByTestId("archive-title")).toContainText("test-docker-image.tar");
  await expect(page.locator('[data-testid="layer-row"][data-stage="done"]').first()).toBeVisible({ timeout: 60_000 });
  step("local archive");
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  await expect(layerRow(page, 0)).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
  step("offline sample");

  await page.waitForTimeout(500);
  expect(w.violations).toEqual([]);
  expect(w.dialogs).toEqual([]);
  expect(w.pageErrors).toEqual([]);
  console.log(`U5: ${seen.length} views walked under the shipped CSP with 0 violations: ${seen.join(", ")}`);
});
