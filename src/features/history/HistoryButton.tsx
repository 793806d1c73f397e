import type { ReactNode } from "react";
import { useFileActions } from "../files/actions";

/**
 * "History": opens the path's history panel through the image's file-actions bus. Renders
 * nothing outside an image view or when no history panel listens.
 */
export function HistoryButton({ path, label = "History" }: { readonly path: string; readonly label?: string }) {
  const actions = useFileActions();
  if (!actions?.handles("open-history") || path === "") return null;
  return (
    <button
      type="button"
      data-testid="open-history"
      title="Every version of this path across the layers, and a diff between two of them"
      onClick={(ev) => {
        ev.stopPropagation();
        actions.emit({ type: "open-history", path });
      }}
      className="rounded border border-slate-300 bg-white px-2 py-0.5 text-[11.5px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      {label}
    </button>
  );
}

/**
 * Makes an indicator inside a tree row (e.g. the merged view's "hides L1") open the path's
 * history on click. Not a tab stop: the row is the keyboard's unit, and its details have the
 * History button. Renders the children alone when no history panel listens.
 */
export function HistoryLink({ path, children }: { readonly path: string; readonly children: ReactNode }) {
  const actions = useFileActions();
  if (!actions?.handles("open-history") || path === "") return children;
  return (
    <button
      type="button"
      tabIndex={-1}
      data-testid="history-link"
      title="Click for every version of this path"
      onClick={(ev) => {
        ev.stopPropagation();
        actions.emit({ type: "open-history", path });
      }}
      className="max-w-full truncate text-left hover:underline"
    >
      {children}
    </button>
  );
}
