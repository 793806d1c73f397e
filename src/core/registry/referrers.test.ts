import { beforeAll, describe, expect, it } from "vitest";
import { describeError } from "../errors";
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, parseAnyManifest, type Descriptor } from "../oci";
import { addImage, blob, buildImage, descriptorOf, emptyRepository, jsonBytes, type BuiltBlob, type BuiltImage, type Repository } from "../testing/image";
import { createFakeRegistry, FAKE_PROXY_BASE, proxyError, registryError, type FakeRegistryOptions, type FakeRequest } from "../testing/fake-registry";
import { createRegistryClient } from "./client";
import { fetchArtifactBlob, fetchReferrers, MAX_REFERRER_PAGES, nextLink, referrersTag } from "./referrers";

const REGISTRY = "registry.test";
const REPO = "team/app";
const COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json";
const SPDX = "application/spdx+json";

interface Artifact {
  readonly manifest: BuiltBlob;
  readonly layers: readonly BuiltBlob[];
  readonly descriptor: Descriptor;
}

let image: BuiltImage;
let empty: BuiltBlob;
let signature: Artifact;
let sbom: Artifact;
let repo: Repository;

/** An OCI 1.1 artifact manifest with the empty config, one layer, and `subject`. */
async function artifact(artifactType: string, layerType: string, content: Uint8Array, subject: Descriptor): Promise<Artifact> {
  const layer = await blob(layerType, content);
  const created = "2024-05-01T10:00:00Z";
  const manifest = await blob(
    OCI_MANIFEST,
    jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: descriptorOf(empty),
      layers: [descriptorOf(layer)],
      subject,
      annotations: { "org.opencontainers.image.created": created },
    }),
  );
  return { manifest, layers: [layer], descriptor: descriptorOf(manifest, { artifactType, annotations: { "org.opencontainers.image.created": created } }) };
}

function add(r: Repository, a: Artifact): void {
  r.manifests.set(a.manifest.digest, { bytes: a.manifest.bytes, mediaType: OCI_MANIFEST });
  r.blobs.set(empty.digest, empty.bytes);
  for (const l of a.layers) r.blobs.set(l.digest, l.bytes);
}

beforeAll(async () => {
  image = await buildImage({ layers: [{ entries: [{ path: "a", content: "a\n" }] }] });
  empty = await blob(OCI_EMPTY, new TextEncoder().encode("{}"));
  const subject = descriptorOf(image.manifest);
  signature = await artifact(COSIGN, "application/vnd.dev.cosign.simplesigning.v1+json", jsonBytes({ critical: { image: { "docker-manifest-digest": image.manifest.digest } } }), subject);
  sbom = await artifact(SPDX, SPDX, jsonBytes({ spdxVersion: "SPDX-2.3", name: "app" }), subject);
  repo = addImage(emptyRepository(), image, "latest");
  add(repo, signature);
  add(repo, sbom);
});

const indexOf = (descriptors: readonly Descriptor[]): Uint8Array => jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: descriptors });

/** A registry with the referrers API: answers from `pages` (by `?page=`), Link to the next one. */
function apiOverride(pages: readonly (readonly Descriptor[])[], opts: { filters?: boolean; link?: (page: number) => string | undefined } = {}) {
  return (req: FakeRequest): Response | undefined => {
    if (req.kind !== "referrers") return undefined;
    const url = new URL(req.url);
    const page = Number(url.searchParams.get("page") ?? "0");
    const type = url.searchParams.get("artifactType");
    let list = pages[page] ?? [];
    const headers: Record<string, string> = { "Content-Type": OCI_INDEX };
    if (type !== null && opts.filters) {
      list = list.filter((d) => d.artifactType === type);
      headers["OCI-Filters-Applied"] = "artifactType";
    }
    const link = opts.link ? opts.link(page) : page + 1 < pages.length ? `</v2/${REPO}/referrers/${req.reference}?page=${page + 1}>; rel="next"` : undefined;
    if (link !== undefined) headers["Link"] = link;
    return new Response(indexOf(list) as Uint8Array<ArrayBuffer>, { status: 200, headers });
  };
}

function setup(options: Partial<FakeRegistryOptions> = {}) {
  const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, repo]]), ...options });
  const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
  return { fake, client };
}

describe("referrersTag (distribution-spec Referrers Tag Schema)", () => {
  it.each([
    [`sha256:${"a".repeat(64)}`, `sha256-${"a".repeat(64)}`],
    // <ref> is limited to 64 characters: a sha512 digest is cut.
    [`sha512:${"b".repeat(128)}`, `sha512-${"b".repeat(64)}`],
    ["not a digest", undefined],
  ])("%s → %s", (digest, tag) => {
    expect(referrersTag(digest)).toBe(tag);
  });
});

