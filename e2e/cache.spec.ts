/**
 * The persistent cache in Chromium, against the real registry and proxy (issue 5, point 6):
 * verified layer indexes, manifests and configs kept in IndexedDB by digest; reopening reaches
 * the registry only for the tag; a second tag downloads only the layers it does not share; a
 * different diff_id claim is a mismatch without a download; a damaged layer is never kept; the
 * cap evicts the least recently used; Clear empties it. Requests are counted on the browser
 * context, which sees the layer workers' fetches too.
 */
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { ref, state, type ImageFacts } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { manyEntriesImage } from "./setup/cache-fixtures";
import { pushImage } from "./setup/fixtures";

// Each test opens images two to four times, and the machine is shared: more than the default 30 s.
test.describe.configure({ timeout: 90_000 });

const row = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);
const cacheControl = (page: Page) => page.getByTestId("cache-control");

/** Every GET the browser sends to the proxy's registry routes (page and workers), by path. */
function watchRegistry(context: BrowserContext) {
  const paths: string[] = [];
  context.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === "GET" && path.startsWith("/registry/")) paths.push(decodeURIComponent(path));
  });
  return {
    paths,
    blobs: () => paths.filter((p) => p.includes("/blobs/")),
    /** Blob GETs for these digests. */
    gets: (digests: readonly string[]) => paths.filter((p) => digests.some((d) => p.endsWith(`/blobs/${d}`))),
    manifests: () => paths.filter((p) => p.includes("/manifests/")),
    reset: () => void paths.splice(0),
  };
}

async function expectVerified(page: Page, i: number, timeout = 20_000): Promise<void> {
  const r = row(page, i);
  await expect(r).toHaveAttribute("data-stage", "done", { timeout });
  await expect(r.getByTestId("digest-verdict")).toHaveAttribute("data-status", "verified");
  await expect(r.getByTestId("diffid-verdict")).toHaveAttribute("data-status", "verified");
  await expect(r).toHaveAttribute("data-trusted", "true");
}

/** The keys of the records in the app's IndexedDB cache ("layer:sha256:…", "manifest:…", "config:…"), read in the page. */
function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open("layerscope-cache");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("meta")) return resolve([]);
          const r = db.transaction("meta").objectStore("meta").getAllKeys();
          r.onsuccess = () => {
            db.close();
            resolve((r.result as string[]).sort());
          };
          r.onerror = () => reject(r.error);
        };
      }),
  );
}

const keysOf = (img: ImageFacts): string[] => [...img.layerDigests.map((d) => `layer:${d}`), `config:${img.configDigest}`, `manifest:${img.manifestDigest}`];

/** Opens an image and waits until every layer is verified and it is all stored (its layers, config and manifest). */
async function openAndStore(page: Page, img: ImageFacts): Promise<void> {
  const { hosts } = state();
  await openDeepLink(page, ref(hosts.open, img.repository, img.tag));
  for (let i = 0; i < img.layerDigests.length; i++) await expectVerified(page, i);
  await expect.poll(() => storedKeys(page)).toEqual(expect.arrayContaining(keysOf(img)));
}

const usageBytes = async (page: Page): Promise<number> => Number(await cacheControl(page).getAttribute("data-bytes"));

test("reopening an image: layers and config come from the cache with no blob GET; by digest, no registry request at all", async ({ page, context }) => {
  const { hosts, compare } = state();
  const img = compare.v1;
  const seen = watchRegistry(context);
  await openAndStore(page, img);
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "2");
  expect(await storedKeys(page)).toEqual(keysOf(img).sort());
  expect(seen.gets(img.layerDigests)).toHaveLength(2);
  await expect(page.getByTestId("layer-source")).toHaveCount(0); // downloaded now
  await expect(cacheControl(page)).toHaveAttribute("data-blobs", "2"); // the manifest (Docker-Content-Digest matched) and the config
  await expect(page.getByTestId("cache-usage")).toContainText(/Cache: [\d.]+ kB of 1\.0 GB, 2 layers, 2 documents/);

  seen.reset();
  await page.reload();
  for (let i = 0; i < 2; i++) {
    await expectVerified(page, i);
    await expect(row(page, i).getByTestId("layer-source")).toContainText(/from cache \(verified \d/);
  }
  await expect(page.getByTestId("layers-cache-summary")).toContainText("2 of 2 layers from the cache");
  await expect(page.getByTestId("layers-cache-summary")).toContainText("a tag is always resolved at the registry");
  // The tag was asked again; nothing named by a digest was. The referrers card looks its list up
  // again too (the referrers API, then the `sha256-<hex>` tag): that list can change, so it is
  // never cached, and those are its requests only.
  const referrers = seen.paths.filter(isReferrersLookup);
  expect(referrers.length).toBeGreaterThan(0);
  expect(seen.manifests().filter((p) => !isReferrersLookup(p))).toEqual([`/registry/${hosts.open}/v2/${img.repository}/manifests/${img.tag}`]);
  expect(seen.blobs()).toEqual([]);
  await page.getByTestId("layers-card").screenshot({ path: ".tmp/cache-layers.png" });
  await page.locator("header").first().screenshot({ path: ".tmp/cache-header.png" });

  // By digest with everything cached: no registry request but the referrers lookup.
  seen.reset();
  await openDeepLink(page, ref(hosts.open, img.repository, img.manifestDigest));
  for (let i = 0; i < 2; i++) await expectVerified(page, i);
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(page.getByTestId("layers-cache-summary")).toContainText("2 of 2 layers from the cache");
  expect(seen.paths.filter((p) => !isReferrersLookup(p))).toEqual([]);
});

