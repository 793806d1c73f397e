/**
 * How much of an image's bytes the final filesystem never sees: dive's score, reproduced to the
 * bit, the same score with dive's double counting corrected, and our own per-layer accounting
 * from the overlay merge.
 *
 * Sizes are tar body sizes in bytes (LayerEntry.size: 0 for directories, links and whiteouts),
 * uncompressed. Layers are numbered base first, 0-based. Paths have no leading "/" (as in
 * MergedFilesystem); dive prints the same paths with one.
 *
 * ## dive's definitions (wagoodman/dive `dive/filetree/efficiency.go`, `dive/image/analysis.go`)
 *
 * Each layer is read as its own tree. Every LEAF of that tree (a node with no children: files,
 * links, empty directories, whiteouts; directories that have children in the layer are skipped)
 * adds one "discovered" copy of its path, of size:
 * - the entry's size, for a normal entry;
 * - for a whiteout `.wh.<name>`: if `<name>` is a directory in the stack of the lower layers,
 *   the sum of the sizes of that directory's subtree; if it is a file, 0 (dive sizes a deleted
 *   file as nothing, but still counts the copy).
 * Opaque markers (`.wh..wh..*`) are not in dive's trees at all, and dive's stacking ignores them.
 * Per path: `cumulative` = Σ copies' sizes, `min` = the smallest copy. Then
 * - `efficiency` = Σ_paths min / Σ_paths cumulative (1 when nothing was discovered);
 * - the inefficient files are the paths discovered at least twice;
 * - `wastedBytes` = Σ cumulative over the inefficient files — ALL their copies;
 * - `sizeBytes` = Σ over layers of the sizes of all their entries; `userSizeBytes` = the same
 *   without layer 0; `userWastedPercent` = wastedBytes / userSizeBytes (a ratio, 0..1+).
 *
 * ## The correction (dive issue #684, fixed by PR #685)
 * dive's `wastedBytes` sums every copy of a duplicated path, including the one copy that must
 * stay, while its efficiency already keeps one (the smallest) copy per path. Corrected:
 * `wastedBytes` = Σ (cumulative − min) over the inefficient files; `efficiency` is unchanged
 * and now agrees: efficiency = 1 − corrected wastedBytes / Σ cumulative.
 *
 * Where this differs from dive (odd inputs only): dive stops counting a layer at a whiteout of a
 * path missing below (an error it logs); here that whiteout counts as a 0-byte copy and the
 * layer goes on. dive applies a layer's whiteouts and entries in name order; here whiteouts go
 * first (the same for every name that does not sort before ".wh.").
 *
 * ## Our accounting (from mergeLayers)
 * Per layer, `addedBytes` = Σ sizes of every entry the layer carries; `liveBytes` = the bytes of
 * its versions still visible at the top; `wastedBytes` = added − live, split into
 * `deletedBytes` (versions a whiteout, an opaque marker or a file-over-directory removed) and
 * `overwrittenBytes` (the rest: versions a later layer replaced, duplicates within the layer,
 * unsafe paths kept out of the merge).
 */
import type { DeletedPath, MergedFilesystem, PathVersion } from "./types";
import { mergeLayers, type MergeInput } from "./merge";

/** One sentence for the UI, beside dive's figure and ours. */
export const EFFICIENCY_CORRECTION_NOTE =
  "dive's \"wasted bytes\" adds up every copy of a file that appears in more than one layer, including the one copy that has to stay, so it double-counts; the corrected figure keeps the smallest copy of each path (as dive's own efficiency score already does) and counts only the rest (dive issue #684).";

/** The five figures dive reports. */
export interface DiveFigures {
  /** 0..1: Σ smallest copy per path / Σ all copies (1 when the image discovers no bytes). */
  readonly efficiency: number;
  readonly wastedBytes: number;
  /** wastedBytes / userSizeBytes (0 when there is no user layer). */
  readonly userWastedPercent: number;
  readonly sizeBytes: number;
  /** Bytes of every layer after the first (dive treats layer 0 as "the base image"). */
  readonly userSizeBytes: number;
}

