/**
 * The teaching view's facts, computed from the image on screen: pure functions over the parsed
 * manifest and config, the layer-jobs snapshot and the request log. The words are elsewhere
 * (i18n/); everything a sentence states is a value computed here.
 */
import type { ImageConfig, ImageManifest } from "../../core/oci";
import { alignHistory } from "../../core/oci";
import type { LayerJobState } from "../../lib/layers/types";
import type { RequestRecord } from "../../lib/requestLog";

/** The 12 hex digits Docker shows for an ID ("sha256:0123456789abcdef…" → "0123456789ab"). */
export function shortHex(digest: string): string {
  const colon = digest.indexOf(":");
  return digest.slice(colon + 1, colon + 13);
}

/** The hex (encoded) part of a digest, as a directory name. */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(":") + 1);
}

/** A layer check as the teaching view shows it. */
export type Verdict = "pending" | "verified" | "mismatch" | "unverifiable" | "failed" | "cancelled";

/** The live verdicts of one layer: the compressed blob against its digest, the tar against its diff_id. */
export function layerVerdicts(state: LayerJobState | undefined): { readonly digest: Verdict; readonly diffId: Verdict } {
  if (state === undefined) return { digest: "pending", diffId: "pending" };
  if (state.result !== undefined) {
    const r = state.result;
    // A stream that stopped early has no diff_id verdict worth the name; the digest one may still be final.
    const diffId: Verdict = r.error !== undefined && r.diffIdVerdict.status !== "mismatch" ? "failed" : r.diffIdVerdict.status;
    const digest: Verdict = r.error !== undefined && r.digestVerdict.status === "unverifiable" ? "failed" : r.digestVerdict.status;
    return { digest, diffId };
  }
  if (state.progress.stage === "cancelled") return { digest: "cancelled", diffId: "cancelled" };
  if (state.error !== undefined || state.progress.stage === "failed") {
    const e = state.error;
    if (e?.kind === "digest-mismatch") return e.what === "diff_id" ? { digest: "verified", diffId: "mismatch" } : { digest: "mismatch", diffId: "failed" };
    return { digest: "failed", diffId: "failed" };
  }
  return { digest: "pending", diffId: "pending" };
}

/** Counts of verdicts, for sentences like "3 of 4 verified". */
export function countVerdicts(verdicts: readonly Verdict[]): Record<Verdict, number> {
  const out: Record<Verdict, number> = { pending: 0, verified: 0, mismatch: 0, unverifiable: 0, failed: 0, cancelled: 0 };
  for (const v of verdicts) out[v]++;
  return out;
}

// ── history ──────────────────────────────────────────────────────────────────────────────────────

export interface HistoryLine {
  readonly historyIndex?: number;
  readonly createdBy?: string;
  readonly comment?: string;
  /** True for a step marked empty_layer: it changed the config only, and made no layer. */
  readonly empty: boolean;
  readonly layerIndex?: number;
  /** What `docker history` prints in its IMAGE column for this row: the short image ID on the top row, else "<missing>". */
  readonly dockerHistoryImage: string;
}

export type HistoryQuirk =
  | { readonly kind: "no-history"; readonly layers: number }
  | { readonly kind: "layers-vs-diffids"; readonly layers: number; readonly diffIds: number }
  | { readonly kind: "more-steps"; readonly made: number; readonly layers: number }
  | { readonly kind: "more-layers"; readonly made: number; readonly layers: number }
  /** One layer holding the work of several steps (docker build --squash, flattening tools). */
  | { readonly kind: "squashed"; readonly steps: number; readonly made: number; readonly merge: boolean }
  /** One layer made by one step: a FROM scratch image with a single file-adding step, or flattened with history rewritten. */
  | { readonly kind: "single-layer" }
  | { readonly kind: "no-layers" };

export interface HistoryStory {
  /** Newest first, as `docker history` prints them. */
  readonly lines: readonly HistoryLine[];
  readonly steps: number;
  readonly empty: number;
  /** Steps that say they made a layer (empty_layer not true). */
  readonly made: number;
  readonly layers: number;
  readonly diffIds: number;
  readonly quirks: readonly HistoryQuirk[];
}

