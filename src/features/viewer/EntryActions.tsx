import type { DirectoryItem } from "../../lib/extract/download";
import type { TreeNode } from "../layers/tree";
import type { MergedRow, MergedRows } from "../merged/model";
import { useFileActions } from "../files/actions";
import { useSharedLayerJobs } from "../layers/LayerJobsContext";
import { DownloadButton, primaryButtonClass } from "./downloads";

/** What the trees know about the opened entry: enough to offer Open and Download. */
export type EntryActionTarget =
  | { readonly kind: "file" | "symlink"; readonly layer: number; readonly path: string }
  | { readonly kind: "dir"; readonly path: string; readonly items: () => readonly DirectoryItem[] };

/**
 * The Open and Download buttons under a tree's details. Shown only inside an image view whose
 * viewer listens (open) and whose layer store can read files again (download).
 */
export function EntryActions({ target }: { readonly target: EntryActionTarget }) {
  const actions = useFileActions();
  const jobs = useSharedLayerJobs()?.jobs;
  if (!jobs?.layerSource) return null;
  const canOpen = actions?.handles("open-file") === true;
  return (
    <div className="mt-2 flex flex-wrap items-center gap-2" data-testid="entry-actions">
      {target.kind !== "dir" && canOpen && (
        <button type="button" className={primaryButtonClass} data-testid="entry-open" onClick={() => actions?.emit({ type: "open-file", layer: target.layer, path: target.path })}>
          Open
        </button>
      )}
      {target.kind === "file" && <DownloadButton jobs={jobs} request={{ kind: "file", layer: target.layer, path: target.path }} label="Download" testId="entry-download" />}
      {target.kind === "dir" && (
        <DownloadButton jobs={jobs} request={{ kind: "directory", dir: target.path, items: target.items }} label="Download as tar" testId="entry-download-dir" />
      )}
    </div>
  );
}

/** Whether Enter / double-click should open the viewer on an entry of this type. */
export const opensInViewer = (type: string | undefined): boolean => type === "file" || type === "contiguous" || type === "hardlink" || type === "symlink";

/** Every node of `node`'s subtree (itself included) as a directory download item; `layerOf` says which layer provides it (undefined: skip). */
export function subtreeItems(node: TreeNode, layerOf: (n: TreeNode) => number | undefined): DirectoryItem[] {
  const out: DirectoryItem[] = [];
  const stack: TreeNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const layer = layerOf(n);
    if (layer !== undefined) out.push({ path: n.path, layer });
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/**
 * Opens `path` of `layer` in the viewer when the entry type is one it shows and a viewer
 * listens; returns whether it did (Enter and double-click in the trees).
 */
export function useOpenFile(): (layer: number, path: string, type: string | undefined) => boolean {
  const actions = useFileActions();
  return (layer, path, type) => {
    if (!actions?.handles("open-file") || !opensInViewer(type)) return false;
    actions.emit({ type: "open-file", layer, path });
    return true;
  };
}

/** Open / Download for an entry of one layer's tree (whiteouts have nothing to open). */
export function LayerEntryActions({ node, layer }: { readonly node: TreeNode; readonly layer: number }) {
  const e = node.entry;
  if (e !== undefined && e.whiteout !== "none") return null;
  if (e === undefined || e.type === "dir") {
    const items = (): DirectoryItem[] => subtreeItems(node, (n) => (n.entry === undefined || n.entry.whiteout === "none" ? layer : undefined));
    return <EntryActions target={{ kind: "dir", path: node.path, items }} />;
  }
  if (e.type === "symlink") return <EntryActions target={{ kind: "symlink", layer, path: node.path }} />;
  return opensInViewer(e.type) ? <EntryActions target={{ kind: "file", layer, path: node.path }} /> : null;
}

/** The layer that provides a merged-tree node (present, not implied), else undefined. */
export function mergedLayerOf(row: MergedRow | undefined): number | undefined {
  return row?.kind === "present" ? row.entry.version.layer : undefined;
}

/**
 * Open / Download for a node of the merged tree: the version that wins, from the layer that
 * provides it; a directory downloads with every entry under it from the layer providing each.
 */
export function MergedEntryActions({ node, rows }: { readonly node: TreeNode; readonly rows: MergedRows }) {
  const row = rows.get(node.key);
  if (row?.kind === "deleted") return null;
  const v = row?.entry.version;
  if (v === undefined || v.type === "dir") {
    return <EntryActions target={{ kind: "dir", path: node.path, items: () => subtreeItems(node, (n) => mergedLayerOf(rows.get(n.key))) }} />;
  }
  if (v.type === "symlink") return <EntryActions target={{ kind: "symlink", layer: v.layer, path: node.path }} />;
  return opensInViewer(v.type) ? <EntryActions target={{ kind: "file", layer: v.layer, path: node.path }} /> : null;
}

/** Downloads a layer's uncompressed tar, read and verified again on the way (its verdicts are shown after). */
export function LayerTarDownload({ layer }: { readonly layer: number }) {
  const jobs = useSharedLayerJobs()?.jobs;
  if (!jobs?.layerSource) return null;
  return <DownloadButton jobs={jobs} request={{ kind: "layer", layer }} label="Download layer tar" testId="layer-download-tar" />;
}
