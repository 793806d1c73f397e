import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestBytes } from "../digest";
import { buildIndex, buildTar, gzip, jsonBytes, type BuiltBlob, type TarEntry } from "../testing";
import { err, ok } from "../result";
import { digestFromName, openArchive, openLayout, parseManifestJson, type ArchiveSource, type LayoutFiles, type OpenedArchive } from ".";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(ROOT, path)));
const E2E = "e2e/fixtures/third-party";
const FILETREE = "src/core/filetree/testdata";

/** A source over bytes that counts what was read (to prove layers are never read whole). */
function source(bytes: Uint8Array): ArchiveSource & { readonly bytesRead: () => number } {
  let read = 0;
  return {
    size: bytes.length,
    read: async (offset, length) => {
      read += length;
      return bytes.slice(offset, offset + length);
    },
    bytesRead: () => read,
  };
}

/** Every test runs with these read sizes: 1 byte, odd sizes across block edges, the default. */
const READS = [1, 7, 511, 513, 4099, undefined] as const;

async function open(bytes: Uint8Array, readBytes?: number): Promise<OpenedArchive> {
  const r = await openArchive(source(bytes), readBytes !== undefined ? { readBytes } : {});
  if (!r.ok) throw new Error(`expected the archive to open: ${JSON.stringify(r.error)}`);
  return r.value;
}

async function failure(bytes: Uint8Array, readBytes?: number): Promise<string> {
  const r = await openArchive(source(bytes), readBytes !== undefined ? { readBytes } : {});
  if (r.ok) throw new Error("expected the archive to fail");
  expect(r.error.kind).toBe("bad-archive");
  return r.error.kind === "bad-archive" ? r.error.reason : "";
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ── archives built in code ──────────────────────────────────────────────────────────────────────

const layerTar = buildTar([{ path: "etc/hello", content: "hello\n" }]);

/** A classic docker save of one uncompressed layer; `edit` changes the parts before writing. */
async function dockerSave(
  edit: { manifest?: unknown; config?: Record<string, unknown>; extra?: TarEntry[]; layerName?: string; layerEntries?: TarEntry[] } = {},
): Promise<{ tar: Uint8Array; diffId: string; configDigest: string }> {
  const diffId = await digestBytes("sha256", layerTar);
  const config = jsonBytes(edit.config ?? { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [diffId] }, history: [{ created_by: "ADD hello" }] });
  const configDigest = await digestBytes("sha256", config);
  const configName = `${configDigest.slice(7)}.json`;
  const layerName = edit.layerName ?? "0123abcd/layer.tar";
  const manifest = edit.manifest ?? [{ Config: configName, RepoTags: ["hello:1"], Layers: [layerName] }];
  const tar = buildTar([
    { path: "0123abcd/", type: "dir" },
    ...(edit.layerEntries ?? [{ path: "0123abcd/layer.tar", content: layerTar }]),
    { path: configName, content: config },
    ...(edit.extra ?? []),
    { path: "manifest.json", content: jsonBytes(manifest) },
  ]);
  return { tar, diffId, configDigest };
}

