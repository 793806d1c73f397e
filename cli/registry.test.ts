/**
 * Opening registry references against src/core/testing's fake registry (the transport injected
 * in place of the direct fetch): digests and verdicts, index → platform, warnings, credentials
 * sent to that registry only, errors as data, and the transport always closed.
 * cli/direct-fetch.test.ts covers the wire; e2e/cli-registry.spec.ts the real registries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createFakeRegistry, type FakeRegistryOptions } from "../src/core/testing/fake-registry";
import { addImage, addIndex, buildImage, buildIndex, emptyRepository, type BuiltImage, type BuiltIndex, type ImageSpec } from "../src/core/testing/image";
import { DIRECT_PROXY_BASE } from "./direct-fetch";
import { analyse, unreadLayer } from "./image";
import { describeLine, inspectResult } from "./inspect";
import { openRegistryImage, type RegistryContext } from "./registry";
import { parseSource, type SourceOptions } from "./sources";

const REGISTRY = "registry.test:5000";
const REPO = "team/app";

const spec = (architecture: string, variant?: string): ImageSpec => ({
  platform: { os: "linux", architecture, ...(variant ? { variant } : {}) },
  layers: [
    { entries: [{ path: "etc/os-release", content: `ID=${architecture}\n` }], createdBy: "ADD rootfs" },
    { entries: [{ path: "app", content: "#!/bin/sh\n", mode: 0o755 }], createdBy: "COPY app" },
  ],
});

let image: BuiltImage;
let index: BuiltIndex;
beforeAll(async () => {
  image = await buildImage(spec("amd64"));
  index = await buildIndex({ images: [spec("amd64"), spec("arm64", "v8")], attestations: true });
});

/** A fake registry holding `v1` (the image) and `multi` (the index), and a context using it. */
function setup(fakeOptions: Partial<FakeRegistryOptions> = {}, env: Record<string, string> = {}, files: Record<string, string> = {}) {
  const repo = addIndex(addImage(emptyRepository(), image, "v1"), index, "multi");
  const fake = createFakeRegistry({ base: DIRECT_PROXY_BASE, repositories: new Map([[`${REGISTRY}/${REPO}`, repo]]), ...fakeOptions });
  const state = { closed: 0, allowPrivate: undefined as boolean | undefined, warnings: [] as string[] };
  const context: RegistryContext = {
    env,
    warn: (line) => state.warnings.push(line),
    readText: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return text;
    },
    transport: ({ allowPrivate }) => {
      state.allowPrivate = allowPrivate;
      return { fetch: fake.fetch, close: () => void state.closed++ };
    },
  };
  return { fake, context, state };
}

async function open(input: string, options: SourceOptions, context: RegistryContext) {
  const r = await openRegistryImage(input, options, context);
  if (!r.ok) throw new Error(describeLine(r.error));
  return r.value;
}

describe("parseSource: anything without a transport is a registry reference", () => {
  it.each([
    ["nginx", "nginx"],
    ["nginx:1.27", "nginx:1.27"],
    ["localhost:5000/app", "localhost:5000/app"],
    ["docker://ghcr.io/org/app:v1", "ghcr.io/org/app:v1"],
    [`ghcr.io/org/app@sha256:${"b".repeat(64)}`, `ghcr.io/org/app@sha256:${"b".repeat(64)}`],
    ["docker-archive-like/name:tag", "docker-archive-like/name:tag"],
  ])("%s → registry %s", (input, reference) => {
    expect(parseSource(input)).toEqual({ ok: true, value: { kind: "registry", reference } });
  });

  it.each([
    ["docker-daemon:alpine", "docker-daemon:", /not supported yet/],
    ["dir:/tmp/x", "dir:", /not supported yet/],
    ["containers-storage:alpine", "containers-storage:", /not supported yet/],
    ["Nginx", "Nginx", /lowercase/],
    ["https://ghcr.io/org/app", "https://", /leave out the scheme/],
    ["docker://", "", /empty/],
  ])("%s: bad-reference naming %j", (input, part, reason) => {
    const r = parseSource(input);
    expect(!r.ok && r.error).toMatchObject({ kind: "bad-reference", part });
    expect(!r.ok && r.error.kind === "bad-reference" && r.error.reason).toMatch(reason);
  });
});