describe("fetchReferrers through the referrers API", () => {
  for (const chunks of [undefined, [1], [7, 3]]) {
    it(`lists the index's descriptors with artifactType and annotations (chunks ${JSON.stringify(chunks)})`, async () => {
      const { client, fake } = setup({ override: apiOverride([[signature.descriptor, sbom.descriptor]]), ...(chunks ? { chunks } : {}) });
      const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.source).toBe("api");
      expect(r.value.subject).toBe(image.manifest.digest);
      expect(r.value.descriptors.map((d) => d.artifactType)).toEqual([COSIGN, SPDX]);
      expect(r.value.descriptors[0]?.annotations?.["org.opencontainers.image.created"]).toBe("2024-05-01T10:00:00Z");
      expect(r.value.complete).toBe(true);
      expect(fake.requests.map((q) => q.kind)).toEqual(["referrers"]);
      expect(fake.requests[0]?.headers.get("Accept")).toBe(OCI_INDEX);
    });
  }

  it("an empty index means no referrers (and no fallback)", async () => {
    const { client, fake } = setup({ override: apiOverride([[]]) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.descriptors).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it("sends artifactType encoded, and trusts a registry that says it filtered", async () => {
    const { client, fake } = setup({ override: apiOverride([[signature.descriptor, sbom.descriptor]], { filters: true }) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest, { artifactType: SPDX });
    expect(fake.requests[0]?.url).toContain("?artifactType=application%2Fspdx%2Bjson");
    expect(r.ok && r.value.filter).toEqual({ artifactType: SPDX, appliedBy: "registry" });
    expect(r.ok && r.value.descriptors.map((d) => d.digest)).toEqual([sbom.manifest.digest]);
  });

  it("filters itself when the registry did not apply the filter (no OCI-Filters-Applied)", async () => {
    const { client } = setup({ override: apiOverride([[signature.descriptor, sbom.descriptor]], { filters: false }) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest, { artifactType: COSIGN });
    expect(r.ok && r.value.filter).toEqual({ artifactType: COSIGN, appliedBy: "client" });
    expect(r.ok && r.value.descriptors.map((d) => d.digest)).toEqual([signature.manifest.digest]);
  });

  it("follows Link rel=next pages in order", async () => {
    const { client, fake } = setup({ override: apiOverride([[signature.descriptor], [sbom.descriptor]]) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.descriptors.map((d) => d.digest)).toEqual([signature.manifest.digest, sbom.manifest.digest]);
    expect(r.ok && r.value.pages).toBe(2);
    expect(fake.requests[1]?.url).toBe(`${FAKE_PROXY_BASE}/${REGISTRY}/v2/${REPO}/referrers/${image.manifest.digest}?page=1`);
  });

  it("stops at a link that loops, marked incomplete", async () => {
    const { client, fake } = setup({ override: apiOverride([[signature.descriptor]], { link: () => `</v2/${REPO}/referrers/${image.manifest.digest}>; rel="next"` }) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.complete).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it("stops after the page cap", async () => {
    const many = Array.from({ length: MAX_REFERRER_PAGES + 5 }, () => [signature.descriptor]);
    const { client, fake } = setup({ override: apiOverride(many) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.complete).toBe(false);
    expect(r.ok && r.value.notes.join(" ")).toMatch(/Stopped after 20 pages/);
    expect(fake.requests).toHaveLength(MAX_REFERRER_PAGES);
  });

  it("a later page that fails ends the list there, shown as partial", async () => {
    const pages = apiOverride([[signature.descriptor], [sbom.descriptor]]);
    const { client } = setup({ override: (req) => (req.kind === "referrers" && req.url.includes("page=1") ? registryError(500, "UNKNOWN", "boom") : pages(req)) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.descriptors.map((d) => d.digest)).toEqual([signature.manifest.digest]);
    expect(r.ok && r.value.complete).toBe(false);
    expect(r.ok && r.value.notes.join(" ")).toMatch(/Page 2 could not be read/);
  });

  it("does not follow a next link to another host", async () => {
    const { client, fake } = setup({ override: apiOverride([[signature.descriptor]], { link: () => `<https://evil.example/v2/${REPO}/referrers/x>; rel="next"` }) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.complete).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ["a manifest instead of an index", () => signature.manifest.bytes, OCI_MANIFEST, "bad-manifest"],
    ["JSON that is no document", () => jsonBytes({ hello: 1 }), OCI_INDEX, "bad-manifest"],
    ["an index with a descriptor missing its digest", () => jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, size: 1 }] }), OCI_INDEX, "bad-manifest"],
    ["duplicate keys", () => new TextEncoder().encode(`{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[],"manifests":[]}`), OCI_INDEX, "ambiguous-manifest"],
    ["an HTML page", () => new TextEncoder().encode("<html><body>hi</body></html>"), "text/html", "not-a-registry"],
  ])("a bad API answer (%s) is an error", async (_name, body, contentType, kind) => {
    const { client } = setup({ override: (req) => (req.kind === "referrers" ? new Response(body() as Uint8Array<ArrayBuffer>, { status: 200, headers: { "Content-Type": contentType } }) : undefined) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(!r.ok && r.error.kind).toBe(kind);
  });

  it("a 401 is an error, not a reason to fall back", async () => {
    const { client, fake } = setup({ override: (req) => (req.kind === "referrers" ? registryError(401, "UNAUTHORIZED", "login") : undefined) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(!r.ok && r.error.kind).toBe("unauthorized");
    expect(fake.requests).toHaveLength(1);
  });

  it("a 404 from our proxy (not the registry) is not a fallback either", async () => {
    const { client } = setup({ override: (req) => (req.kind === "referrers" ? proxyError(404, "DESTINATION_NOT_ALLOWED", "no") : undefined) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(!r.ok && r.error.kind).toBe("destination-not-allowed");
  });
});

describe("fetchReferrers falls back to the tag schema on a 404", () => {
  it("no API and no tag: no referrers, says which source answered", async () => {
    const { client, fake } = setup();
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ source: "tag-schema", tag: referrersTag(image.manifest.digest), tagFound: false, descriptors: [] });
    expect(fake.requests.map((q) => `${q.kind} ${q.reference}`)).toEqual([`referrers ${image.manifest.digest}`, `manifest ${referrersTag(image.manifest.digest)}`]);
  });

  it("reads the index tagged <alg>-<hex>, filtered here", async () => {
    const r2 = structuredCloneRepo(repo);
    const tagIndex = await blob(OCI_INDEX, indexOf([signature.descriptor, sbom.descriptor]));
    r2.manifests.set(tagIndex.digest, { bytes: tagIndex.bytes, mediaType: OCI_INDEX });
    r2.tags.set(referrersTag(image.manifest.digest)!, tagIndex.digest);
    const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, r2]]), chunks: [1] });
    const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
    const all = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(all.ok && all.value.descriptors.map((d) => d.digest)).toEqual([signature.manifest.digest, sbom.manifest.digest]);
    expect(all.ok && all.value.tagFound).toBe(true);
    const filtered = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest, { artifactType: SPDX });
    expect(filtered.ok && filtered.value.filter).toEqual({ artifactType: SPDX, appliedBy: "client" });
    expect(filtered.ok && filtered.value.descriptors.map((d) => d.digest)).toEqual([sbom.manifest.digest]);
  });

  it("a tag holding something other than an index means no referrers, with a note", async () => {
    const r2 = structuredCloneRepo(repo);
    r2.tags.set(referrersTag(image.manifest.digest)!, image.manifest.digest);
    const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, r2]]) });
    const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(r.ok && r.value.descriptors).toEqual([]);
    expect(r.ok && r.value.notes.join(" ")).toMatch(/not an index/);
  });

  it("an unreachable registry during the fallback is an error", async () => {
    const { client } = setup({ override: (req) => (req.kind === "manifest" ? registryError(503, "UNAVAILABLE", "down") : undefined) });
    const r = await fetchReferrers(client, REGISTRY, REPO, image.manifest.digest);
    expect(!r.ok && r.error.kind).toBe("unreachable");
  });
});

