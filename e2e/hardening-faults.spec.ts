/**
 * Issue 8, the registry-facing rows of SECURITY.md (R4, R7, R11, P4, P9, P12, D2/L5 on the
 * wire): every fault the fault front (e2e/setup/fault-front.ts) can inject, in front of the real
 * registry, through the real app in Chromium and, where it applies, through the command line
 * (`node cli/bin.mjs inspect … --allow-private --json`, which runs the proxy's code in-process).
 *
 * Each test asserts the visible outcome (the error's kind, title and what to do; a layer's
 * verdicts), that retries are bounded (the front counts every request it answered), and that
 * the page survived: no uncaught error, and it still navigates (watchPage). A stall needs the
 * proxy's upstream timeout to end it: those tests run the built proxy of their own with a 2 s
 * timeout (own-proxy.ts) rather than waiting the shared server's 30 s.
 */
import { expect, test, type Page } from "@playwright/test";
import { cli } from "./helpers/cli";
import { faultTotals, injectFaults, watchPage, type FaultReport, type FaultRequestRecord, type FaultRule } from "./helpers/faults";
import { startOwnProxy, type OwnProxy } from "./helpers/own-proxy";
import { state } from "./helpers/state";
import { expectError, expectImage, openDeepLink } from "./helpers/ui";

/** A layer blob: layersBig's single uncompressed layer is 16 MiB, big enough to cut anywhere. */
const MiB = 1024 * 1024;

const blobsOf = (r: FaultReport, digest: string): FaultRequestRecord[] => r.requests.filter((q) => q.what === "blob" && q.path.endsWith(digest));
const manifestsOf = (r: FaultReport): FaultRequestRecord[] => r.requests.filter((q) => q.what === "manifest");

const layerRow = (page: Page, i = 0) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);

/** layersBig (one 16 MiB layer) opened in the page through the front, `rule` applied to its layer's blob. */
async function openBigLayer(page: Page, rule: Omit<FaultRule, "on" | "digest">) {
  const img = state().images.layersBig;
  const digest = img.layerDigests[0]!;
  const f = await injectFaults({ on: "blob", digest, ...rule });
  const healthy = watchPage(page);
  await openDeepLink(page, f.ref(img.repository, img.tag));
  return { f, digest, healthy, row: layerRow(page) };
}

/** `inspect REF --allow-private --json` through the fault front. */
const inspect = (reference: string) => cli(["inspect", reference, "--allow-private", "--json"]);

interface CliLayer {
  digest: string;
  digestVerdict: { status: string };
  diffIdVerdict: { status: string };
  trusted: boolean;
  error: string | null;
}

/** An error on the command line: exit 2, nothing on stdout, the sentence on stderr. */
function expectCliError(run: { code: number | null; stdout: string; stderr: string }, sentence: RegExp): void {
  expect(run.code, `exit code (stdout: ${run.stdout.slice(0, 300)})`).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(sentence);
}

