import { useMemo } from "react";
import type { ImageConfig, ImageManifest } from "../../core/oci";
import { alignHistory } from "../../core/oci";
import { Loading } from "../../components/Loading";
import { cleanCreatedBy } from "../image/history";
import { useLayerJobs, useSharedLayerJobs } from "./LayerJobsContext";
import { LayersView } from "./LayersView";
import { MergedSection } from "../merged/MergedSection";
import { HistoryHost } from "../history/HistoryHost";
import { FileViewer } from "../viewer/FileViewer";

export { DEFAULT_POOL_SIZE } from "./LayerJobsContext";

/**
 * The thin container: uses the layer-jobs store of the LayerJobsProvider above it (shared with
 * the teaching view), or, with no provider, creates its own for a resolved image (manifest +
 * config), starts it, and disposes it on unmount or when the image changes — navigating away
 * aborts every worker, fetch and upstream request. The view itself only sees the store.
 */
export function LayersSection({
  registry,
  repository,
  manifest,
  config,
}: {
  readonly registry: string;
  readonly repository: string;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}) {
  const layers = manifest.layers;
  const diffIds = config.rootfs.diff_ids;
  const shared = useSharedLayerJobs();
  const own = useLayerJobs(registry, repository, layers, diffIds, shared === null);
  const jobs = shared === null ? own?.jobs : shared?.jobs;
  const createdBy = useCreatedBy(manifest, config);
  if (!jobs) return <Loading label="Starting the layer workers…" />;
  return (
    <div className="space-y-4">
      <LayersView jobs={jobs} createdBy={createdBy} />
      <MergedSection jobs={jobs} createdBy={createdBy} />
      <HistoryHost jobs={jobs} createdBy={createdBy} />
      <FileViewer jobs={jobs} />
    </div>
  );
}

/** Each layer's created_by (from the history aligned with the layers), by layer index. */
export function useCreatedBy(manifest: ImageManifest, config: ImageConfig): readonly (string | undefined)[] {
  return useMemo(() => {
    const byLayer: (string | undefined)[] = [];
    for (const row of alignHistory(manifest, config).rows) {
      if (row.layerIndex !== undefined && row.history?.created_by !== undefined) byLayer[row.layerIndex] = cleanCreatedBy(row.history.created_by);
    }
    return byLayer;
  }, [manifest, config]);
}
