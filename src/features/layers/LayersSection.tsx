import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { ImageConfig, ImageManifest } from "../../core/oci";
import { alignHistory } from "../../core/oci";
import { createLayerJobs } from "../../lib/layers/jobs";
import type { LayerJobs } from "../../lib/layers/types";
import { registryClientFor } from "../../lib/registry";
import { Loading } from "../../components/Loading";
import { cleanCreatedBy } from "../image/history";
import { LayersView } from "./LayersView";

/** Layers read at once: two keeps a 2-core machine busy without starving the page (issue 3). */
export const DEFAULT_POOL_SIZE = 2;

/**
 * The thin container: creates the layer-jobs store for a resolved image (manifest + config),
 * starts it, and disposes it on unmount or when the image changes — navigating away aborts
 * every worker, fetch and upstream request. The view itself only sees the store.
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
  const jobs = useLayerJobs(registry, repository, layers, diffIds);
  const createdBy = useMemo(() => {
    const byLayer: (string | undefined)[] = [];
    for (const row of alignHistory(manifest, config).rows) {
      if (row.layerIndex !== undefined && row.history?.created_by !== undefined) byLayer[row.layerIndex] = cleanCreatedBy(row.history.created_by);
    }
    return byLayer;
  }, [manifest, config]);
  if (!jobs) return <Loading label="Starting the layer workers…" />;
  return <LayersView jobs={jobs} createdBy={createdBy} />;
}

/** A tiny external store holding the current LayerJobs, so the effect that owns it can publish it. */
function createSlot<T>() {
  let value: T | undefined;
  const listeners = new Set<() => void>();
  return {
    get: (): T | undefined => value,
    set(next: T | undefined): void {
      value = next;
      for (const l of [...listeners]) l();
    },
    subscribe(onChange: () => void): () => void {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}

/**
 * The store's life is the effect's: created and started on mount, disposed in the cleanup.
 * Creating it in an effect (not during render) means a render React throws away never leaves a
 * store behind, and StrictMode's mount–unmount–mount gets a fresh store each time.
 */
function useLayerJobs(
  registry: string,
  repository: string,
  layers: ImageManifest["layers"],
  diffIds: readonly (string | undefined)[],
): LayerJobs | undefined {
  const [slot] = useState(() => createSlot<LayerJobs>());
  useEffect(() => {
    const jobs = createLayerJobs(registryClientFor(registry), { registry, repository, layers, diffIds, poolSize: DEFAULT_POOL_SIZE });
    slot.set(jobs);
    jobs.start();
    return () => {
      slot.set(undefined);
      jobs.dispose();
    };
  }, [slot, registry, repository, layers, diffIds]);
  return useSyncExternalStore(slot.subscribe, slot.get);
}