test.describe("R4 rate limiting", () => {
  test("429 with Retry-After in seconds and Docker Hub's quota: a countdown, the quota, then the image after two limited answers", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", times: 2, fault: { kind: "status", status: 429, retryAfter: { seconds: 1 }, dockerHub: true } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    const error = page.locator('[data-testid="error"][data-kind="rate-limited"]').first();
    await expect(error).toBeVisible();
    await expect(error).toContainText("Rate limited");
    await expect(error).toContainText("Remaining quota: 0 of 100");
    await expect(page.getByTestId("retry-countdown")).toBeVisible();
    // After the second limited answer the registry serves: the page shows the image, verified.
    await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest, { timeout: 20_000 });
    await expectImage(page, img);
    const manifests = manifestsOf(await f.report());
    expect(manifests.map((m) => m.status)).toEqual([429, 429, 200]);
    await healthy.expectHealthy();
  });

  test("429 with Retry-After as an HTTP date, every time: exactly 3 automatic retries, then it stops and says so", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "status", status: 429, retryAfter: { dateInSeconds: 2 } } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    const error = page.locator('[data-testid="error"][data-kind="rate-limited"]').first();
    await expect(page.getByTestId("retry-countdown")).toBeVisible();
    await expect(error).toContainText(/attempt 1 of 3/);
    await expect(error).toContainText("Stopped after the automatic retries", { timeout: 30_000 });
    await expect(error.getByRole("button", { name: "Retry" })).toBeVisible();
    // 1 + 3 requests, and no more once it has stopped.
    expect(manifestsOf(await f.report())).toHaveLength(4);
    await expect(error).toContainText("Stopped after the automatic retries");
    expect(manifestsOf(await f.report())).toHaveLength(4);
    await healthy.expectHealthy();
  });

  test("429 on a layer blob, once: the layer waits the Retry-After it was given, then is fetched again and verifies", async ({ page }) => {
    const { f, digest, healthy, row } = await openBigLayer(page, { times: 1, fault: { kind: "status", status: 429, retryAfter: { seconds: 2 }, dockerHub: true } });
    await expect(row.getByTestId("layer-retry-countdown")).toBeVisible();
    await expect(row).toContainText(/attempt 1 of 3/);
    await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
    await expect(row.getByTestId("digest-verdict")).toContainText("verified");
    expect(blobsOf(await f.report(), digest).map((b) => b.status)).toEqual([429, 200]);
    await healthy.expectHealthy();
  });

  test("429 on a layer blob every time: 3 automatic retries, then the layer fails as rate limited with a Retry", async ({ page }) => {
    test.setTimeout(60_000);
    const { f, digest, healthy, row } = await openBigLayer(page, { fault: { kind: "status", status: 429, retryAfter: { seconds: 1 } } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 40_000 });
    await expect(row.locator('[data-testid="error"][data-kind="rate-limited"]')).toContainText("Rate limited");
    await expect(row.getByTestId("layer-retry")).toBeVisible();
    expect(blobsOf(await f.report(), digest)).toHaveLength(4);
    await healthy.expectHealthy();
  });

  test("command line: a 429 on the manifest or a layer is exit 2 with the rate-limited sentence and the wait, after one request", async () => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "status", status: 429, retryAfter: { seconds: 7 }, dockerHub: true } });
    const run = await inspect(f.ref(img.repository, img.tag));
    expectCliError(run, /Rate limited: .* Quota: 0 of 100 pulls left\. Run again after the 7 s the registry asked for/);
    expect(manifestsOf(await f.report())).toHaveLength(1);
    const digest = img.layerDigests[0]!;
    const layer = await injectFaults({ on: "blob", digest, fault: { kind: "status", status: 429, retryAfter: { seconds: 7 } } });
    expectCliError(await inspect(layer.ref(img.repository, img.tag)), /Rate limited: .*Run again after the 7 s/);
    expect(blobsOf(await layer.report(), digest)).toHaveLength(1);
  });
});

test.describe("R2 R5 what the registry is asked", () => {
  test("401 with a Basic challenge and 404: asked once each, 'Needs credentials' / 'Image not found' with the credentials form (R2)", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const healthy = watchPage(page);
    const needs = await injectFaults({ on: "manifest", fault: { kind: "challenge", wwwAuthenticate: 'Basic realm="fault-front"' } });
    await openDeepLink(page, needs.ref(img.repository, img.tag));
    await expectError(page, "unauthorized");
    await expect(page.getByTestId("error").first()).toContainText("Needs credentials");
    await expect(page.getByTestId("credentials-form")).toBeVisible();
    expect(manifestsOf(await needs.report())).toHaveLength(1);

    const missing = await injectFaults({ on: "manifest", fault: { kind: "status", status: 404 } });
    await openDeepLink(page, missing.ref(img.repository, img.tag));
    await expectError(page, "not-found");
    await expect(page.getByTestId("error").first()).toContainText("Private repositories often answer “not found” too");
    await expect(page.getByTestId("credentials-form")).toBeVisible();
    expect(manifestsOf(await missing.report())).toHaveLength(1);
    await healthy.expectHealthy();
  });

  test("an image read whole asks only GETs: nothing depends on HEAD, which some registries refuse (R5)", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults();
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectImage(page, img);
    for (const i of img.layerDigests.keys()) await expect(layerRow(page, i)).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
    const requests = (await f.report()).requests;
    expect(requests.filter((r) => r.what === "blob")).toHaveLength(img.layerDigests.length + 1); // layers and the config
    expect(new Set(requests.map((r) => r.method))).toEqual(new Set(["GET"]));
  });
});

