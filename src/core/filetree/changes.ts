/**
 * What one layer changes, compared with the layers below it: each entry is "added",
 * "modified", "deleted" (a whiteout) or "opaque" (an opaque-directory marker).
 *
 * Scope, honestly: this answers "did this path exist in the lower layers' net filesystem?" and
 * remembers which layer last provided it. It is not the full overlay merge with provenance
 * (which versions a path hides, what each whiteout removed, link resolution): that is a later
 * issue. It follows image-spec layer.md closely enough for that one question:
 *
 * - Layers are applied base first. Within a layer, its whiteouts and opaque markers are applied
 *   to the lower layers' state before its own entries are added, because a whiteout "hides only
 *   lower layers" (layer.md "Whiteouts") — never a sibling of the same layer, whatever the tar order.
 * - `.wh.<name>` removes `<name>` and everything under it; `.wh..wh..opq` removes the lower
 *   children of its directory but keeps the directory.
 * - A non-directory replacing a directory removes the directory's lower children (overlayfs
 *   semantics: the file hides the whole lower tree at that path).
 * - An entry implies its ancestor directories.
 * - Entries flagged "unsafe-path" (escaping the root, SECURITY T1) are kept out of the lower
 *   filesystem; they are still classified in their own layer by their literal path.
 *
 * Paths are LayerEntry.path: normalised, no leading "/" or "./", no trailing "/". Names are
 * kept in Maps, never object keys, so `__proto__` and `constructor` are plain names (T12).
 */
import type { LayerEntry } from "../pipeline/types";

/** How an entry of the inspected layer relates to the layers below it. */
export type ChangeKind = "added" | "modified" | "deleted" | "opaque";

/** The fields of a LayerEntry this module reads. */
export type ChangeEntry = Pick<LayerEntry, "path" | "type" | "whiteout" | "whiteoutTarget" | "flags">;

/** One path's state in the lower filesystem. Internal: a trie keyed by path component. */
interface FsNode {
  /** Position (base first, 0-based) of the layer that last wrote this path, or implied it as a directory. */
  layer: number;
  /** True when an entry wrote this path explicitly; false for directories only implied by deeper paths. */
  explicit: boolean;
  isDir: boolean;
  children: Map<string, FsNode> | undefined;
}

/** The net filesystem of a stack of layers, enough to answer "was this path there?". */
export interface LowerFilesystem {
  /** Number of layers applied (the inspected layer's index, when built from everything below it). */
  readonly layers: number;
  /** True when `path` exists after applying every layer (the root "" always exists). */
  has(path: string): boolean;
  /**
   * The 0-based layer that last wrote `path` (or first implied it, for a directory no layer
   * wrote explicitly), or undefined when it does not exist.
   */
  providerOf(path: string): number | undefined;
}

/** Splits a normalised path into components; "" and "." are the root (no components). */
function components(path: string): string[] {
  if (path === "" || path === ".") return [];
  return path.split("/").filter((c) => c !== "" && c !== ".");
}

/** The target a whiteout hides, from the parser's `whiteoutTarget` or, failing that, the name itself. */
export function whiteoutTargetOf(entry: ChangeEntry): string {
  if (entry.whiteoutTarget !== undefined) return entry.whiteoutTarget;
  const slash = entry.path.lastIndexOf("/");
  const dir = slash < 0 ? "" : entry.path.slice(0, slash);
  const base = slash < 0 ? entry.path : entry.path.slice(slash + 1);
  if (entry.whiteout === "opaque") return dir;
  const name = base.startsWith(".wh.") ? base.slice(4) : base;
  return dir === "" ? name : `${dir}/${name}`;
}

const isUnsafe = (e: ChangeEntry): boolean => e.flags?.includes("unsafe-path") === true;

class Trie implements LowerFilesystem {
  readonly root: FsNode = { layer: -1, explicit: false, isDir: true, children: new Map() };
  layers = 0;

  private find(path: string): FsNode | undefined {
    let node: FsNode | undefined = this.root;
    for (const c of components(path)) {
      node = node.children?.get(c);
      if (!node) return undefined;
    }
    return node;
  }

  has(path: string): boolean {
    return this.find(path) !== undefined;
  }

