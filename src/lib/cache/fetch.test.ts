/**
 * Cached documents served to the registry client: a by-digest manifest or config the cache
 * holds is answered without a request, and the client verifies and parses it as usual; tags,
 * HEAD, ranged requests and misses go to the network.
 */
import { describe, expect, it } from "vitest";
import { digestBytes } from "../../core/digest";
import { createRegistryClient, fetchManifest } from "../../core/registry";
import { cachedDocumentsFetch } from "./fetch";
import { memoryBackend } from "./storage";
import { createVerifiedCache } from "./store";

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const manifest = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 2 },
    layers: [],
  }),
);

async function setup() {
  const cache = createVerifiedCache({ backend: memoryBackend() });
  const digest = await digestBytes("sha256", manifest);
  await cache.putBlob("manifest", digest, manifest, MANIFEST_TYPE);
  const network: string[] = [];
  const inner: typeof fetch = (input, init) => {
    network.push(`${init?.method ?? "GET"} ${String(input)}`);
    return Promise.resolve(new Response("{}", { status: 404 }));
  };
  const fetch = cachedDocumentsFetch(() => cache, inner, { proxyBase: "/registry" });
  return { cache, digest, network, fetch };
}

describe("cachedDocumentsFetch", () => {
  it("answers a by-digest manifest GET from the cache; the client verifies and parses it", async () => {
    const { digest, network, fetch } = await setup();
    const client = createRegistryClient({ proxyBase: "/registry", fetch });
    const r = await fetchManifest(client, "r.test", "team/app", digest);
    expect(network).toEqual([]);
    expect(r.ok && r.value).toMatchObject({ digest, byDigest: true, verification: { status: "verified" }, contentType: MANIFEST_TYPE });
  });

  it.each([
    ["a tag", (_d: string) => [`/registry/r.test/v2/team/app/manifests/v1`, {}] as const],
    ["HEAD", (d: string) => [`/registry/r.test/v2/team/app/manifests/${d}`, { method: "HEAD" }] as const],
    ["a ranged GET", (d: string) => [`/registry/r.test/v2/team/app/manifests/${d}`, { headers: { Range: "bytes=0-9" } }] as const],
    ["a blob the cache holds only as a manifest", (d: string) => [`/registry/r.test/v2/team/app/blobs/${d}`, {}] as const],
    ["a digest it does not hold", () => [`/registry/r.test/v2/team/app/manifests/sha256:${"0".repeat(64)}`, {}] as const],
  ])("passes %s to the network", async (_, request) => {
    const { digest, network, fetch } = await setup();
    const [url, init] = request(digest);
    const res = await fetch(url, init);
    expect(res.status).toBe(404);
    expect(network).toHaveLength(1);
  });

  it("a stored manifest whose bytes rotted is not served: dropped, fetched again", async () => {
    const digest = await digestBytes("sha256", manifest);
    const backend = memoryBackend();
    const rotten = createVerifiedCache({ backend });
    await rotten.putBlob("manifest", digest, manifest, MANIFEST_TYPE);
    const stored = (backend.records.get(`manifest:${digest}`)!.data as { bytes: Uint8Array }).bytes;
    stored[0] = 0x20;
    const network: string[] = [];
    const fetch = cachedDocumentsFetch(
      () => rotten,
      (input) => {
        network.push(String(input));
        return Promise.resolve(new Response(manifest, { headers: { "Content-Type": MANIFEST_TYPE } }));
      },
      { proxyBase: "/registry" },
    );
    const res = await fetch(`/registry/r.test/v2/team/app/manifests/${digest}`);
    expect(network).toHaveLength(1);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(manifest);
    expect(backend.records.size).toBe(0);
    expect(rotten.getUsage().problem).toMatch(/no longer matched/);
  });
});
