import { startTransition, useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { MergeWarning } from "../../core/filetree";
import type { LayerIndex } from "../../core/pipeline/types";
import { Badge, Card } from "../../components/Card";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes } from "../../lib/format";
import type { LayerJobs, LayerJobState } from "../../lib/layers/types";
import { UntrustedBadge } from "../layers/LayersView";
import { clip } from "../layers/format";
import { sameElements } from "../../lib/collections";
import { mergedCsv, mergedJson } from "../../core/export";
import { ExportButtons } from "../export/ExportButtons";
import { exportFileName, rawPathsOf, useExportImage } from "../export/ExportImage";
import { useFileAction } from "../files/actions";
import { EfficiencyPanel } from "./EfficiencyPanel";
import { LayerChip } from "./LayerChip";
import { MergedTreeView } from "./MergedTreeView";
import { SLOW_MERGE_MS, completeness, lastMergeMs, layerEntries, layerList } from "./model";
import { useMergedView } from "./useMergedView";

/** While the slider moves and merges are slow, wait this long after the last move (ms). */
const SLIDER_DEBOUNCE_MS = 150;
/** Merge warnings listed before "show all". */
const WARNINGS_SHOWN = 20;
/** At most this many, even with "show all" (a hostile image may have millions, T11). */
const MAX_WARNINGS = 2000;

/**
 * The merged filesystem and the efficiency figures of one image, from the same layer-jobs
 * store the layers view uses. Renders nothing until some layer has a result.
 */
export function MergedSection({
  jobs,
  createdBy,
  onSelectLayer,
}: {
  readonly jobs: LayerJobs;
  readonly createdBy?: readonly (string | undefined)[];
  readonly onSelectLayer?: (layer: number) => void;
}) {
  const subscribe = useCallback((onChange: () => void) => jobs.subscribe(onChange), [jobs]);
  const getSnapshot = useCallback(() => jobs.getSnapshot(), [jobs]);
  const states = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  return <MergedView states={states} createdBy={createdBy} onSelectLayer={onSelectLayer} />;
}

/**
 * Goes to a layer in the layers list: scrolls its row into view, focuses it and selects it (the
 * row's own click handler), so the layers view shows that layer's files. Used when no
 * `onSelectLayer` is given.
 */
export function goToLayerRow(layer: number): void {
  const row = document.querySelector<HTMLElement>(`[data-testid="layer-row"][data-layer-index="${layer}"]`);
  if (!row) return;
  row.scrollIntoView({ block: "center", behavior: "smooth" });
  row.focus({ preventScroll: true });
  row.click();
}