describe("openArchive: docker save", () => {
  for (const readBytes of READS) {
    it(`synthesizes an OCI manifest whose claims come from the config and the names (reads of ${readBytes ?? "default"} bytes)`, async () => {
      const { tar, diffId, configDigest } = await dockerSave();
      const a = await open(tar, readBytes);
      expect(a.format).toBe("docker-save");
      expect(a.images).toHaveLength(1);
      const image = a.images[0]!;
      expect(image.synthesized).toBe(true);
      expect(image.names).toEqual(["hello:1"]);
      expect(image.digest).toBe(await digestBytes("sha256", image.bytes));
      const manifest = JSON.parse(text(image.bytes)) as { config: { digest: string; size: number }; layers: { digest: string; size: number; mediaType: string }[] };
      expect(manifest.config.digest).toBe(configDigest);
      // An uncompressed tar's digest is its diff_id: the pipeline checks the member against the config's claim.
      expect(manifest.layers).toEqual([{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: diffId, size: layerTar.length }]);
      const blob = a.blobs.get(diffId);
      expect(blob?.kind).toBe("member");
      if (blob?.kind === "member") expect(tar.slice(blob.offset, blob.offset + blob.size)).toEqual(layerTar);
      expect(a.blobs.get(configDigest)?.kind).toBe("bytes");
    });
  }

  it("follows a layer member that is a link to another member, in the same directory tree", async () => {
    const { tar, diffId } = await dockerSave({
      layerName: "b/layer.tar",
      layerEntries: [
        { path: "a/layer.tar", content: layerTar },
        { path: "b/layer.tar", type: "symlink", linkname: "../a/layer.tar" },
      ],
    });
    const a = await open(tar);
    const blob = a.blobs.get(diffId);
    expect(blob?.kind === "member" && blob.path).toBe("a/layer.tar");
  });

  it("reads member names from PAX records and follows a hardlink member (named from the archive's root)", async () => {
    const long = `${"d".repeat(120)}/layer.tar`;
    const { tar, diffId } = await dockerSave({
      layerName: "0123abcd/layer.tar",
      layerEntries: [
        { path: "x/layer.tar", pax: { path: long }, content: layerTar },
        { path: "0123abcd/layer.tar", type: "hardlink", linkname: "x/layer.tar", pax: { linkpath: long } },
      ],
    });
    for (const readBytes of [1, 513, undefined]) {
      const blob = (await open(tar, readBytes)).blobs.get(diffId);
      expect(blob?.kind === "member" && blob.path).toBe(long);
    }
  });

  it("stops at the member limit with a clear reason", async () => {
    const { tar } = await dockerSave({ extra: Array.from({ length: 20 }, (_, i) => ({ path: `junk/${i}`, content: "x" })) });
    const r = await openArchive(source(tar), { maxMembers: 10 });
    expect(!r.ok && r.error).toMatchObject({ kind: "bad-archive", reason: "the archive has more than 10 members; no image archive has that many" });
  });

  it("takes a compressed layer's digest from its member name (kaniko) and its media type from its bytes", async () => {
    const gz = await gzip(layerTar);
    const digest = await digestBytes("sha256", gz);
    const name = `${digest.slice(7)}.tar.gz`;
    const { tar } = await dockerSave({ layerName: name, layerEntries: [{ path: name, content: gz }] });
    const a = await open(tar);
    expect(a.format).toBe("kaniko");
    const manifest = JSON.parse(text(a.images[0]!.bytes)) as { layers: { digest: string; mediaType: string }[] };
    expect(manifest.layers[0]).toMatchObject({ digest, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" });
  });

  it("never reads a layer whole: a 4 MiB layer costs a few kilobytes to open", async () => {
    const big = buildTar([{ path: "big.bin", content: new Uint8Array(4 * 1024 * 1024).fill(7) }]);
    const diffId = await digestBytes("sha256", big);
    const config = jsonBytes({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [diffId] } });
    const configName = `${(await digestBytes("sha256", config)).slice(7)}.json`;
    const tar = buildTar([
      { path: "x/layer.tar", content: big },
      { path: configName, content: config },
      { path: "manifest.json", content: jsonBytes([{ Config: configName, Layers: ["x/layer.tar"] }]) },
    ]);
    const s = source(tar);
    const r = await openArchive(s);
    expect(r.ok).toBe(true);
    expect(s.bytesRead()).toBeLessThan(64 * 1024);
  });
});

/** An OCI image layout of `blobs` in a tar, index.json listing `top`; `manifestJson` makes it Docker 25's form. */
function layoutTar(blobs: readonly BuiltBlob[], top: readonly unknown[], manifestJson?: unknown): Uint8Array {
  const seen = new Set<string>();
  const entries: TarEntry[] = [];
  for (const b of blobs) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    entries.push({ path: `blobs/sha256/${b.digest.slice(7)}`, content: b.bytes });
  }
  return buildTar([
    { path: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
    ...entries,
    { path: "index.json", content: jsonBytes({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: top }) },
    ...(manifestJson !== undefined ? [{ path: "manifest.json", content: jsonBytes(manifestJson) }] : []),
  ]);
}

describe("openArchive: OCI image layouts", () => {
  it("a multi-platform index (with attestations) is one image, served as the index, every blob registered", async () => {
    const built = await buildIndex({
      images: [
        { platform: { os: "linux", architecture: "amd64" }, layers: [{ entries: [{ path: "a", content: "amd" }] }] },
        { platform: { os: "linux", architecture: "arm64", variant: "v8" }, layers: [{ entries: [{ path: "a", content: "arm" }] }] },
      ],
      attestations: true,
    });
    const blobs = [built.index, ...[...built.images, ...built.attestations].flatMap((i) => [i.manifest, i.config, ...i.layers])];
    const top = [{ mediaType: built.index.mediaType, digest: built.index.digest, size: built.index.size, annotations: { "org.opencontainers.image.ref.name": "v1" } }];
    for (const readBytes of [1, 777, undefined]) {
      const a = await open(layoutTar(blobs, top), readBytes);
      expect(a.format).toBe("oci-layout");
      expect(a.images).toHaveLength(1);
      expect(a.images[0]).toMatchObject({ digest: built.index.digest, names: ["v1"], synthesized: false, mediaType: built.index.mediaType });
      for (const b of blobs) expect(a.blobs.has(b.digest), b.digest).toBe(true);
    }
  });

  it("an index child left out of the layout (a single-platform export) is skipped, not an error", async () => {
    const built = await buildIndex({ images: [{ layers: [{ entries: [{ path: "a" }] }] }, { platform: { os: "linux", architecture: "arm64" }, layers: [{ entries: [{ path: "b" }] }] }] });
    const [amd] = built.images;
    const blobs = [built.index, amd!.manifest, amd!.config, ...amd!.layers];
    const a = await open(layoutTar(blobs, [{ mediaType: built.index.mediaType, digest: built.index.digest, size: built.index.size }]));
    expect(a.blobs.has(built.images[1]!.manifest.digest)).toBe(false);
  });

  it("Docker 25+: the OCI layout is read (real digests), named by io.containerd.image.name, even beside a manifest.json", async () => {
    const built = await buildIndex({ images: [{ layers: [{ entries: [{ path: "a" }] }] }] });
    const image = built.images[0]!;
    const blobs = [image.manifest, image.config, ...image.layers];
    const top = [{ ...image.descriptor, annotations: { "io.containerd.image.name": "docker.io/library/app:1", "org.opencontainers.image.ref.name": "1" } }];
    const manifestJson = [{ Config: `blobs/sha256/${image.config.digest.slice(7)}`, RepoTags: ["app:1"], Layers: image.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }];
    const a = await open(layoutTar(blobs, top, manifestJson));
    expect(a.format).toBe("docker-oci");
    expect(a.images[0]).toMatchObject({ digest: image.manifest.digest, names: ["docker.io/library/app:1", "1"], synthesized: false });
    expect(a.warnings).toEqual([]);
  });

  it("a layout manifest naming a layer blob the archive lacks is refused with both names", async () => {
    const built = await buildIndex({ images: [{ layers: [{ entries: [{ path: "a" }] }] }] });
    const image = built.images[0]!;
    const reason = await failure(layoutTar([image.manifest, image.config], [image.descriptor]));
    expect(reason).toContain(`layer 1 of image 1 of index.json (${image.layers[0]!.digest}) is "blobs/sha256/${image.layers[0]!.digest.slice(7)}", but the archive has no such file`);
  });
});

/**
 * A layout's files as a directory would give them (the command line's oci:DIR does this over
 * node:fs): a map of path → bytes; a resolved file is a "member" at offset 0 of its own path.
 */
function mapFiles(files: ReadonlyMap<string, Uint8Array>): LayoutFiles {
  return {
    has: async (path) => files.has(path),
    resolve: async (path, what) => {
      const bytes = files.get(path);
      return bytes === undefined
        ? err({ kind: "bad-archive", reason: `${what} is missing: the directory has no ${path}` })
        : ok({ path: `/dir/${path}`, offset: 0, size: bytes.length });
    },
    read: async (file) => ok(files.get(file.path.slice("/dir/".length)) as Uint8Array),
  };
}

/** The files of {@link layoutTar}'s layout, without the tar. */
function layoutMap(blobs: readonly BuiltBlob[], top: readonly unknown[], omit: readonly string[] = []): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([
    ["oci-layout", new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}')],
    ["index.json", jsonBytes({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: top })],
  ]);
  for (const b of blobs) files.set(`blobs/sha256/${b.digest.slice(7)}`, b.bytes);
  for (const path of omit) files.delete(path);
  return files;
}

