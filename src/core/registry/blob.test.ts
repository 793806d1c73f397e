import { describe, expect, it } from "vitest";
import { isLayerFailure, runLayer, type LayerJob } from "../pipeline";
import { createFakeRegistry, FAKE_PROXY_BASE, registryError } from "../testing/fake-registry";
import { repositoryWithImage } from "../testing/image";
import { blobBody, registryBlobOpener } from "./blob";
import { createRegistryClient } from "./client";

const REGISTRY = "registry.test";
const REPO = "team/app";
const AT = { registry: REGISTRY, repository: REPO, digest: `sha256:${"a".repeat(64)}` };

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    if (isLayerFailure(e)) return e.error;
    throw e;
  }
  throw new Error("resolved");
}

describe("blobBody: an answer to a blob GET as the pipeline's byte source", () => {
  it.each([
    [registryError(404, "BLOB_UNKNOWN", "blob unknown"), false, { kind: "not-found", what: "blob", ref: AT.digest }],
    [registryError(401, "UNAUTHORIZED", "no"), true, { kind: "unauthorized", hadCredentials: true }],
    [new Response("<html><body>hi</body></html>", { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } }), false, { kind: "not-a-registry", status: 200 }],
    // Through the proxy (P9): served as octet-stream, the registry's type beside it (issue 8, R11).
    [
      new Response("<html><body>hi</body></html>", { status: 200, headers: { "Content-Type": "application/octet-stream", "X-Registry-Content-Type": "text/html" } }),
      false,
      { kind: "not-a-registry", status: 200, contentType: "text/html" },
    ],
  ])("%#: a failed answer is a LayerFailure with the client's mapping", async (res, hadCredentials, expected) => {
    expect(await failure(blobBody(res, AT, hadCredentials))).toMatchObject(expected);
  });

  it("an octet-stream blob that merely starts with '<' is a blob", async () => {
    const res = new Response(new TextEncoder().encode("<not html"), { status: 200, headers: { "Content-Type": "application/octet-stream" } });
    const chunks: number[] = [];
    for await (const c of await blobBody(res, AT, false)) chunks.push(...c);
    expect(chunks).toHaveLength(9);
  });

  it("hands the body over chunk by chunk, as it arrives", async () => {
    const res = new Response(new Uint8Array([1, 2, 3]), { status: 200 });
    const chunks: number[] = [];
    for await (const c of await blobBody(res, AT, false)) chunks.push(...c);
    expect(chunks).toEqual([1, 2, 3]);
  });
});

describe("registryBlobOpener: a layer through the registry client", () => {
  it("runs a layer from the registry, verified, in 1-byte chunks", async () => {
    const { repo, image } = await repositoryWithImage({ layers: [{ entries: [{ path: "etc/hostname", content: "fake\n" }] }] });
    const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, repo]]), chunks: [1, 7, 3] });
    const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
    const layer = image.layers[0]!;
    const job: LayerJob = { layerIndex: 0, digest: layer.digest, size: layer.size, mediaType: layer.mediaType, diffId: layer.diffId };
    const index = await runLayer(job, registryBlobOpener(client, { registry: REGISTRY, repository: REPO, digest: layer.digest }));
    expect(index.digestVerdict.status).toBe("verified");
    expect(index.diffIdVerdict.status).toBe("verified");
    expect(index.entries.map((e) => e.path)).toEqual(["etc/hostname"]);
  });

  it("sends the client's credentials for the registry, and a refusal says they were given", async () => {
    const fake = createFakeRegistry({ repositories: new Map(), credentials: { username: "u", password: "right" } });
    const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch, credentials: () => ({ username: "u", password: "wrong" }) });
    expect(await failure(registryBlobOpener(client, AT)(undefined))).toMatchObject({ kind: "unauthorized", hadCredentials: true });
    expect(fake.requests[0]?.headers.get("Authorization")).toMatch(/^Basic /);
  });

  it("a network failure is unreachable, an abort is aborted", async () => {
    const broken = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: () => Promise.reject(new TypeError("fetch failed")) });
    expect(await failure(registryBlobOpener(broken, AT)(undefined))).toMatchObject({ kind: "unreachable", registry: REGISTRY });
    const controller = new AbortController();
    controller.abort();
    const aborting = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: () => Promise.reject(new DOMException("aborted", "AbortError")) });
    expect(await failure(registryBlobOpener(aborting, AT)(controller.signal))).toEqual({ kind: "aborted" });
  });
});