/** A path dive counts more than once. */
export interface DiveInefficiency {
  readonly path: string;
  /** Copies discovered (including whiteouts of it). */
  readonly count: number;
  /** dive's figure: Σ all copies. */
  readonly cumulativeBytes: number;
  /** The corrected figure: Σ all copies − the smallest. */
  readonly reclaimableBytes: number;
  /** Layers that wrote or whited out this path, ascending. */
  readonly layers: readonly number[];
}

/** One layer's bytes, from the overlay merge. */
export interface LayerEfficiency {
  readonly layer: number;
  readonly addedBytes: number;
  /** Bytes of this layer still visible at the top of the image. */
  readonly liveBytes: number;
  /** addedBytes − liveBytes. */
  readonly wastedBytes: number;
  readonly overwrittenBytes: number;
  readonly deletedBytes: number;
}

/** A path whose bytes are partly or wholly invisible at the top, from the overlay merge. */
export interface WastedFile {
  readonly path: string;
  /** Versions written (a deleted path counts the versions it had). */
  readonly count: number;
  /** Bytes of versions not visible at the top. */
  readonly wastedBytes: number;
  /** Layers involved (writers, and the remover for a deleted path), ascending. */
  readonly layers: readonly number[];
  /** True when the path is gone at the top (whited out or replaced). */
  readonly deleted: boolean;
}

export interface EfficiencyReport {
  readonly dive: DiveFigures;
  /** dive's figures with issue #684 corrected (see {@link EFFICIENCY_CORRECTION_NOTE}). */
  readonly corrected: DiveFigures;
  /** dive's inefficient-files list (count ≥ 2), biggest cumulative first. */
  readonly diveInefficiencies: readonly DiveInefficiency[];
  /** Our overlay-based totals: added, wasted and 1 − wasted/added. */
  readonly overlay: DiveFigures;
  readonly perLayer: readonly LayerEfficiency[];
  /** Paths with wasted bytes, biggest first. */
  readonly wastedFiles: readonly WastedFile[];
}

const WHITEOUT_PREFIX = ".wh.";
/** dive drops every name with this prefix from its trees (opaque markers included). */
const DIVE_META_PREFIX = ".wh..wh..";

/** A node of one layer's tree, as dive builds it. Internal. */
interface DiveLayerNode {
  isDir: boolean;
  size: number;
  kids: number;
}

/** A node of dive's stacked tree. Internal. */
interface DiveStackNode {
  isDir: boolean;
  size: number;
}

const parentOf = (path: string): string => {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
};

const baseOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** The path dive files a node under: a whiteout leaf `.wh.<name>` counts as `<name>`. */
function diveKey(path: string): string {
  const base = baseOf(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return path;
  const dir = parentOf(path);
  const name = base.slice(WHITEOUT_PREFIX.length);
  return dir === "" ? name : `${dir}/${name}`;
}

/**
 * One layer's tree as dive builds it: each entry's path with its ancestors; ancestors the layer
 * does not list get an empty payload (not a directory, size 0); a `.wh..wh..` name stops the path.
 */
function diveLayerTree(entries: readonly MergeInput[]): Map<string, DiveLayerNode> {
  const tree = new Map<string, DiveLayerNode>();
  for (const e of entries) {
    if (e.path === "") continue;
    const names = e.path.split("/");
    let path = "";
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const parent = path;
      path = parent === "" ? name : `${parent}/${name}`;
      let node = tree.get(path);
      if (!node) {
        if (name.startsWith(DIVE_META_PREFIX)) break;
        node = { isDir: false, size: 0, kids: 0 };
        tree.set(path, node);
        if (parent !== "") (tree.get(parent) as DiveLayerNode).kids++;
      }
      if (i === names.length - 1) {
        node.isDir = e.type === "dir";
        node.size = e.size;
      }
    }
  }
  return tree;
}