  providerOf(path: string): number | undefined {
    const node = this.find(path);
    return node && node !== this.root ? node.layer : undefined;
  }

  /** Removes `path` and everything under it. A missing path is a harmless no-op (T4). */
  remove(path: string): void {
    const parts = components(path);
    const last = parts.pop();
    if (last === undefined) return; // a whiteout of the root itself is meaningless; ignored
    let node: FsNode | undefined = this.root;
    for (const c of parts) {
      node = node.children?.get(c);
      if (!node) return;
    }
    node.children?.delete(last);
  }

  /** Removes the children of directory `path` (an opaque marker), keeping the directory. */
  clear(path: string): void {
    const node = this.find(path);
    if (node?.children) node.children = new Map();
  }

  /** Writes `path` from `layer`, implying its ancestors as directories. */
  add(path: string, layer: number, isDir: boolean): void {
    const parts = components(path);
    if (parts.length === 0) return; // the root entry ("./") changes nothing we track
    let node = this.root;
    for (let i = 0; i < parts.length; i++) {
      const c = parts[i] as string;
      const leaf = i === parts.length - 1;
      node.children ??= new Map();
      let child = node.children.get(c);
      if (!child) {
        child = { layer, explicit: leaf, isDir: leaf ? isDir : true, children: undefined };
        node.children.set(c, child);
      } else if (leaf) {
        child.layer = layer;
        child.explicit = true;
        // A file over a directory hides the lower tree beneath it; a directory over a file starts empty.
        if (!isDir || !child.isDir) child.children = undefined;
        child.isDir = isDir;
      } else if (!child.isDir) {
        // A deeper path through a lower non-directory: the tar implies a directory here.
        child.isDir = true;
        child.layer = layer;
        child.explicit = false;
        child.children = undefined;
      }
      node = child;
    }
  }

  /** Applies one layer: its whiteouts and opaque markers first (they hide lower layers only), then its entries. */
  apply(entries: readonly ChangeEntry[]): void {
    const layer = this.layers;
    for (const e of entries) {
      if (isUnsafe(e)) continue;
      if (e.whiteout === "whiteout") this.remove(whiteoutTargetOf(e));
      else if (e.whiteout === "opaque") this.clear(whiteoutTargetOf(e));
    }
    for (const e of entries) {
      if (isUnsafe(e) || e.whiteout === "whiteout" || e.whiteout === "opaque") continue;
      this.add(e.path, layer, e.type === "dir");
    }
    this.layers++;
  }
}

/**
 * The net filesystem of `lowers`, applied in order (base first): the layers below the one being
 * inspected. Cost: one pass over every entry, O(total path components).
 */
export function buildLowerFilesystem(lowers: readonly (readonly ChangeEntry[])[]): LowerFilesystem {
  const trie = new Trie();
  for (const entries of lowers) trie.apply(entries);
  return trie;
}

/**
 * Classifies each entry of a layer (tar order) against the lower filesystem. The result is
 * parallel to `entries`:
 * - a whiteout → "deleted" (its target is `whiteoutTargetOf(entry)`);
 * - an opaque marker → "opaque" (it applies to its directory);
 * - anything else, including badly formed `.wh.` names, by its literal path: "modified" when the
 *   path exists below, else "added".
 */
export function classifyEntries(lower: LowerFilesystem, entries: readonly ChangeEntry[]): ChangeKind[] {
  return entries.map((e) => {
    if (e.whiteout === "whiteout") return "deleted";
    if (e.whiteout === "opaque") return "opaque";
    return lower.has(e.path) ? "modified" : "added";
  });
}

/**
 * A directory the layer does not list but implies (a deeper path goes through it): "modified"
 * when it exists below (something inside it changed), else "added".
 */
export function classifyImpliedDirectory(lower: LowerFilesystem, path: string): "added" | "modified" {
  return lower.has(path) ? "modified" : "added";
}

/**
 * True when a whiteout hides something that exists below. False means it is a harmless no-op
 * (a whiteout of a missing path, T4) that an explorer may flag.
 */
export function whiteoutHidesSomething(lower: LowerFilesystem, entry: ChangeEntry): boolean {
  return lower.has(whiteoutTargetOf(entry));
}