test.describe("5xx answers", () => {
  test("503 on the manifest: 'Registry unreachable' and what to do; Retry recovers", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", times: 1, fault: { kind: "status", status: 503 } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectError(page, "unreachable");
    const error = page.getByTestId("error").first();
    await expect(error).toContainText("Registry unreachable");
    await expect(error).toContainText("HTTP 503");
    await expect(error).toContainText("Try again in a moment");
    expect(manifestsOf(await f.report())).toHaveLength(1); // no retry loop behind the user's back
    await error.getByRole("button", { name: "Retry" }).click();
    await expectImage(page, img);
    await healthy.expectHealthy();
  });

  test("500 on the manifest: 'Registry error (HTTP 500)' with the registry's message, once", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "status", status: 500 } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectError(page, "registry-error");
    await expect(page.getByTestId("error").first()).toContainText("Registry error (HTTP 500)");
    await expect(page.getByTestId("error").first()).toContainText("fault front: HTTP 500");
    expect(manifestsOf(await f.report())).toHaveLength(1);
    await healthy.expectHealthy();
  });

  test("502 on a layer blob, once: the layer alone is fetched again and verified", async ({ page }) => {
    const { f, digest, healthy, row } = await openBigLayer(page, { times: 1, fault: { kind: "status", status: 502 } });
    await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
    await expect(row.getByTestId("digest-verdict")).toContainText("verified");
    await expect(row.getByTestId("diffid-verdict")).toContainText("verified");
    expect(blobsOf(await f.report(), digest).map((b) => b.status)).toEqual([502, 200]);
    await healthy.expectHealthy();
  });

  test("500 on a layer blob: the layer fails with the registry's error and a Retry, which then verifies", async ({ page }) => {
    const { f, digest, healthy, row } = await openBigLayer(page, { times: 1, fault: { kind: "status", status: 500 } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 20_000 });
    await expect(row.locator('[data-testid="error"][data-kind="registry-error"]')).toContainText("Registry error (HTTP 500)");
    await expect(row.getByTestId("digest-verdict")).not.toContainText("verified");
    await row.getByTestId("layer-retry").click();
    await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
    await expect(row.getByTestId("digest-verdict")).toContainText("verified");
    expect(blobsOf(await f.report(), digest).map((b) => b.status)).toEqual([500, 200]);
    await healthy.expectHealthy();
  });

  test("command line: a 503 manifest is exit 2 'Registry unreachable'", async () => {
    const { images } = state();
    const f = await injectFaults({ on: "manifest", fault: { kind: "status", status: 503 } });
    const run = await inspect(f.ref(images.docker.repository, images.docker.tag));
    expectCliError(run, /^layerscope: Registry unreachable: .*HTTP 503/);
  });
});

