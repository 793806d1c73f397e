// What caches may keep (issue 8, "Scale-out"): the policy as a table, then the proxy's answers
// from a fake registry, header by header.

import { createHash } from "node:crypto";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { cachePolicy, contentDigest, IMMUTABLE, ifNoneMatchNames, MUTABLE, NO_STORE, PRIVATE, type CacheFacts } from "../caching.js";
import type { ApiCall } from "../routes.js";
import { request, startFake, startProxy, waitFor, type FakeServer, type RunningProxy } from "./helpers.js";

const sha256 = (b: string | Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const D = `sha256:${"a".repeat(64)}`;
const D512 = `sha512:${"b".repeat(128)}`;
const basic = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;

describe("cachePolicy: route × credentials × status", () => {
  const blob: ApiCall = { kind: "blob", name: "x", digest: D };
  const blob512: ApiCall = { kind: "blob", name: "x", digest: D512 };
  const byDigest: ApiCall = { kind: "manifest", name: "x", reference: D };
  const byTag: ApiCall = { kind: "manifest", name: "x", reference: "latest" };
  const tags: ApiCall = { kind: "tags", name: "x" };
  const referrers: ApiCall = { kind: "referrers", name: "x", digest: D };
  const ping: ApiCall = { kind: "ping" };
  const oddAlgorithm: ApiCall = { kind: "blob", name: "x", digest: "md5:0123456789abcdef0123456789abcdef" };
  const shortHex: ApiCall = { kind: "manifest", name: "x", reference: "sha256:abc" };
  const upperHex: ApiCall = { kind: "blob", name: "x", digest: `sha256:${"A".repeat(64)}` };

  const anon = (status: number, extra: Partial<CacheFacts> = {}): CacheFacts => ({ credentialed: false, status, ...extra });
  const creds = (status: number): CacheFacts => ({ credentialed: true, status });
  const rows: [what: string, call: ApiCall, facts: CacheFacts, cacheControl: string, etag: string | undefined, vary: string | undefined][] = [
    ["blob 200, anonymous", blob, anon(200), IMMUTABLE, `"${D}"`, undefined],
    ["sha512 blob 200, anonymous", blob512, anon(200), IMMUTABLE, `"${D512}"`, undefined],
    ["blob 304, anonymous", blob, anon(304), IMMUTABLE, `"${D}"`, undefined],
    ["blob 206, anonymous: a part is never stored", blob, anon(206), NO_STORE, undefined, undefined],
    ["blob 200, credentials", blob, creds(200), PRIVATE, undefined, undefined],
    ["blob 404, anonymous", blob, anon(404), NO_STORE, undefined, undefined],
    ["blob 401, anonymous", blob, anon(401), NO_STORE, undefined, undefined],
    ["blob 307 passed on (not followed), anonymous", blob, anon(307), NO_STORE, undefined, undefined],
    ["blob 500, anonymous", blob, anon(500), NO_STORE, undefined, undefined],
    ["blob under an unregistered algorithm", oddAlgorithm, anon(200), NO_STORE, undefined, undefined],
    ["blob with upper-case hex (not canonical)", upperHex, anon(200), NO_STORE, undefined, undefined],
    ["manifest by digest 200, verified", byDigest, anon(200, { bodyMatchesDigest: true }), IMMUTABLE, `"${D}"`, "Accept"],
    ["manifest by digest 200, HEAD (nothing hashed)", byDigest, anon(200), IMMUTABLE, `"${D}"`, "Accept"],
    ["manifest by digest 200, bytes hash otherwise", byDigest, anon(200, { bodyMatchesDigest: false }), NO_STORE, undefined, "Accept"],
    ["manifest by a malformed digest", shortHex, anon(200), NO_STORE, undefined, "Accept"],
    ["manifest by digest 200, credentials", byDigest, creds(200), PRIVATE, undefined, "Accept"],
    ["manifest by digest 404", byDigest, anon(404), NO_STORE, undefined, "Accept"],
    ["manifest by tag 200, anonymous: short-lived", byTag, anon(200), MUTABLE, undefined, "Accept"],
    ["manifest by tag 304, anonymous", byTag, anon(304), MUTABLE, undefined, "Accept"],
    ["manifest by tag 200, credentials", byTag, creds(200), PRIVATE, undefined, "Accept"],
    ["manifest by tag 401, anonymous", byTag, anon(401), NO_STORE, undefined, "Accept"],
    ["manifest by tag 429, anonymous", byTag, anon(429), NO_STORE, undefined, "Accept"],
    ["tags/list 200, anonymous", tags, anon(200), MUTABLE, undefined, undefined],
    ["tags/list 200, credentials", tags, creds(200), PRIVATE, undefined, undefined],
    ["referrers 200, anonymous: a list that grows", referrers, anon(200), MUTABLE, undefined, undefined],
    ["referrers 404 (API not supported)", referrers, anon(404), NO_STORE, undefined, undefined],
    ["ping 200, anonymous", ping, anon(200), MUTABLE, undefined, undefined],
    ["ping 401, anonymous", ping, anon(401), NO_STORE, undefined, undefined],
  ];
  it.each(rows)("%s", (_what, call, facts, cacheControl, etag, vary) => {
    const p = cachePolicy(call, facts);
    expect(p.cacheControl).toBe(cacheControl);
    expect(p.etag).toBe(etag);
    expect(p.vary).toBe(vary);
    expect(p.immutable).toBe(cacheControl === IMMUTABLE);
  });

  it("the short-lived policy reaches shared caches only; browsers revalidate", () => {
    expect(MUTABLE).toMatch(/^public, max-age=0, s-maxage=\d+$/);
  });

  it("contentDigest: blobs and manifests by digest only", () => {
    expect(contentDigest(blob)).toBe(D);
    expect(contentDigest(byDigest)).toBe(D);
    expect(contentDigest(byTag)).toBeUndefined();
    expect(contentDigest(referrers)).toBeUndefined();
  });
});

describe("ifNoneMatchNames: weak comparison, lists, no *", () => {
  const etag = `"${D}"`;
  const rows: [header: string, matches: boolean][] = [
    [etag, true],
    [`W/${etag}`, true],
    [`"x", ${etag}`, true],
    [` ${etag} ,"y"`, true],
    ["*", false],
    [D, false],
    [`"${D.toUpperCase()}"`, false],
    [`"sha256:${"b".repeat(64)}"`, false],
    ["", false],
  ];
  it.each(rows)("If-None-Match: %s → %s", (header, matches) => {
    expect(ifNoneMatchNames(header, etag)).toBe(matches);
  });
});

describe("the proxy's caching headers, end to end", () => {
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
  const manifestDigest = sha256(manifest);
  const blobBytes = Buffer.from("layer bytes");
  const blobDigest = sha256(blobBytes);
  const wrongDigest = `sha256:${"c".repeat(64)}`;
  let registry: FakeServer;
  let proxy: RunningProxy;
  beforeAll(async () => {
    registry = await startFake((req, res) => {
      const url = req.url ?? "";
      const send = (status: number, body: Buffer, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { "Content-Length": String(body.length), ...headers });
        res.end(req.method === "HEAD" ? undefined : body);
      };
      const quota = { "RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "42;w=21600" };
      if (url.startsWith("/v2/private/")) {
        if (req.headers.authorization !== basic) return send(401, Buffer.from("{}"), { "WWW-Authenticate": 'Basic realm="r"' });
      }
      if (url.endsWith(`/manifests/${manifestDigest}`) || url.endsWith("/manifests/latest")) {
        return send(200, manifest, { "Content-Type": "application/vnd.oci.image.manifest.v1+json", "Docker-Content-Digest": manifestDigest, ETag: `"${manifestDigest}"`, ...quota });
      }
      // Another manifest's bytes under this digest (a broken or lying registry).
      if (url.endsWith(`/manifests/${wrongDigest}`)) return send(200, manifest, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
      if (url.endsWith(`/blobs/${blobDigest}`)) {
        if (req.headers.range === "bytes=0-4") return send(206, blobBytes.subarray(0, 5), { "Content-Range": `bytes 0-4/${blobBytes.length}` });
        return send(200, blobBytes, { "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", ...quota });
      }
      // Bytes that are not the digest's: small (read whole and hashed) and large (streamed).
      if (url.endsWith(`/small/blobs/${wrongDigest}`)) return send(200, blobBytes, { "Content-Type": "application/octet-stream" });
      if (url.endsWith(`/large/blobs/${wrongDigest}`)) return send(200, Buffer.alloc(256 * 1024 + 1), { "Content-Type": "application/octet-stream" });
      if (url.endsWith("/tags/list")) return send(200, Buffer.from('{"name":"x","tags":["latest"]}'), { "Content-Type": "application/json" });
      send(404, Buffer.from('{"errors":[{"code":"BLOB_UNKNOWN"}]}'), { "Content-Type": "application/json" });
    });
    proxy = await startProxy({ allowHosts: [registry.host] });
  });
  afterAll(async () => {
    await proxy.close();
    await registry.close();
  });
  const url = (path: string): string => `${proxy.base}/registry/${registry.host}/v2/${path}`;
  const policyOf = (h: http.IncomingHttpHeaders): [unknown, unknown, unknown] => [h["cache-control"], h["etag"], h["vary"]];

  it("a blob fetched anonymously is public and immutable, its ETag the digest, without the moment's quota", async () => {
    const a = await request(url(`pub/blobs/${blobDigest}`));
    expect(a.status).toBe(200);
    expect(policyOf(a.headers)).toEqual([IMMUTABLE, `"${blobDigest}"`, undefined]);
    expect(a.headers["ratelimit-remaining"]).toBeUndefined();
    expect(a.headers["accept-ranges"]).toBe("bytes");
    // Constant CORS: cacheable for every origin.
    expect(a.headers["access-control-allow-origin"]).toBe("*");
  });

  it("the same blob with the user's credentials is private, no-store", async () => {
    const a = await request(url(`pub/blobs/${blobDigest}`), { headers: { Authorization: basic } });
    expect(a.status).toBe(200);
    expect(a.headers["cache-control"]).toBe(PRIVATE);
  });

  it("a private blob: 401 anonymously (no-store), 200 with credentials (private, no-store)", async () => {
    const refused = await request(url(`private/blobs/${blobDigest}`));
    expect(refused.status).toBe(401);
    expect(refused.headers["cache-control"]).toBe(NO_STORE);
    const a = await request(url(`private/blobs/${blobDigest}`), { headers: { Authorization: basic } });
    expect(a.status).toBe(200);
    expect(a.text).toBe("layer bytes");
    expect(a.headers["cache-control"]).toBe(PRIVATE);
  });

  it("a range (206) is never stored", async () => {
    const a = await request(url(`pub/blobs/${blobDigest}`), { headers: { Range: "bytes=0-4" } });
    expect(a.status).toBe(206);
    expect(a.headers["cache-control"]).toBe(NO_STORE);
  });

  it("a manifest by digest whose bytes match is immutable and varies by Accept; HEAD too", async () => {
    for (const method of ["GET", "HEAD"]) {
      const a = await request(url(`pub/manifests/${manifestDigest}`), { method, headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } });
      expect(a.status).toBe(200);
      expect(policyOf(a.headers)).toEqual([IMMUTABLE, `"${manifestDigest}"`, "Accept"]);
    }
  });

  it("a manifest by digest whose bytes hash otherwise is passed on but never stored", async () => {
    const a = await request(url(`pub/manifests/${wrongDigest}`));
    expect(a.status).toBe(200);
    expect(a.body.equals(manifest)).toBe(true);
    expect(a.headers["cache-control"]).toBe(NO_STORE);
    expect(a.headers["etag"]).toBeUndefined();
  });

  it("a small blob (a config) whose bytes hash otherwise is passed on but never stored", async () => {
    const a = await request(url(`small/blobs/${wrongDigest}`));
    expect(a.status).toBe(200);
    expect(a.text).toBe("layer bytes");
    expect(a.headers["cache-control"]).toBe(NO_STORE);
  });

  it("a blob over 256 KiB streams unhashed: its headers are out before its last byte (a known limit)", async () => {
    const a = await request(url(`large/blobs/${wrongDigest}`));
    expect(a.status).toBe(200);
    expect(a.body.length).toBe(256 * 1024 + 1);
    expect(a.headers["cache-control"]).toBe(IMMUTABLE);
  });

  it("a tag lookup is short-lived in shared caches, keeps the registry's ETag and quota, varies by Accept", async () => {
    const a = await request(url("pub/manifests/latest"));
    expect(policyOf(a.headers)).toEqual([MUTABLE, `"${manifestDigest}"`, "Accept"]);
    expect(a.headers["ratelimit-remaining"]).toBe("42;w=21600");
  });

  it("a tag list is short-lived; a registry error is no-store", async () => {
    expect((await request(url("pub/tags/list"))).headers["cache-control"]).toBe(MUTABLE);
    const missing = await request(url(`pub/blobs/sha256:${"d".repeat(64)}`));
    expect(missing.status).toBe(404);
    expect(missing.headers["cache-control"]).toBe(NO_STORE);
  });

  it("the proxy's own errors are no-store", async () => {
    const a = await request(`${proxy.base}/registry/169.254.169.254/v2/x/blobs/${D}`);
    expect(a.status).toBe(403);
    expect(a.headers["cache-control"]).toBe(NO_STORE);
  });

  it("If-None-Match naming the digest → 304 with the same policy, no registry request", async () => {
    const before = registry.requests.length;
    for (const [path, digest, vary] of [
      [`pub/blobs/${blobDigest}`, blobDigest, undefined],
      [`pub/manifests/${manifestDigest}`, manifestDigest, "Accept"],
    ] as const) {
      const a = await request(url(path), { headers: { "If-None-Match": `W/"${digest}"` } });
      expect(a.status).toBe(304);
      expect(a.body.length).toBe(0);
      expect(policyOf(a.headers)).toEqual([IMMUTABLE, `"${digest}"`, vary]);
      expect(a.headers["access-control-allow-origin"]).toBe("*");
    }
    expect(registry.requests.length).toBe(before);
    expect(proxy.logs.at(-1)).toMatch(/ 304 \d+ms not-modified$/);
  });

  it("If-None-Match is left to the registry with credentials, for tags, for * and for other ETags", async () => {
    const cases: [path: string, headers: Record<string, string>][] = [
      [`private/blobs/${blobDigest}`, { "If-None-Match": `"${blobDigest}"`, Authorization: basic }],
      ["pub/manifests/latest", { "If-None-Match": `"${manifestDigest}"` }],
      [`pub/blobs/${blobDigest}`, { "If-None-Match": "*" }],
      [`pub/blobs/${blobDigest}`, { "If-None-Match": '"other"' }],
    ];
    for (const [path, headers] of cases) {
      const before = registry.requests.length;
      await request(url(path), { headers });
      expect(registry.requests.length, path).toBeGreaterThan(before);
    }
  });
});

describe("L2 behind a load balancer: PROXY_TRUSTED_FORWARDERS", () => {
  let registry: FakeServer;
  const held: http.ServerResponse[] = [];
  beforeAll(async () => {
    // Holds every blob request open, so streams stay counted until the test lets them go.
    registry = await startFake((_req, res) => {
      held.push(res);
    });
  });
  afterAll(async () => {
    for (const r of held) r.destroy();
    await registry.close();
  });

  async function streamsAllowed(trustedForwarders: string[], forwardedFor: (i: number) => string): Promise<number[]> {
    const proxy = await startProxy({ allowHosts: [registry.host], maxStreamsPerClient: 2, trustedForwarders });
    try {
      const statuses: number[] = [];
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 4; i++) {
        const before = registry.requests.length;
        const answer = request(`${proxy.base}/registry/${registry.host}/v2/x/blobs/${D}`, { headers: { "X-Forwarded-For": forwardedFor(i) } });
        // A refusal (429) comes back at once; a request let through reaches the registry and waits.
        const settled = await Promise.race([
          answer.then((a) => a.status),
          waitFor(() => registry.requests.length > before, 5_000, "the registry request").then(() => 0),
        ]);
        statuses.push(settled);
        pending.push(answer.catch(() => undefined));
      }
      for (const r of held.splice(0)) r.destroy();
      await Promise.all(pending);
      return statuses;
    } finally {
      await proxy.close();
    }
  }

  it("from a trusted balancer, each forwarded client has its own cap", async () => {
    // Clients A, B, A, B: two streams each, all let through (0 = reached the registry).
    expect(await streamsAllowed(["127.0.0.1"], (i) => `198.51.100.${i % 2}`)).toEqual([0, 0, 0, 0]);
  });

  it("the last X-Forwarded-For entry counts (earlier ones are the client's own claim)", async () => {
    expect(await streamsAllowed(["127.0.0.1"], (i) => `10.0.0.${i}, 198.51.100.7`)).toEqual([0, 0, 429, 429]);
  });

  it("from an untrusted peer, X-Forwarded-For is ignored", async () => {
    expect(await streamsAllowed([], (i) => `198.51.100.${i}`)).toEqual([0, 0, 429, 429]);
  });
});
