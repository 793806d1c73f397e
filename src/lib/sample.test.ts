import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestBytes } from "../core/digest";
import { choosePlatform, formatPlatform, isAttestation, partitionIndex, type ImageIndex, type ImageManifest } from "../core/oci";
import { parseReference } from "../core/reference";
import { blobUrl, createRegistryClient, fetchConfig, fetchManifest } from "../core/registry";
import { isSampleRegistry, SAMPLE_REFERENCE, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, sampleFetch } from "./sample";

const PUBLIC = join(import.meta.dirname, "..", "..", "public");

/**
 * Serves public/ like a static server with an SPA fallback: a missing file gets index.html with
 * 200, as `vite` and our proxy's static server do.
 */
const staticFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  init?.signal?.throwIfAborted();
  const path = new URL(String(input), "http://app.test").pathname;
  if (!path.startsWith("/app/")) return new Response("not here", { status: 404 });
  try {
    const bytes = readFileSync(join(PUBLIC, path.slice("/app/".length)));
    return new Response(bytes, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.byteLength) } });
  } catch {
    return new Response("<!doctype html><div id=root></div>", { headers: { "Content-Type": "text/html" } });
  }
}) as typeof fetch;

const client = createRegistryClient({ proxyBase: "/app/registry", fetch: sampleFetch("/app/", staticFetch) });

function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("the sample reference", () => {
  it("parses to the sample registry", () => {
    const ref = value(parseReference(SAMPLE_REFERENCE));
    expect(ref).toMatchObject({ registry: SAMPLE_REGISTRY, repository: SAMPLE_REPOSITORY, tag: "latest" });
    expect(isSampleRegistry(ref.registry)).toBe(true);
    expect(isSampleRegistry("docker.io")).toBe(false);
  });
});

describe("sampleFetch end to end through the registry client", () => {
  it("opens the index by tag, every platform, config and layer, all verified", async () => {
    const layoutIndex = JSON.parse(readFileSync(join(PUBLIC, "sample", "index.json"), "utf8")) as { manifests: { digest: string }[] };

    const top = value(await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, "latest"));
    expect(top.digest).toBe(layoutIndex.manifests[0]!.digest);
    expect(top.headerMatches).toBe(true);
    expect(top.verification.status).toBe("verified");
    expect(top.document.kind).toBe("index");
    const index = top.document as ImageIndex;

    const { images, attestations } = partitionIndex(index);
    expect(images.map((d) => formatPlatform(d.platform))).toEqual(["linux/amd64", "linux/arm64/v8"]);
    expect(attestations).toHaveLength(2);
    expect(attestations.every(isAttestation)).toBe(true);
    expect(choosePlatform(index, { os: "linux", architecture: "arm64" })?.digest).toBe(images[1]!.digest);

    for (const d of images) {
      const m = value(await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, d.digest));
      expect(m.verification).toEqual({ status: "verified", digest: d.digest });
      const manifest = m.document as ImageManifest;
      expect(manifest.kind).toBe("manifest");

      const c = value(await fetchConfig(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, manifest.config));
      expect(c.verification.status).toBe("verified");
      expect(formatPlatform(c.config)).toBe(formatPlatform(d.platform));
      expect(c.config.config).toMatchObject({
        Entrypoint: ["/usr/bin/hello"],
        Cmd: ["--greet", "world"],
        WorkingDir: "/usr/share/layerscope",
        ExposedPorts: { "8080/tcp": {} },
      });
      expect(c.config.config?.Labels?.["org.opencontainers.image.source"]).toMatch(/^https:\/\//);
      expect(c.config.history?.some((h) => h.empty_layer)).toBe(true);
      expect(c.config.history?.filter((h) => !h.empty_layer)).toHaveLength(manifest.layers.length);

      // Layers through the same route: the blob hashes to its digest, the tar to its diff_id.
      for (const [i, layer] of manifest.layers.entries()) {
        const res = await client.fetch(blobUrl(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, layer.digest));
        expect(res.headers.get("Docker-Content-Digest")).toBe(layer.digest);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect(bytes.byteLength).toBe(layer.size);
        expect(await digestBytes("sha256", bytes)).toBe(layer.digest);
        expect(await digestBytes("sha256", await gunzip(bytes))).toBe(c.config.rootfs.diff_ids[i]);
      }
    }
  });

  it("contains the files the README promises", async () => {
    const top = value(await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, "latest"));
    const amd64 = partitionIndex(top.document as ImageIndex).images[0]!;
    const manifest = value(await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, amd64.digest)).document as ImageManifest;
    let names = "";
    for (const layer of manifest.layers) {
      const res = await client.fetch(blobUrl(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, layer.digest));
      names += new TextDecoder("latin1").decode(await gunzip(new Uint8Array(await res.arrayBuffer())));
    }
    for (const path of ["etc/os-release", "usr/share/layerscope/hello.txt", "usr/share/layerscope/greeting.txt", "etc/.wh.motd"]) {
      expect(names).toContain(path);
    }
  });

  it.each([
    { ref: "nope", what: "manifest" },
    { ref: `sha256:${"0".repeat(64)}`, what: "manifest" },
  ])("unknown manifest $ref → not-found (even behind an SPA fallback)", async ({ ref, what }) => {
    const r = await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, ref);
    expect(r).toEqual({ ok: false, error: { kind: "not-found", registry: SAMPLE_REGISTRY, repository: SAMPLE_REPOSITORY, what, ref } });
  });

  it("unknown repository → not-found repository", async () => {
    const r = await fetchManifest(client, SAMPLE_REGISTRY, "other", "latest");
    expect(r).toMatchObject({ ok: false, error: { kind: "not-found", what: "repository" } });
  });

  it.each([
    ["/app/registry/layerscope-sample.local/v2/", 200],
    ["/app/registry/layerscope-sample.local/v2/sample/tags/list", 200],
    ["/app/registry/layerscope-sample.local/v2/sample/blobs/sha256:../../index.json", 404],
    ["/app/registry/layerscope-sample.local/v2/sample/manifests/..%2F..%2Findex.json", 404],
    ["/app/registry/layerscope-sample.local/v2/sample/referrers/sha256:" + "0".repeat(64), 404],
    ["/app/registry/docker.io/v2/library/nginx/manifests/latest", 404],
  ])("%s → %i", async (url, status) => {
    const res = await client.fetch(url);
    expect(res.status).toBe(status);
  });

  it("lists the layout's tags", async () => {
    const res = await client.fetch("/app/registry/layerscope-sample.local/v2/sample/tags/list");
    expect(await res.json()).toEqual({ name: "sample", tags: ["latest"] });
  });

  it("answers HEAD with headers only", async () => {
    const res = await client.fetch("/app/registry/layerscope-sample.local/v2/sample/manifests/latest", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/vnd.oci.image.index.v1+json");
    expect(res.headers.get("Docker-Content-Digest")).toMatch(/^sha256:/);
    expect(res.body).toBeNull();
  });

  it("honours an aborted signal", async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await fetchManifest(client, SAMPLE_REGISTRY, SAMPLE_REPOSITORY, "latest", ac.signal)).toEqual({ ok: false, error: { kind: "aborted" } });
  });
});