test.describe("L5 D2 resets and truncation mid-layer", () => {
  test("a reset after 1 MiB, once: the layer restarts from byte 0 with fresh hash state and verifies", async ({ page }) => {
    const { f, digest, healthy, row } = await openBigLayer(page, { times: 1, fault: { kind: "reset", afterBytes: MiB } });
    await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
    await expect(row.getByTestId("digest-verdict")).toContainText("verified");
    await expect(row.getByTestId("diffid-verdict")).toContainText("verified");
    await expect(row).toHaveAttribute("data-trusted", "true");
    const blobs = blobsOf(await f.report(), digest);
    expect(blobs).toHaveLength(2);
    expect(blobs[0]).toMatchObject({ fault: "reset", sent: MiB });
    expect(blobs[1]).toMatchObject({ fault: null, done: true, sent: blobs[1]!.total });
    await healthy.expectHealthy();
  });

  test("a reset on every attempt: 3 attempts, then 'truncated: got N of M bytes', partial, never verified", async ({ page }) => {
    test.setTimeout(60_000);
    const { f, digest, healthy, row } = await openBigLayer(page, { fault: { kind: "reset", afterBytes: MiB } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 40_000 });
    const error = row.locator('[data-testid="error"][data-kind="size-mismatch"]');
    await expect(error).toContainText("Layer truncated");
    await expect(error).toContainText(/truncated: got \d+ of \d+ bytes/);
    await expect(error).toContainText("Retry this layer");
    await expect(row.getByTestId("digest-verdict")).not.toContainText(/\bverified/);
    await expect(row.getByTestId("diffid-verdict")).not.toContainText(/\bverified/);
    await expect(row).toHaveAttribute("data-trusted", "false");
    await expect(row.getByTestId("layer-retry")).toBeVisible();
    expect(blobsOf(await f.report(), digest)).toHaveLength(3); // 1 + 2 automatic retries, no more
    await healthy.expectHealthy();
  });

  test("Content-Length promised, fewer bytes, clean close: truncated, retried, never verified", async ({ page }) => {
    test.setTimeout(60_000);
    const { f, digest, healthy, row } = await openBigLayer(page, { fault: { kind: "truncate", afterBytes: 3 * MiB, declared: true } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 40_000 });
    await expect(row.locator('[data-testid="error"][data-kind="size-mismatch"]')).toContainText(/truncated: got \d+ of \d+ bytes/);
    await expect(row.getByTestId("digest-verdict")).not.toContainText(/\bverified/);
    const blobs = blobsOf(await f.report(), digest);
    expect(blobs).toHaveLength(3);
    for (const b of blobs) expect(b).toMatchObject({ fault: "truncate", sent: 3 * MiB });
    await healthy.expectHealthy();
  });

  test("a complete answer that is simply short: exactly 'truncated: got 1048576 of M bytes'", async ({ page }) => {
    test.setTimeout(60_000);
    const { f, digest, healthy, row } = await openBigLayer(page, { fault: { kind: "truncate", afterBytes: MiB, declared: false } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 40_000 });
    const total = blobsOf(await f.report(), digest)[0]!.total!;
    await expect(row.locator('[data-testid="error"][data-kind="size-mismatch"]')).toContainText(`truncated: got ${MiB} of ${total} bytes`);
    await expect(row.getByTestId("digest-verdict")).not.toContainText(/\bverified/);
    await healthy.expectHealthy();
  });

  test("command line: a reset once is retried and verified (exit 0); a reset every time is exit 2 'truncated'", async () => {
    const { images } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const once = await injectFaults({ on: "blob", digest, times: 1, fault: { kind: "reset", afterBytes: MiB } });
    const ok = await inspect(once.ref(img.repository, img.tag));
    expect(ok.code, ok.stderr).toBe(0);
    const layers = (JSON.parse(ok.stdout) as { layers: CliLayer[] }).layers;
    expect(layers[0]).toMatchObject({ digest, trusted: true, error: null, digestVerdict: { status: "verified" }, diffIdVerdict: { status: "verified" } });
    expect(blobsOf(await once.report(), digest)).toHaveLength(2);

    const always = await injectFaults({ on: "blob", digest, fault: { kind: "truncate", afterBytes: MiB, declared: false } });
    const bad = await inspect(always.ref(img.repository, img.tag));
    expectCliError(bad, new RegExp(`Layer truncated: ${digest} ended early: truncated: got ${MiB} of \\d+ bytes`));
    expect(blobsOf(await always.report(), digest)).toHaveLength(3);
  });
});

