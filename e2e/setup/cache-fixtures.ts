/**
 * Images for the persistent-cache spec (e2e/cache.spec.ts, issue 5 point 6), built in code
 * like the other fixtures:
 *
 * - `wrongDiffIdImage`: e2e/compare:v1's base layer blob, byte for byte, under a config whose
 *   diff_id for it is something else. Once the base is cached (verified, with its real diff_id),
 *   opening this image must show a diff_id mismatch without downloading the blob.
 * - `manyEntriesImage`: one gzip layer of `n` empty files (200 000 in the spec), to measure how
 *   long storing and reading back a large layer index takes in Chromium. Built and pushed by the
 *   spec itself, so only that test pays for it.
 */
import { gzipSync } from "node:zlib";
import { makeTar, sha256, type BuiltImage, type Layer, type TarEntry } from "./fixtures";
import { imageOf, OCI_LAYER_GZIP } from "./layer-fixtures";

/** A diff_id no tar in the fixtures has. */
export const WRONG_DIFF_ID = sha256(new TextEncoder().encode("not the tar of e2e/compare's base layer"));

export function wrongDiffIdImage(compareV1: BuiltImage): BuiltImage {
  return imageOf([compareV1.layers[0]!], ["ADD base.tar / # with a config that claims another diff_id"], [WRONG_DIFF_ID]);
}

export function manyEntriesImage(n: number): BuiltImage {
  const entries: TarEntry[] = [];
  const dirs = 200;
  for (let d = 0; d < dirs; d++) entries.push({ type: "dir", path: `usr/share/many/d${d}` });
  for (let i = 0; entries.length < n; i++) entries.push({ type: "file", path: `usr/share/many/d${i % dirs}/file-${i}.txt`, content: "" });
  const tar = makeTar(entries);
  const bytes = new Uint8Array(gzipSync(tar, { level: 6 }));
  const layer: Layer = { mediaType: OCI_LAYER_GZIP, digest: sha256(bytes), size: bytes.byteLength, bytes, diffId: sha256(tar) };
  return imageOf([layer], [`COPY many /usr/share/many # ${n} entries`]);
}
