/**
 * A nested squarified treemap of a size tree: each directory a framed group with a label strip,
 * its children squarified inside (squarify.ts), down to what is big enough to see.
 *
 * Bounded output whatever the input: in a directory, the children whose tile would cover less
 * than `minArea` (px²) are gathered into one "N small items" tile, and a directory too small to
 * hold a label and a tile is drawn closed (a leaf). So a filesystem of 200 000 paths in a
 * 1 000 × 600 px box gives at most about 1 000·600 / minArea leaves plus their frames, and
 * `maxTiles` caps the total anyway. Zero-byte items (empty files, links, empty directories) take
 * no area and get no tile.
 *
 * Pure and deterministic: the tree's children are already sorted (biggest first, then by name).
 */
import { childrenOf, NodeKind, type SizeTree } from "./sizetree";
import { squarify, type Rect } from "./squarify";

export type TileKind = "file" | "dir" | "other" | "rest";

export interface TreemapTile extends Rect {
  /** The node drawn; for a "rest" tile, the directory whose small children it gathers. */
  readonly node: number;
  /** 0 for the children of the layout's root, +1 per directory level. */
  readonly depth: number;
  readonly kind: TileKind;
  /** For a "dir": true when its children are drawn inside it. */
  readonly open?: boolean;
  /** For a "rest" tile: the items it gathers (`childrenOf(node)` from `restFrom` on), their bytes and the regular files among (or under) them. */
  readonly restFrom?: number;
  readonly restCount?: number;
  readonly restBytes?: number;
  readonly restFiles?: number;
}

export interface TreemapOptions {
  /** A child whose tile would cover less than this many px² joins its directory's "small items" tile. */
  readonly minArea?: number;
  /** Height of a directory's label strip, px. */
  readonly header?: number;
  /** Inset of a directory's children from its frame, px. */
  readonly padding?: number;
  /** Stop opening directories once this many tiles are laid out. */
  readonly maxTiles?: number;
}

export const DEFAULT_TREEMAP_OPTIONS: Required<TreemapOptions> = { minArea: 144, header: 16, padding: 2, maxTiles: 5000 };

export interface TreemapLayout {
  readonly tiles: readonly TreemapTile[];
  /** The root laid out (a directory id). */
  readonly root: number;
  /** True when `maxTiles` stopped some directory from opening. */
  readonly capped: boolean;
}

const KIND_OF: Readonly<Record<NodeKind, TileKind>> = { [NodeKind.Dir]: "dir", [NodeKind.File]: "file", [NodeKind.Other]: "other" };

/**
 * Tiles for the subtree of `root` inside `bounds`, parents before children (draw in order).
 */
export function layoutTreemap(tree: SizeTree, root: number, bounds: Rect, options: TreemapOptions = {}): TreemapLayout {
  const { minArea, header, padding, maxTiles } = { ...DEFAULT_TREEMAP_OPTIONS, ...options };
  const tiles: TreemapTile[] = [];
  let capped = false;
  // Depth-first with an explicit stack (paths may be thousands of levels deep, T11).
  const stack: { node: number; rect: Rect; depth: number }[] = [{ node: root, rect: bounds, depth: 0 }];
  const minSide = Math.sqrt(minArea);

  while (stack.length > 0) {
    const { node, rect, depth } = stack.pop()!;
    const total = tree.size[node] as number;
    if (!(total > 0) || !(rect.w > 0) || !(rect.h > 0)) continue;
    const kids = childrenOf(tree, node);
    const scale = (rect.w * rect.h) / total;

    // Children are sorted biggest first: the ones that fit are a prefix.
    let big = 0;
    while (big < kids.length && (tree.size[kids[big] as number] as number) * scale >= minArea) big++;
    let end = big;
    while (end < kids.length && (tree.size[kids[end] as number] as number) > 0) end++;
    // One small item is drawn as itself; two or more are gathered.
    const gather = end - big >= 2;
    const shown = gather ? big : end;
    const sizes: number[] = [];
    for (let k = 0; k < shown; k++) sizes.push(tree.size[kids[k] as number] as number);
    let restBytes = 0;
    let restFiles = 0;
    if (gather) {
      for (let k = big; k < end; k++) {
        restBytes += tree.size[kids[k] as number] as number;
        restFiles += tree.files[kids[k] as number] as number;
      }
      sizes.push(restBytes);
    }
    const rects = squarify(sizes, rect);

    const opened: { node: number; rect: Rect; depth: number }[] = [];
    for (let k = 0; k < shown; k++) {
      const child = kids[k] as number;
      const r = rects[k] as Rect;
      const kind = KIND_OF[tree.kind[child] as NodeKind];
      if (kind !== "dir") {
        tiles.push({ ...r, node: child, depth, kind });
        continue;
      }
      const inner: Rect = { x: r.x + padding, y: r.y + header, w: r.w - 2 * padding, h: r.h - header - padding };
      // Open only when something inside would be drawn as itself: a frame around a lone "small
      // items" tile says less than the closed directory does.
      const first = childrenOf(tree, child)[0];
      const innerScale = (inner.w * inner.h) / (tree.size[child] as number);
      const roomy = inner.w >= minSide && inner.h >= minSide && first !== undefined && (tree.size[first] as number) * innerScale >= minArea;
      const open = roomy && tiles.length < maxTiles;
      if (roomy && !open) capped = true;
      tiles.push({ ...r, node: child, depth, kind, open });
      if (open) opened.push({ node: child, rect: inner, depth: depth + 1 });
    }
    if (gather) tiles.push({ ...(rects[shown] as Rect), node, depth, kind: "rest", restFrom: big, restCount: end - big, restBytes, restFiles });
    for (let k = opened.length - 1; k >= 0; k--) stack.push(opened[k]!);
  }
  return { tiles, root, capped };
}