describe("openLayout: a layout that is not a tar (a directory's files)", () => {
  it("reads the same images and blobs as the same layout in a tar; blobs are the files themselves", async () => {
    const built = await buildIndex({ images: [{ layers: [{ entries: [{ path: "a" }] }, { entries: [{ path: "b" }] }] }] });
    const image = built.images[0]!;
    const blobs = [image.manifest, image.config, ...image.layers];
    const top = [{ ...image.descriptor, annotations: { "org.opencontainers.image.ref.name": "v1" } }];
    const fromTar = await open(layoutTar(blobs, top));
    const r = await openLayout(mapFiles(layoutMap(blobs, top)));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.format).toBe("oci-layout");
    expect(r.value.images).toEqual(fromTar.images);
    expect([...r.value.blobs.keys()].sort()).toEqual([...fromTar.blobs.keys()].sort());
    expect(r.value.blobs.get(image.layers[1]!.digest)).toEqual({ kind: "member", path: `/dir/blobs/sha256/${image.layers[1]!.digest.slice(7)}`, offset: 0, size: image.layers[1]!.size });
    expect(r.value.warnings).toEqual([]);
  });

  it.each([
    ["oci-layout", /the oci-layout file is missing: the directory has no oci-layout/],
    ["index.json", /index\.json is missing: the directory has no index\.json/],
    ["config", /the config of image 1 of index\.json \(sha256:[0-9a-f]{64}\) is missing: the directory has no blobs\/sha256\/[0-9a-f]{64}/],
    ["layer", /layer 1 of image 1 of index\.json \(sha256:[0-9a-f]{64}\) is missing/],
  ] as const)("without its %s, a directory is refused, naming what is missing", async (what, says) => {
    const built = await buildIndex({ images: [{ layers: [{ entries: [{ path: "a" }] }] }] });
    const image = built.images[0]!;
    const path = (b: BuiltBlob): string => `blobs/sha256/${b.digest.slice(7)}`;
    const omit = what === "config" ? path(image.config) : what === "layer" ? path(image.layers[0]!) : what;
    const r = await openLayout(mapFiles(layoutMap([image.manifest, image.config, ...image.layers], [image.descriptor], [omit])));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind === "bad-archive" && r.error.reason).toMatch(says);
  });

  it("never turns an invalid digest into a path", async () => {
    const files = layoutMap([], [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:../../../etc/passwd", size: 1 }]);
    const asked: string[] = [];
    const spy = mapFiles(files);
    const r = await openLayout({ ...spy, resolve: (path, what) => (asked.push(path), spy.resolve(path, what)) });
    expect(!r.ok && r.error.kind === "bad-archive" && r.error.reason).toMatch(/index\.json is not a valid image index: manifests\[0\]\.digest is not a valid digest/);
    expect(asked).toEqual(["oci-layout", "index.json"]);
  });
});

