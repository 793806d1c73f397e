/**
 * Comparing two references (issue 4): two tags of the test registry that share a base layer
 * (e2e/setup/compare-fixtures.ts), aligned by diff_id, the bytes B costs a machine with A, and
 * the file-level diff of the two merged filesystems; the deep link and back; two platforms of one
 * index.
 */
import { expect, test, type Page } from "@playwright/test";
import { COMPARE_EXPECTED } from "./setup/compare-fixtures";
import { ref, state } from "./helpers/state";

const diffRow = (page: Page, path: string) => page.getByTestId("file-diff").locator(`[data-testid="diff-row"][data-path="${path}"]`);

function refs() {
  const { hosts, compare } = state();
  return {
    v1: ref(hosts.open, compare.v1.repository, compare.v1.tag),
    v2: ref(hosts.open, compare.v2.repository, compare.v2.tag),
    compare,
  };
}

async function expectComparison(page: Page): Promise<void> {
  const { compare } = refs();
  const layers = page.getByTestId("compare-layers");
  await expect(layers).toBeVisible();
  await expect(page.getByTestId("shared-base")).toHaveAttribute("data-layers", "1");
  await expect(layers.locator('[data-testid="compare-layer-row"][data-kind="shared"]')).toHaveCount(1);
  await expect(layers.locator('[data-testid="compare-layer-row"][data-kind="only-a"]')).toHaveCount(1);
  await expect(layers.locator('[data-testid="compare-layer-row"][data-kind="only-b"]')).toHaveCount(1);
  await expect(layers.locator('[data-testid="compare-layer-row"][data-kind="recompressed"]')).toHaveCount(0);
  // A machine with v1 pulls only v2's top layer blob.
  await expect(page.getByTestId("bytes-to-pull")).toHaveAttribute("data-bytes", String(compare.v2LayerSizes[1]));
  // The env change shows up in the config diff.
  await expect(page.locator('[data-testid="config-change"][data-field="env"]')).toContainText("APP_VERSION");
}

