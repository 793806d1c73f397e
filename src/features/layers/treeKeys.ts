/**
 * The keyboard of a virtualised tree (the layer tree and the merged tree share it): ↑/↓ move,
 * PageUp/PageDown jump a screenful, Home/End, → unfolds then steps into the children, ← folds
 * then goes to the parent, Enter opens, `/` jumps to the filter. A view passes its own state in
 * and handles extra keys with `extra`.
 */
import type { KeyboardEvent } from "react";
import type { TreeNode } from "./tree";

export interface TreeKeyContext {
  readonly rows: readonly TreeNode[];
  /** Index in `rows` of the focused node (or its nearest shown ancestor); -1 for none. */
  readonly focusIndex: number;
  /** Rows in one screenful, for PageUp/PageDown. */
  readonly pageRows: number;
  focusAt(index: number): void;
  /** Focus a node that may not be in `rows` yet, revealing it (← to the parent). */
  focusNode(node: TreeNode): void;
  isExpanded(node: TreeNode): boolean;
  setOpen(node: TreeNode, open: boolean): void;
  activate(node: TreeNode): void;
  focusFilter(): void;
  /** A view's own keys; return true when handled. */
  extra?(key: string, node: TreeNode | undefined): boolean;
}

/** Handles one keydown on the tree; prevents the default only for keys it used. */
export function onTreeKeyDown(e: KeyboardEvent<HTMLElement>, c: TreeKeyContext): void {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const at = c.focusIndex < 0 ? 0 : c.focusIndex;
  const node = c.rows[at];
  let handled = true;
  switch (e.key) {
    case "ArrowDown":
      c.focusAt(c.focusIndex < 0 ? 0 : at + 1);
      break;
    case "ArrowUp":
      c.focusAt(at - 1);
      break;
    case "PageDown":
      c.focusAt(at + c.pageRows);
      break;
    case "PageUp":
      c.focusAt(at - c.pageRows);
      break;
    case "Home":
      c.focusAt(0);
      break;
    case "End":
      c.focusAt(c.rows.length - 1);
      break;
    case "ArrowRight":
      if (!node) break;
      if (node.descendants > 0 && !c.isExpanded(node)) c.setOpen(node, true);
      else if (node.descendants > 0) c.focusAt(at + 1);
      break;
    case "ArrowLeft":
      if (!node) break;
      if (node.descendants > 0 && c.isExpanded(node)) c.setOpen(node, false);
      else if (node.parent) c.focusNode(node.parent);
      break;
    case "Enter":
      if (node) {
        if (c.focusIndex < 0) c.focusNode(node);
        c.activate(node);
      }
      break;
    case "/":
      c.focusFilter();
      break;
    default:
      handled = c.extra?.(e.key, node) ?? false;
  }
  if (handled) e.preventDefault();
}
