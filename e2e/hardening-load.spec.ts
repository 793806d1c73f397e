/**
 * Issue 8, the load rows of SECURITY.md (L1–L4; L5 is in hardening-faults.spec.ts), on loopback
 * only and bounded in count and time: every loop here has a fixed number of requests and stops by
 * itself. L1, L2 and L4 run the built proxy in a process of their own (own-proxy.ts), so its
 * memory and sockets can be read from /proc and its per-client caps are not shared with the other
 * tests; clients are told apart by their source address (127.0.0.x), as the proxy tells them.
 * Figures are attached to each test as annotations (the JSON report keeps them) and listed in
 * e2e/hardening/ROWS-faults.md.
 */
import { createHash } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import http from "node:http";
import { expect, test, type Page } from "@playwright/test";
import { injectFaults, watchPage } from "./helpers/faults";
import { startOwnProxy, type OwnProxy } from "./helpers/own-proxy";
import { MANIFEST_ACCEPT } from "./helpers/registry";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { pushImage } from "./setup/fixtures";
import { manyLayersImage } from "./setup/layer-fixtures";

const MiB = 1024 * 1024;

function figure(name: string, value: number | string): void {
  test.info().annotations.push({ type: name, description: String(value) });
}

function get(url: string, headers: Record<string, string>, localAddress: string): { req: http.ClientRequest; res: Promise<http.IncomingMessage> } {
  const req = http.get(url, { headers, agent: false, localAddress });
  return { req, res: new Promise((resolve, reject) => req.once("response", resolve).once("error", reject)) };
}

/** Sockets the process holds open, from /proc/PID/fd. */
function socketCount(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

test.describe("L1 L2 the proxy under many streams", () => {
  let proxy: OwnProxy;
  test.beforeAll(async () => {
    const { hosts } = state();
    proxy = await startOwnProxy({ allowHosts: [hosts.open, hosts.faults] });
  });
  test.afterAll(async () => {
    await proxy.stop();
  });

  test("L1 50 concurrent 16 MiB blob streams: all complete with the right sha256; the proxy's memory stays bounded", async () => {
    test.setTimeout(120_000);
    const { hosts, images } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const url = `${proxy.baseURL}/registry/${hosts.open}/v2/${img.repository}/blobs/${digest}`;
    const baseline = proxy.rssBytes();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, proxy.rssBytes())), 50);
    const started = Date.now();
    try {
      // Ten streams from each of five client addresses: under the per-client cap (32), 50 in all.
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await get(url, {}, `127.0.0.${10 + (i % 5)}`).res;
          const hash = createHash("sha256");
          let bytes = 0;
          for await (const c of res as AsyncIterable<Buffer>) {
            hash.update(c);
            bytes += c.length;
          }
          return { status: res.statusCode, bytes, digest: `sha256:${hash.digest("hex")}` };
        }),
      );
      for (const r of results) expect(r).toMatchObject({ status: 200, digest });
      const total = results.reduce((a, r) => a + r.bytes, 0);
      figure("L1 streams", results.length);
      figure("L1 bytes through the proxy", total);
      figure("L1 seconds (loaded machine, not asserted)", ((Date.now() - started) / 1000).toFixed(1));
    } finally {
      clearInterval(sampler);
    }
    figure("L1 proxy RSS before (MB)", (baseline / 1e6).toFixed(1));
    figure("L1 proxy RSS peak (MB)", (peak / 1e6).toFixed(1));
    // Bodies are streamed, never buffered: 800 MiB went through; the process stays far below that.
    expect(peak).toBeLessThan(300e6);
  });

  test("L2 one client opening 100 streams gets 32 and 68 × 429; another client is still served; all closed after", async () => {
    test.setTimeout(90_000);
    const { hosts, images } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const f = await injectFaults({ on: "blob", digest, fault: { kind: "trickle", bytesPerSecond: 256 * 1024 } });
    const url = `${proxy.baseURL}/registry/${hosts.faults}/v2/${f.repo(img.repository)}/blobs/${digest}`;
    const streams = Array.from({ length: 100 }, () => get(url, {}, "127.0.0.2"));
    try {
      const answers = await Promise.all(streams.map((s) => s.res));
      const served = answers.filter((a) => a.statusCode === 200);
      const refused = answers.filter((a) => a.statusCode === 429);
      expect(served).toHaveLength(32);
      expect(refused).toHaveLength(68);
      for (const r of refused) {
        expect(r.headers["x-layerscope-proxy-error"]).toBe("TOO_MANY_STREAMS");
        expect(r.headers["retry-after"]).toBe("1");
        r.resume();
      }
      // While the first client holds its 32, another is served.
      const other = await get(`${proxy.baseURL}/registry/${hosts.open}/v2/${images.docker.repository}/manifests/${images.docker.tag}`, { accept: MANIFEST_ACCEPT }, "127.0.0.3").res;
      expect(other.statusCode).toBe(200);
      other.resume();
      const report = await f.report();
      expect(report.maxConcurrentBlobs).toBeLessThanOrEqual(32);
      figure("L2 streams asked / served / refused", `100 / ${served.length} / ${refused.length}`);
      figure("L2 most upstream streams at once", report.maxConcurrentBlobs);
    } finally {
      for (const s of streams) s.req.destroy();
    }
    // Every upstream request the 32 opened is closed once the client goes (P13 at scale).
    await expect.poll(async () => (await f.report()).open, { timeout: 15_000 }).toBe(0);
  });
});