/** dive's stack of the layers seen so far: payloads by path plus a children index. Internal. */
class DiveStack {
  private readonly nodes = new Map<string, DiveStackNode>();
  private readonly children = new Map<string, Set<string>>();

  /** Σ sizes of `path`'s subtree when it is a directory; 0 for a file or a missing path. */
  whiteoutSize(path: string): number {
    const node = this.nodes.get(path);
    if (!node || !node.isDir) return 0;
    let sum = 0;
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      sum += this.nodes.get(p)?.size ?? 0;
      const kids = this.children.get(p);
      if (kids) for (const k of kids) stack.push(k);
    }
    return sum;
  }

  private remove(path: string): void {
    if (!this.nodes.has(path)) return;
    this.children.get(parentOf(path))?.delete(path);
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      this.nodes.delete(p);
      const kids = this.children.get(p);
      if (kids) for (const k of kids) stack.push(k);
      this.children.delete(p);
    }
  }

  private set(path: string, payload: DiveStackNode): void {
    const node = this.nodes.get(path);
    if (node) {
      // dive replaces the payload and keeps the children, whatever the types.
      node.isDir = payload.isDir;
      node.size = payload.size;
      return;
    }
    const parent = parentOf(path);
    if (parent !== "" && !this.nodes.has(parent)) this.set(parent, { isDir: false, size: 0 });
    this.nodes.set(path, { ...payload });
    let kids = this.children.get(parent);
    if (!kids) {
      kids = new Set();
      this.children.set(parent, kids);
    }
    kids.add(path);
  }

  /** Stacks one layer's tree: whiteouts remove subtrees, every other node sets its payload. */
  stack(tree: ReadonlyMap<string, DiveLayerNode>): void {
    for (const [path, node] of tree) if (node.kids === 0 && baseOf(path).startsWith(WHITEOUT_PREFIX)) this.remove(diveKey(path));
    for (const [path, node] of tree) if (!baseOf(path).startsWith(WHITEOUT_PREFIX)) this.set(path, node);
  }
}

interface DivePath {
  cumulative: number;
  min: number;
  count: number;
  layers: number[];
}