async function expectFileDiff(page: Page): Promise<void> {
  const fd = page.getByTestId("file-diff");
  await expect(fd.getByTestId("file-diff-state")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(fd.getByTestId("file-diff-state")).toHaveAttribute("data-trusted", "true");
  await expect(fd.getByTestId("file-diff-state")).toHaveAttribute("data-complete", "true");
  for (const [kind, n] of Object.entries(COMPARE_EXPECTED.counts)) {
    await expect(fd.getByTestId(`diff-count-${kind}`)).toHaveAttribute("data-count", String(n));
  }
  await expect(diffRow(page, COMPARE_EXPECTED.added)).toHaveAttribute("data-kind", "added");
  for (const p of COMPARE_EXPECTED.removed) await expect(diffRow(page, p)).toHaveAttribute("data-kind", "removed");
  for (const [p, changes] of Object.entries(COMPARE_EXPECTED.changed)) {
    await expect(diffRow(page, p)).toHaveAttribute("data-kind", "changed");
    await expect(diffRow(page, p)).toHaveAttribute("data-changes", changes);
  }
  await expect(diffRow(page, COMPARE_EXPECTED.uncertain)).toHaveAttribute("data-kind", "uncertain");
  // The removed base file names the whiteout that removed it.
  await expect(diffRow(page, "etc/remove-me.txt")).toContainText(".wh.remove-me.txt");
  // Unchanged paths are counted, not listed, until asked for.
  await expect(diffRow(page, "app/data.txt")).toHaveCount(0);
}

test("two tags sharing a base: layers aligned, bytes to pull, and the file diff with filters", async ({ page }) => {
  const { v1, v2 } = refs();
  await page.goto("/");
  await page.getByTestId("ref-input").fill(v1);
  await page.getByTestId("compare-toggle").click();
  await page.getByTestId("compare-input").fill(v2);
  await page.getByTestId("compare-submit").click();
  await expect(page).toHaveURL(/[?&]compare=/);
  await expect(page.getByTestId("compare")).toBeVisible();
  await expectComparison(page);
  await expectFileDiff(page);

  // Filters: a path substring, then a kind, then an attribute.
  const fd = page.getByTestId("file-diff");
  await fd.getByTestId("diff-filter").fill("app/");
  await expect(fd.getByTestId("diff-row")).toHaveCount(4); // new.txt, only-v1.txt, config.json, link
  await fd.getByTestId("diff-kind-unchanged").check();
  await expect(diffRow(page, "app/data.txt")).toHaveAttribute("data-kind", "unchanged");
  await fd.getByTestId("diff-filter").fill("");
  await fd.getByTestId("diff-attribute").selectOption("mode");
  await expect(fd.getByTestId("diff-row")).toHaveCount(1);
  await expect(diffRow(page, "usr/bin/tool")).toBeVisible();
});

test("a deep link ?image=A&compare=B opens the comparison, and back returns to the single image", async ({ page }) => {
  const { v1, v2, compare } = refs();
  await page.goto(`/?image=${encodeURIComponent(v1)}`);
  await expect(page.getByTestId("image-id")).toContainText(compare.v1.configDigest);
  await expect(page.getByTestId("compare")).toHaveCount(0);

  await page.goto(`/?image=${encodeURIComponent(v1)}&compare=${encodeURIComponent(v2)}`);
  await expect(page.getByTestId("compare-input")).toHaveValue(v2);
  await expectComparison(page);
  await expectFileDiff(page);

  await page.goBack();
  await expect(page.getByTestId("compare")).toHaveCount(0);
  await expect(page.getByTestId("image-id")).toContainText(compare.v1.configDigest);
  await page.goForward();
  await expect(page.getByTestId("compare")).toBeVisible();
  await expect(page.getByTestId("shared-base")).toHaveAttribute("data-layers", "1");
});

test("two platforms of one index: linux/amd64 against linux/arm64/v8, with a picker per side", async ({ page }) => {
  const { hosts, images } = state();
  const multi = ref(hosts.open, images.multi.repository, images.multi.tag);
  const [amd64, arm64] = images.multi.images;
  await page.goto(`/?image=${encodeURIComponent(multi)}&compare=${encodeURIComponent(multi)}`);
  // B follows A's platform: the same image on both sides, nothing to pull.
  await expect(page.getByTestId("compare-platform-a")).toHaveValue("linux/amd64");
  await expect(page.getByTestId("compare-platform-b")).toHaveValue("linux/amd64");
  await expect(page.getByTestId("bytes-to-pull")).toHaveAttribute("data-bytes", "0");

  await page.getByTestId("compare-platform-b").selectOption("linux/arm64/v8");
  await expect(page).toHaveURL(/comparePlatform=linux\/arm64\/v8/);
  await expect(page.getByTestId("compare-manifest-a")).toContainText(amd64!.manifestDigest);
  await expect(page.getByTestId("compare-manifest-b")).toContainText(arm64!.manifestDigest);
  await expect(page.getByTestId("shared-base")).toHaveAttribute("data-layers", "1");
  await expect(page.locator('[data-testid="config-change"][data-field="platform"]')).toContainText("linux/arm64");
  await expect(page.getByTestId("file-diff-state")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
});

test("a layer that fails verification marks the file diff untrusted (SECURITY D1)", async ({ page }) => {
  const { hosts, images, compare } = state();
  const a = ref(hosts.open, compare.v1.repository, compare.v1.tag);
  const b = ref(hosts.open, images.layersFlipped.repository, images.layersFlipped.tag);
  await page.goto(`/?image=${encodeURIComponent(a)}&compare=${encodeURIComponent(b)}`);
  await expect(page.getByTestId("shared-base")).toHaveAttribute("data-layers", "0");
  const stateEl = page.getByTestId("file-diff-state");
  await expect(stateEl).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(stateEl).toHaveAttribute("data-trusted", "false");
  await expect(page.getByTestId("file-diff-untrusted")).toContainText("B layer 1");
});