const layerRows = (page: Page) => page.getByTestId("layers").getByTestId("layer-row");

test("L3 an image of 8 × 4 MiB layers in the browser: two at a time, progress per layer, cancel at any time stops every download", async ({ page }) => {
  test.setTimeout(120_000);
  const { hosts } = state();
  const many = manyLayersImage(8, 4 * MiB);
  await pushImage({ base: `http://${hosts.open}` }, "e2e/load-many", "v1", many);
  const f = await injectFaults({ on: "blob", minBytes: MiB, fault: { kind: "trickle", bytesPerSecond: 2 * MiB } });
  const healthy = watchPage(page);
  await openDeepLink(page, f.ref("e2e/load-many", "v1"));
  const rows = layerRows(page);
  await expect(rows).toHaveCount(8, { timeout: 15_000 });

  // Watch the stages until two layers are done: never more than two running at once.
  let mostRunning = 0;
  let sawProgress = false;
  await expect
    .poll(
      async () => {
        const stages = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-stage")));
        mostRunning = Math.max(mostRunning, stages.filter((s) => s === "downloading").length);
        if (!sawProgress) sawProgress = (await page.locator('[data-testid="layer-row"][data-stage="downloading"] [data-testid="layer-progress"]').count()) > 0;
        return stages.filter((s) => s === "done").length;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBeGreaterThanOrEqual(2);
  expect(mostRunning).toBeGreaterThanOrEqual(1);
  expect(mostRunning).toBeLessThanOrEqual(2);
  expect(sawProgress).toBe(true);

  await page.getByTestId("layers-cancel-all").click();
  await expect(page.locator('[data-testid="layer-row"][data-stage="downloading"], [data-testid="layer-row"][data-stage="queued"]')).toHaveCount(0);
  const cancelled = await page.locator('[data-testid="layer-row"][data-stage="cancelled"]').count();
  expect(cancelled).toBeGreaterThanOrEqual(1);
  // The registry sees every blob request closed, and no new one once cancelled.
  await expect.poll(async () => (await f.report()).open, { timeout: 5_000 }).toBe(0);
  const report = await f.report();
  const blobs = report.requests.filter((r) => r.what === "blob" && r.total !== null && r.total >= MiB);
  expect(report.maxConcurrentBlobs).toBeLessThanOrEqual(2);
  for (const done of await page.locator('[data-testid="layer-row"][data-stage="done"]').all()) {
    await expect(done.getByTestId("digest-verdict")).toContainText("verified");
  }
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  figure("L3 layers / most running at once / most upstream blobs at once", `8 / ${mostRunning} / ${report.maxConcurrentBlobs}`);
  figure("L3 layers cancelled / blob requests made", `${cancelled} / ${blobs.length}`);
  figure("L3 page JS heap after (MB, Chromium's coarse performance.memory)", (heap / 1e6).toFixed(1));
  expect(blobs.length).toBeLessThanOrEqual(8);
  await healthy.expectHealthy();
});

test("L4 navigating away mid-download 20 times: every upstream request closed, the proxy's sockets back down", async ({ page }) => {
  test.setTimeout(150_000);
  const { hosts, images } = state();
  const img = images.layersBig;
  const digest = img.layerDigests[0]!;
  const proxy = await startOwnProxy({ allowHosts: [hosts.faults] });
  try {
    const f = await injectFaults({ on: "blob", digest, fault: { kind: "trickle", bytesPerSecond: 2 * MiB } });
    const healthy = watchPage(page);
    const deepLink = `${proxy.baseURL}/?image=${encodeURIComponent(ref(hosts.faults, f.repo(img.repository), img.tag))}`;
    await page.goto(`${proxy.baseURL}/`);
    const before = socketCount(proxy.pid);
    for (let i = 1; i <= 20; i++) {
      await page.goto(deepLink);
      // Mid-download: the registry is sending this visit's blob.
      await expect.poll(async () => (await f.report()).requests.filter((r) => r.path.endsWith(digest) && r.sent > 0).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(i);
      await page.goto(`${proxy.baseURL}/`);
      await expect(page.getByTestId("ref-input")).toBeVisible();
    }
    await expect.poll(async () => (await f.report()).open, { timeout: 10_000 }).toBe(0);
    const blobs = (await f.report()).requests.filter((r) => r.path.endsWith(digest));
    expect(blobs.length).toBeGreaterThanOrEqual(20);
    for (const b of blobs) expect(b).toMatchObject({ closedEarly: true, done: false });
    // Keep-alive sockets from the browser may linger a few seconds; nothing piles up per visit.
    await expect.poll(() => socketCount(proxy.pid), { timeout: 15_000 }).toBeLessThanOrEqual(before + 8);
    figure("L4 visits / blob requests / closed early", `20 / ${blobs.length} / ${blobs.filter((b) => b.closedEarly).length}`);
    figure("L4 proxy sockets before / after", `${before} / ${socketCount(proxy.pid)}`);
    await healthy.expectHealthy();
  } finally {
    await proxy.stop();
  }
});