describe("nextLink", () => {
  const client = createRegistryClient({ proxyBase: "/registry" });
  const d = `sha256:${"c".repeat(64)}`;
  const current = `/registry/${REGISTRY}/v2/${REPO}/referrers/${d}`;
  it.each([
    [null, undefined],
    [`</v2/${REPO}/referrers/${d}?n=2&last=x>; rel="next"`, `/registry/${REGISTRY}/v2/${REPO}/referrers/${d}?n=2&last=x`],
    [`<http://${REGISTRY}/v2/${REPO}/referrers/${d}?n=2>; rel=next`, `/registry/${REGISTRY}/v2/${REPO}/referrers/${d}?n=2`],
    [`</v2/${REPO}/referrers/${d}?p=1>; rel="prev", </v2/${REPO}/referrers/${d}?p=3>; rel="next"`, `/registry/${REGISTRY}/v2/${REPO}/referrers/${d}?p=3`],
    [`</v2/${REPO}/referrers/${d}?p=1>; rel="prev"`, undefined],
  ])("%s → %s", (header, expected) => {
    expect(nextLink(header, current, client, REGISTRY, REPO, d)).toEqual(expected);
  });
  it.each([`</v2/other/referrers/${d}>; rel="next"`, `</v2/${REPO}/manifests/latest>; rel="next"`, `<https://elsewhere.test/v2/${REPO}/referrers/${d}>; rel="next"`])(
    "refuses %s",
    (header) => {
      expect(nextLink(header, current, client, REGISTRY, REPO, d)).toHaveProperty("refused");
    },
  );
});