test.describe("P12 stalls, ended by the proxy's upstream timeout", () => {
  let proxy: OwnProxy;
  test.beforeAll(async () => {
    proxy = await startOwnProxy({ allowHosts: [state().hosts.faults], upstreamTimeoutMs: 2_000 });
  });
  test.afterAll(async () => {
    await proxy.stop();
  });

  test("headers, then silence on the manifest: 'Registry unreachable' (upstream timeout); the upstream request is closed", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "stall", afterBytes: 0 } });
    const healthy = watchPage(page);
    await page.goto(`${proxy.baseURL}/?image=${encodeURIComponent(f.ref(img.repository, img.tag))}`);
    await expectError(page, "unreachable", 20_000);
    await expect(page.getByTestId("error").first()).toContainText(/upstream timeout/);
    await expect.poll(async () => manifestsOf(await f.report()).every((m) => m.closedAt !== null), { timeout: 10_000 }).toBe(true);
    await healthy.expectHealthy();
  });

  test("silence mid-blob, once: the proxy cuts it, the layer is fetched again and verifies", async ({ page }) => {
    test.setTimeout(60_000);
    const { images } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const f = await injectFaults({ on: "blob", digest, times: 1, fault: { kind: "stall", afterBytes: 2 * MiB } });
    const healthy = watchPage(page);
    await page.goto(`${proxy.baseURL}/?image=${encodeURIComponent(f.ref(img.repository, img.tag))}`);
    const row = layerRow(page);
    await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
    await expect(row.getByTestId("digest-verdict")).toContainText("verified");
    const blobs = blobsOf(await f.report(), digest);
    expect(blobs).toHaveLength(2);
    expect(blobs[0]).toMatchObject({ fault: "stall", sent: 2 * MiB, closedEarly: false });
    expect(blobs[0]!.closedAt).not.toBeNull(); // the proxy hung up on the silent registry
    expect(proxy.logs.some((l) => l.includes(digest) && l.includes("UPSTREAM_CUT"))).toBe(true);
    await healthy.expectHealthy();
  });
});

