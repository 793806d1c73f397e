/**
 * Search (issue 5, point 2) against the real registry: e2e/search:v1 (e2e/setup/search-fixtures.ts).
 * Each filter finds exactly the expected paths; a result reveals and selects its path in the
 * merged tree or in its layer's tree; bad patterns say what is wrong.
 */
import { expect, test, type Page } from "@playwright/test";
import { SEARCH_EXPECTED } from "./setup/search-fixtures";
import { openDeepLink } from "./helpers/ui";
import { ref, state } from "./helpers/state";

async function openSearchImage(page: Page): Promise<void> {
  const { hosts, images } = state();
  await openDeepLink(page, ref(hosts.open, images.search.repository, images.search.tag));
  await expect(page.locator('[data-testid="layer-row"][data-stage="done"]')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId("search")).toBeVisible();
}

/** The results' paths, sorted, as "path" (merged) or "path@N" (layer N, 0-based). */
async function results(page: Page): Promise<string[]> {
  await expect(page.getByTestId("search-summary")).toBeVisible();
  const rows = page.getByTestId("search-result");
  const total = Number(await page.getByTestId("search-summary").getAttribute("data-total"));
  await expect(rows).toHaveCount(total);
  const out: string[] = [];
  for (const row of await rows.all()) {
    const path = (await row.getAttribute("data-path")) ?? "";
    const scope = (await row.getAttribute("data-scope")) ?? "";
    out.push(scope === "merged" ? path : `${path}@${scope}`);
  }
  return out.sort();
}

/** Sets the form from a clean state and waits for the answer to this form. */
async function search(page: Page, set: (page: Page) => Promise<unknown>): Promise<string[]> {
  const clear = page.getByTestId("search-clear");
  if (await clear.isVisible()) await clear.click();
  await set(page);
  await page.getByTestId("search-input").press("Enter");
  // The answer for this form: not dimmed (stale) any more.
  await expect(page.locator('[data-testid="search-summary"]')).toBeVisible();
  await expect(page.locator(".opacity-70 [data-testid='search-summary']")).toHaveCount(0);
  return results(page);
}

