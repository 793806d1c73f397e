/**
 * What the comparison view derives without React: which platform each side shows, which of B's
 * layers can be taken from A's layer jobs instead of being fetched again, the two sides' layer
 * states put together, and the file diff's readiness. View state (filters, scroll) stays in the
 * components (STYLE 12).
 */
import type { Descriptor, ImageIndex } from "../../core/oci";
import { DEFAULT_PLATFORM, choosePlatform, formatPlatform, parsePlatform, partitionIndex } from "../../core/oci";
import type { LayerJobState } from "../../lib/layers/types";
import { trust, untrustedReason } from "../layers/model";

/**
 * The child of `index` a side shows: the platform asked for (URL), else `fallback` (for B: the
 * platform A shows, so `?image=x&compare=y` compares like with like), else linux/amd64, else the
 * first image. `undefined` when the asked-for platform is not in the index.
 */
export function pickChild(index: ImageIndex, wanted: string | undefined, fallback: string | undefined): Descriptor | undefined {
  const by = (s: string | undefined): Descriptor | undefined => {
    const p = s === undefined ? undefined : parsePlatform(s);
    return p ? choosePlatform(index, p) : undefined;
  };
  if (wanted !== undefined) return by(wanted);
  return by(fallback) ?? choosePlatform(index, DEFAULT_PLATFORM) ?? partitionIndex(index).images[0];
}

/** The platforms an index offers, as picker options (attestations left out), first of each name wins. */
export function platformOptions(index: ImageIndex): string[] {
  const out: string[] = [];
  for (const d of partitionIndex(index).images) {
    const v = formatPlatform(d.platform);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * For each of B's layers (base first), the position of A's layer with the same blob digest and
 * diff_id, or undefined. Such a layer is the same verified bytes (digests name content), so B
 * takes A's result instead of fetching the blob a second time.
 */
export function reuseFromA(
  a: { readonly layers: readonly Descriptor[]; readonly diffIds: readonly (string | undefined)[] },
  b: { readonly layers: readonly Descriptor[]; readonly diffIds: readonly (string | undefined)[] },
): (number | undefined)[] {
  const byKey = new Map<string, number>();
  a.layers.forEach((d, j) => {
    const key = `${d.digest}\n${a.diffIds[j] ?? ""}`;
    if (!byKey.has(key)) byKey.set(key, j);
  });
  return b.layers.map((d, i) => byKey.get(`${d.digest}\n${b.diffIds[i] ?? ""}`));
}

/**
 * B's layer states, base first: the reused ones from A's store, the others from B's own store
 * (which holds only B's other layers, in order). `layerIndex` is renumbered to B's positions.
 */
export function combineStates(
  fromA: readonly (number | undefined)[],
  statesA: readonly LayerJobState[],
  ownStatesB: readonly LayerJobState[],
): LayerJobState[] {
  const out: LayerJobState[] = [];
  let k = 0;
  fromA.forEach((j, i) => {
    const s = j !== undefined ? statesA[j] : ownStatesB[k++];
    if (s) out.push(s.layerIndex === i ? s : { ...s, layerIndex: i });
  });
  return out;
}

export interface SideReadiness {
  readonly total: number;
  readonly done: number;
  /** Queued or downloading. */
  readonly running: number;
  /** Positions (0-based) that ended without a result: failed or cancelled. */
  readonly missing: readonly number[];
  /** Positions whose result stopped early. */
  readonly partial: readonly number[];
  readonly untrusted: readonly { readonly layer: number; readonly reason: string }[];
  readonly compressedBytes: number;
  readonly compressedTotal: number;
}

export function readiness(states: readonly LayerJobState[]): SideReadiness {
  let done = 0;
  let running = 0;
  let compressedBytes = 0;
  let compressedTotal = 0;
  const missing: number[] = [];
  const partial: number[] = [];
  const untrusted: { layer: number; reason: string }[] = [];
  for (const s of states) {
    const stage = s.progress.stage;
    compressedTotal += s.descriptor.size;
    compressedBytes += Math.min(s.progress.compressedBytes, s.descriptor.size);
    if (stage === "queued" || stage === "downloading") running++;
    else if (s.result) done++;
    else missing.push(s.layerIndex);
    if (s.result?.partial) partial.push(s.layerIndex);
    if (trust(s) === "untrusted") untrusted.push({ layer: s.layerIndex, reason: untrustedReason(s) });
  }
  return { total: states.length, done, running, missing, partial, untrusted, compressedBytes, compressedTotal };
}
