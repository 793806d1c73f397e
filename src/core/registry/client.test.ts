import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { digestBytes } from "../digest";
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, type Descriptor } from "../oci";
import {
  addImage,
  addIndex,
  buildImage,
  buildIndex,
  emptyRepository,
  type BuiltImage,
  type BuiltIndex,
  type ImageSpec,
  type Repository,
} from "../testing/image";
import { createFakeRegistry, FAKE_PROXY_BASE, registryError, type FakeRegistryOptions } from "../testing/fake-registry";
import {
  basicAuthorization,
  blobUrl,
  createRegistryClient,
  fetchConfig,
  fetchManifest,
  manifestUrl,
  MANIFEST_ACCEPT_HEADER,
  MANIFEST_BODY_LIMIT,
  type Credentials,
} from "./client";

const REGISTRY = "registry.test";
const REPO = "team/app";

const base: ImageSpec = {
  config: { Env: ["PATH=/usr/bin"], Cmd: ["app"] },
  layers: [
    { entries: [{ path: "etc/os-release", content: "ID=test\n" }], createdBy: "ADD rootfs" },
    { entries: [{ path: "app", content: "#!/bin/sh\necho hi\n", mode: 0o755 }], createdBy: "COPY app" },
  ],
};

let index: BuiltIndex;
let single: BuiltImage;
let repo: Repository;
/** A manifest stored under a digest we cannot compute (blake3 is registered but not in WebCrypto). */
const BLAKE3 = `blake3:${"a".repeat(64)}`;

beforeAll(async () => {
  index = await buildIndex({
    attestations: true,
    images: [base, { ...base, platform: { os: "linux", architecture: "arm64", variant: "v8" } }],
  });
  single = await buildImage({ ...base, format: "docker" });
  repo = addImage(addIndex(emptyRepository(), index, "latest"), single, "single");
  repo.manifests.set(BLAKE3, { bytes: single.manifest.bytes, mediaType: single.manifest.mediaType });
});

function setup(options: Partial<FakeRegistryOptions> = {}, credentials?: Credentials) {
  const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, repo]]), ...options });
  const client = createRegistryClient({
    proxyBase: `${FAKE_PROXY_BASE}/`,
    fetch: fake.fetch,
    ...(credentials !== undefined ? { credentials: (r: string) => (r === REGISTRY ? credentials : undefined) } : {}),
  });
  return { fake, client };
}

function expectError<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): unknown {
  if (r.ok) throw new Error("expected an error, got a value");
  return r.error;
}
function expectValue<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected a value, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe("URLs", () => {
  const client = createRegistryClient({ proxyBase: "/registry//", fetch: vi.fn() });
  it.each([
    // Docker Hub's API lives on another host than its reference name (credentials stay keyed by docker.io).
    ["docker.io", "library/nginx", "latest", "/registry/registry-1.docker.io/v2/library/nginx/manifests/latest"],
    ["registry-1.docker.io", "library/nginx", "latest", "/registry/registry-1.docker.io/v2/library/nginx/manifests/latest"],
    ["index.docker.io.example", "a", "latest", "/registry/index.docker.io.example/v2/a/manifests/latest"],
    ["[::1]:5000", "a/b/c", "v1.0", "/registry/[::1]:5000/v2/a/b/c/manifests/v1.0"],
    ["localhost:5000", "app", `sha256:${"0".repeat(64)}`, `/registry/localhost:5000/v2/app/manifests/sha256:${"0".repeat(64)}`],
  ])("manifestUrl(%s, %s, %s)", (registry, repository, ref, url) => {
    expect(manifestUrl(client, registry, repository, ref)).toBe(url);
  });
  it("blobUrl", () => {
    expect(blobUrl(client, "[::1]:5000", "x/y", "sha256:ab")).toBe("/registry/[::1]:5000/v2/x/y/blobs/sha256:ab");
  });
  it("calls the given fetch detached (no 'Illegal invocation' for the page's fetch)", async () => {
    const seen: unknown[] = [];
    const f = vi.fn(function (this: unknown) {
      seen.push(this);
      return Promise.reject(new TypeError("Failed to fetch"));
    });
    const c = createRegistryClient({ proxyBase: "/registry", fetch: f as unknown as typeof fetch });
    await fetchManifest(c, "r.test", "a", "latest");
    expect(seen).toEqual([undefined]);
  });
});