function diveAnalysis(layers: readonly (readonly MergeInput[])[]): { dive: DiveFigures; corrected: DiveFigures; list: DiveInefficiency[] } {
  const paths = new Map<string, DivePath>();
  const stack = new DiveStack();
  let sizeBytes = 0;
  let userSizeBytes = 0;
  layers.forEach((entries, layer) => {
    let layerSize = 0;
    for (const e of entries) if (e.path !== "") layerSize += e.size;
    sizeBytes += layerSize;
    if (layer > 0) userSizeBytes += layerSize;

    const tree = diveLayerTree(entries);
    for (const [path, node] of tree) {
      if (node.kids > 0) continue; // dive visits leaves only
      const whiteout = baseOf(path).startsWith(WHITEOUT_PREFIX);
      const key = whiteout ? diveKey(path) : path;
      const size = whiteout ? stack.whiteoutSize(key) : node.size;
      let data = paths.get(key);
      if (!data) {
        data = { cumulative: 0, min: -1, count: 0, layers: [] };
        paths.set(key, data);
      }
      data.cumulative += size;
      if (data.min < 0 || size < data.min) data.min = size;
      data.count++;
      if (data.layers[data.layers.length - 1] !== layer) data.layers.push(layer);
    }
    stack.stack(tree);
  });

  let minSum = 0;
  let cumulativeSum = 0;
  let wasted = 0;
  let reclaimable = 0;
  const list: DiveInefficiency[] = [];
  for (const [path, d] of paths) {
    minSum += d.min;
    cumulativeSum += d.cumulative;
    if (d.count < 2) continue;
    wasted += d.cumulative;
    reclaimable += d.cumulative - d.min;
    list.push({ path, count: d.count, cumulativeBytes: d.cumulative, reclaimableBytes: d.cumulative - d.min, layers: d.layers });
  }
  list.sort((a, b) => b.cumulativeBytes - a.cumulativeBytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Same operations as dive's float64(a) / float64(b): both sums are exact integers below 2^53.
  const efficiency = cumulativeSum === 0 ? 1 : minSum / cumulativeSum;
  const ratio = (w: number): number => (userSizeBytes === 0 ? 0 : w / userSizeBytes);
  return {
    dive: { efficiency, wastedBytes: wasted, userWastedPercent: ratio(wasted), sizeBytes, userSizeBytes },
    corrected: { efficiency, wastedBytes: reclaimable, userWastedPercent: ratio(reclaimable), sizeBytes, userSizeBytes },
    list,
  };
}

const sizeOf = (versions: readonly PathVersion[]): number => versions.reduce((s, v) => s + v.size, 0);

/**
 * dive's figures, the corrected ones, and the overlay accounting for an image's layers (each
 * layer's entries in tar order, base first). `merged` is the top-layer merge when the caller
 * already has it (`mergeLayers(layers)`).
 */
export function computeEfficiency(layers: readonly (readonly MergeInput[])[], merged?: MergedFilesystem): EfficiencyReport {
  const { dive, corrected, list } = diveAnalysis(layers);
  const fs = merged ?? mergeLayers(layers);

  const added = layers.map((entries) => entries.reduce((s, e) => s + (e.path === "" ? 0 : e.size), 0));
  const live = layers.map(() => 0);
  const deleted = layers.map(() => 0);
  const wastedFiles: WastedFile[] = [];

  for (const entry of fs.entries.values()) {
    if (!entry.implied) live[entry.version.layer] = (live[entry.version.layer] ?? 0) + entry.version.size;
    if (entry.hides.length === 0) continue;
    const wasted = sizeOf(entry.hides);
    if (wasted === 0) continue;
    const involved = new Set<number>([entry.version.layer, ...entry.hides.map((v) => v.layer)]);
    wastedFiles.push({ path: entry.path, count: entry.hides.length + (entry.implied ? 0 : 1), wastedBytes: wasted, layers: [...involved].sort((a, b) => a - b), deleted: false });
  }
  for (const d of fs.deleted.values() as IterableIterator<DeletedPath>) {
    deleted[d.last.layer] = (deleted[d.last.layer] ?? 0) + d.last.size;
    const versions = [d.last, ...(d.earlier ?? [])];
    const wasted = sizeOf(versions);
    if (wasted === 0) continue;
    const involved = new Set<number>([...versions.map((v) => v.layer), d.removedBy]);
    wastedFiles.push({ path: d.path, count: versions.length, wastedBytes: wasted, layers: [...involved].sort((a, b) => a - b), deleted: true });
  }
  wastedFiles.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const perLayer: LayerEfficiency[] = added.map((addedBytes, layer) => {
    const liveBytes = live[layer] ?? 0;
    const wastedBytes = addedBytes - liveBytes;
    const deletedBytes = Math.min(deleted[layer] ?? 0, wastedBytes);
    return { layer, addedBytes, liveBytes, wastedBytes, overwrittenBytes: wastedBytes - deletedBytes, deletedBytes };
  });
  const sizeBytes = added.reduce((s, n) => s + n, 0);
  const userSizeBytes = sizeBytes - (added[0] ?? 0);
  const wastedBytes = perLayer.reduce((s, l) => s + l.wastedBytes, 0);
  const overlay: DiveFigures = {
    efficiency: sizeBytes === 0 ? 1 : 1 - wastedBytes / sizeBytes,
    wastedBytes,
    userWastedPercent: userSizeBytes === 0 ? 0 : wastedBytes / userSizeBytes,
    sizeBytes,
    userSizeBytes,
  };
  return { dive, corrected, diveInefficiencies: list, overlay, perLayer, wastedFiles };
}