/** The referrers card's lookups: the distribution-spec API, or its tag-schema fallback `<alg>-<hex>`. */
function isReferrersLookup(path: string): boolean {
  return /\/v2\/.+\/referrers\/sha256:[0-9a-f]{64}/.test(path) || /\/manifests\/sha256-[0-9a-f]{64}$/.test(path);
}

test("a second tag sharing the base layer downloads only the layer it does not share", async ({ page, context }) => {
  const { compare } = state();
  const seen = watchRegistry(context);
  await openAndStore(page, compare.v1);
  expect(compare.v2.layerDigests[0]).toBe(compare.v1.layerDigests[0]);
  seen.reset();
  await openAndStore(page, compare.v2);
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "3");
  expect(seen.gets(compare.v2.layerDigests)).toEqual([expect.stringContaining(compare.v2.layerDigests[1]!)]);
  await expect(row(page, 0).getByTestId("layer-source")).toBeVisible();
  await expect(row(page, 1).getByTestId("layer-source")).toHaveCount(0);
  await expect(page.getByTestId("layers-cache-summary")).toContainText("1 of 2 layers from the cache");
});

test("a cached layer under a config claiming another diff_id: mismatch shown, nothing downloaded (D3)", async ({ page, context }) => {
  const { compare, cache } = state();
  const seen = watchRegistry(context);
  await openAndStore(page, compare.v1);
  seen.reset();
  await openDeepLink(page, ref(state().hosts.open, cache.wrongDiff.repository, cache.wrongDiff.tag));
  const r = row(page, 0);
  await expect(r).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
  await expect(r.getByTestId("digest-verdict")).toHaveAttribute("data-status", "verified");
  await expect(r.getByTestId("diffid-verdict")).toHaveAttribute("data-status", "mismatch");
  await expect(r.getByTestId("diffid-verdict").locator('[data-part="expected"]')).toHaveText(cache.wrongDiffId);
  await expect(r).toHaveAttribute("data-trusted", "false");
  await expect(r.getByTestId("untrusted")).toBeVisible();
  await expect(r.getByTestId("layer-source")).toBeVisible();
  expect(seen.gets(cache.wrongDiff.layerDigests)).toEqual([]);
});

test("a layer with a flipped byte is never cached: reopening fetches it again and it still fails (D1)", async ({ page, context }) => {
  const { images } = state();
  const img = images.layersFlipped;
  const seen = watchRegistry(context);
  await openDeepLink(page, ref(state().hosts.open, img.repository, img.tag));
  const r = row(page, 0);
  await expect(r.getByTestId("digest-verdict")).toHaveAttribute("data-status", "mismatch", { timeout: 20_000 });
  // The config is verified and kept; the layer is not.
  await expect(cacheControl(page)).toHaveAttribute("data-blobs", "2");
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "0");
  // (Twice: the damaged deflate stream makes the pipeline read it again with pako.)
  expect(seen.gets(img.layerDigests).length).toBeGreaterThan(0);
  seen.reset();
  await page.reload();
  await expect(r.getByTestId("digest-verdict")).toHaveAttribute("data-status", "mismatch", { timeout: 20_000 });
  await expect(r.getByTestId("layer-source")).toHaveCount(0);
  expect(seen.gets(img.layerDigests).length).toBeGreaterThan(0);
  expect(await storedKeys(page)).not.toContain(`layer:${img.layerDigests[0]}`);
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "0");
});