describe("Accept and Authorization", () => {
  it("asks for the four manifest and index types first, schema 1 last with lower q", () => {
    const parts = MANIFEST_ACCEPT_HEADER.split(", ");
    expect(parts.slice(0, 4).sort()).toEqual(
      [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json"].sort(),
    );
    expect(parts.slice(4)).toEqual([
      "application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5",
      "application/vnd.docker.distribution.manifest.v1+json;q=0.5",
    ]);
  });

  it("sends no Authorization without credentials", async () => {
    const { fake, client } = setup();
    expectValue(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(fake.requests[0]!.headers.get("Authorization")).toBeNull();
    expect(fake.requests[0]!.headers.get("Accept")).toBe(MANIFEST_ACCEPT_HEADER);
  });

  it.each([
    { username: "user", password: "pass" },
    { username: "ßüñ", password: "pässwörd€✓🔑" },
    { username: "", password: "" },
    { username: "a", password: "b:c" },
    { username: "ab", password: "c" },
  ])("encodes $username:$password as UTF-8 base64", (creds) => {
    expect(basicAuthorization(creds)).toBe(`Basic ${Buffer.from(`${creds.username}:${creds.password}`, "utf8").toString("base64")}`);
  });

  it("sends credentials only for their registry and passes a registry that wants them", async () => {
    const creds = { username: "ci", password: "tökén€" };
    const { fake, client } = setup({ credentials: creds }, creds);
    expectValue(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(fake.requests[0]!.headers.get("Authorization")).toBe(basicAuthorization(creds));
  });

  it("Docker Hub: requests go to its API host, credentials are looked up as docker.io", async () => {
    const asked: string[] = [];
    const fake = createFakeRegistry({ repositories: new Map([["registry-1.docker.io/library/app", repo]]), credentials: { username: "u", password: "p" } });
    const client = createRegistryClient({
      proxyBase: FAKE_PROXY_BASE,
      fetch: fake.fetch,
      credentials: (r) => (asked.push(r), r === "docker.io" ? { username: "u", password: "p" } : undefined),
    });
    const m = expectValue(await fetchManifest(client, "docker.io", "library/app", "single"));
    expect(m.digest).toBe(single.manifest.digest);
    expect(asked).toEqual(["docker.io"]);
    expect(fake.requests[0]!.registry).toBe("registry-1.docker.io");
  });

  it.each([
    { given: undefined, hadCredentials: false },
    { given: { username: "ci", password: "wrong" }, hadCredentials: true },
  ])("401 → unauthorized (hadCredentials $hadCredentials), once, no retry", async ({ given, hadCredentials }) => {
    const { fake, client } = setup({ credentials: { username: "ci", password: "right" } }, given);
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(e).toMatchObject({ kind: "unauthorized", registry: REGISTRY, repository: REPO, hadCredentials, detail: "authentication required" });
    expect(fake.requests).toHaveLength(1);
  });
});

const CHUNKINGS: { name: string; chunks?: number[] }[] = [
  { name: "whole" },
  { name: "1-byte chunks", chunks: [1] },
  { name: "odd chunks", chunks: [1, 7, 3, 64, 5] },
];

describe.each(CHUNKINGS)("fetchManifest ($name)", ({ chunks }) => {
  const opts = chunks !== undefined ? { chunks } : {};

  it("by tag: computes the digest and checks Docker-Content-Digest", async () => {
    const { client } = setup(opts);
    const m = expectValue(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(m.document.kind).toBe("index");
    expect(m.digest).toBe(index.index.digest);
    expect(m.bytes).toEqual(index.index.bytes);
    expect(m.contentType).toBe(OCI_INDEX);
    expect(m.byDigest).toBe(false);
    expect(m.headerDigest).toBe(index.index.digest);
    expect(m.headerMatches).toBe(true);
    expect(m.verification).toEqual({ status: "verified", digest: index.index.digest });
  });

  it("by digest: verifies", async () => {
    const { client } = setup(opts);
    const want = index.images[1]!.manifest.digest;
    const m = expectValue(await fetchManifest(client, REGISTRY, REPO, want));
    expect(m.document.kind).toBe("manifest");
    expect(m.byDigest).toBe(true);
    expect(m.digest).toBe(want);
    expect(m.verification).toEqual({ status: "verified", digest: want });
  });

  it("by digest: bytes that hash differently are a hard error", async () => {
    const want = index.images[0]!.manifest.digest;
    const { client } = setup({ ...opts, corrupt: new Set([want]) });
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, want));
    expect(e).toMatchObject({ kind: "digest-mismatch", what: "manifest", expected: want });
    expect((e as { actual: string }).actual).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((e as { actual: string }).actual).not.toBe(want);
  });

  it("by tag: a Docker-Content-Digest that names other bytes is a warning, not an error", async () => {
    const { client } = setup({ ...opts, dockerContentDigest: "wrong" });
    const m = expectValue(await fetchManifest(client, REGISTRY, REPO, "single"));
    expect(m.digest).toBe(single.manifest.digest);
    expect(m.headerDigest).toBe(`sha256:${"0".repeat(64)}`);
    expect(m.headerMatches).toBe(false);
    expect(m.verification).toEqual({ status: "mismatch", expected: `sha256:${"0".repeat(64)}`, actual: single.manifest.digest });
  });

  it("by tag without Docker-Content-Digest: computed, nothing to check against", async () => {
    const { client } = setup({ ...opts, dockerContentDigest: "omit" });
    const m = expectValue(await fetchManifest(client, REGISTRY, REPO, "single"));
    expect(m.digest).toBe(single.manifest.digest);
    expect(m.headerDigest).toBeUndefined();
    expect(m.headerMatches).toBeUndefined();
    expect(m.verification.status).toBe("unverifiable");
  });

  it("by digest with an algorithm we cannot compute: returned, unverifiable", async () => {
    const { client } = setup(opts);
    const m = expectValue(await fetchManifest(client, REGISTRY, REPO, BLAKE3));
    expect(m.verification.status).toBe("unverifiable");
    expect(m.digest).toBe(BLAKE3);
  });

  it("a registry that answers with an HTML page is not a registry", async () => {
    const { client } = setup({ ...opts, html: { status: 200, contentType: "application/octet-stream" } });
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(e).toEqual({ kind: "not-a-registry", registry: REGISTRY, status: 200, contentType: "application/octet-stream" });
  });
});

describe("fetchManifest failures", () => {
  it("refuses a malformed digest before any request", async () => {
    const { fake, client } = setup();
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, "sha256:XYZ"));
    expect(e).toMatchObject({ kind: "bad-reference" });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    { ref: "nope", what: "manifest", repository: REPO },
    { ref: `sha256:${"1".repeat(64)}`, what: "manifest", repository: REPO },
    { ref: "latest", what: "repository", repository: "team/missing" },
  ])("404 for $repository:$ref → not-found $what", async ({ ref, what, repository }) => {
    const { client } = setup();
    const e = expectError(await fetchManifest(client, REGISTRY, repository, ref));
    expect(e).toEqual({ kind: "not-found", registry: REGISTRY, repository, what, ref });
  });

  it.each([
    { status: 404, contentType: "text/html" },
    { status: 200, contentType: "text/html; charset=utf-8" },
    { status: 403, contentType: "application/octet-stream" },
  ])("HTML with $status $contentType → not-a-registry", async ({ status, contentType }) => {
    const { client } = setup({ html: { status, contentType } });
    expect(expectError(await fetchManifest(client, REGISTRY, REPO, "latest"))).toEqual({ kind: "not-a-registry", registry: REGISTRY, status, contentType });
  });

  it("a 2xx body starting with '<' after whitespace → not-a-registry", async () => {
    const { client } = setup({ override: () => new Response("\n  <svg onload=alert(1)>", { status: 200, headers: { "Content-Type": OCI_MANIFEST } }) });
    expect(expectError(await fetchManifest(client, REGISTRY, REPO, "latest"))).toMatchObject({ kind: "not-a-registry", status: 200 });
  });

  it.each([
    { name: "seconds", retryAfter: "7", expected: 7 },
    { name: "a date 30 s ahead", retryAfter: "Wed, 01 Jan 2025 00:00:30 GMT", expected: 30 },
    { name: "a date in the past", retryAfter: "Tue, 31 Dec 2024 23:59:00 GMT", expected: 0 },
    { name: "garbage", retryAfter: "soon", expected: undefined },
  ])("429 with Retry-After as $name", async ({ retryAfter, expected }) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
    const { fake, client } = setup({ rateLimit: { retryAfter, limit: "100;w=21600", remaining: "0;w=21600" } });
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, "latest"));
    expect(e).toEqual({
      kind: "rate-limited",
      registry: REGISTRY,
      limit: 100,
      remaining: 0,
      ...(expected !== undefined ? { retryAfterSeconds: expected } : {}),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("a body past the limit is cut while streaming → response-too-large", async () => {
    let served = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        served += 65536;
        c.enqueue(new Uint8Array(65536).fill(0x20));
      },
    });
    const { client } = setup({ override: () => new Response(endless, { status: 200, headers: { "Content-Type": OCI_MANIFEST } }) });
    expect(expectError(await fetchManifest(client, REGISTRY, REPO, "latest"))).toEqual({
      kind: "response-too-large",
      registry: REGISTRY,
      limit: MANIFEST_BODY_LIMIT,
    });
    expect(served).toBeLessThanOrEqual(MANIFEST_BODY_LIMIT + 2 * 65536);
  });

  it("a declared Content-Length past the limit is refused before reading", async () => {
    const { client } = setup({
      override: () => new Response("{}", { status: 200, headers: { "Content-Type": OCI_MANIFEST, "Content-Length": String(MANIFEST_BODY_LIMIT + 1) } }),
    });
    expect(expectError(await fetchManifest(client, REGISTRY, REPO, "latest"))).toMatchObject({ kind: "response-too-large" });
  });

  it("a network failure (TypeError) → unreachable", async () => {
    const client = createRegistryClient({ proxyBase: "/registry", fetch: () => Promise.reject(new TypeError("Failed to fetch")) });
    expect(expectError(await fetchManifest(client, REGISTRY, REPO, "latest"))).toEqual({
      kind: "unreachable",
      registry: REGISTRY,
      detail: "network error (Failed to fetch)",
    });
  });

  it("abort before the answer → aborted", async () => {
    const { client } = setup({ hang: true });
    const ac = new AbortController();
    const pending = fetchManifest(client, REGISTRY, REPO, "latest", ac.signal);
    setTimeout(() => ac.abort(), 5);
    expect(expectError(await pending)).toEqual({ kind: "aborted" });
  });

  it("abort while the body streams → aborted", async () => {
    const ac = new AbortController();
    // 1-byte chunks; the signal fires after the first few arrive, and the stream then errors
    // with its reason, as a fetch body does.
    let reads = 0;
    const slow = createFakeRegistry({
      repositories: new Map([[`${REGISTRY}/${REPO}`, repo]]),
      override: () => {
        const stream = new ReadableStream<Uint8Array>({
          async pull(c) {
            if (++reads === 3) ac.abort();
            await Promise.resolve();
            if (ac.signal.aborted) c.error(ac.signal.reason);
            else c.enqueue(new Uint8Array([0x7b]));
          },
        });
        return new Response(stream, { status: 200, headers: { "Content-Type": OCI_MANIFEST } });
      },
    });
    const c2 = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: slow.fetch });
    expect(expectError(await fetchManifest(c2, REGISTRY, REPO, "latest", ac.signal))).toEqual({ kind: "aborted" });
  });

  it("a timeout signal → unreachable, not aborted", async () => {
    const { client } = setup({ hang: true });
    const e = expectError(await fetchManifest(client, REGISTRY, REPO, "latest", AbortSignal.timeout(5)));
    expect(e).toEqual({ kind: "unreachable", registry: REGISTRY, detail: "the request timed out" });
  });
});

