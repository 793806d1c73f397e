/**
 * How the image view's features point at files in each other: search results, the path
 * history, the treemap and the compare view say "show me this path" or "open this file"
 * without knowing who shows it. One bus per image (created beside its layer-jobs store); the
 * trees, the viewer and the history panel listen, everyone else emits.
 *
 * Layers are numbered by their position in manifest.layers, base first, 0-based. Paths are the
 * normalised paths of LayerEntry / MergedEntry (no leading "/").
 */
import { createContext, useContext, useEffect, type ReactNode } from "react";

export type FileAction =
  /** Select `path` in the merged tree as of the top layer, expanding its parents, and scroll to it. */
  | { readonly type: "reveal-merged"; readonly path: string }
  /** Select layer `layer` in the layers list and `path` in its file tree. */
  | { readonly type: "reveal-layer"; readonly layer: number; readonly path: string }
  /** Open the file viewer on the version of `path` that layer `layer` wrote. */
  | { readonly type: "open-file"; readonly layer: number; readonly path: string }
  /** Show every version of `path` across the layers. */
  | { readonly type: "open-history"; readonly path: string };

export type FileActionType = FileAction["type"];

/**
 * Every emitted action is also dispatched on `window` as this CustomEvent (detail: the action),
 * so tests and tools can watch the bus without being a listener (which would change `handles`).
 */
export const FILE_ACTION_EVENT = "layerscope:file-action";
type Handler<T extends FileActionType> = (action: Extract<FileAction, { type: T }>) => void;

export interface FileActions {
  emit(action: FileAction): void;
  /** Listen for one kind of action; returns the unsubscribe function. */
  on<T extends FileActionType>(type: T, handler: Handler<T>): () => void;
  /** True when someone listens for `type` (a link is shown only when something will follow it). */
  handles(type: FileActionType): boolean;
}

export function createFileActions(): FileActions {
  const handlers = new Map<FileActionType, Set<(a: FileAction) => void>>();
  return {
    emit(action) {
      for (const h of handlers.get(action.type) ?? []) h(action);
      if (typeof window !== "undefined") window.dispatchEvent(new CustomEvent(FILE_ACTION_EVENT, { detail: action }));
    },
    on(type, handler) {
      const set = handlers.get(type) ?? new Set();
      handlers.set(type, set);
      const h = handler as (a: FileAction) => void;
      set.add(h);
      return () => void set.delete(h);
    },
    handles(type) {
      return (handlers.get(type)?.size ?? 0) > 0;
    },
  };
}

const FileActionsContext = createContext<FileActions | null>(null);

export function FileActionsProvider({ actions, children }: { readonly actions: FileActions; readonly children: ReactNode }) {
  return <FileActionsContext value={actions}>{children}</FileActionsContext>;
}

/** The image's bus, or null outside an image view (a component then shows no file links). */
export function useFileActions(): FileActions | null {
  return useContext(FileActionsContext);
}

/** Listen for `type` on the image's bus while mounted. `handler` should be stable (useCallback). */
export function useFileAction<T extends FileActionType>(type: T, handler: Handler<T>): void {
  const actions = useFileActions();
  useEffect(() => (actions ? actions.on(type, handler) : undefined), [actions, type, handler]);
}
