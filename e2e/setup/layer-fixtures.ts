/**
 * Images for the layer pipeline specs (e2e/layers-*.spec.ts), built in code like fixtures.ts:
 * every compression the pipeline must read in Chromium itself, and the faults it must catch.
 *
 * - `layersImage`: four layers, base first: gzip (one member), zstd (the `zstd` CLI: node:zlib
 *   has none in Node 20), uncompressed tar, and multi-member gzip (two members, as eStargz is
 *   built; Chromium's DecompressionStream stops after the first).
 * - `flippedImage`: one gzip layer; global-setup flips one byte of its blob in the registry's
 *   storage after pushing (SECURITY D1).
 * - `trailingImage`: a layer whose tar has bytes after its end marker, with the config's
 *   diff_id computed without them, as a tool that stops at the end marker would (D3).
 * - `bigImage`: one uncompressed 16 MiB layer, served slowly by the slow front for cancel tests.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { descriptorOf, jsonBytes, makeTar, OCI_CONFIG, OCI_MANIFEST, sha256, type BuiltImage, type Layer, type TarEntry } from "./fixtures";

export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
export const OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

const blob = (mediaType: string, bytes: Uint8Array): { mediaType: string; digest: string; size: number; bytes: Uint8Array } => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.byteLength,
  bytes,
});

const layer = (mediaType: string, bytes: Uint8Array, tar: Uint8Array, diffId = sha256(tar)): Layer => ({ ...blob(mediaType, bytes), diffId });

/** An OCI image of ready layers; `diffIds` overrides the config's (to build a mismatch). */
export function imageOf(layers: readonly Layer[], createdBy: readonly string[], diffIds?: readonly string[]): BuiltImage {
  const created = "2020-01-01T00:00:00Z";
  const configDoc = {
    architecture: "amd64",
    os: "linux",
    created,
    config: { WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: diffIds ?? layers.map((l) => l.diffId) },
    history: createdBy.map((c) => ({ created, created_by: c })),
  };
  const config = blob(OCI_CONFIG, jsonBytes(configDoc));
  const manifestDoc = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptorOf(config), layers: layers.map(descriptorOf) };
  return {
    manifest: blob(OCI_MANIFEST, jsonBytes(manifestDoc)),
    config,
    layers,
    history: createdBy.map((c) => ({ created_by: c })),
    platform: { os: "linux", architecture: "amd64" },
  };
}

const zstd = (bytes: Uint8Array): Uint8Array => new Uint8Array(execFileSync("zstd", ["-q", "-c", "-3"], { input: bytes }));

/** Paths each layer of `layersImage` adds, for assertions on the file tree. */
export const LAYER_PATHS = {
  gzip: "etc/os-release",
  zstd: "zstd/hello.txt",
  none: "plain/readme.md",
  multi: "estargz/part2.txt",
} as const;

export function layersImage(): BuiltImage {
  const base: TarEntry[] = [
    { type: "dir", path: "etc" },
    { type: "file", path: "etc/os-release", content: 'NAME="layers e2e"\n' },
    { type: "file", path: "etc/motd", content: "welcome\n" },
  ];
  const zstdEntries: TarEntry[] = [
    { type: "dir", path: "zstd" },
    { type: "file", path: "zstd/hello.txt", content: "decoded by libzstd in WebAssembly\n".repeat(50) },
    { type: "file", path: "etc/os-release", content: 'NAME="layers e2e, modified"\n' },
  ];
  const plainEntries: TarEntry[] = [
    { type: "dir", path: "plain" },
    { type: "file", path: "plain/readme.md", content: "# an uncompressed layer\n" },
  ];
  const multiEntries: TarEntry[] = [
    { type: "dir", path: "estargz" },
    { type: "file", path: "estargz/part1.txt", content: "first member ".repeat(200) },
    { type: "file", path: "estargz/part2.txt", content: "second member ".repeat(200) },
    { type: "file", path: "etc/.wh.motd", content: "" },
  ];
  const t0 = makeTar(base);
  const t1 = makeTar(zstdEntries);
  const t2 = makeTar(plainEntries);
  const t3 = makeTar(multiEntries);
  // Split inside the second file's body: each member is a valid gzip of an arbitrary slice.
  const cut = 512 * 4 + 100;
  const multi = Buffer.concat([gzipSync(t3.subarray(0, cut)), gzipSync(t3.subarray(cut))]);
  return imageOf(
    [layer(OCI_LAYER_GZIP, gzipSync(t0), t0), layer(OCI_LAYER_ZSTD, zstd(t1), t1), layer(OCI_LAYER_TAR, t2, t2), layer(OCI_LAYER_GZIP, multi, t3)],
    ["ADD rootfs.tar.gz / # gzip", "COPY zstd / # zstd", "COPY plain / # uncompressed", "COPY estargz / # multi-member gzip"],
  );
}

export function flippedImage(): BuiltImage {
  const tar = makeTar([
    { type: "dir", path: "flipped" },
    // Unique content: blobs are shared across a registry's repositories, and this one gets damaged.
    { type: "file", path: "flipped/data.txt", content: "this layer's blob gets one byte flipped in the registry's storage\n".repeat(400) },
  ]);
  return imageOf([layer(OCI_LAYER_GZIP, gzipSync(tar), tar)], ["COPY flipped / # blob damaged in storage"]);
}

export function trailingImage(): BuiltImage {
  const tar = makeTar([
    { type: "dir", path: "trailing" },
    { type: "file", path: "trailing/file.txt", content: "the tar of this layer has bytes after its end marker\n" },
  ]);
  const trailer = Buffer.alloc(512, "garbage after the end marker ");
  const withTrailer = Buffer.concat([tar, trailer]);
  // The config names the tar without the trailer: the diff_id must not match (D3).
  return imageOf([layer(OCI_LAYER_GZIP, gzipSync(withTrailer), withTrailer, sha256(tar))], ["COPY trailing / # bytes after the end marker"]);
}

/** Size of the big layer's one file. */
export const BIG_FILE_BYTES = 16 * 1024 * 1024;

export function bigImage(): BuiltImage {
  const tar = makeTar([
    { type: "dir", path: "big" },
    { type: "file", path: "big/random.bin", content: randomBytes(BIG_FILE_BYTES) },
  ]);
  return imageOf([layer(OCI_LAYER_TAR, tar, tar)], ["COPY big / # served slowly"]);
}

/**
 * `count` uncompressed layers of `bytesEach` random bytes each (one file per layer), for the
 * load rows (e2e/hardening-load.spec.ts, SECURITY L3): pushed by that spec itself, so only it pays.
 */
export function manyLayersImage(count: number, bytesEach: number): BuiltImage {
  const layers = Array.from({ length: count }, (_, i) => {
    const tar = makeTar([{ type: "file", path: `layer-${i}/random.bin`, content: randomBytes(bytesEach) }]);
    return layer(OCI_LAYER_TAR, tar, tar);
  });
  return imageOf(
    layers,
    layers.map((_, i) => `COPY layer-${i} / # load`),
  );
}
