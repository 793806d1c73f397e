/**
 * Issue 8, the proxy's rows of SECURITY.md (P1–P14) against the built proxy (`dist/proxy`, as
 * `npm start` runs it), for what the unit tests in proxy/test cannot show: real sockets, the
 * real process's log, and the registry's side of every refusal. Each refusal is checked where
 * it matters: the fault front (e2e/setup/fault-front.ts) counts what reached the registry, and
 * its trap (a loopback port that is not allowlisted) counts connections that should never have
 * been made. The timeout rows run a proxy of their own with short timeouts (own-proxy.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { expect, test } from "@playwright/test";
import { basicAuth, MANIFEST_ACCEPT } from "./helpers/registry";
import { faultTotals, injectFaults, watchPage } from "./helpers/faults";
import { startOwnProxy, type OwnProxy } from "./helpers/own-proxy";
import { state } from "./helpers/state";
import { expectError, openDeepLink } from "./helpers/ui";

const port = (baseURL: string): number => Number(new URL(baseURL).port);

/** Sends `text` as is on a new connection to 127.0.0.1:`to`; resolves with the status code (0 when closed without one). */
function raw(to: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(to, "127.0.0.1");
    let got = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => {
      got += c;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on("close", () => resolve(0));
    socket.on("error", reject);
    socket.write(text, "latin1");
  });
}

/** GET through a proxy with node:http, as a client that may stop reading. */
function get(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, ...(localAddress ? { localAddress } : {}) }, resolve);
    req.on("error", reject);
  });
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

test.describe("P1 P2 P3 destinations", () => {
  test("private, loopback, link-local and metadata addresses, in every spelling, and a name resolving to loopback: 403 before any connection", async ({ request }) => {
    const { faultTrap } = state();
    const trap = faultTrap.split(":")[1]!;
    const before = (await faultTotals()).trapConnections;
    const hosts = [
      // P1
      "169.254.169.254",
      "[fd00:ec2::254]",
      "100.100.100.200",
      "168.63.129.16",
      "10.0.0.1",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.1.1",
      "[fe80::1]",
      `127.0.0.1:${trap}`,
      `[::1]:${trap}`,
      `[::ffff:127.0.0.1]:${trap}`,
      // P2: canonicalised (WHATWG URL), then refused
      `2130706433:${trap}`,
      `0x7f.1:${trap}`,
      `017700000001:${trap}`,
      `127.1:${trap}`,
      `0:${trap}`,
      `①②⑦.0.0.1:${trap}`,
      `[::ffff:7f00:1]:${trap}`,
      `[64:ff9b::7f00:1]:${trap}`,
      `[::127.0.0.1]:${trap}`,
      // P3: a name whose address is checked inside the connection's lookup
      `localhost:${trap}`,
    ];
    for (const host of hosts) {
      const res = await request.get(`/registry/${host}/v2/e2e/anything/manifests/v1`, { headers: { accept: MANIFEST_ACCEPT } });
      expect(res.status(), host).toBe(403);
      expect(res.headers()["x-layerscope-proxy-error"], host).toBe("DESTINATION_NOT_ALLOWED");
      expect(await res.text(), host).toMatch(/not allowed/);
    }
    expect((await faultTotals()).trapConnections).toBe(before);
  });
});

