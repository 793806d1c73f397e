import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import type { ImageManifest } from "../../core/oci";
import { createLayerJobs } from "../../lib/layers/jobs";
import type { LayerJobs } from "../../lib/layers/types";
import { registryClientFor } from "../../lib/registry";
import { createLayerTimeline, type LayerTimeline } from "../../lib/requestLog";
import { createSlot } from "../../lib/slot";
import { FileActionsProvider, createFileActions } from "../files/actions";

/** Layers read at once: two keeps a 2-core machine busy without starving the page (issue 3). */
export const DEFAULT_POOL_SIZE = 2;

/** One image's layer work, shared by every section that shows it (the layers view, the teaching view). */
export interface SharedLayerJobs {
  readonly jobs: LayerJobs;
  /** When each layer's blob was fetched, as seen from the page (the fetches run in workers). */
  readonly timeline: LayerTimeline;
}

const LayerJobsContext = createContext<SharedLayerJobs | undefined | null>(null);

/**
 * Owns the layer-jobs store of one resolved image and shares it with the sections below, so the
 * layers view and the teaching view read the same verdicts and no layer is fetched twice.
 * `undefined` in the context means "provided, not started yet"; `null` means no provider.
 */
export function LayerJobsProvider({
  registry,
  repository,
  layers,
  diffIds,
  children,
}: {
  readonly registry: string;
  readonly repository: string;
  readonly layers: ImageManifest["layers"];
  readonly diffIds: readonly (string | undefined)[];
  readonly children: ReactNode;
}) {
  const shared = useLayerJobs(registry, repository, layers, diffIds, true);
  // One file-actions bus per image, living as long as its layer jobs (the provider is keyed by image).
  const [actions] = useState(createFileActions);
  return (
    <LayerJobsContext value={shared}>
      <FileActionsProvider actions={actions}>{children}</FileActionsProvider>
    </LayerJobsContext>
  );
}

/** The provider's store: undefined while it starts, null when there is no provider above. */
export function useSharedLayerJobs(): SharedLayerJobs | undefined | null {
  return useContext(LayerJobsContext);
}

/**
 * The store's life is the effect's: created and started on mount, disposed in the cleanup.
 * Creating it in an effect (not during render) means a render React throws away never leaves a
 * store behind, and StrictMode's mount–unmount–mount gets a fresh store each time. The timeline
 * subscribes before `start()` so a layer served from the verified cache is seen as such.
 * With `enabled` false nothing is created (a provider above already owns the store).
 */
export function useLayerJobs(
  registry: string,
  repository: string,
  layers: ImageManifest["layers"],
  diffIds: readonly (string | undefined)[],
  enabled: boolean,
): SharedLayerJobs | undefined {
  const [slot] = useState(() => createSlot<SharedLayerJobs>());
  useEffect(() => {
    if (!enabled) return;
    const jobs = createLayerJobs(registryClientFor(registry), { registry, repository, layers, diffIds, poolSize: DEFAULT_POOL_SIZE });
    const timeline = createLayerTimeline(jobs);
    slot.set({ jobs, timeline });
    jobs.start();
    return () => {
      slot.set(undefined);
      timeline.dispose();
      jobs.dispose();
    };
  }, [slot, registry, repository, layers, diffIds, enabled]);
  return useSyncExternalStore(slot.subscribe, slot.get);
}