/** Each broken archive and the words its message must contain. */
const BROKEN: readonly { name: string; build: () => Promise<Uint8Array>; says: RegExp }[] = [
  { name: "empty file", build: async () => new Uint8Array(0), says: /the file is empty/ },
  { name: "not a tar", build: async () => new TextEncoder().encode("<html>hello</html>".repeat(100)), says: /not a tar archive/ },
  { name: "gzip-compressed tar", build: async () => gzip(buildTar([{ path: "manifest.json", content: "[]" }])), says: /gzip-compressed, not a tar/ },
  {
    name: "truncated inside a member",
    build: async () => (await dockerSave()).tar.slice(0, 512 + 700),
    says: /truncated: .*got \d+ of \d+ bytes/,
  },
  { name: "no end marker", build: async () => buildTar([{ path: "manifest.json", content: "[]" }], { endMarker: false }), says: /truncated: .*without the two zero blocks/ },
  { name: "neither manifest.json nor index.json", build: async () => buildTar([{ path: "hello.txt", content: "hi" }]), says: /neither manifest\.json .* nor index\.json .*"hello\.txt"/ },
  { name: "manifest.json is null", build: async () => buildTar([{ path: "manifest.json", content: "null" }]), says: /manifest\.json is null: it lists no images/ },
  { name: "manifest.json is []", build: async () => buildTar([{ path: "manifest.json", content: "[]" }]), says: /manifest\.json lists no images/ },
  { name: "manifest.json is not JSON", build: async () => buildTar([{ path: "manifest.json", content: "[{" }]), says: /manifest\.json is not valid JSON/ },
  { name: "manifest.json is an object", build: async () => buildTar([{ path: "manifest.json", content: "{}" }]), says: /must be a list of images, not an object/ },
  { name: "entry without Config", build: async () => buildTar([{ path: "manifest.json", content: '[{"Layers":[]}]' }]), says: /entry 1 has no Config/ },
  { name: "config member missing", build: async () => buildTar([{ path: "manifest.json", content: '[{"Config":"c.json","Layers":[]}]' }]), says: /the config of the image is "c\.json", but the archive has no such file/ },
  {
    name: "layer member missing",
    build: async () => (await dockerSave({ layerName: "gone/layer.tar" })).tar,
    says: /layer 1 of the image is "gone\/layer\.tar", but the archive has no such file/,
  },
  {
    name: "diff_ids count differs from the layers",
    build: async () => (await dockerSave({ config: { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } } })).tar,
    says: /manifest\.json lists 1 layer file, but its config's rootfs\.diff_ids has 0/,
  },
  {
    name: "a layer link that climbs out of the archive",
    build: async () => (await dockerSave({ layerEntries: [{ path: "0123abcd/layer.tar", type: "symlink", linkname: "../../etc/passwd" }] })).tar,
    says: /climbs out of the archive/,
  },
  {
    name: "a layer link to an absolute path",
    build: async () => (await dockerSave({ layerEntries: [{ path: "0123abcd/layer.tar", type: "symlink", linkname: "/etc/passwd" }] })).tar,
    says: /absolute path "\/etc\/passwd", outside the archive/,
  },
  {
    name: "a loop of links",
    build: async () =>
      (
        await dockerSave({
          layerEntries: [
            { path: "0123abcd/layer.tar", type: "symlink", linkname: "other.tar" },
            { path: "0123abcd/other.tar", type: "symlink", linkname: "layer.tar" },
          ],
        })
      ).tar,
    says: /loop of links \(0123abcd\/layer\.tar → 0123abcd\/other\.tar → 0123abcd\/layer\.tar\)/,
  },
  {
    name: "a layer that is neither tar nor compressed",
    build: async () => (await dockerSave({ layerEntries: [{ path: "0123abcd/layer.tar", content: "garbage ".repeat(100) }] })).tar,
    says: /neither a tar nor gzip- or zstd-compressed/,
  },
  {
    name: "a gzip layer nothing names the digest of",
    build: async () => (await dockerSave({ layerEntries: [{ path: "0123abcd/layer.tar", content: await gzip(layerTar) }] })).tar,
    says: /gzip-compressed, and nothing in the archive names its digest/,
  },
  {
    name: "an OCI layout whose index names a missing manifest",
    build: async () =>
      buildTar([
        { path: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
        {
          path: "index.json",
          content: jsonBytes({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 10 }] }),
        },
      ]),
    says: /image 1 of index\.json \(sha256:a{64}\) is "blobs\/sha256\/a{64}", but the archive has no such file/,
  },
  { name: "an OCI layout with an empty index", build: async () => buildTar([{ path: "index.json", content: '{"schemaVersion":2,"manifests":[]}' }]), says: /index\.json lists no images/ },
];