test.describe("P6 token realms", () => {
  test("a Bearer realm on loopback, on the metadata address or with file:: the token request is refused, credentials never sent", async ({ page, request }) => {
    const { images, hosts, credentials } = state();
    const img = images.docker;
    const before = (await faultTotals()).trapConnections;
    for (const realm of ["http://{trap}/token", "http://169.254.169.254/latest/api/token", "file:///etc/passwd"]) {
      const f = await injectFaults({ on: "manifest", fault: { kind: "challenge", wwwAuthenticate: `Bearer realm="${realm}",service="x",scope="repository:e2e:pull"` } });
      const res = await request.get(`/registry/${hosts.faults}/v2/${f.repo(img.repository)}/manifests/${img.tag}`, {
        headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth(credentials) },
      });
      expect(res.status(), realm).toBe(403);
      expect(res.headers()["x-layerscope-proxy-error"], realm).toBe("TOKEN_REQUEST_REFUSED");
      expect(await res.text(), realm).toMatch(/token request refused/);
      // The registry was asked once (with or without the credentials, which are its own: the
      // proxy remembers per registry whether it asked for Basic before); no token request followed.
      expect((await f.report()).requests).toHaveLength(1);
    }
    expect((await faultTotals()).trapConnections).toBe(before);

    // In the page: the refusal is an error a person can read.
    const f = await injectFaults({ on: "manifest", fault: { kind: "challenge", wwwAuthenticate: 'Bearer realm="http://{trap}/token",service="x"' } });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectError(page, "destination-not-allowed");
    await expect(page.getByTestId("error").first()).toContainText("token request refused");
    await healthy.expectHealthy();
    expect((await faultTotals()).trapConnections).toBe(before);
  });
});