describe("fetchArtifactBlob", () => {
  const layer = () => signature.layers[0]!;
  for (const chunks of [undefined, [1], [5, 2]]) {
    it(`verifies digest and size (chunks ${JSON.stringify(chunks)})`, async () => {
      const { client } = setup(chunks ? { chunks } : {});
      const r = await fetchArtifactBlob(client, REGISTRY, REPO, descriptorOf(layer()));
      expect(r.ok && r.value.verification.status).toBe("verified");
      expect(r.ok && Array.from(r.value.bytes)).toEqual(Array.from(layer().bytes));
    });
  }
  it("a flipped byte is a digest mismatch", async () => {
    const { client } = setup({ corrupt: new Set([layer().digest]) });
    const r = await fetchArtifactBlob(client, REGISTRY, REPO, descriptorOf(layer()));
    expect(!r.ok && r.error).toMatchObject({ kind: "digest-mismatch", what: "artifact-blob", expected: layer().digest });
  });
  it("a blob longer than its descriptor stops as an overrun", async () => {
    const { client } = setup();
    const r = await fetchArtifactBlob(client, REGISTRY, REPO, { ...descriptorOf(layer()), size: layer().size - 3 });
    expect(!r.ok && r.error).toMatchObject({ kind: "size-mismatch", direction: "overrun", what: "blob" });
    expect(!r.ok && describeError(r.error).title).toBe("Blob larger than its descriptor");
  });
  it("a blob shorter than its descriptor is truncated", async () => {
    const { client } = setup();
    const r = await fetchArtifactBlob(client, REGISTRY, REPO, { ...descriptorOf(layer()), size: layer().size + 3 });
    expect(!r.ok && r.error).toMatchObject({ kind: "size-mismatch", direction: "truncated", actual: layer().size });
  });
  it("a blob above the display cap is refused unfetched", async () => {
    const { client, fake } = setup();
    const r = await fetchArtifactBlob(client, REGISTRY, REPO, descriptorOf(layer()), { limit: layer().size - 1 });
    expect(!r.ok && r.error.kind).toBe("limit-exceeded");
    expect(fake.requests).toHaveLength(0);
  });
  it("an algorithm we cannot compute is unverifiable, never verified", async () => {
    const blake = `blake3:${"d".repeat(64)}`;
    const r2 = structuredCloneRepo(repo);
    r2.blobs.set(blake, layer().bytes);
    const fake = createFakeRegistry({ repositories: new Map([[`${REGISTRY}/${REPO}`, r2]]) });
    const client = createRegistryClient({ proxyBase: FAKE_PROXY_BASE, fetch: fake.fetch });
    const r = await fetchArtifactBlob(client, REGISTRY, REPO, { mediaType: "text/plain", digest: blake, size: layer().size });
    expect(r.ok && r.value.verification.status).toBe("unverifiable");
  });
});

describe("parseAnyManifest", () => {
  it("returns an artifact manifest with subject and artifactType", () => {
    const r = parseAnyManifest(signature.manifest.bytes, OCI_MANIFEST);
    expect(r.ok && r.value.kind).toBe("artifact");
    if (!r.ok || r.value.kind !== "artifact") return;
    expect(r.value.artifactType).toBe(COSIGN);
    expect(r.value.subject?.digest).toBe(image.manifest.digest);
    expect(r.value.config.mediaType).toBe(OCI_EMPTY);
  });
  it("still returns images as images", () => {
    const r = parseAnyManifest(image.manifest.bytes, OCI_MANIFEST);
    expect(r.ok && r.value.kind).toBe("manifest");
  });
});

function structuredCloneRepo(r: Repository): Repository {
  return { blobs: new Map(r.blobs), manifests: new Map(r.manifests), tags: new Map(r.tags) };
}