describe("openArchive: every broken archive gets a precise reason", () => {
  for (const c of BROKEN) {
    it(c.name, async () => {
      const bytes = await c.build();
      for (const readBytes of [1, 513, undefined]) expect(await failure(bytes, readBytes)).toMatch(c.says);
    });
  }
});

describe("parseManifestJson and digestFromName", () => {
  it.each([
    ["blobs/sha256/" + "a".repeat(64), `sha256:${"a".repeat(64)}`],
    [`sha256:${"b".repeat(64)}`, `sha256:${"b".repeat(64)}`],
    [`${"c".repeat(64)}.tar.gz`, `sha256:${"c".repeat(64)}`],
    [`${"d".repeat(64)}.json`, `sha256:${"d".repeat(64)}`],
    [`${"e".repeat(64)}/layer.tar`, undefined], // a v1 layer ID, not a digest of the file
    ["blobs/sha256/XYZ", undefined],
    ["manifest.json", undefined],
  ])("%s → %s", (name, digest) => expect(digestFromName(name)).toBe(digest));

  it("keeps RepoTags null as no names", () => {
    const r = parseManifestJson(jsonBytes([{ Config: "c.json", RepoTags: null, Layers: [] }]));
    expect(r.ok && r.value[0]!.repoTags).toEqual([]);
  });
});

// ── the third-party archives ────────────────────────────────────────────────────────────────────

