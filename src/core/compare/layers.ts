/**
 * Comparing two images layer by layer (issue 4, "Compare two references").
 *
 * Layers are aligned by content, not by blob: `diff_id` (the sha256 of the uncompressed tar, from
 * `config.rootfs.diff_ids`) says what a layer contains, `digest` (the compressed blob, from
 * `manifest.layers`) only says how it was shipped. A stack of layers is named by its chain ID
 * (image-spec config.md, "Layer ChainID"), and that is what a runtime reuses: the same tar on a
 * different parent is a different filesystem. So the shared base is the longest common prefix of
 * chain IDs, and a layer with the same diff_id *after* the images diverge is not shared.
 *
 * Inputs are already-resolved single-platform manifests (an index was resolved by the caller),
 * OCI or Docker media types alike: media types are compared, never required.
 */
import { chainIds, formatPlatform, layerCompression, type Descriptor, type ImageConfig, type ImageManifest, type LayerCompression } from "../oci";

/** One image as the comparison needs it: its manifest and its config, both parsed. */
export interface ImageInput {
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

/** One layer of one image. Position `index` is shared by manifest.layers and rootfs.diff_ids (base first). */
export interface LayerSide {
  readonly index: number;
  /** Compressed blob digest, media type and size in bytes, from manifest.layers[index]; absent when the manifest has fewer layers than the config. */
  readonly digest?: string;
  readonly mediaType?: string;
  readonly size?: number;
  /** Compression the media type declares (the blob's magic bytes are checked elsewhere). */
  readonly compression?: LayerCompression;
  /** config.rootfs.diff_ids[index]; absent when the config has fewer diff_ids than the manifest has layers. */
  readonly diffId?: string;
  /** Chain ID of layers 0..index; absent from the first missing diff_id on. */
  readonly chainId?: string;
}

/**
 * - "shared": same chain ID (so same diff_id and same base below) and the same blob.
 * - "recompressed": same chain ID, but shipped differently: another compressed digest (gzip vs
 *   zstd, another gzip level) or another media type (Docker vs OCI names for the same blob).
 *   The snapshot is shared; the blob is not.
 * - "only-a" / "only-b": after the images diverge (or past the shorter image).
 */
export type LayerRowKind = "shared" | "recompressed" | "only-a" | "only-b";

/** What a machine that already has image A does with one of B's layers. */
export interface PullDecision {
  /** A has a layer with this chain ID: the unpacked snapshot is reused, nothing is fetched. */
  readonly snapshotPresent: boolean;
  /** A has a blob with this compressed digest (a content store would still hold it). */
  readonly blobPresent: boolean;
  /** Counted in `bytesToPull` (false for a repeat of a blob already counted). */
  readonly fetchedByChainId: boolean;
  /** Counted in `bytesIfBlobsOnly`. */
  readonly fetchedByBlob: boolean;
  /** Counted in `bytesWithContentStore`. */
  readonly fetchedWithContentStore: boolean;
  /** Counted in `bytesDockerClassic`. */
  readonly fetchedDockerClassic: boolean;
}

export interface LayerRow {
  readonly kind: LayerRowKind;
  readonly a?: LayerSide;
  readonly b?: LayerSide;
  /** For "recompressed": which of the shipping attributes differ. */
  readonly recompressed?: { readonly digest: boolean; readonly mediaType: boolean };
  /**
   * For "only-a" / "only-b": positions in the other image of layers with the same diff_id — the
   * same tar, but on another base, so another chain ID (e.g. the same top layer rebased).
   */
  readonly sameDiffIdIn: readonly number[];
  /** For B's layers: the pull decision. */
  readonly pull?: PullDecision;
}

/** The common prefix of the two images, by chain ID. */
export interface SharedBase {
  /** Number of layers in the prefix (0 when the base layers already differ). */
  readonly layers: number;
  /** Chain ID of the whole prefix, the snapshot both images stack on; undefined when `layers` is 0. */
  readonly chainId?: string;
  /** Compressed bytes of the prefix in each image (they differ when a shared layer was recompressed). */
  readonly bytesA: number;
  readonly bytesB: number;
}

/** One key-level change of the config (platform, dates, runtime defaults). */
export interface ConfigChange {
  /** "platform", "created", "author", "user", "workdir", "entrypoint", "cmd", "env", "labels", "exposedPorts", "volumes", "stopSignal". */
  readonly field: string;
  /** For map-like fields (env, labels, exposedPorts, volumes): the key that changed. */
  readonly key?: string;
  readonly change: "added" | "removed" | "changed";
  /** Values as display strings (arrays as JSON); absent on the side where the key is missing. */
  readonly a?: string;
  readonly b?: string;
}

export interface ImageLayers {
  readonly layers: readonly LayerSide[];
  /** Total compressed bytes of manifest.layers. */
  readonly bytes: number;
  readonly platform: string;
}

export interface LayerComparison {
  readonly a: ImageLayers;
  readonly b: ImageLayers;
  readonly sharedBase: SharedBase;
  /** The shared prefix (shared / recompressed), then A's remaining layers, then B's, each base first. */
  readonly rows: readonly LayerRow[];
  /**
   * Compressed bytes a machine holding A downloads to run B when reuse is decided by chain ID
   * (containerd's snapshot rule). See `pullDecisions` for the rules of each runtime and their sources.
   */
  readonly bytesToPull: number;
  /** Compressed bytes of B's blobs whose digest A lacks: what a registry-to-registry copy or a content-only fetch moves. */
  readonly bytesIfBlobsOnly: number;
  /** containerd keeping A's blobs in its content store: missing snapshot AND missing blob. Never more than either of the two above. */
  readonly bytesWithContentStore: number;
  /** Docker's classic (graphdriver) store on Linux, which finds diff_ids by blob digest: see `pullDecisions`. Never less than `bytesToPull`. */
  readonly bytesDockerClassic: number;
  /** Total compressed bytes of B (a cold pull), for scale. */
  readonly bytesB: number;
  readonly config: readonly ConfigChange[];
  /** Plain-words problems: counts that disagree, and what the comparison did about them. Empty when all is well. */
  readonly problems: readonly string[];
}

/**
 * Aligns the two images' layers (base first) and works out what B costs a machine that has A.
 * Async only because chain IDs are hashed with globalThis.crypto.subtle.
 */
export async function compareLayers(a: ImageInput, b: ImageInput): Promise<LayerComparison> {
  const problems: string[] = [];
  const sidesA = await layerSides(a, "A", problems);
  const sidesB = await layerSides(b, "B", problems);

  // The shared base: the longest prefix with equal chain IDs. Equal chain IDs at position i mean
  // equal diff_ids at every position ≤ i, so this is the common prefix of diff_ids — and it stops
  // at the first difference for good: a later position with equal diff_ids has different chain IDs.
  let prefix = 0;
  while (prefix < sidesA.length && prefix < sidesB.length) {
    const ca = sidesA[prefix]?.chainId;
    if (ca === undefined || ca !== sidesB[prefix]?.chainId) break;
    prefix++;
  }

  const diffIdsA = positionsBy(sidesA, (s) => s.diffId);
  const diffIdsB = positionsBy(sidesB, (s) => s.diffId);
  const pulls = pullDecisions(sidesA, sidesB);

  const rows: LayerRow[] = [];
  let bytesA = 0;
  let bytesB = 0;
  for (let i = 0; i < prefix; i++) {
    const sa = sidesA[i] as LayerSide;
    const sb = sidesB[i] as LayerSide;
    bytesA += sa.size ?? 0;
    bytesB += sb.size ?? 0;
    const digest = sa.digest !== sb.digest;
    const mediaType = sa.mediaType !== sb.mediaType;
    rows.push({
      kind: digest || mediaType ? "recompressed" : "shared",
      a: sa,
      b: sb,
      ...(digest || mediaType ? { recompressed: { digest, mediaType } } : {}),
      sameDiffIdIn: [],
      pull: pulls[i],
    });
  }
  for (const sa of sidesA.slice(prefix)) {
    rows.push({ kind: "only-a", a: sa, sameDiffIdIn: sa.diffId === undefined ? [] : (diffIdsB.get(sa.diffId) ?? []) });
  }
  for (const sb of sidesB.slice(prefix)) {
    rows.push({ kind: "only-b", b: sb, sameDiffIdIn: sb.diffId === undefined ? [] : (diffIdsA.get(sb.diffId) ?? []), pull: pulls[sb.index] });
  }

  const sum = (pick: (p: PullDecision) => boolean): number =>
    sidesB.reduce((n, s, i) => n + (pulls[i] !== undefined && pick(pulls[i]) ? (s.size ?? 0) : 0), 0);

  return {
    a: { layers: sidesA, bytes: sumSizes(sidesA), platform: platformOf(a.config) },
    b: { layers: sidesB, bytes: sumSizes(sidesB), platform: platformOf(b.config) },
    sharedBase: { layers: prefix, ...(prefix > 0 ? { chainId: sidesA[prefix - 1]?.chainId } : {}), bytesA, bytesB },
    rows,
    bytesToPull: sum((p) => p.fetchedByChainId),
    bytesIfBlobsOnly: sum((p) => p.fetchedByBlob),
    bytesWithContentStore: sum((p) => p.fetchedWithContentStore),
    bytesDockerClassic: sum((p) => p.fetchedDockerClassic),
    bytesB: sumSizes(sidesB),
    config: compareConfigs(a.config, b.config),
    problems,
  };
}

/**
 * Pairs manifest.layers[i] with rootfs.diff_ids[i]. When the counts disagree the image is broken
 * (Docker refuses it; containerd's unpacker fails with "number of layers and diffIDs don't
 * match"), but an explorer still shows it: positions past the shorter list get a side with the
 * missing half absent, no chain ID, and therefore never count as shared or as already present.
 */
async function layerSides(img: ImageInput, name: string, problems: string[]): Promise<LayerSide[]> {
  const descriptors = img.manifest.layers;
  const diffIds = img.config.rootfs.diff_ids;
  if (descriptors.length !== diffIds.length) {
    const n = Math.min(descriptors.length, diffIds.length);
    const missing = descriptors.length > diffIds.length ? "diff_id" : "blob";
    // What the gap means for the pull figures depends on the image's role.
    const effect =
      missing === "blob"
        ? "they describe no layer a runtime could fetch"
        : name === "A"
          ? "they have no chain ID, so their snapshots are not counted as present (their blobs still are)"
          : "they have no chain ID, so they count as downloads";
    problems.push(
      `Image ${name}'s manifest lists ${plural(descriptors.length, "layer")} but its config lists ${plural(diffIds.length, "diff_id")}: ` +
        `a runtime would refuse to pull it. Layers were paired by position; from position ${n} on they have no ${missing}, ` +
        `are never part of the shared base, and ${effect}.`,
    );
  }
  const chains = await chainIds(diffIds);
  const count = Math.max(descriptors.length, diffIds.length);
  const out: LayerSide[] = [];
  for (let i = 0; i < count; i++) {
    const d: Descriptor | undefined = descriptors[i];
    const diffId = diffIds[i];
    out.push({
      index: i,
      ...(d ? { digest: d.digest, mediaType: d.mediaType, size: d.size } : {}),
      ...(d && layerCompression(d.mediaType) !== undefined ? { compression: layerCompression(d.mediaType) } : {}),
      ...(diffId !== undefined ? { diffId } : {}),
      // A chain ID is only meaningful if the blob is there too: a diff_id without a layer
      // describes a filesystem no runtime could build from this manifest.
      ...(d && chains[i] !== undefined ? { chainId: chains[i] } : {}),
    });
  }
  return out;
}

/**
 * What a machine that has A (pulled and unpacked) downloads to run B, per layer of B.
 *
 * The rules, read from the runtimes' sources:
 * - containerd (core/unpack/unpacker.go, `unpack`): chain IDs come from the config's diff_ids;
 *   base first, a layer whose chain-ID snapshot exists is skipped and its blob never fetched.
 *   From the first missing snapshot on, layers go through the content store's fetch handler,
 *   which skips a blob whose digest is already stored (remotes.FetchHandler, "already exists").
 * - Docker's classic graphdriver store on Linux (moby distribution/pull_v2.go and
 *   distribution/xfer/download.go, `Download`): the config's diff_ids are only pre-filled on
 *   Windows; on Linux a layer's diff_id is looked up by its *blob digest* in the digest→diff_id
 *   records of earlier pulls. A layer is reused when that lookup succeeds and the chain ID is in
 *   the layer store; at the first layer where either fails, it and every layer above it are
 *   downloaded, even ones that exist. That store keeps unpacked layers, not blobs.
 * Both fetch a blob listed twice in one pull once, so every figure counts a digest once.
 *
 * Hence four figures:
 * - `bytesToPull` (by chain ID): layers whose chain ID A lacks. containerd's rule when A's blobs
 *   are gone (garbage-collected, `discard_unpacked_layers`), and the lower bound of what any
 *   runtime that unpacks must fetch. The number we lead with.
 * - `bytesWithContentStore`: containerd with A's blobs still stored (its default): missing
 *   snapshot and missing blob. Less than `bytesToPull` only when B reuses one of A's blobs on
 *   another base (a rebased top layer).
 * - `bytesDockerClassic`: the graphdriver rule above. More than `bytesToPull` when a shared layer
 *   was recompressed (new digest, unknown to the lookup) or its chain is broken below a reused layer.
 * - `bytesIfBlobsOnly` (by digest): what a registry copy or a content-only fetch moves; ignores
 *   snapshots, so a recompressed shared layer counts here and not in the first two.
 */
function pullDecisions(sidesA: readonly LayerSide[], sidesB: readonly LayerSide[]): (PullDecision | undefined)[] {
  const chainsA = new Set<string>();
  const blobsA = new Set<string>();
  for (const s of sidesA) {
    if (s.chainId !== undefined) chainsA.add(s.chainId);
    if (s.digest !== undefined) blobsA.add(s.digest);
  }
  const seen = { chain: new Set<string>(), blob: new Set<string>(), store: new Set<string>(), classic: new Set<string>() };
  // Count a digest once per model: the second copy of a blob is already local by then.
  const once = (set: Set<string>, digest: string, needed: boolean): boolean => {
    if (!needed || set.has(digest)) return false;
    set.add(digest);
    return true;
  };
  let classicMissing = false;
  return sidesB.map((s) => {
    if (s.digest === undefined) return undefined; // no blob: nothing a runtime could fetch
    const snapshotPresent = s.chainId !== undefined && chainsA.has(s.chainId);
    const blobPresent = blobsA.has(s.digest);
    // Once one layer is missing, Docker stops looking and downloads the rest.
    if (!snapshotPresent || !blobPresent) classicMissing = true;
    return {
      snapshotPresent,
      blobPresent,
      fetchedByChainId: once(seen.chain, s.digest, !snapshotPresent),
      fetchedByBlob: once(seen.blob, s.digest, !blobPresent),
      fetchedWithContentStore: once(seen.store, s.digest, !snapshotPresent && !blobPresent),
      fetchedDockerClassic: once(seen.classic, s.digest, classicMissing),
    };
  });
}

function positionsBy(sides: readonly LayerSide[], key: (s: LayerSide) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of sides) {
    const k = key(s);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(s.index);
    else out.set(k, [s.index]);
  }
  return out;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function sumSizes(sides: readonly LayerSide[]): number {
  return sides.reduce((n, s) => n + (s.size ?? 0), 0);
}

function platformOf(c: ImageConfig): string {
  const p = formatPlatform({ os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) });
  return c["os.version"] ? `${p} (${c["os.version"]})` : p;
}