describe("openRegistryImage", () => {
  it("by tag: the manifest's digest checked against Docker-Content-Digest, every layer verified, closed once", async () => {
    const { context, state } = setup();
    const opened = await open(`${REGISTRY}/${REPO}:v1`, { allowPrivate: true }, context);
    expect(state.allowPrivate).toBe(true);
    expect(opened.source).toEqual({ transport: "registry", location: `${REGISTRY}/${REPO}:v1`, format: "registry", images: 1 });
    expect(opened.names).toEqual([`${REGISTRY}/${REPO}:v1`]);
    expect(opened.manifestDigest).toBe(image.manifest.digest);
    expect(opened.manifestVerdict).toEqual({ status: "verified", digest: image.manifest.digest });
    expect(opened.indexDigest).toBeNull();
    expect(opened.configDigest).toBe(image.config.digest);
    expect(opened.configVerdict.status).toBe("verified");
    expect(opened.warnings).toEqual([]);
    const result = inspectResult(opened, await analyse(opened));
    expect(result.layers.map((l) => [l.digest, l.diffId, l.digestVerdict.status, l.diffIdVerdict.status])).toEqual(
      image.layers.map((l) => [l.digest, l.diffId, "verified", "verified"]),
    );
    expect(result.merged.map((e) => e.path)).toEqual(["app", "etc", "etc/os-release"]);
    await opened.close();
    expect(state.closed).toBe(1);
  });

  it("by digest: verified against the digest it names", async () => {
    const { context } = setup();
    const opened = await open(`${REGISTRY}/${REPO}@${image.manifest.digest}`, {}, context);
    expect(opened.manifestDigest).toBe(image.manifest.digest);
    expect(opened.manifestVerdict?.status).toBe("verified");
    await opened.close();
  });

  it.each([
    [undefined, 0],
    [{ os: "linux", architecture: "arm64", variant: "v8" }, 1],
  ])("an index: --platform %j picks image %i, indexDigest set", async (platform, i) => {
    const { context, fake } = setup();
    const opened = await open(`${REGISTRY}/${REPO}:multi`, platform ? { platform } : {}, context);
    expect(opened.indexDigest).toBe(index.index.digest);
    expect(opened.manifestDigest).toBe(index.images[i]!.manifest.digest);
    expect(opened.configDigest).toBe(index.images[i]!.config.digest);
    // The index by tag, the child by digest, then the config: no layer is read before analyse.
    expect(fake.requests.map((r) => r.kind)).toEqual(["manifest", "manifest", "blob"]);
    await opened.close();
  });

  it("an index without the platform: platform-not-found lists what it has, and the transport is closed", async () => {
    const { context, state } = setup();
    const r = await openRegistryImage(`${REGISTRY}/${REPO}:multi`, { platform: { os: "linux", architecture: "s390x" } }, context);
    expect(r).toEqual({ ok: false, error: { kind: "platform-not-found", wanted: "linux/s390x", available: ["linux/amd64", "linux/arm64/v8"] } });
    expect(state.closed).toBe(1);
  });

  it("a Docker-Content-Digest naming other bytes: a warning and a mismatch verdict, as in the page", async () => {
    const { context } = setup({ dockerContentDigest: "wrong" });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    expect(opened.manifestDigest).toBe(image.manifest.digest);
    expect(opened.manifestVerdict?.status).toBe("mismatch");
    expect(opened.warnings).toEqual([expect.stringContaining("Docker-Content-Digest for v1")]);
    await opened.close();
  });

  it("without the header: unverifiable, by tag", async () => {
    const { context } = setup({ dockerContentDigest: "omit" });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    expect(opened.manifestVerdict?.status).toBe("unverifiable");
    await opened.close();
  });

  it.each([
    [`${REGISTRY}/${REPO}:nope`, { kind: "not-found", what: "manifest", ref: "nope" }],
    [`${REGISTRY}/other:v1`, { kind: "not-found", what: "repository" }],
    ["Team/App", { kind: "bad-reference" }],
  ])("%s: an error as data, the transport closed", async (input, expected) => {
    const { context, state } = setup();
    const r = await openRegistryImage(input, {}, context);
    expect(!r.ok && r.error).toMatchObject(expected);
    expect(state.closed).toBe(expected.kind === "bad-reference" ? 0 : 1);
  });

  const creds = { username: "alice", password: "pw" };
  const b64 = Buffer.from("alice:pw").toString("base64");

  it("--username/--password-stdin credentials go to the registry", async () => {
    const { context, fake } = setup({ credentials: creds });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, { credentials: creds }, context);
    expect(fake.requests.every((r) => r.headers.get("Authorization") === `Basic ${b64}`)).toBe(true);
    await opened.close();
  });

  it("credentials from the config file's plain auths, keyed by the registry", async () => {
    const env = { DOCKER_CONFIG: "/conf" };
    const files = { "/conf/config.json": JSON.stringify({ auths: { [`http://${REGISTRY}`]: { auth: b64 } } }) };
    const { context } = setup({ credentials: creds }, env, files);
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    await opened.close();
    const other = setup({ credentials: creds }, env, { "/conf/config.json": JSON.stringify({ auths: { "elsewhere.test": { auth: b64 } } }) });
    const r = await openRegistryImage(`${REGISTRY}/${REPO}:v1`, {}, other.context);
    expect(!r.ok && r.error).toMatchObject({ kind: "unauthorized", hadCredentials: false });
  });

  it("wrong credentials: unauthorized, said to have been given", async () => {
    const { context } = setup({ credentials: creds });
    const r = await openRegistryImage(`${REGISTRY}/${REPO}:v1`, { credentials: { username: "alice", password: "wrong" } }, context);
    expect(!r.ok && r.error).toMatchObject({ kind: "unauthorized", hadCredentials: true, registry: REGISTRY, repository: REPO });
  });

  it("a credential helper: a warning line, anonymous", async () => {
    const { context, state } = setup({}, { DOCKER_CONFIG: "/conf" }, { "/conf/config.json": '{"credsStore":"desktop"}' });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    expect(state.warnings).toEqual([expect.stringContaining("docker-credential-desktop")]);
    await opened.close();
  });

  it("a malformed config file: bad-docker-config naming it, before any request", async () => {
    const { context, fake } = setup({}, { DOCKER_CONFIG: "/conf" }, { "/conf/config.json": "{" });
    const r = await openRegistryImage(`${REGISTRY}/${REPO}:v1`, {}, context);
    expect(!r.ok && r.error).toMatchObject({ kind: "bad-docker-config", file: "/conf/config.json" });
    expect(fake.requests).toEqual([]);
  });
});