test("a tiny cap (set in localStorage) evicts the least recently used and keeps the most recent image", async ({ page, context }) => {
  const { compare, images } = state();
  const a = compare.v1;
  const b = images.oci;
  const seen = watchRegistry(context);
  // What each image takes alone.
  await openAndStore(page, a);
  const sizeA = await usageBytes(page);
  await page.getByTestId("cache-clear").click();
  await expect(cacheControl(page)).toHaveAttribute("data-bytes", "0");
  await expect.poll(() => storedKeys(page)).toEqual([]);
  await openAndStore(page, b);
  const sizeB = await usageBytes(page);
  const cap = Math.max(sizeA, sizeB) + 1024;
  expect(cap).toBeLessThan(sizeA + sizeB);
  await page.evaluate((c) => localStorage.setItem("layerscope.cache.capBytes", String(c)), cap);

  // B is stored; now A (more recent) must push B's records out, least recently used first.
  await openAndStore(page, a);
  await expect(cacheControl(page)).toHaveAttribute("data-cap", String(cap));
  expect(await usageBytes(page)).toBeLessThanOrEqual(cap);
  const kept = await storedKeys(page);
  expect(keysOf(b).some((k) => !kept.includes(k))).toBe(true);
  await expect(page.getByTestId("cache-cap")).toHaveValue(String(cap));

  seen.reset();
  await page.reload();
  for (let i = 0; i < 2; i++) await expectVerified(page, i);
  await expect(page.getByTestId("layers-cache-summary")).toContainText("2 of 2 layers from the cache");
  expect(seen.gets(a.layerDigests)).toEqual([]);

  seen.reset();
  await openDeepLink(page, ref(state().hosts.open, b.repository, b.tag));
  for (let i = 0; i < 2; i++) await expectVerified(page, i);
  expect(seen.gets(b.layerDigests).length).toBeGreaterThan(0);
});

test("Clear empties the cache: the next open downloads again", async ({ page, context }) => {
  const { compare } = state();
  const img = compare.v1;
  const seen = watchRegistry(context);
  await openAndStore(page, img);
  await page.getByTestId("cache-clear").click();
  await expect(cacheControl(page)).toHaveAttribute("data-bytes", "0");
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "0");
  await expect(page.getByTestId("cache-usage")).toContainText("Cache: 0 B of 1.0 GB, 0 layers");
  expect(await storedKeys(page)).toEqual([]);
  seen.reset();
  await page.reload();
  for (let i = 0; i < 2; i++) await expectVerified(page, i);
  expect(seen.gets(img.layerDigests)).toHaveLength(2);
  expect(seen.gets([img.configDigest])).toHaveLength(1);
  await expect(page.getByTestId("layer-source")).toHaveCount(0);
});

test("a 200 000-entry layer: stored and read back from IndexedDB, with the times it took", async ({ page, context }) => {
  test.setTimeout(180_000);
  const { hosts } = state();
  const n = 200_000;
  const img = manyEntriesImage(n);
  const repository = "e2e/cache-many";
  await pushImage({ base: `http://${hosts.open}` }, repository, "v1", img);
  // Long tasks (main-thread blocks over 50 ms) while the page works, to report the longest.
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const seen = watchRegistry(context);
  const t0 = Date.now();
  await openDeepLink(page, `${hosts.open}/${repository}:v1`);
  await expectVerified(page, 0, 90_000);
  const openMs = Date.now() - t0;
  await expect(row(page, 0)).toContainText("200,000 entries");
  await expect(cacheControl(page)).toHaveAttribute("data-layers", "1", { timeout: 60_000 });
  /** Each cache step's wall time and busy time (without the waits between slices), in ms. */
  const measures = (): Promise<Record<string, { wall: number; busy: number }>> =>
    page.evaluate(() =>
      Object.fromEntries(
        performance
          .getEntriesByType("measure")
          .filter((m) => m.name.startsWith("layerscope:cache-"))
          .map((m) => [
            m.name.slice("layerscope:cache-".length),
            { wall: Math.round(m.duration), busy: Math.round((m as PerformanceMeasure & { detail: { busyMs: number } }).detail.busyMs) },
          ]),
      ),
    );
  const longestTask = (): Promise<number> => page.evaluate(() => Math.round(Math.max(0, ...(window as unknown as { longTasks: number[] }).longTasks)));
  const written = await measures();
  const longestFirst = await longestTask();
  const storedBytes = await usageBytes(page);
  // The layer worker sent the entries packed, and that form is what is stored: no packing on the page.
  expect(written["pack"]).toBeUndefined();
  expect(written["write"]?.wall).toBeGreaterThan(0);

  seen.reset();
  const t1 = Date.now();
  await page.reload();
  await expectVerified(page, 0, 60_000);
  await expect(row(page, 0).getByTestId("layer-source")).toBeVisible();
  const reopenMs = Date.now() - t1;
  expect(seen.gets(img.layers.map((l) => l.digest))).toEqual([]);
  const read = await measures();
  const longestReopen = await longestTask();
  expect(read["read"]?.wall).toBeGreaterThan(0);
  expect(read["unpack"]?.busy).toBeGreaterThan(0);
  const f = (m: { wall: number; busy: number } | undefined): string => `${m?.busy} ms busy (${m?.wall} ms wall)`;
  console.log(
    `[cache] ${n} entries, ${(storedBytes / 1e6).toFixed(1)} MB estimated. Store (packed by the layer worker): write ${written["write"]?.wall} ms. ` +
      `Read back: read ${read["read"]?.wall} ms, unpack ${f(read["unpack"])}. Open from the network ${openMs} ms (longest main-thread task ${longestFirst} ms); ` +
      `reload from the cache ${reopenMs} ms (longest task ${longestReopen} ms).`,
  );
});