describe.each(CHUNKINGS)("fetchConfig ($name)", ({ chunks }) => {
  const opts = chunks !== undefined ? { chunks } : {};
  const configOf = (image: BuiltImage): Descriptor => ({ mediaType: image.config.mediaType, digest: image.config.digest, size: image.config.size });

  it("fetches, verifies and parses the config", async () => {
    const { fake, client } = setup(opts);
    const image = index.images[1]!;
    const c = expectValue(await fetchConfig(client, REGISTRY, REPO, configOf(image)));
    expect(c.digest).toBe(image.config.digest);
    expect(c.verification).toEqual({ status: "verified", digest: image.config.digest });
    expect(c.config.architecture).toBe("arm64");
    expect(c.config.rootfs.diff_ids).toEqual(image.layers.map((l) => l.diffId));
    expect(c.bytes).toEqual(image.config.bytes);
    expect(fake.requests[0]!.url).toBe(`${FAKE_PROXY_BASE}/${REGISTRY}/v2/${REPO}/blobs/${image.config.digest}`);
  });

  it("a config that hashes differently → digest-mismatch config", async () => {
    const image = index.images[0]!;
    const { client } = setup({ ...opts, corrupt: new Set([image.config.digest]) });
    const e = expectError(await fetchConfig(client, REGISTRY, REPO, configOf(image)));
    expect(e).toMatchObject({ kind: "digest-mismatch", what: "config", expected: image.config.digest });
  });
});

