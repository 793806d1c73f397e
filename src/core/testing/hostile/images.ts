/**
 * Test-only: image-level hostile cases (SECURITY D4, D5 on the config): a config whose bytes or
 * claims disagree with the manifest, fetched through the registry client from a fake registry,
 * and layer / diff_id counts that disagree, lined up by alignHistory.
 */
import { digestBytes } from "../../digest";
import type { Descriptor } from "../../oci";
import { OCI_CONFIG, OCI_MANIFEST } from "../../oci";
import { buildLayer, descriptorOf, jsonBytes, type BuiltLayer } from "../image";
import type { Repository } from "../image";
import type { ExpectedError, RowId, VerdictStatus } from "./types";

export interface HostileImage {
  readonly repository: Repository;
  /** The manifest's bytes and media type, as served. */
  readonly manifest: { readonly bytes: Uint8Array; readonly mediaType: string };
  /** The config descriptor the manifest names (what fetchConfig is asked for). */
  readonly config: Descriptor;
}

export interface HostileImageCase {
  readonly name: string;
  readonly rows: readonly RowId[];
  readonly what: string;
  build(): Promise<HostileImage>;
  readonly expect: {
    /** fetchConfig's error, or undefined when the config must be fetched. */
    readonly configError?: ExpectedError & { readonly what?: string };
    /** The config's verdict when it was fetched. */
    readonly configVerification?: VerdictStatus;
    /** Sentences alignHistory must give for the image (its image-level problems). */
    readonly problems?: readonly RegExp[];
  };
}

const enc = new TextEncoder();
const layers = async (): Promise<BuiltLayer[]> => [
  await buildLayer({ entries: [{ path: "a", content: "a" }] }),
  await buildLayer({ entries: [{ path: "b", content: "b" }] }),
];

interface ImageParts {
  readonly layers: readonly BuiltLayer[];
  readonly diffIds: readonly string[];
  /** Replace the config's bytes (after the document is built). */
  readonly rawConfig?: Uint8Array;
  /** Name the config with this algorithm (default sha256) or this literal digest. */
  readonly configDigest?: "sha512" | string;
  /** Descriptor size override. */
  readonly configSize?: number;
  /** Bytes served for the config instead of the named ones. */
  readonly serveConfig?: Uint8Array;
}

async function image(p: ImageParts): Promise<HostileImage> {
  const doc = {
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: p.diffIds },
    history: p.layers.map((_, i) => ({ created_by: `layer ${i}` })),
  };
  const configBytes = p.rawConfig ?? jsonBytes(doc);
  const configDigest =
    p.configDigest === undefined ? await digestBytes("sha256", configBytes) : p.configDigest === "sha512" ? await digestBytes("sha512", configBytes) : p.configDigest;
  const config: Descriptor = { mediaType: OCI_CONFIG, digest: configDigest, size: p.configSize ?? configBytes.length };
  const manifestBytes = jsonBytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: p.layers.map((l) => descriptorOf(l)) });
  const repository: Repository = { blobs: new Map(), manifests: new Map(), tags: new Map() };
  repository.blobs.set(configDigest, p.serveConfig ?? configBytes);
  for (const l of p.layers) repository.blobs.set(l.digest, l.bytes);
  const manifestDigest = await digestBytes("sha256", manifestBytes);
  repository.manifests.set(manifestDigest, { bytes: manifestBytes, mediaType: OCI_MANIFEST });
  repository.tags.set("hostile", manifestDigest);
  return { repository, manifest: { bytes: manifestBytes, mediaType: OCI_MANIFEST }, config };
}

export const HOSTILE_IMAGES: readonly HostileImageCase[] = [
  {
    name: "D4/more-layers-than-diff_ids",
    rows: ["D4"],
    what: "two layers, one diff_id",
    build: async () => {
      const l = await layers();
      return image({ layers: l, diffIds: [l[0]!.diffId] });
    },
    expect: { configVerification: "verified", problems: [/The manifest has 2 layers but the config's rootfs lists 1 diff_id: the image is inconsistent/] },
  },
  {
    name: "D4/more-diff_ids-than-layers",
    rows: ["D4"],
    what: "one layer, three diff_ids",
    build: async () => {
      const l = await layers();
      return image({ layers: [l[0]!], diffIds: [l[0]!.diffId, l[1]!.diffId, l[1]!.diffId] });
    },
    expect: { configVerification: "verified", problems: [/The manifest has 1 layer but the config's rootfs lists 3 diff_ids/] },
  },
  {
    name: "D4/tampered-config",
    rows: ["D4", "D1"],
    what: "the config served with one diff_id changed (a registry or cache that tampers)",
    build: async () => {
      const l = await layers();
      const good = jsonBytes({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: l.map((x) => x.diffId) } });
      const bad = good.slice();
      const at = new TextDecoder().decode(good).indexOf("sha256:") + 10;
      bad[at] = bad[at] === 0x61 ? 0x62 : 0x61;
      return image({ layers: l, diffIds: l.map((x) => x.diffId), rawConfig: good, serveConfig: bad });
    },
    expect: { configError: { kind: "digest-mismatch", what: "config" } },
  },
  {
    name: "D4/config-size-lies",
    rows: ["D4", "D2"],
    what: "a config descriptor whose size is one byte more than the config",
    build: async () => {
      const l = await layers();
      const bytes = jsonBytes({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: l.map((x) => x.diffId) } });
      return image({ layers: l, diffIds: l.map((x) => x.diffId), rawConfig: bytes, configSize: bytes.length + 1 });
    },
    expect: { configError: { kind: "bad-manifest" } },
  },
  {
    name: "D4/config-duplicate-rootfs",
    rows: ["D4"],
    what: 'a config with "rootfs" twice (readers disagree on which counts)',
    build: async () => {
      const l = await layers();
      const raw = enc.encode(
        `{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["${l[0]!.diffId}"]},"rootfs":{"type":"layers","diff_ids":["${l[0]!.diffId}","${l[1]!.diffId}"]}}`,
      );
      return image({ layers: l, diffIds: [], rawConfig: raw });
    },
    expect: { configError: { kind: "ambiguous-manifest" } },
  },
  {
    name: "D5/config-sha512",
    rows: ["D5"],
    what: "a config named by a sha512 digest",
    build: async () => {
      const l = await layers();
      return image({ layers: l, diffIds: l.map((x) => x.diffId), configDigest: "sha512" });
    },
    expect: { configVerification: "verified" },
  },
  {
    name: "D5/config-unknown-algorithm",
    rows: ["D5"],
    what: 'a config named "blake3:…": fetched, never "verified"',
    build: async () => {
      const l = await layers();
      return image({ layers: l, diffIds: l.map((x) => x.diffId), configDigest: "blake3:" + "cd".repeat(32) });
    },
    expect: { configVerification: "unverifiable" },
  },
];
