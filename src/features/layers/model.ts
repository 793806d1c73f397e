/**
 * What the layers view derives from the store's snapshot: verdicts as shown, trust, and the
 * changes of a layer against the ones below it. Pure functions, no React.
 */
import type { Verification } from "../../core/digest";
import { sameElements } from "../../lib/collections";
import { buildLowerFilesystem, classifyEntries, classifyImpliedDirectory, type ChangeKind, type LowerFilesystem } from "../../core/filetree/changes";
import type { LayerIndex } from "../../core/pipeline/types";
import { isTrusted } from "../../core/pipeline/types";
import type { LayerJobState } from "../../lib/layers/types";
import { buildFileTree, type FileTree, type TreeNode } from "./tree";

/** A verdict as the page shows it: the core's Verification, or "pending" before the layer ends. */
export type ShownVerdict = Verification | { readonly status: "pending" } | { readonly status: "unverifiable"; readonly reason: string; readonly digest?: string };

/** The running stages: the ones that can be cancelled. */
export const isRunning = (s: LayerJobState): boolean => s.progress.stage === "queued" || s.progress.stage === "downloading";

/** Failed or cancelled: the ones that can be retried. */
export const isRetryable = (s: LayerJobState): boolean => s.progress.stage === "failed" || s.progress.stage === "cancelled";

/**
 * The compressed blob's verdict (against the manifest's digest): the result's once there is one;
 * a digest-mismatch error says it too; before the end it is pending; a layer that stopped early
 * without one could not be verified.
 */
export function digestVerdict(s: LayerJobState): ShownVerdict {
  if (s.result) return s.result.digestVerdict;
  if (s.error?.kind === "digest-mismatch" && s.error.what === "blob") return { status: "mismatch", expected: s.error.expected, actual: s.error.actual };
  if (s.error?.kind === "unsupported-digest") return { status: "unverifiable", digest: s.error.digest, reason: "an algorithm Layerscope cannot compute" };
  if (s.progress.stage === "failed") return { status: "unverifiable", digest: s.descriptor.digest, reason: "the download stopped before the end of the blob" };
  return { status: "pending" };
}

/** The uncompressed tar's verdict (against config.rootfs.diff_ids[i]), as {@link digestVerdict}. */
export function diffIdVerdict(s: LayerJobState): ShownVerdict {
  if (s.result) return s.result.diffIdVerdict;
  if (s.error?.kind === "digest-mismatch" && s.error.what === "diff_id") return { status: "mismatch", expected: s.error.expected, actual: s.error.actual };
  if (s.diffId === undefined) return { status: "unverifiable", reason: "the config lists no diff_id for this layer" };
  if (s.progress.stage === "failed") return { status: "unverifiable", digest: s.diffId, reason: "the stream stopped before the end of the tar" };
  return { status: "pending" };
}

/**
 * "trusted" only when the layer finished and both verdicts are verified (isTrusted);
 * "untrusted" when it finished (or failed) in a way that must not be trusted — a mismatch, a
 * partial or errored result, an overrun; "unknown" while it runs, or when cancelled, truncated or
 * failed before anything could be checked (nothing to show, nothing to trust).
 */
export function trust(s: LayerJobState): "trusted" | "untrusted" | "unknown" {
  if (s.result) return isTrusted(s.result) ? "trusted" : "untrusted";
  const k = s.error?.kind;
  if (k === "digest-mismatch" || k === "corrupt-compression" || k === "corrupt-tar" || k === "limit-exceeded") return "untrusted";
  // More bytes than the descriptor names: the registry served something else. Fewer: a cut connection, retried.
  if (s.error?.kind === "size-mismatch" && s.error.direction === "overrun") return "untrusted";
  return "unknown";
}