test.describe("search", () => {
  test("each filter finds exactly the expected paths", async ({ page }) => {
    test.setTimeout(120_000); // fourteen searches, each a round trip through the worker
    await openSearchImage(page);
    await expect(page.getByTestId("search-empty")).toBeVisible();
    const scope = page.getByTestId("search-scope");
    const check = async (name: string, set: (p: Page) => Promise<unknown>, expected: readonly string[]): Promise<void> => {
      await test.step(name, async () => {
        await expect.poll(() => search(page, set)).toEqual([...expected].sort());
      });
    };
    await check("setuid", (p) => p.getByTestId("search-setuid").check(), SEARCH_EXPECTED.setuid);
    await check("setgid", (p) => p.getByTestId("search-setgid").check(), SEARCH_EXPECTED.setgid);
    await check("world-writable, merged", (p) => p.getByTestId("search-world-writable").check(), SEARCH_EXPECTED.worldWritableMerged);
    await check("broken symlinks", (p) => p.getByTestId("search-links").selectOption("broken-symlinks"), SEARCH_EXPECTED.brokenSymlinks);
    await check("hardlinks", (p) => p.getByTestId("search-links").selectOption("hardlinks"), SEARCH_EXPECTED.hardlinks);
    await check("hardlinks to a missing target", (p) => p.getByTestId("search-links").selectOption("hardlinks-missing-target"), SEARCH_EXPECTED.hardlinksMissingTarget);
    await check("uid 1000", (p) => p.getByTestId("search-uid").fill("1000"), SEARCH_EXPECTED.uid1000);
    await check("size ≥ 1M", (p) => p.getByTestId("search-size-min").fill("1M"), SEARCH_EXPECTED.atLeast1M);
    await check("glob", async (p) => {
      await p.getByTestId("search-mode-glob").click();
      await p.getByTestId("search-input").fill("*.conf");
    }, SEARCH_EXPECTED.globConf);
    await check("regex", async (p) => {
      await p.getByTestId("search-mode-regex").click();
      await p.getByTestId("search-input").fill("^/links/loop-[ab]$");
    }, SEARCH_EXPECTED.regexLoops);
    await check("substring", async (p) => {
      await p.getByTestId("search-mode-substring").click();
      await p.getByTestId("search-input").fill("notes");
    }, SEARCH_EXPECTED.substringNotes);
    await scope.selectOption("layers");
    await check("world-writable, all layers", (p) => p.getByTestId("search-world-writable").check(), SEARCH_EXPECTED.worldWritableLayers);
    await check("whiteouts, all layers", (p) => p.getByTestId("search-kind-whiteout").check({ force: true }), SEARCH_EXPECTED.whiteoutsLayers);
    await check("opaque markers, all layers", (p) => p.getByTestId("search-kind-opaque").check({ force: true }), SEARCH_EXPECTED.opaqueLayers);

    // The broken links say why.
    await scope.selectOption("merged");
    await search(page, (p) => p.getByTestId("search-links").selectOption("broken-symlinks"));
    await expect(page.locator('[data-testid="search-result"][data-path="links/dangling"] [data-testid="search-problem"]')).toHaveText("/nowhere does not exist");
    await expect(page.locator('[data-testid="search-result"][data-path="links/self"] [data-testid="search-problem"]')).toContainText("loop");
  });

  test("bad patterns and sizes say what is wrong; a catastrophic regex is refused", async ({ page }) => {
    await openSearchImage(page);
    await page.getByTestId("search-mode-regex").click();
    const input = page.getByTestId("search-input");
    await input.fill("(unclosed");
    await expect(page.getByTestId("search-field-error").first()).toContainText("Invalid regular expression");
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await input.fill("(a+)+$");
    await expect(page.getByTestId("search-field-error").first()).toContainText("exponential");
    await input.fill("");
    await page.getByTestId("search-size-min").fill("lots");
    await expect(page.getByTestId("search-field-error").first()).toContainText("not a size");
  });

  test("a merged result reveals and selects its path in the merged tree, the slider back at the top", async ({ page }) => {
    await openSearchImage(page);
    // Move the slider down to layer 1 first: revealing must bring it back to the top.
    const slider = page.getByTestId("merged-slider");
    await slider.focus();
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByTestId("merged-slider-label")).toContainText("As of layer 1 of 2");

    await page.getByTestId("search-input").fill("file.txt");
    await page.getByTestId("search-input").press("Enter");
    const hit = page.locator('[data-testid="search-result"][data-path="new/deep/dir/file.txt"][data-scope="merged"] button');
    await expect(hit).toBeVisible();
    // Keyboard: ↓ from the input reaches the first result, Enter reveals it.
    await page.getByTestId("search-input").press("ArrowDown");
    await expect(hit).toBeFocused();
    await page.keyboard.press("Enter");

    await expect(page.getByTestId("merged-slider-label")).toContainText("As of layer 2 of 2");
    const row = page.locator('[data-testid="merged-row"][data-path="new/deep/dir/file.txt"]');
    await expect(row).toHaveAttribute("aria-selected", "true");
    await expect(row).toBeInViewport();
    await expect(page.getByTestId("merged-details")).toHaveAttribute("data-path", "new/deep/dir/file.txt");
    await expect(page.getByTestId("merged-tree")).toBeFocused();
  });

  test("a layer result selects its layer and reveals the path in that layer's tree", async ({ page }) => {
    await openSearchImage(page);
    await page.getByTestId("search-scope").selectOption("layers");
    await page.getByTestId("search-input").fill("removed-later");
    await page.getByTestId("search-input").press("Enter");
    // The whiteout in layer 2: its tree row is named after the path it hides.
    await page.locator('[data-testid="search-result"][data-path="bin/.wh.removed-later"][data-scope="1"] button').click();
    await expect(page.locator('[data-testid="layer-row"][data-layer-index="1"]')).toHaveAttribute("aria-current", "true");
    const files = page.getByTestId("layer-files");
    await expect(files).toContainText("Files in layer 2");
    const row = files.locator('[data-testid="tree-row"][data-path="bin/removed-later"]');
    await expect(row).toHaveAttribute("aria-selected", "true");
    await expect(row).toBeInViewport();

    // The same name in layer 1 is a file: layer 1 is selected and its row revealed.
    await page.locator('[data-testid="search-result"][data-path="bin/removed-later"][data-scope="0"] button').click();
    await expect(page.locator('[data-testid="layer-row"][data-layer-index="0"]')).toHaveAttribute("aria-current", "true");
    await expect(files).toContainText("Files in layer 1");
    await expect(files.locator('[data-testid="tree-row"][data-path="bin/removed-later"]')).toHaveAttribute("aria-selected", "true");
  });

  test("screenshot of the search section", async ({ page }, info) => {
    await openSearchImage(page);
    await page.getByTestId("search-links").selectOption("broken-symlinks");
    await page.getByTestId("search-input").press("Enter");
    await expect(page.getByTestId("search-result")).toHaveCount(4);
    const shot = await page.getByTestId("search").screenshot();
    await info.attach("search", { body: shot, contentType: "image/png" });
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(".tmp", { recursive: true });
    writeFileSync(".tmp/search.png", shot);
  });
});
