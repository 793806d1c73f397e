import { useState, type ReactNode } from "react";
import { EFFICIENCY_CORRECTION_NOTE, type DiveFigures, type EfficiencyReport } from "../../core/filetree";
import type { LayerEntry, LayerIndex } from "../../core/pipeline/types";
import { Badge, Card } from "../../components/Card";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { clip } from "../layers/format";
import { LayerChip } from "./LayerChip";
import { ANALYSIS_LIST_LIMIT, useAnalysis } from "./analysis";

/** Wasted files listed at first, and at most. */
const FILES_SHOWN = 10;
const FILES_MAX = ANALYSIS_LIST_LIMIT;

/** dive prints its ratios as percentages with four decimals ("98.4421 %"). */
const percent = (ratio: number): string => `${(ratio * 100).toFixed(4)} %`;

/**
 * dive's efficiency figures for the whole image, the corrected figure beside them with the
 * core's one-sentence explanation, bytes added and wasted per layer, and the biggest wasted
 * files with the layers involved. Computed for all layers (not the slider's position).
 */
export function EfficiencyPanel({
  layers,
  results,
  complete,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly layers: readonly (readonly LayerEntry[])[];
  readonly results: readonly (LayerIndex | undefined)[];
  /** False while some layer is missing or partial: the figures then cover only what was read. */
  readonly complete: boolean;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  // Seconds for hundreds of thousands of entries: computed in the filetree worker (STYLE 8), so
  // the page and the merged tree stay responsive; the last report shows, marked "computing…",
  // until the one for these layers arrives (also as later layers finish). Shared with the
  // pictures section (analysis.ts).
  const { analysis, computing } = useAnalysis(layers);
  const { report, wastedFileCount } = analysis;
  return <EfficiencyView report={report} wastedFileCount={wastedFileCount} computing={computing} layerCount={results.length} unread={results.map((r) => r === undefined)} complete={complete} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />;
}

/** The panel for a computed report (tests render it directly). */
export function EfficiencyView({
  report,
  wastedFileCount = report.wastedFiles.length,
  computing = false,
  layerCount,
  unread,
  complete,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly report: EfficiencyReport;
  /** Every wasted file, when `report.wastedFiles` keeps only the biggest (default: its length). */
  readonly wastedFileCount?: number;
  readonly computing?: boolean;
  readonly layerCount: number;
  /** Per layer: true when it has no result (its bytes are missing here). */
  readonly unread: readonly boolean[];
  readonly complete: boolean;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  const [allFiles, setAllFiles] = useState(false);
  const maxAdded = Math.max(1, ...report.perLayer.map((l) => l.addedBytes));
  const files = report.wastedFiles.slice(0, allFiles ? FILES_MAX : FILES_SHOWN);

  return (
    <Card
      anchor="efficiency"
      testId="efficiency"
      title={
        <span className="inline-flex flex-wrap items-center gap-2">
          Efficiency
          {computing && <span className="text-xs font-normal text-slate-500">computing…</span>}
          {!complete && (
            <Badge tone="warn" title="Layers still running, failed or partial count as empty here">
              partial: not every layer is indexed
            </Badge>
          )}
        </span>
      }
      aside={<span className="tabular-nums">{formatBytes(report.dive.sizeBytes)} in files across {layerCount === 1 ? "1 layer" : `${layerCount} layers`}</span>}
    >
      <div className="grid gap-3 px-4 py-3 md:grid-cols-2">
        <Figures
          testId="efficiency-dive"
          heading="dive's figures"
          note="As dive reports them, computed its way."
          figures={report.dive}
        />
        <Figures testId="efficiency-corrected" heading="Corrected" note={EFFICIENCY_CORRECTION_NOTE} figures={report.corrected} highlight />
      </div>
      <div className="border-t border-slate-200 px-4 py-2 text-xs text-slate-700">
        <span className="font-medium text-slate-900">From the overlay merge:</span>{" "}
        <span data-testid="efficiency-overlay" className="tabular-nums">
          {formatBytes(report.overlay.wastedBytes)} of {formatBytes(report.overlay.sizeBytes)} written is never seen at the top (overwritten or deleted) —{" "}
          {percent(report.overlay.efficiency)} of the bytes are live.
        </span>
      </div>
      <div className="overflow-x-auto border-t border-slate-200">
        <table className="w-full min-w-[36rem] text-xs">
          <caption className="sr-only">Bytes added and wasted per layer</caption>
          <thead className="bg-slate-50 text-left text-[11px] uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-1 font-medium">
                Layer
              </th>
              <th scope="col" className="px-2 py-1 font-medium">
                Created by
              </th>
              <th scope="col" className="px-2 py-1 text-right font-medium">
                Added
              </th>
              <th scope="col" className="px-2 py-1 text-right font-medium" title="Bytes of this layer not visible at the top of the image: overwritten or deleted later">
                Wasted
              </th>
              <th scope="col" className="px-2 py-1 text-right font-medium" title="Bytes of this layer later overwritten">
                Overwritten
              </th>
              <th scope="col" className="px-2 py-1 text-right font-medium" title="Bytes of this layer later deleted by a whiteout or opaque marker">
                Deleted
              </th>
              <th scope="col" className="w-[22%] px-4 py-1 font-medium">
                <span className="sr-only">Live and wasted</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {report.perLayer.map((l) => {
              const by = createdBy?.[l.layer];
              return (
                <tr key={l.layer} data-testid="efficiency-layer-row" data-layer={l.layer} data-added={l.addedBytes} data-wasted={l.wastedBytes}>
                  <td className="px-4 py-1">
                    <LayerChip layer={l.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
                    {unread[l.layer] === true && <span className="ml-1 text-[10px] text-amber-800">not read</span>}
                  </td>
                  <td className="max-w-[22rem] truncate px-2 py-1 font-mono text-[11.5px] text-slate-700" title={by === undefined ? undefined : escapeInvisible(clip(by, 4096).text)}>
                    {by === undefined ? <span className="font-sans text-slate-400">—</span> : <SafeText text={clip(by, 200).text} />}
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums text-slate-900" title={formatExactBytes(l.addedBytes)}>
                    {formatBytes(l.addedBytes)}
                  </td>
                  <td className={`px-2 py-1 text-right font-medium tabular-nums ${l.wastedBytes > 0 ? "text-slate-900" : "text-slate-400"}`} title={formatExactBytes(l.wastedBytes)}>
                    {formatBytes(l.wastedBytes)}
                  </td>
                  <td className={`px-2 py-1 text-right tabular-nums ${l.overwrittenBytes > 0 ? "text-amber-900" : "text-slate-400"}`} title={formatExactBytes(l.overwrittenBytes)}>
                    {formatBytes(l.overwrittenBytes)}
                  </td>
                  <td className={`px-2 py-1 text-right tabular-nums ${l.deletedBytes > 0 ? "text-rose-800" : "text-slate-400"}`} title={formatExactBytes(l.deletedBytes)}>
                    {formatBytes(l.deletedBytes)}
                  </td>
                  <td className="px-4 py-1">
                    <div className="flex h-2 overflow-hidden rounded bg-slate-100" aria-hidden="true" style={{ width: `${Math.max(2, (l.addedBytes / maxAdded) * 100)}%` }}>
                      <div className="bg-indigo-500" style={{ width: `${l.addedBytes === 0 ? 0 : (l.liveBytes / l.addedBytes) * 100}%` }} />
                      <div className="bg-amber-400" style={{ width: `${l.addedBytes === 0 ? 0 : (l.overwrittenBytes / l.addedBytes) * 100}%` }} />
                      <div className="bg-rose-500" style={{ width: `${l.addedBytes === 0 ? 0 : (l.deletedBytes / l.addedBytes) * 100}%` }} />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="flex flex-wrap gap-x-3 px-4 py-1 text-[11px] text-slate-500">
          <Legend cls="bg-indigo-500">live at the top</Legend>
          <Legend cls="bg-amber-400">overwritten later</Legend>
          <Legend cls="bg-rose-500">deleted later</Legend>
        </p>
      </div>
      <div className="border-t border-slate-200 px-4 py-2">
        <h3 className="mb-1 text-xs font-semibold text-slate-900">Biggest wasted files</h3>
        {report.wastedFiles.length === 0 ? (
          <p className="text-xs text-slate-600">No bytes are wasted: nothing a layer wrote is later overwritten or deleted.</p>
        ) : (
          <ol className="space-y-0.5 text-xs">
            {files.map((f) => (
              <li key={f.path} data-testid="wasted-file" data-path={f.path} data-wasted={f.wastedBytes} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5">
                <span className="w-16 shrink-0 text-right tabular-nums font-medium text-slate-900" title={formatExactBytes(f.wastedBytes)}>
                  {formatBytes(f.wastedBytes)}
                </span>
                <code className={`min-w-0 max-w-[28rem] truncate font-mono ${f.deleted ? "text-rose-800 line-through decoration-rose-400" : "text-slate-800"}`} title={escapeInvisible(clip(f.path, 4096).text)}>
                  <SafeText text={clip(f.path, 400).text} />
                </code>
                <span className="text-slate-500">
                  {f.deleted ? "deleted" : "overwritten"} · {f.count} {f.count === 1 ? "version" : "versions"}
                </span>
                <span className="inline-flex flex-wrap gap-1">
                  {f.layers.map((layer) => (
                    <LayerChip key={layer} layer={layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
                  ))}
                </span>
              </li>
            ))}
          </ol>
        )}
        {wastedFileCount > FILES_SHOWN && (
          <button type="button" onClick={() => setAllFiles(!allFiles)} className="mt-1 text-xs font-medium text-indigo-700 hover:underline">
            {allFiles ? "Show fewer" : `Show ${Math.min(FILES_MAX, wastedFileCount)} of ${wastedFileCount.toLocaleString("en-US")}`}
          </button>
        )}
      </div>
    </Card>
  );
}

function Figures({
  testId,
  heading,
  note,
  figures,
  highlight = false,
}: {
  readonly testId: string;
  readonly heading: string;
  readonly note: string;
  readonly figures: DiveFigures;
  readonly highlight?: boolean;
}) {
  return (
    <section data-testid={testId} className={`rounded border px-3 py-2 ${highlight ? "border-indigo-200 bg-indigo-50/50" : "border-slate-200 bg-slate-50/60"}`}>
      <h3 className="text-xs font-semibold text-slate-900">{heading}</h3>
      <dl className="mt-1 grid grid-cols-[9rem_minmax(0,1fr)] gap-y-0.5 text-xs">
        <Figure label="Efficiency score" testId="efficiency-score" title={String(figures.efficiency)}>
          {percent(figures.efficiency)}
        </Figure>
        <Figure label="Wasted bytes" testId="efficiency-wasted" title={formatExactBytes(figures.wastedBytes)}>
          {formatBytes(figures.wastedBytes)} <span className="font-normal text-slate-500">({figures.wastedBytes.toLocaleString("en-US")} bytes)</span>
        </Figure>
        <Figure label="User wasted" testId="efficiency-user-wasted" title={`${String(figures.userWastedPercent)} of ${formatExactBytes(figures.userSizeBytes)} in the layers after the first`}>
          {percent(figures.userWastedPercent)}
        </Figure>
      </dl>
      <p data-testid={`${testId}-note`} className="mt-1.5 text-[11px] leading-snug text-slate-600">
        {note}
      </p>
    </section>
  );
}

function Figure({ label, testId, title, children }: { readonly label: string; readonly testId: string; readonly title: string; readonly children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-600">{label}</dt>
      <dd data-testid={testId} title={title} className="font-medium tabular-nums text-slate-900">
        {children}
      </dd>
    </>
  );
}

function Legend({ cls, children }: { readonly cls: string; readonly children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      <span className={`inline-block size-2 rounded-sm ${cls}`} />
      {children}
    </span>
  );
}
