import { useCallback, useMemo, useState, useSyncExternalStore } from "react";
import { readLayerFile } from "../../lib/extract/readFile";
import type { LayerJobs } from "../../lib/layers/types";
import { useFileAction, useFileActions } from "../files/actions";
import { HistoryPanel } from "./HistoryPanel";
import type { ReadVersion } from "./reader";

/**
 * Listens for `open-history {path}` on the image's file-actions bus and shows the history panel
 * for that path, over the image's layer results. One per image (beside the layers view).
 */
export function HistoryHost({
  jobs,
  createdBy,
  read,
}: {
  readonly jobs: LayerJobs;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  /** Reads one version's bytes (tests give a fake); default: the viewer's reader over `jobs`. */
  readonly read?: ReadVersion;
}) {
  const [path, setPath] = useState<string | undefined>(undefined);
  const actions = useFileActions();
  const reader = useMemo<ReadVersion>(() => read ?? ((layer, p, options) => readLayerFile(jobs, layer, p, options)), [read, jobs]);
  useFileAction(
    "open-history",
    useCallback((a: { readonly path: string }) => setPath(a.path), []),
  );
  const subscribe = useCallback((onChange: () => void) => jobs.subscribe(onChange), [jobs]);
  const getSnapshot = useCallback(() => jobs.getSnapshot(), [jobs]);
  const states = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  if (path === undefined) return null;
  return <HistoryPanel key={path} path={path} states={states} createdBy={createdBy} read={reader} actions={actions} onClose={() => setPath(undefined)} />;
}