describe("a layer the network cuts short (SECURITY L5, D2)", () => {
  /** The fake registry, with the first `cuts` answers for layer 0's blob cut to half their bytes (complete, just short). */
  function cutting(cuts: number) {
    const { context, fake } = setup();
    const digest = image.layers[0]!.digest;
    let gets = 0;
    const transport: RegistryContext["transport"] = () => ({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fake.fetch(input, init);
        if (!String(input).endsWith(`/blobs/${digest}`)) return res;
        gets++;
        if (gets > cuts) return res;
        const bytes = new Uint8Array(await res.arrayBuffer());
        return new Response(bytes.slice(0, bytes.length >> 1), { status: res.status, headers: res.headers });
      }) as typeof fetch,
      close: () => undefined,
    });
    return { context: { ...context, transport }, digest, gets: () => gets };
  }

  it("cut once: read again from byte 0 with fresh hash state, and verified", async () => {
    const { context, digest, gets } = cutting(1);
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    const analysis = await analyse(opened);
    expect(gets()).toBe(2);
    expect(analysis.layers[0]).toMatchObject({ digest, digestVerdict: { status: "verified" }, diffIdVerdict: { status: "verified" } });
    expect(analysis.layers[0]!.error).toBeUndefined();
    expect(unreadLayer(analysis)).toBeUndefined();
  });

  it("cut every time: read three times, then unreadLayer names it truncated (the commands exit 2, never a result)", async () => {
    const { context, digest, gets } = cutting(Infinity);
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, context);
    const analysis = await analyse(opened);
    expect(gets()).toBe(3);
    const size = image.layers[0]!.size;
    expect(unreadLayer(analysis)).toEqual({ kind: "size-mismatch", digest, expected: size, actual: size >> 1, direction: "truncated" });
    expect(describeLine(unreadLayer(analysis)!)).toMatch(/^Layer truncated: .* got \d+ of \d+ bytes/);
  });

  it.each([
    [429, { kind: "rate-limited", retryAfterSeconds: 5 }],
    [503, { kind: "unreachable" }],
    [500, { kind: "registry-error", status: 500 }],
  ])("a layer answered %i is unread: its error, not a result", async (status, expected) => {
    const { context } = setup();
    const digest = image.layers[0]!.digest;
    const transport: RegistryContext["transport"] = () => ({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
        String(input).endsWith(`/blobs/${digest}`)
          ? new Response('{"errors":[{"code":"UNKNOWN","message":"no"}]}', { status, headers: { "Retry-After": "5", "Content-Type": "application/json" } })
          : context.transport!({ allowPrivate: false }).fetch(input, init)) as typeof fetch,
      close: () => undefined,
    });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, { ...context, transport });
    expect(unreadLayer(await analyse(opened))).toMatchObject(expected);
  });

  it("a layer whose bytes are wrong is a verdict, not unread: never retried", async () => {
    const { context } = setup();
    const digest = image.layers[0]!.digest;
    let gets = 0;
    const transport: RegistryContext["transport"] = () => ({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await context.transport!({ allowPrivate: false }).fetch(input, init);
        if (!String(input).endsWith(`/blobs/${digest}`)) return res;
        gets++;
        const bytes = new Uint8Array(await res.arrayBuffer());
        // gzip's MTIME (bytes 4–7): the digest no longer matches, every decoder still reads it.
        expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
        bytes[4]! ^= 1;
        return new Response(bytes, { status: res.status, headers: res.headers });
      }) as typeof fetch,
      close: () => undefined,
    });
    const opened = await open(`${REGISTRY}/${REPO}:v1`, {}, { ...context, transport });
    const analysis = await analyse(opened);
    expect(gets).toBe(1);
    expect(analysis.layers[0]!.digestVerdict.status).toBe("mismatch");
    expect(unreadLayer(analysis)).toBeUndefined();
  });
});
