/**
 * Test-only: turns layer tars into the LayerEntry values the merge reads, and reads the layer
 * tars out of a `docker save` / kaniko tarball (manifest.json → Layers). Pure TypeScript, so it
 * runs wherever the tests run; decompression is passed in.
 */
import { createTarParser } from "../../tar";
import type { TarEntry } from "../../tar";
import { toLayerEntry } from "../../pipeline/tar";
import type { LayerEntry } from "../../pipeline/types";

/** Indexes one uncompressed layer tar the way the pipeline's tar stage does (flags included). */
export function layerEntries(tar: Uint8Array): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const seen = new Set<string>();
  const parser = createTarParser({
    collect: false,
    onEntry(e: TarEntry) {
      const flags: string[] = [];
      if (e.unsafe === "escapes-root") flags.push("unsafe-path");
      if (seen.has(e.path)) flags.push("duplicate");
      seen.add(e.path);
      entries.push(toLayerEntry(e, flags));
    },
  });
  parser.push(tar);
  const summary = parser.end();
  if (summary.error !== undefined) throw new Error(`layer tar: ${JSON.stringify(summary.error)}`);
  return entries;
}

/** The members of an outer tar (docker save), bodies sliced out. */
export function tarMembers(tar: Uint8Array): Map<string, Uint8Array> {
  const members = new Map<string, Uint8Array>();
  const parser = createTarParser({
    collect: false,
    onEntry(e: TarEntry) {
      if (e.type === "file") members.set(e.path, tar.subarray(e.dataOffset, e.dataOffset + e.size));
    },
  });
  parser.push(tar);
  parser.end();
  return members;
}

/** The uncompressed layer tars of a docker-save or kaniko tarball, base first, and its config. */
export function dockerArchiveLayers(archive: Uint8Array, gunzip: (bytes: Uint8Array) => Uint8Array): { layers: Uint8Array[]; config: unknown } {
  const members = tarMembers(archive);
  const manifestBytes = members.get("manifest.json");
  if (!manifestBytes) throw new Error("no manifest.json");
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as { Config: string; Layers: string[] }[];
  const image = manifest[0];
  if (!image) throw new Error("empty manifest.json");
  const layers = image.Layers.map((name) => {
    const body = members.get(name);
    if (!body) throw new Error(`missing layer ${name}`);
    return body[0] === 0x1f && body[1] === 0x8b ? gunzip(body) : body;
  });
  const configBytes = members.get(image.Config);
  return { layers, config: configBytes ? JSON.parse(new TextDecoder().decode(configBytes)) : undefined };
}