test.describe("P8 methods, paths and control characters", () => {
  test("other methods → 405, paths outside the API, '..', '%2e%2e', encoded CR/LF, a bare CR in a header → 400; nothing reaches the registry", async ({ request, baseURL }) => {
    const { images, hosts } = state();
    const img = images.docker;
    const f = await injectFaults({ on: "any", fault: { kind: "status", status: 500 } });
    const base = `/registry/${hosts.faults}/v2/${f.repo(img.repository)}`;
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await request.fetch(`${base}/manifests/${img.tag}`, { method, data: method === "DELETE" ? undefined : "{}" });
      expect(res.status(), method).toBe(405);
      expect(res.headers()["x-layerscope-proxy-error"]).toBe("METHOD_NOT_ALLOWED");
    }
    const proxyPort = port(baseURL!);
    const requestLine = (path: string, extra = ""): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n${extra}Connection: close\r\n\r\n`;
    for (const path of [
      `${base}/../../../../etc/passwd`,
      `${base}/%2e%2e/%2e%2e/secret/manifests/v1`,
      `${base}/manifests/v1%0d%0aX-Injected:%201`,
      `${base}/blobs/uploads/`,
      `${base}/tags/list/../../../_catalog`,
      `/registry/${hosts.faults}/v1/${f.repo(img.repository)}/manifests/${img.tag}`,
      `/registry/${hosts.faults}/v2/_catalog`,
    ]) {
      expect(await raw(proxyPort, requestLine(path)), path).toBe(400);
    }
    // A bare CR inside a header value: Node's parser refuses the request outright.
    expect(await raw(proxyPort, requestLine(`${base}/manifests/${img.tag}`, "Range: bytes=0-1\rX-Injected: 1\r\n"))).toBe(400);
    expect((await f.report()).requests).toEqual([]);
  });
});

test.describe("P11 size caps", () => {
  test("an endless manifest and an endless error body: 502 'response too large', the registry's answer cut near the cap, in the page too", async ({ page, request }) => {
    const { images, hosts } = state();
    const img = images.docker;
    const cases = [
      { fault: { kind: "endless", status: 200, contentType: "application/vnd.oci.image.manifest.v1+json" }, cap: 8 * 1024 * 1024 },
      { fault: { kind: "endless", status: 500, contentType: "application/json" }, cap: 64 * 1024 },
    ] as const;
    for (const { fault, cap } of cases) {
      const f = await injectFaults({ on: "manifest", fault });
      const res = await request.get(`/registry/${hosts.faults}/v2/${f.repo(img.repository)}/manifests/${img.tag}`, { headers: { accept: MANIFEST_ACCEPT } });
      expect(res.status()).toBe(502);
      expect(res.headers()["x-layerscope-proxy-error"]).toBe("RESPONSE_TOO_LARGE");
      expect(await res.text()).toContain("response too large");
      await expect.poll(async () => (await f.report()).requests[0]?.closedAt ?? null, { timeout: 5_000 }).not.toBeNull();
      const [record] = (await f.report()).requests;
      expect(record).toMatchObject({ closedEarly: true, done: false });
      // Cut at the cap: what the registry got out is the cap plus what the sockets' buffers held.
      expect(record!.sent).toBeGreaterThanOrEqual(cap);
      expect(record!.sent).toBeLessThan(cap + 32 * 1024 * 1024);
      test.info().annotations.push({ type: `P11 bytes the registry sent before the cut (cap ${cap})`, description: String(record!.sent) });
    }
    const f = await injectFaults({ on: "manifest", fault: cases[0].fault });
    const healthy = watchPage(page);
    await openDeepLink(page, f.ref(img.repository, img.tag));
    await expectError(page, "response-too-large");
    await expect(page.getByTestId("error").first()).toContainText("Response too large");
    await healthy.expectHealthy();
  });
});

test.describe("P12 P13 timeouts and disconnects", () => {
  let proxy: OwnProxy;
  test.beforeAll(async () => {
    proxy = await startOwnProxy({
      allowHosts: [state().hosts.faults, state().hosts.open],
      headersTimeoutMs: 1_000,
      idleTimeoutMs: 2_000,
      upstreamTimeoutMs: 1_000,
      connectionsCheckingIntervalMs: 100,
    });
  });
  test.afterAll(async () => {
    await proxy.stop();
  });

  test("slowloris: headers sent a byte at a time are closed by the headers timeout, while another client is served (P12)", async () => {
    const { hosts, images } = state();
    const img = images.docker;
    const socket = net.connect(port(proxy.baseURL), "127.0.0.1");
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => undefined);
    const drip = `GET /registry/${hosts.open}/v2/${img.repository}/manifests/${img.tag} HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(200)}`;
    let at = 0;
    const timer = setInterval(() => {
      if (!closed && at < drip.length) socket.write(drip[at++]!);
    }, 100);
    try {
      // Another client, meanwhile, is served as usual.
      const other = await get(`${proxy.baseURL}/registry/${hosts.open}/v2/${img.repository}/manifests/${img.tag}`, { accept: MANIFEST_ACCEPT });
      expect(other.statusCode).toBe(200);
      expect(createHash("sha256").update(await readAll(other)).digest("hex")).toBe(img.manifestDigest.slice(7));
      await expect.poll(() => closed, { timeout: 15_000 }).toBe(true);
      expect(at).toBeLessThan(drip.length); // closed before it ever finished its headers
    } finally {
      clearInterval(timer);
      socket.destroy();
    }
  });

  test("a client that stops reading is cut by the idle timeout, and the registry sees its request closed (P12)", async () => {
    const { images } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const f = await injectFaults({ on: "blob", digest, fault: { kind: "trickle", bytesPerSecond: 4 * 1024 * 1024 } });
    const res = await get(`${proxy.baseURL}/registry/${state().hosts.faults}/v2/${f.repo(img.repository)}/blobs/${digest}`);
    expect(res.statusCode).toBe(200);
    // Stops reading: the kernel's buffers fill, then nothing moves either way. The proxy stops
    // reading upstream too (backpressure), so whichever of its timeouts is shorter ends both sides.
    res.pause();
    res.on("error", () => undefined);
    try {
      await expect.poll(async () => (await f.report()).requests[0]?.closedAt ?? null, { timeout: 20_000 }).not.toBeNull();
      const [record] = (await f.report()).requests;
      expect(record).toMatchObject({ closedEarly: true });
      expect(record!.sent).toBeLessThan(record!.total!);
      // The proxy logs a request when its answer to the client is closed.
      await expect.poll(() => proxy.logs.some((l) => l.includes(digest) && / (client-closed|UPSTREAM_CUT)$/.test(l)), { timeout: 10_000 }).toBe(true);
    } finally {
      res.destroy();
    }
  });

  test("an upstream that trickles but never stops for a whole timeout is not cut: 256 KiB at 64 KiB/s through a 1 s upstream timeout (P12)", async () => {
    const { images, hosts } = state();
    const img = images.layersBig;
    const digest = img.layerDigests[0]!;
    const f = await injectFaults({ on: "blob", digest, fault: { kind: "trickle", bytesPerSecond: 64 * 1024 } });
    const range = { range: "bytes=0-262143" };
    const res = await get(`${proxy.baseURL}/registry/${hosts.faults}/v2/${f.repo(img.repository)}/blobs/${digest}`, range);
    expect(res.statusCode).toBe(206);
    const body = await readAll(res);
    const direct = await readAll(await get(`http://${hosts.open}/v2/${img.repository}/blobs/${digest}`, range));
    expect(body.length).toBe(262144);
    expect(body.equals(direct)).toBe(true);
    await expect.poll(async () => (await f.report()).requests[0]?.done).toBe(true);
    expect((await f.report()).requests[0]).toMatchObject({ fault: "trickle", closedEarly: false, sent: 262144 });
  });
});