/** The view for a snapshot of layer states: tests and the screenshot harness render it directly. */
export function MergedView({
  states,
  createdBy,
  onSelectLayer,
}: {
  readonly states: readonly LayerJobState[];
  readonly createdBy?: readonly (string | undefined)[];
  readonly onSelectLayer?: (layer: number) => void;
}) {
  const results = useStableResults(useMemo(() => states.map((s) => s.result), [states]));
  const layers = useMemo(() => layerEntries(results), [results]);
  const count = states.length;
  const top = Math.max(0, count - 1);
  // 0-based layer indexes; undefined follows the top layer.
  const [slider, setSlider] = useState<number | undefined>(undefined);
  const [applied, setApplied] = useState<number | undefined>(undefined);
  const [showDeleted, setShowDeleted] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  // A search result (or any feature) asked to show a path: the tree at the top layer does it.
  const [reveal, setReveal] = useState<{ readonly path: string } | undefined>(undefined);
  useFileAction(
    "reveal-merged",
    useCallback((a: { readonly path: string }) => {
      clearTimeout(timer.current);
      setSlider(undefined);
      setApplied(undefined);
      setReveal({ path: a.path });
    }, []),
  );

  const shown = Math.min(slider ?? top, top);
  const upTo = Math.min(applied ?? top, top);
  const { view, computing } = useMergedView(layers, upTo, showDeleted);
  const summary = view?.summary;
  const merged = view?.merged;
  const entryCount = useMemo(() => layers.reduce((n, l) => n + l.length, 0), [layers]);
  const state = useMemo(() => completeness(states), [states]);
  const untrusted = useMemo(() => new Set(state.untrusted.map((u) => u.layer)), [state]);
  const sliderId = useId();
  const image = useExportImage();

  const onSlide = (value: number): void => {
    const next = value >= top ? undefined : value;
    setSlider(next);
    clearTimeout(timer.current);
    // A fast merge follows the slider at once (as a transition, so the thumb never waits); a slow
    // one waits until the slider rests, so dragging across many layers merges once.
    if (lastMergeMs(layers) > SLOW_MERGE_MS) timer.current = setTimeout(() => startTransition(() => setApplied(next)), SLIDER_DEBOUNCE_MS);
    else startTransition(() => setApplied(next));
  };

  if (!results.some((r) => r !== undefined)) return null;
  const goTo = onSelectLayer ?? goToLayerRow;
  const incomplete = state.running.length + state.missing.length + state.partial.length > 0;
  const pending = shown !== upTo || computing;
  const by = createdBy?.[shown];

  return (
    <div className="space-y-4">
      <Card
        anchor="merged"
        testId="merged"
        title={
          <span className="inline-flex flex-wrap items-center gap-2">
            Merged filesystem
            {state.untrusted.length > 0 && (
              <UntrustedBadge title={escapeInvisible(clip(state.untrusted.map((u) => `Layer ${u.layer + 1}: ${u.reason}`).join("\n"), 4000).text, { multiline: true })} />
            )}
            {incomplete && (
              <Badge tone="warn" title="Until every layer is indexed, the merged view lacks the missing layers' files">
                partial
              </Badge>
            )}
          </span>
        }
        aside={
          <span className="inline-flex flex-wrap items-center gap-x-3 gap-y-1">
            <span data-testid="merged-summary" className="tabular-nums">
              {summary
                ? `${summary.paths.toLocaleString("en-US")} paths · ${formatBytes(summary.bytes)} in files · ${summary.deleted.toLocaleString("en-US")} deleted`
                : `merging ${entryCount.toLocaleString("en-US")} entries…`}
            </span>
            {view && <ExportButtons
              testId="merged-export"
              what={`the merged filesystem as of layer ${upTo + 1}${showDeleted ? ", deleted paths included" : ""}`}
              build={(format) => {
                const input = { image: image ?? { reference: "" }, fs: view.fs(), layerCount: count, complete: !incomplete, includeDeleted: showDeleted, rawPaths: rawPathsOf(layers) };
                return format === "json" ? mergedJson(input) : mergedCsv(input);
              }}
              fileName={(format) => exportFileName(image, upTo === top ? ["merged"] : ["merged", `to-layer-${upTo + 1}`], format)}
            />}
          </span>
        }
      >
        {incomplete && (
          <p data-testid="merged-partial" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-950">
            The merged view is partial until all layers are indexed:
            {state.running.length > 0 && ` ${state.running.length === 1 ? "layer" : "layers"} ${layerList(state.running)} still being read;`}
            {state.missing.length > 0 && ` ${state.missing.length === 1 ? "layer" : "layers"} ${layerList(state.missing)} failed or cancelled (its files are missing here);`}
            {state.partial.length > 0 && ` ${state.partial.length === 1 ? "layer" : "layers"} ${layerList(state.partial)} only partly read;`}
          </p>
        )}
        {state.untrusted.length > 0 && (
          <p data-testid="merged-untrusted" className="border-b border-rose-200 bg-rose-50 px-4 py-2 text-xs text-rose-950">
            {state.untrusted.length === 1 ? "Layer" : "Layers"} {layerList(state.untrusted.map((u) => u.layer))} did not verify: the paths{" "}
            {state.untrusted.length === 1 ? "it provides" : "they provide"} (marked <span className="rounded bg-rose-600 px-1 font-mono text-[10px] font-semibold text-white">L!</span>) must not be trusted.
          </p>
        )}
        <div className="border-b border-slate-200 px-4 py-3">
          <label htmlFor={sliderId} data-testid="merged-slider-label" className="flex min-w-0 flex-wrap items-baseline gap-x-2 text-[13px] text-slate-900">
            <span className="shrink-0 font-medium">
              As of layer {shown + 1} of {count}:
            </span>
            <span className="min-w-0 flex-1 truncate font-mono text-[12px] text-slate-700" title={by === undefined ? undefined : escapeInvisible(clip(by, 4096).text)}>
              {by === undefined ? <span className="font-sans text-slate-400">no history entry for this layer</span> : <SafeText text={clip(by, 400).text} />}
            </span>
            {pending && (
              <span className="shrink-0 text-xs text-slate-500" aria-live="polite">
                merging…
              </span>
            )}
          </label>
          <input
            id={sliderId}
            data-testid="merged-slider"
            type="range"
            min={1}
            max={Math.max(1, count)}
            step={1}
            value={shown + 1}
            disabled={count <= 1}
            aria-valuetext={`layer ${shown + 1} of ${count}${by === undefined ? "" : `: ${clip(by, 200).text}`}`}
            onChange={(e) => onSlide(Number(e.target.value) - 1)}
            className="mt-2 w-full accent-indigo-600"
          />
          {count > 1 && count <= 40 && (
            <div className="mt-0.5 flex justify-between px-[2px] font-mono text-[10px] text-slate-500" aria-hidden="true">
              {states.map((s) => (
                <span key={s.layerIndex} className={s.layerIndex === shown ? "font-semibold text-indigo-700" : untrusted.has(s.layerIndex) ? "text-rose-700" : ""}>
                  L{s.layerIndex + 1}
                </span>
              ))}
            </div>
          )}
          <p className="mt-1 text-[11px] text-slate-500">
            Like dive&apos;s aggregated view: the layers up to this one stacked as a container runtime would, whiteouts applied. Arrow keys move the slider.
          </p>
        </div>
        <div className={pending ? "opacity-70 transition-opacity" : ""}>
          {merged === undefined ? (
            <p data-testid="merged-computing" role="status" className="px-4 py-3 text-sm text-slate-600">
              Merging {entryCount.toLocaleString("en-US")} entries…
            </p>
          ) : (
          <MergedTreeView
            merged={merged}
            createdBy={createdBy}
            untrusted={untrusted}
            showDeleted={showDeleted}
            onShowDeleted={setShowDeleted}
            onLayer={goTo}
            reveal={upTo === top && !pending ? reveal : undefined}
          />
          )}
        </div>
        {summary && summary.warnings.length > 0 && <MergeWarnings warnings={summary.warnings} createdBy={createdBy} untrusted={untrusted} onLayer={goTo} />}
      </Card>
      <EfficiencyPanel layers={layers} results={results} complete={!incomplete} createdBy={createdBy} untrusted={untrusted} onLayer={goTo} />
    </div>
  );
}

