import { useEffect, type RefObject } from "react";

/**
 * The DOM half of revealing a path in a tree (FileTreeView, MergedTreeView): once a reveal
 * request has been taken in (`handled` changed), scroll the tree into view and focus it, and
 * ask the tree's own scroll effect — declared after this one — to bring the focused row into view.
 */
export function useRevealInDom(handled: object | undefined, scrollRef: RefObject<HTMLElement | null>, revealFocusRef: RefObject<boolean>): void {
  useEffect(() => {
    if (!handled) return;
    const el = scrollRef.current;
    el?.scrollIntoView({ block: "center" });
    el?.focus({ preventScroll: true });
    revealFocusRef.current = true;
  }, [handled, scrollRef, revealFocusRef]);
}