test("P13 a client that disconnects mid-blob: the registry sees the upstream request closed within 2 s", async () => {
  const { images, hosts, baseURL } = state();
  const img = images.layersBig;
  const digest = img.layerDigests[0]!;
  const f = await injectFaults({ on: "blob", digest, fault: { kind: "trickle", bytesPerSecond: 1024 * 1024 } });
  const req = http.get(`${baseURL}/registry/${hosts.faults}/v2/${f.repo(img.repository)}/blobs/${digest}`, { agent: false });
  req.on("error", () => undefined);
  const res = await new Promise<http.IncomingMessage>((resolve) => req.once("response", resolve));
  expect(res.statusCode).toBe(200);
  let received = 0;
  await new Promise<void>((resolve) => {
    res.on("data", (c: Buffer) => {
      received += c.length;
      if (received >= 256 * 1024) resolve();
    });
  });
  const left = Date.now();
  req.destroy();
  await expect.poll(async () => (await f.report()).requests[0]?.closedAt ?? null, { timeout: 2_000 }).not.toBeNull();
  const [record] = (await f.report()).requests;
  expect(record).toMatchObject({ closedEarly: true, done: false });
  const delay = record!.closedAt! - left;
  test.info().annotations.push({ type: "P13 upstream closed after the client left (ms)", description: String(delay) });
  expect(delay).toBeLessThan(2_000);
});

test("P14 after requests with credentials, tokens and signed redirect URLs, no log holds a secret", async ({ request }) => {
  const s = state();
  const { images, hosts, credentials } = s;
  const img = images.docker;
  const auth = { authorization: basicAuth(credentials), accept: MANIFEST_ACCEPT };
  // Basic upstream, a Bearer token from the token server, and a CDN redirect signed in its query.
  expect((await request.get(`/registry/${hosts.basic}/v2/private/app/manifests/v1`, { headers: auth })).status()).toBe(200);
  expect((await request.get(`/registry/${hosts.token}/v2/private/app/manifests/v1`, { headers: auth })).status()).toBe(200);
  const blob = await request.get(`/registry/${hosts.redirect}/v2/${s.repos.redirectAuthPrefix}${img.repository}/blobs/${img.layerDigests[0]}`, { headers: auth });
  expect(blob.status()).toBe(200);
  // A redirect from the fault front whose URL carries a signature of its own.
  const signature = `fault-front-signature-${Math.random().toString(36).slice(2)}`;
  const f = await injectFaults({
    on: "manifest",
    fault: { kind: "redirect", location: `http://${hosts.open}/v2/${img.repository}/manifests/${img.tag}?X-Amz-Signature=${signature}&token=${signature}` },
  });
  expect((await request.get(`/registry/${hosts.faults}/v2/${f.repo(img.repository)}/manifests/${img.tag}`, { headers: auth })).status()).toBe(200);

  await expect.poll(() => readFileSync(s.logs.proxy, "utf8").includes(`/v2/${f.repo(img.repository)}/manifests/${img.tag}`), { timeout: 5_000 }).toBe(true);
  const log = readFileSync(s.logs.proxy, "utf8");
  for (const secret of [...s.secrets, signature]) expect(log, "the proxy log must hold no credential or URL signature").not.toContain(secret);
  expect(log).not.toMatch(/authorization|bearer |basic [a-z0-9+/=]{8}|eyJ[A-Za-z0-9_-]{10,}|signature=|[?&]token=/i);
});