/** The same array while its elements are the same result objects, so merges keyed on it are kept. */
export function useStableResults(next: readonly (LayerIndex | undefined)[]): readonly (LayerIndex | undefined)[] {
  const [kept, setKept] = useState(next);
  if (kept !== next && !sameElements(kept, next)) {
    setKept(next);
    return next;
  }
  return kept;
}

const WARNING_LABEL: Readonly<Record<string, string>> = {
  "whiteout-of-missing-path": "whiteout of a missing path",
  "whiteout-of-same-layer-entry": "whiteout of a same-layer entry",
  "duplicate-in-layer": "duplicate in one layer",
  "opaque-after-children": "opaque marker after new children",
  "bad-whiteout-name": "bad .wh. name",
  "unsafe-path": "unsafe path (kept out)",
  "hardlink-to-missing-target": "hard link to a missing target",
  "path-through-symlink": "path through a symlink",
};

function MergeWarnings({
  warnings,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly warnings: readonly MergeWarning[];
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  const [all, setAll] = useState(false);
  const shown = warnings.slice(0, all ? MAX_WARNINGS : WARNINGS_SHOWN);
  return (
    <div data-testid="merge-warnings" className="border-t border-slate-200 px-4 py-2 text-xs">
      <p className="mb-1 font-medium text-amber-900">
        {warnings.length === 1 ? "1 merge warning" : `${warnings.length.toLocaleString("en-US")} merge warnings`}{" "}
        <span className="font-normal text-slate-600">— flagged, not fatal: the merge went on as a container runtime would.</span>
      </p>
      <ul className="space-y-0.5">
        {shown.map((w, i) => (
          <li key={i} data-testid="merge-warning" data-kind={w.kind} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5">
            <LayerChip layer={w.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
            <Badge tone="warn">{WARNING_LABEL[w.kind] ?? w.kind}</Badge>
            <code className="min-w-0 max-w-full truncate font-mono text-slate-800" title={escapeInvisible(clip(w.path, 4096).text)}>
              <SafeText text={clip(w.path, 300).text} />
            </code>
            <span className="min-w-0 basis-full text-slate-600 [overflow-wrap:anywhere] sm:basis-auto">
              <SafeText text={clip(w.detail, 600).text} />
            </span>
          </li>
        ))}
      </ul>
      {warnings.length > WARNINGS_SHOWN && (
        <button type="button" onClick={() => setAll(!all)} className="mt-1 text-xs font-medium text-indigo-700 hover:underline">
          {all ? "Show fewer" : `Show all ${warnings.length.toLocaleString("en-US")}`}
        </button>
      )}
    </div>
  );
}