describe("the third-party archives", () => {
  it("dive's docker save: 14 layers, each digest its config's diff_id, read by headers only", async () => {
    const bytes = fixture(`${FILETREE}/test-docker-image.tar`);
    const s = source(bytes);
    const r = await openArchive(s);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.format).toBe("docker-save");
    expect(r.value.images[0]!.names).toEqual(["dive-test:latest"]);
    const manifest = JSON.parse(text(r.value.images[0]!.bytes)) as { config: { digest: string }; layers: { digest: string }[] };
    expect(manifest.config.digest).toBe("sha256:75ae28b8ebf89b203319069ddcbecdf5c3838503bbebc0d0d85e4b8589c5de3a");
    const config = r.value.blobs.get(manifest.config.digest);
    const diffIds = (JSON.parse(text(config?.kind === "bytes" ? config.bytes : new Uint8Array())) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
    expect(manifest.layers.map((l) => l.digest)).toEqual(diffIds);
    expect(s.bytesRead()).toBeLessThan(bytes.length / 8);
  });

  it.each([
    [`${E2E}/test-kaniko-image.tar`, "kaniko", 14],
    [`${FILETREE}/whiteout_dir.tar`, "kaniko", 4],
    [`${FILETREE}/whiteout_image.tar`, "docker-save", 3],
    [`${FILETREE}/overwritten_file.tar`, "docker-save", 3],
  ])("%s opens as %s with %i layers", async (path, format, layers) => {
    for (const readBytes of [1, 4099, undefined]) {
      const a = await open(fixture(path), readBytes);
      expect(a.format).toBe(format);
      expect((JSON.parse(text(a.images[0]!.bytes)) as { layers: unknown[] }).layers).toHaveLength(layers);
    }
  });

  it.each([
    ["test-oci-gzip-image.tar", "application/vnd.oci.image.layer.v1.tar+gzip"],
    ["test-oci-zstd-image.tar", "application/vnd.oci.image.layer.v1.tar+zstd"],
    ["test-oci-uncompressed-image.tar", "application/vnd.oci.image.layer.v1.tar"],
    ["test-oci-estargz-image.tar", "application/vnd.oci.image.layer.v1.tar+gzip"],
  ])("dive's %s: the layout's own manifest, not synthesized", async (name, layerType) => {
    const a = await open(fixture(`${E2E}/${name}`));
    expect(a.format).toBe("oci-layout");
    const image = a.images[0]!;
    expect(image.synthesized).toBe(false);
    expect(image.digest).toBe(await digestBytes("sha256", image.bytes));
    const manifest = JSON.parse(text(image.bytes)) as { layers: { mediaType: string; digest: string }[] };
    expect(manifest.layers[0]!.mediaType).toBe(layerType);
    expect(a.blobs.get(manifest.layers[0]!.digest)?.kind).toBe("member");
  });

  it("Docker 25's hello-world: index.json lists no manifests (null), so manifest.json is read, and that is said", async () => {
    const a = await open(fixture(`${E2E}/hello-world-v25.tar`));
    expect(a.warnings.join()).toMatch(/index\.json was not used .*manifests must be an array.* the images come from manifest\.json/);
    const manifest = JSON.parse(text(a.images[0]!.bytes)) as { config: { digest: string }; layers: { digest: string }[] };
    expect(manifest.config.digest).toBe("sha256:ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44");
    expect(manifest.layers[0]!.digest).toBe("sha256:12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43");
  });

  it("ggcr's test_bundle: two images to pick from; LayerSources naming a blob the archive lacks is said, not used", async () => {
    const a = await open(fixture(`${E2E}/test_bundle.tar`));
    expect(a.images.map((i) => i.names)).toEqual([["test_image_2"], ["test_image_1"]]);
    expect(a.images[0]!.warnings.join()).toMatch(/LayerSources describe layer 1 as sha256:321460fa.*a blob this archive does not hold/);
  });

  it("ggcr's test_link: image 3's first layer is a symlink member, resolved to image 1's layer.tar", async () => {
    const a = await open(fixture(`${E2E}/test_link.tar`));
    expect(a.images.map((i) => i.names)).toEqual([["bazel/v1/tarball:test_image_1"], ["bazel/v1/tarball:test_image_3"]]);
    const m3 = JSON.parse(text(a.images[1]!.bytes)) as { layers: { digest: string }[] };
    const first = a.blobs.get(m3.layers[0]!.digest);
    expect(first?.kind === "member" && first.path).toBe("6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/layer.tar");
  });

  it("ggcr's null_manifest: refused with its reason", async () => {
    expect(await failure(fixture(`${E2E}/null_manifest.tar`))).toMatch(/manifest\.json is null/);
  });
});