describe("fetchConfig failures", () => {
  const image = () => index.images[0]!;

  it("a size that disagrees with the descriptor → bad-manifest", async () => {
    const { client } = setup();
    const d = { mediaType: image().config.mediaType, digest: image().config.digest, size: image().config.size + 1 };
    expect(expectError(await fetchConfig(client, REGISTRY, REPO, d))).toMatchObject({ kind: "bad-manifest", what: "manifest" });
  });

  it("a descriptor claiming a huge config is refused unfetched", async () => {
    const { fake, client } = setup();
    const d = { mediaType: image().config.mediaType, digest: image().config.digest, size: 1 << 30 };
    expect(expectError(await fetchConfig(client, REGISTRY, REPO, d))).toMatchObject({ kind: "response-too-large" });
    expect(fake.requests).toHaveLength(0);
  });

  it("a missing blob → not-found blob", async () => {
    const { client } = setup();
    const digest = await digestBytes("sha256", new Uint8Array([1]));
    expect(expectError(await fetchConfig(client, REGISTRY, REPO, { mediaType: "x", digest, size: 1 }))).toEqual({
      kind: "not-found",
      registry: REGISTRY,
      repository: REPO,
      what: "blob",
      ref: digest,
    });
  });

  it("an unverifiable algorithm still returns the config, marked unverifiable", async () => {
    const d = { mediaType: image().config.mediaType, digest: BLAKE3, size: image().config.size };
    const { client } = setup({ override: (r) => (r.kind === "blob" ? new Response(image().config.bytes as Uint8Array<ArrayBuffer>) : undefined) });
    const c = expectValue(await fetchConfig(client, REGISTRY, REPO, d));
    expect(c.verification.status).toBe("unverifiable");
  });

  it("an HTML page instead of a config → not-a-registry", async () => {
    const { client } = setup({ override: () => new Response("<!doctype html><p>hi", { status: 200, headers: { "Content-Type": "application/octet-stream" } }) });
    const d = { mediaType: image().config.mediaType, digest: image().config.digest, size: image().config.size };
    expect(expectError(await fetchConfig(client, REGISTRY, REPO, d))).toMatchObject({ kind: "not-a-registry" });
  });

  it("registry errors map the same way as for manifests", async () => {
    const { client } = setup({ override: () => registryError(403, "DENIED", "requested access to the resource is denied") });
    const d = { mediaType: image().config.mediaType, digest: image().config.digest, size: image().config.size };
    expect(expectError(await fetchConfig(client, REGISTRY, REPO, d))).toEqual({
      kind: "denied",
      registry: REGISTRY,
      repository: REPO,
      detail: "requested access to the resource is denied",
    });
  });
});

afterEach(() => {
  vi.useRealTimers();
});