/**
 * A key-level diff of the two configs: platform, dates, and the runtime defaults a `docker run`
 * would use. Env is compared by variable name (the text before the first "="; a later duplicate
 * wins, as in Docker), labels / ports / volumes by key, argv lists as whole lists.
 */
export function compareConfigs(a: ImageConfig, b: ImageConfig): ConfigChange[] {
  const out: ConfigChange[] = [];
  const scalar = (field: string, va: string | undefined, vb: string | undefined): void => {
    if (va === vb) return;
    out.push({
      field,
      change: va === undefined ? "added" : vb === undefined ? "removed" : "changed",
      ...(va !== undefined ? { a: va } : {}),
      ...(vb !== undefined ? { b: vb } : {}),
    });
  };
  const keyed = (field: string, ma: ReadonlyMap<string, string>, mb: ReadonlyMap<string, string>): void => {
    for (const [key, va] of ma) {
      const vb = mb.get(key);
      if (vb === undefined) out.push({ field, key, change: "removed", a: va });
      else if (vb !== va) out.push({ field, key, change: "changed", a: va, b: vb });
    }
    for (const [key, vb] of mb) if (!ma.has(key)) out.push({ field, key, change: "added", b: vb });
  };
  const ca = a.config ?? {};
  const cb = b.config ?? {};
  scalar("platform", platformOf(a), platformOf(b));
  scalar("created", a.created, b.created);
  scalar("author", a.author, b.author);
  scalar("user", ca.User || undefined, cb.User || undefined);
  scalar("workdir", ca.WorkingDir || undefined, cb.WorkingDir || undefined);
  scalar("entrypoint", argv(ca.Entrypoint), argv(cb.Entrypoint));
  scalar("cmd", argv(ca.Cmd), argv(cb.Cmd));
  scalar("stopSignal", ca.StopSignal || undefined, cb.StopSignal || undefined);
  keyed("env", envMap(ca.Env), envMap(cb.Env));
  keyed("labels", recordMap(ca.Labels), recordMap(cb.Labels));
  keyed("exposedPorts", keysMap(ca.ExposedPorts), keysMap(cb.ExposedPorts));
  keyed("volumes", keysMap(ca.Volumes), keysMap(cb.Volumes));
  return out;
}

/** An argv list as display text; null, absent and [] all mean "not set". */
function argv(v: readonly string[] | null | undefined): string | undefined {
  return v && v.length > 0 ? JSON.stringify(v) : undefined;
}

function envMap(env: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of env ?? []) {
    const eq = kv.indexOf("=");
    // "NAME" without "=" is legal in Env (the value is empty); keep it distinguishable.
    if (eq === -1) out.set(kv, "");
    else out.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return out;
}

/** Object keys as a Map, so a label called "__proto__" is a key like any other. */
function recordMap(r: Readonly<Record<string, string>> | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (r) for (const [k, v] of Object.entries(r)) out.set(k, String(v));
  return out;
}

function keysMap(r: Readonly<Record<string, unknown>> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (r) for (const k of Object.keys(r)) out.set(k, "");
  return out;
}
