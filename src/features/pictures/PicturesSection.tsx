import { useCallback, useMemo, useSyncExternalStore } from "react";
import type { ImageConfig, ImageManifest } from "../../core/oci";
import { Badge, Card } from "../../components/Card";
import { Loading } from "../../components/Loading";
import type { LayerJobs, LayerJobState } from "../../lib/layers/types";
import { useCreatedBy } from "../layers/LayersSection";
import { useSharedLayerJobs } from "../layers/LayerJobsContext";
import { useAnalysis } from "../merged/analysis";
import { goToLayerRow } from "../merged/MergedSection";
import { completeness, layerEntries, layerList } from "../merged/model";
import { LayerSizesChart } from "./LayerSizesChart";
import { layerBars } from "./model";
import { Treemap } from "./Treemap";

/**
 * Pictures of one image, from the layer-jobs store the layers view uses: a chart of layer sizes
 * (compressed, uncompressed, wasted later) and a treemap of the merged filesystem by size. Both
 * read the analysis the efficiency panel computes (one worker pass, shared: merged/analysis.ts).
 */
export function PicturesSection({ manifest, config }: { readonly manifest: ImageManifest; readonly config: ImageConfig }) {
  const shared = useSharedLayerJobs();
  const createdBy = useCreatedBy(manifest, config);
  if (!shared) return <Loading label="Starting the layer workers…" />;
  return <PicturesOf jobs={shared.jobs} createdBy={createdBy} />;
}

function PicturesOf({ jobs, createdBy }: { readonly jobs: LayerJobs; readonly createdBy: readonly (string | undefined)[] }) {
  const subscribe = useCallback((onChange: () => void) => jobs.subscribe(onChange), [jobs]);
  const getSnapshot = useCallback(() => jobs.getSnapshot(), [jobs]);
  const states = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  return <PicturesView states={states} createdBy={createdBy} onSelectLayer={goToLayerRow} />;
}

/** The view for a snapshot of layer states. */
export function PicturesView({
  states,
  createdBy,
  onSelectLayer,
}: {
  readonly states: readonly LayerJobState[];
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly onSelectLayer: (layer: number) => void;
}) {
  const layers = layerEntries(useMemo(() => states.map((s) => s.result), [states]));
  const { analysis, computing } = useAnalysis(layers);
  const state = useMemo(() => completeness(states), [states]);
  const untrusted = useMemo(() => new Set(state.untrusted.map((u) => u.layer)), [state]);
  const bars = useMemo(() => layerBars(states, computing ? [] : analysis.report.perLayer), [states, analysis, computing]);
  const incomplete = state.running.length + state.missing.length + state.partial.length > 0;
  const anyResult = states.some((s) => s.result !== undefined);

  return (
    <Card
      anchor="pictures"
      testId="pictures"
      title={
        <span className="inline-flex flex-wrap items-center gap-2">
          Pictures
          {incomplete && (
            <Badge tone="warn" title="Until every layer is indexed, the pictures lack the missing layers' files">
              partial
            </Badge>
          )}
        </span>
      }
      aside={<span>sizes per layer, and where the bytes are</span>}
    >
      <LayerSizesChart bars={bars} createdBy={createdBy} untrusted={untrusted} computing={computing && anyResult} onLayer={onSelectLayer} />
      <div className="border-t border-slate-200">
        {!anyResult ? (
          <p className="px-4 py-6 text-center text-xs text-slate-500">The treemap appears once a layer is indexed.</p>
        ) : computing && analysis.sizeTree.count <= 1 ? (
          <div className="px-4 py-6">
            <Loading label="Sizing the merged filesystem…" />
          </div>
        ) : (
          <>
            {incomplete && (
              <p data-testid="pictures-partial" className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-950">
                Partial: {state.running.length > 0 && `layer${state.running.length === 1 ? "" : "s"} ${layerList(state.running)} still being read; `}
                {state.missing.length > 0 && `layer${state.missing.length === 1 ? "" : "s"} ${layerList(state.missing)} failed (their files are missing); `}
                {state.partial.length > 0 && `layer${state.partial.length === 1 ? "" : "s"} ${layerList(state.partial)} only partly read; `}
                {computing && "updating…"}
              </p>
            )}
            <Treemap tree={analysis.sizeTree} layerCount={states.length} createdBy={createdBy} untrusted={untrusted} onLayer={onSelectLayer} />
          </>
        )}
      </div>
    </Card>
  );
}