/** `docker history`'s view of the config, and what does not add up, as data. */
export function historyStory(manifest: ImageManifest, config: ImageConfig, imageId: string): HistoryStory {
  const history = config.history ?? [];
  const layers = manifest.layers.length;
  const diffIds = config.rootfs.diff_ids.length;
  const empty = history.filter((h) => h.empty_layer === true).length;
  const made = history.length - empty;
  const rows = alignHistory(manifest, config).rows;
  const lines = rows
    .map((r, i): HistoryLine => ({
      ...(r.historyIndex !== undefined ? { historyIndex: r.historyIndex } : {}),
      ...(r.history?.created_by !== undefined ? { createdBy: r.history.created_by } : {}),
      ...(r.history?.comment !== undefined && r.history.comment !== "" ? { comment: r.history.comment } : {}),
      empty: r.history?.empty_layer === true,
      ...(r.layerIndex !== undefined && r.layer !== undefined ? { layerIndex: r.layerIndex } : {}),
      // Only the image itself was pulled; the images each earlier step left behind on the
      // builder's machine were never pushed, so their IDs are unknown here.
      dockerHistoryImage: i === rows.length - 1 ? shortHex(imageId) : "<missing>",
    }))
    .reverse();

  const quirks: HistoryQuirk[] = [];
  if (layers === 0) quirks.push({ kind: "no-layers" });
  if (layers !== diffIds) quirks.push({ kind: "layers-vs-diffids", layers, diffIds });
  if (history.length === 0) {
    if (layers > 0) quirks.push({ kind: "no-history", layers });
  } else if (made > layers) quirks.push({ kind: "more-steps", made, layers });
  else if (made < layers) quirks.push({ kind: "more-layers", made, layers });
  if (layers === 1 && history.length > 0) {
    const merge = history.some((h) => /^merge sha256:/.test(h.comment ?? ""));
    if (made > 1 || merge) quirks.push({ kind: "squashed", steps: history.length, made, merge });
    else if (made === 1) quirks.push({ kind: "single-layer" });
  }
  return { lines, steps: history.length, empty, made, layers, diffIds, quirks };
}

// ── overlay ──────────────────────────────────────────────────────────────────────────────────────

/** Where the demo mount keeps unpacked layers and the container's directories. */
export const OVERLAY_LAYER_ROOT = "/var/lib/layers/sha256";
export const OVERLAY_CONTAINER_ROOT = "/var/lib/containers/demo";

/** The lowerdir list for layers whose chain IDs are given base first: TOP layer first, base last. */
export function lowerDirs(chainIds: readonly string[]): string[] {
  return [...chainIds].reverse().map((c) => `${OVERLAY_LAYER_ROOT}/${digestHex(c)}/diff`);
}

/**
 * The overlayfs mount a runtime would make for these layers (chain IDs base first), one
 * directory per line. Each continued line starts at column 0, because a backslash-newline
 * inside the -o word joins the lines and indentation would end up in the option.
 * Undefined for an image with no layers: overlayfs needs at least one lower directory.
 */
export function overlayCommand(chainIds: readonly string[]): string | undefined {
  if (chainIds.length === 0) return undefined;
  const lower = lowerDirs(chainIds);
  return [
    "mount -t overlay overlay \\",
    `  -o lowerdir=${lower.join(":\\\n")},\\`,
    `upperdir=${OVERLAY_CONTAINER_ROOT}/upper,\\`,
    `workdir=${OVERLAY_CONTAINER_ROOT}/work \\`,
    `  ${OVERLAY_CONTAINER_ROOT}/merged`,
  ].join("\n");
}

// ── the pull ─────────────────────────────────────────────────────────────────────────────────────

export interface PullRequests {
  /** Manifest and index requests for this image, oldest first. */
  readonly manifest: readonly RequestRecord[];
  /** Requests for the config blob. */
  readonly config: readonly RequestRecord[];
  /** The last auth challenge the registry sent (passed on by the proxy), if any request got one. */
  readonly challenge?: string;
}

/**
 * This image's requests from the page's log: manifests of `repository` on `apiHost` named by
 * the tag or by a digest of a document on the way (index, platform manifest), and the config blob.
 */
export function pullRequests(
  records: readonly RequestRecord[],
  image: { readonly apiHost: string; readonly repository: string; readonly manifestRefs: readonly string[]; readonly configDigest: string },
): PullRequests {
  const mine = records.filter((r) => r.registry === image.apiHost && r.repository === image.repository);
  const manifest = mine.filter((r) => r.kind === "manifest" && r.reference !== undefined && image.manifestRefs.includes(r.reference));
  const config = mine.filter((r) => r.kind === "blob" && r.reference === image.configDigest);
  const challenge = [...mine].reverse().find((r) => r.challenge !== undefined)?.challenge;
  return { manifest, config, ...(challenge !== undefined ? { challenge } : {}) };
}
