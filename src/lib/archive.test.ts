import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ImageManifest } from "../core/oci";
import { createRegistryClient, fetchConfig, fetchManifest } from "../core/registry";
import {
  ARCHIVE_REGISTRY,
  archiveBlobRequest,
  archiveFetch,
  archiveKeyOf,
  archiveReference,
  archiveStore,
  closeLocalArchive,
  imageNumberOf,
  openLocalArchive,
} from "./archive";

const ROOT = join(import.meta.dirname, "..", "..");
const fileOf = (path: string): File => new File([readFileSync(join(ROOT, path))], path.slice(path.lastIndexOf("/") + 1), { lastModified: 1_700_000_000_000 });
const client = createRegistryClient({ proxyBase: "/registry", fetch: archiveFetch });

function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe("a local archive served as a registry", () => {
  it("serves dive's docker save through the real registry client: synthesized manifest unvouched, config verified, layers as blob: URLs of the file", async () => {
    const file = fileOf("src/core/filetree/testdata/test-docker-image.tar");
    const opened = value(await openLocalArchive(file));
    const repository = `archive/${opened.key}`;
    expect(archiveKeyOf(repository)).toBe(opened.key);
    expect(archiveStore.get(opened.key)?.name).toBe("test-docker-image.tar");

    const manifest = value(await fetchManifest(client, ARCHIVE_REGISTRY, repository, "image-1"));
    // No registry vouches for a synthesized manifest: no Docker-Content-Digest, so "unverifiable", never "verified".
    expect(manifest.headerDigest).toBeUndefined();
    expect(manifest.verification.status).toBe("unverifiable");
    const doc = manifest.document as ImageManifest;
    expect(doc.layers).toHaveLength(14);

    const config = value(await fetchConfig(client, ARCHIVE_REGISTRY, repository, doc.config));
    expect(config.verification.status).toBe("verified");
    expect(config.config.rootfs.diff_ids).toEqual(doc.layers.map((l) => l.digest));

    // The blob route streams the member's bytes, exactly.
    const layer = doc.layers[1]!;
    const res = await archiveFetch(`/registry/${ARCHIVE_REGISTRY}/v2/${repository}/blobs/${layer.digest}`);
    expect(res.headers.get("Content-Length")).toBe(String(layer.size));
    expect((await res.arrayBuffer()).byteLength).toBe(layer.size);

    const request = archiveBlobRequest(ARCHIVE_REGISTRY, repository, layer.digest);
    expect(request?.url).toMatch(/^blob:/);
    expect(archiveBlobRequest(ARCHIVE_REGISTRY, repository, layer.digest)?.url).toBe(request?.url); // one URL per blob
    expect(archiveBlobRequest("ghcr.io", repository, layer.digest)).toBeUndefined();

    closeLocalArchive(opened.key);
    expect(archiveStore.get(opened.key)).toBeUndefined();
    const gone = await fetchManifest(client, ARCHIVE_REGISTRY, repository, "image-1");
    expect(!gone.ok && gone.error.kind).toBe("not-found");
  });

  it("serves an OCI layout's own manifest with its digest, which the client checks", async () => {
    const opened = value(await openLocalArchive(fileOf("e2e/fixtures/third-party/test-oci-zstd-image.tar")));
    const manifest = value(await fetchManifest(client, ARCHIVE_REGISTRY, `archive/${opened.key}`, "image-1"));
    expect(manifest.headerDigest).toBe("sha256:f5e3515f39a16543547c03d03ec34faf9276742e6ce7c7dd6e467a14e90b29fc");
    expect(manifest.verification.status).toBe("verified");
    closeLocalArchive(opened.key);
  });

  it("opening the same file twice gives the same key (a reload's re-pick keeps the URL)", async () => {
    const a = value(await openLocalArchive(fileOf("e2e/fixtures/third-party/test_bundle.tar")));
    const b = value(await openLocalArchive(fileOf("e2e/fixtures/third-party/test_bundle.tar")));
    expect(a.key).toBe(b.key);
    expect(archiveReference(a.key, undefined)).toBe(`${ARCHIVE_REGISTRY}/archive/${a.key}:pick`);
    closeLocalArchive(a.key);
  });

  it.each([
    ["image-1", 1],
    ["image-12", 12],
    ["image-0", undefined],
    ["pick", undefined],
    [undefined, undefined],
  ])("tag %s names image %s", (tag, n) => expect(imageNumberOf(tag)).toBe(n));

  it("a file that is no archive is refused with the reason", async () => {
    const r = await openLocalArchive(new File(["hello"], "notes.txt"));
    expect(!r.ok && r.error).toMatchObject({ kind: "bad-archive", reason: expect.stringMatching(/not a tar archive/) });
  });
});