test.describe("R7 R11 P9 content types and HTML", () => {
  test("a manifest under an index's Content-Type: rejected as ambiguous (R7)", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "content-type", contentType: "application/vnd.oci.image.index.v1+json" } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectError(page, "ambiguous-manifest");
    await expect(page.getByTestId("error").first()).toContainText("Ambiguous manifest rejected");
    await expect(page.getByTestId("image-id")).toHaveCount(0);
    await healthy.expectHealthy();

    const run = await inspect(f.ref(img.repository, img.tag));
    expectCliError(run, /Ambiguous manifest rejected: .*Content-Type “application\/vnd\.oci\.image\.index\.v1\+json”/);
  });

  test("a manifest served as text/html: passed as opaque bytes (nosniff, sandbox); the JSON inside still verifies (P9)", async ({ page, request }) => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "content-type", contentType: "text/html; charset=utf-8" } });
    const res = await request.get(`/registry/${state().hosts.faults}/v2/${f.repo(img.repository)}/manifests/${img.tag}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/octet-stream");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(res.headers()["content-security-policy"]).toBe("sandbox");
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectImage(page, img);
    await healthy.expectHealthy();
  });

  test("an HTML page answering the manifest (200 and 404): 'Not a registry response', its script never runs (R11)", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    const healthy = watchPage(page);
    for (const status of [200, 404]) {
      const f = await injectFaults({ on: "manifest", times: 1, fault: { kind: "html", status } });
      await openDeepLink(page, f.ref(img.repository, img.tag));
      await expectError(page, "not-a-registry");
      await expect(page.getByTestId("error").first()).toContainText("Not a registry response");
      await expect(page.getByTestId("error").first()).toContainText("Check that this host runs a container registry");
      // Nothing of the page was kept: once the registry answers as one, Retry shows the image.
      await page.getByTestId("error").first().getByRole("button", { name: "Retry" }).click();
      await expectImage(page, img);
      expect(manifestsOf(await f.report()).map((m) => m.fault)).toEqual(["html", null]);
    }
    expect(dialogs).toBe(0);
    await healthy.expectHealthy();
  });

  test("an HTML page answering a layer blob: the layer fails as 'Not a registry response', never verified, not retried (R11)", async ({ page }) => {
    const { f, digest, healthy, row } = await openBigLayer(page, { fault: { kind: "html", status: 200 } });
    await expect(row).toHaveAttribute("data-stage", "failed", { timeout: 20_000 });
    await expect(row.locator('[data-testid="error"][data-kind="not-a-registry"]')).toContainText("Not a registry response");
    await expect(row.getByTestId("digest-verdict")).not.toContainText(/\bverified/);
    expect(blobsOf(await f.report(), digest)).toHaveLength(1);
    await healthy.expectHealthy();
  });

  test("command line: an HTML page answering the manifest or a layer is exit 2 'Not a registry response'", async () => {
    const { images } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "manifest", fault: { kind: "html", status: 200 } });
    expectCliError(await inspect(f.ref(img.repository, img.tag)), /^layerscope: Not a registry response: /);
    const layer = await injectFaults({ on: "blob", digest: img.layerDigests[0]!, fault: { kind: "html", status: 200 } });
    expectCliError(await inspect(layer.ref(img.repository, img.tag)), /^layerscope: Not a registry response: .*text\/html/);
    expect(blobsOf(await layer.report(), img.layerDigests[0]!)).toHaveLength(1);
  });
});

test.describe("P4 redirects to disallowed places", () => {
  test("to loopback in four spellings and to the metadata address: refused before any connection", async ({ page }) => {
    const { images, faultTrap } = state();
    const img = images.docker;
    const trapPort = faultTrap.split(":")[1]!;
    const before = (await faultTotals()).trapConnections;
    const healthy = watchPage(page);
    for (const location of [
      "http://{trap}/v2/anything",
      `http://[::ffff:127.0.0.1]:${trapPort}/v2/anything`,
      `http://2130706433:${trapPort}/v2/anything`,
      `http://0x7f.1:${trapPort}/v2/anything`,
      "http://169.254.169.254/latest/meta-data/",
    ]) {
      const f = await injectFaults({ on: "manifest", fault: { kind: "redirect", location } });
      await openDeepLink(page, f.ref(img.repository, img.tag));
      await expectError(page, "destination-not-allowed");
      await expect(page.getByTestId("error").first(), location).toContainText("redirect to a disallowed destination");
    }
    expect((await faultTotals()).trapConnections).toBe(before);
    await healthy.expectHealthy();
  });

  test("to file: and gopher:: refused by scheme, in the page and on the command line", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const healthy = watchPage(page);
    for (const [location, scheme] of [
      ["file:///etc/passwd", "file:"],
      ["gopher://127.0.0.1:70/_GET", "gopher:"],
    ] as const) {
      const f = await injectFaults({ on: "manifest", fault: { kind: "redirect", location } });
      await openDeepLink(page, f.ref(img.repository, img.tag));
      await expectError(page, "destination-not-allowed");
      await expect(page.getByTestId("error").first()).toContainText(`redirect to a disallowed destination: scheme ${scheme} is not http(s)`);
      const run = await inspect(f.ref(img.repository, img.tag));
      expectCliError(run, new RegExp(`Destination not allowed: .*scheme ${scheme} is not http\\(s\\)`));
    }
    await healthy.expectHealthy();
  });

  test("five redirects are followed; a sixth is 'too many redirects', in the page and on the command line", async ({ page }) => {
    const { images } = state();
    const img = images.docker;
    const healthy = watchPage(page);
    const five = await injectFaults({ on: "manifest", fault: { kind: "redirect-chain", hops: 5 } });
    await openDeepLink(page, five.ref(img.repository, img.tag));
    await expectImage(page, img);

    const six = await injectFaults({ on: "manifest", fault: { kind: "redirect-chain", hops: 6 } });
    await openDeepLink(page, six.ref(img.repository, img.tag));
    await expectError(page, "unreachable");
    await expect(page.getByTestId("error").first()).toContainText("too many redirects");
    // The first answer and hops 1–5 were asked for; the sixth redirect's target never was.
    expect((await six.report()).hops).toBe(5);
    await healthy.expectHealthy();

    const run = await inspect(six.ref(img.repository, img.tag));
    expectCliError(run, /Registry unreachable: .*too many redirects/);
  });
});