/** Why a finished layer is untrusted, in a few words, for the badge's title. */
export function untrustedReason(s: LayerJobState): string {
  const r = s.result;
  const parts: string[] = [];
  const d = digestVerdict(s);
  const f = diffIdVerdict(s);
  if (d.status === "mismatch") parts.push("the blob does not match its digest");
  else if (d.status === "unverifiable") parts.push("the blob's digest could not be verified");
  if (f.status === "mismatch") parts.push("the tar does not match its diff_id");
  else if (f.status === "unverifiable") parts.push("the tar's diff_id could not be verified");
  if (r?.partial) parts.push("only part of the layer was read");
  if ((r?.error ?? s.error) && parts.length === 0) parts.push("the layer stopped with an error");
  return `Do not trust these files: ${parts.join("; ") || "verification did not pass"}.`;
}

/** What the tree shows for one layer against the layers below it. */
export interface LayerChanges {
  /** Change of a node: its entry's class, "opaque" for a directory with an opaque marker, implied directories by presence below. */
  changeOf(node: TreeNode): ChangeKind;
  /** True when `path` exists in the lower layers' net filesystem (a whiteout of a missing path is a no-op, T4). */
  existsBelow(path: string): boolean;
  /** The 0-based layerIndex that last provided `path` below this layer, if any. */
  providerOf(path: string): number | undefined;
  readonly counts: Readonly<Record<ChangeKind, number>>;
  /** Lower layers (layerIndex) that are not indexed yet, or only partially: "modified" may then show as "added". */
  readonly incompleteBelow: readonly number[];
}

/**
 * Classifies a layer's tree against the layers below it. `lowers[i]` is layer i's result, or
 * undefined while it is not indexed; those are skipped and reported in `incompleteBelow`.
 * Cost: one pass over every lower entry and one over this layer's.
 */
export function layerChanges(tree: FileTree, layer: LayerIndex, lowers: readonly (LayerIndex | undefined)[]): LayerChanges {
  const included: number[] = [];
  const incompleteBelow: number[] = [];
  const lists = [];
  for (let i = 0; i < lowers.length; i++) {
    const r = lowers[i];
    if (!r || r.partial) incompleteBelow.push(i);
    if (r) {
      lists.push(r.entries);
      included.push(i);
    }
  }
  const lower: LowerFilesystem = buildLowerFilesystem(lists);
  const kinds = classifyEntries(lower, layer.entries);
  const counts: Record<ChangeKind, number> = { added: 0, modified: 0, deleted: 0, opaque: 0 };
  for (const k of kinds) counts[k]++;
  return {
    counts,
    incompleteBelow,
    existsBelow: (path) => lower.has(path),
    providerOf(path) {
      const at = lower.providerOf(path);
      return at === undefined ? undefined : included[at];
    },
    changeOf(node) {
      if (node.opaqueEntry) return "opaque";
      if (node.entryIndex >= 0) return kinds[node.entryIndex] ?? "added";
      return classifyImpliedDirectory(lower, node.path);
    },
  };
}


/**
 * A layer's tree, built once per result object and kept as long as the result is. Cached outside
 * React so a render that React throws away (a deferred render interrupted by a progress tick)
 * does not throw away seconds of work with it.
 */
const trees = new WeakMap<LayerIndex, FileTree>();
export function treeFor(result: LayerIndex): FileTree {
  let tree = trees.get(result);
  if (!tree) {
    tree = buildFileTree(result.entries);
    trees.set(result, tree);
  }
  return tree;
}

/** {@link layerChanges}, cached per tree for the last set of lower results it was asked with. */
const changeCache = new WeakMap<FileTree, { lowers: readonly (LayerIndex | undefined)[]; changes: LayerChanges }>();
export function changesFor(tree: FileTree, layer: LayerIndex, lowers: readonly (LayerIndex | undefined)[]): LayerChanges {
  const hit = changeCache.get(tree);
  if (hit && sameElements(hit.lowers, lowers)) return hit.changes;
  const changes = layerChanges(tree, layer, lowers);
  changeCache.set(tree, { lowers, changes });
  return changes;
}
