import { describe, expect, it } from "vitest";
import { digestBytes } from "../digest";
import {
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
  isAttestation,
  parseImageConfig,
  parseManifestOrIndex,
  partitionIndex,
  type ImageIndex,
  type ImageManifest,
} from "../oci";
import { addIndex, buildImage, buildIndex, emptyRepository, type BuiltBlob, type BuiltImage, type ImageSpec } from "./image";

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function expectNamed(b: BuiltBlob): Promise<void> {
  expect(await digestBytes("sha256", b.bytes)).toBe(b.digest);
  expect(b.bytes.byteLength).toBe(b.size);
}

const spec: ImageSpec = {
  config: { Env: ["PATH=/bin"], Cmd: ["sh"] },
  layers: [
    { entries: [{ path: "etc/", type: "dir" }, { path: "etc/hostname", content: "box\n" }], createdBy: "ADD base" },
    { entries: [{ path: "app/run", content: "#!/bin/sh\n", mode: 0o755 }], createdBy: "COPY run" },
    { entries: [{ path: "app/data", content: "data" }], compression: "none" },
  ],
  history: [
    { created_by: "ADD base" },
    { created_by: "ENV PATH=/bin", empty_layer: true },
    { created_by: "COPY run" },
    { created_by: "COPY data" },
    { created_by: 'CMD ["sh"]', empty_layer: true },
  ],
};

async function checkImage(image: BuiltImage, manifestMediaType: string): Promise<void> {
  await expectNamed(image.manifest);
  await expectNamed(image.config);
  expect(image.manifest.mediaType).toBe(manifestMediaType);

  const parsed = parseManifestOrIndex(image.manifest.bytes, image.manifest.mediaType);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const manifest = parsed.value as ImageManifest;
  expect(manifest.kind).toBe("manifest");
  expect(manifest.config).toMatchObject({ digest: image.config.digest, size: image.config.size });

  const config = parseImageConfig(image.config.bytes);
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  expect(config.value.rootfs.diff_ids).toEqual(image.layers.map((l) => l.diffId));

  for (const [i, layer] of image.layers.entries()) {
    await expectNamed(layer);
    expect(manifest.layers[i]).toMatchObject({ digest: layer.digest, size: layer.size, mediaType: layer.mediaType });
    const tar = layer.mediaType === OCI_LAYER_TAR ? layer.bytes : await gunzip(layer.bytes);
    expect(tar).toEqual(layer.tar);
    expect(await digestBytes("sha256", tar)).toBe(layer.diffId);
  }
}

describe("buildImage", () => {
  it("builds an OCI image whose digests, sizes and diff_ids agree", async () => {
    const image = await buildImage(spec);
    await checkImage(image, OCI_MANIFEST);
    expect(image.layers.map((l) => l.mediaType)).toEqual([OCI_LAYER_TAR_GZIP, OCI_LAYER_TAR_GZIP, OCI_LAYER_TAR]);
    const config = parseImageConfig(image.config.bytes);
    expect(config.ok && config.value.history?.filter((h) => h.empty_layer)).toHaveLength(2);
    expect(config.ok && config.value.config?.Env).toEqual(["PATH=/bin"]);
  });

  it("builds a Docker schema 2 image", async () => {
    const image = await buildImage({ ...spec, format: "docker", layers: spec.layers.slice(0, 2) });
    await checkImage(image, DOCKER_MANIFEST);
    expect(image.layers.every((l) => l.mediaType === DOCKER_LAYER_TAR_GZIP)).toBe(true);
  });

  it("is deterministic: the same spec gives the same bytes", async () => {
    const [a, b] = await Promise.all([buildImage(spec), buildImage(spec)]);
    expect(a.manifest.digest).toBe(b.manifest.digest);
    expect(a.layers.map((l) => l.bytes)).toEqual(b.layers.map((l) => l.bytes));
  });

  it("defaults to one history entry per layer, and linux/amd64", async () => {
    const image = await buildImage({ layers: [{ entries: [], createdBy: "x" }] });
    const config = parseImageConfig(image.config.bytes);
    expect(config.ok && config.value.history).toEqual([{ created: "2024-01-01T00:00:00Z", created_by: "x" }]);
    expect(config.ok && [config.value.os, config.value.architecture]).toEqual(["linux", "amd64"]);
  });
});

describe("buildIndex", () => {
  it.each([
    { format: "oci" as const, mediaType: OCI_INDEX, attestations: true },
    { format: "docker" as const, mediaType: DOCKER_MANIFEST_LIST, attestations: false },
  ])("$format index with attestations=$attestations", async ({ format, mediaType, attestations }) => {
    const built = await buildIndex({
      format,
      attestations,
      images: [
        { ...spec, layers: spec.layers.slice(0, 2), history: undefined, platform: { os: "linux", architecture: "amd64" } },
        { ...spec, layers: spec.layers.slice(0, 2), history: undefined, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    });
    await expectNamed(built.index);
    const parsed = parseManifestOrIndex(built.index.bytes, mediaType);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const index = parsed.value as ImageIndex;
    expect(index.kind).toBe("index");
    const { images, attestations: atts } = partitionIndex(index);
    expect(images.map((d) => d.platform)).toEqual([
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm64", variant: "v8" },
    ]);
    expect(images.map((d) => d.digest)).toEqual(built.images.map((i) => i.manifest.digest));
    expect(atts).toHaveLength(attestations ? 2 : 0);
    for (const [i, a] of atts.entries()) {
      expect(isAttestation(a)).toBe(true);
      expect(a.platform).toEqual({ os: "unknown", architecture: "unknown" });
      expect(a.annotations?.["vnd.docker.reference.type"]).toBe("attestation-manifest");
      expect(a.annotations?.["vnd.docker.reference.digest"]).toBe(built.images[i]!.manifest.digest);
      await expectNamed(built.attestations[i]!.manifest);
    }
    for (const image of built.images) await checkImage(image, format === "oci" ? OCI_MANIFEST : DOCKER_MANIFEST);
  });

  it("fills a repository with every manifest and blob, tagging the index", async () => {
    const built = await buildIndex({ attestations: true, images: [spec, { ...spec, platform: { os: "linux", architecture: "arm64" } }] });
    const repo = addIndex(emptyRepository(), built, "v1");
    expect(repo.tags.get("v1")).toBe(built.index.digest);
    expect(repo.manifests.size).toBe(1 + 2 + 2);
    for (const image of [...built.images, ...built.attestations]) {
      expect(repo.blobs.get(image.config.digest)).toBe(image.config.bytes);
      for (const l of image.layers) expect(repo.blobs.has(l.digest)).toBe(true);
    }
  });
});
