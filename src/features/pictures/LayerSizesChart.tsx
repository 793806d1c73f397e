import { useState, type CSSProperties, type ReactNode } from "react";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { clip } from "../layers/format";
import { layerTitle } from "../merged/LayerChip";
import { chartScale, spansOrders, wastedShare, type LayerBar, type Scale } from "./model";

/** Paul Tol's bright scheme: told apart under the common colour blindnesses. */
const COMPRESSED = "#4477AA";
const UNCOMPRESSED = "#66CCEE";
const WASTED = "#CCBB44";
/** Wasted bytes are hatched too, so the difference never rests on colour alone. */
const HATCH: CSSProperties = {
  backgroundColor: WASTED,
  backgroundImage: "repeating-linear-gradient(135deg, rgba(0,0,0,0.28) 0 1.5px, transparent 1.5px 5px)",
};

const percent = (share: number): string => (share === 0 ? "0 %" : share < 0.001 ? "< 0.1 %" : `${(share * 100).toFixed(1)} %`);

/** The chart's legend and the precise meaning of "wasted". */
export const WASTED_DEFINITION =
  "Wasted: bytes of files this layer wrote that are not in the final filesystem — overwritten by a later layer (or by a later copy in the same layer), deleted by a whiteout, or kept out as an unsafe path. The share is of the layer's file bytes.";

/**
 * One row per layer, base first: the compressed blob (the manifest's descriptor size) above the
 * uncompressed tar, whose later-wasted part is hatched. Clicking a row selects that layer in the
 * layers list. Linear scale, with a log toggle when the sizes span orders of magnitude.
 */
export function LayerSizesChart({
  bars,
  createdBy,
  untrusted,
  computing,
  onLayer,
}: {
  readonly bars: readonly LayerBar[];
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  /** True while the wasted figures are being computed for the latest layers. */
  readonly computing: boolean;
  readonly onLayer: (layer: number) => void;
}) {
  const wide = spansOrders(bars);
  const [log, setLog] = useState(false);
  const scale = chartScale(bars, wide && log ? "log" : "linear");
  const [hover, setHover] = useState<number | undefined>(undefined);

  return (
    <div data-testid="layer-sizes-chart" data-scale={scale.kind} className="px-4 py-3">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <h3 className="text-xs font-semibold text-slate-900">
          Layer sizes
          {computing && <span className="ml-2 font-normal text-slate-500">computing wasted bytes…</span>}
        </h3>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-[11px] text-slate-600">
          <Key swatch={{ backgroundColor: COMPRESSED }}>compressed (download)</Key>
          <Key swatch={{ backgroundColor: UNCOMPRESSED }}>uncompressed (tar)</Key>
          <Key swatch={HATCH} title={WASTED_DEFINITION}>
            wasted later
          </Key>
          {wide && (
            <span role="group" aria-label="Scale" className="inline-flex overflow-hidden rounded border border-slate-300">
              {(["linear", "log"] as const).map((k) => (
                <button
                  key={k}
                  type="button"
                  data-testid={`chart-scale-${k}`}
                  aria-pressed={scale.kind === k}
                  onClick={() => setLog(k === "log")}
                  className={`px-2 py-0.5 ${scale.kind === k ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"}`}
                >
                  {k}
                </button>
              ))}
            </span>
          )}
        </div>
      </div>
      <div className="grid grid-cols-[2.75rem_minmax(0,1fr)] gap-x-2 sm:grid-cols-[2.75rem_minmax(0,14rem)_minmax(0,1fr)_9.5rem]">
        <div />
        <div className="hidden sm:block" />
        <Axis scale={scale} />
        <div className="hidden sm:block" />
        {bars.map((bar) => (
          <Row key={bar.layer} bar={bar} scale={scale} createdBy={createdBy} untrusted={untrusted} hovered={hover === bar.layer} onHover={setHover} onLayer={onLayer} />
        ))}
      </div>
      <p className="mt-2 text-[11px] leading-snug text-slate-500">
        {WASTED_DEFINITION}
        {scale.kind === "log" && " On the log scale the hatched part is drawn as its share of the bar."} Click a layer to show it in the layers list.
      </p>
    </div>
  );
}

function Axis({ scale }: { readonly scale: Scale }) {
  return (
    <div className="relative mb-1 h-4 text-[10px] tabular-nums text-slate-500" aria-hidden="true">
      {scale.ticks.map((t) => (
        <span
          key={t.bytes}
          className="absolute top-0 whitespace-nowrap"
          style={t.at >= 0.99 ? { right: 0 } : t.at <= 0.01 ? { left: 0 } : { left: `${t.at * 100}%`, transform: "translateX(-50%)" }}
        >
          {t.bytes === 0 ? "0" : formatBytes(t.bytes)}
        </span>
      ))}
    </div>
  );
}

function Row({
  bar,
  scale,
  createdBy,
  untrusted,
  hovered,
  onHover,
  onLayer,
}: {
  readonly bar: LayerBar;
  readonly scale: Scale;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly hovered: boolean;
  readonly onHover: (layer: number | undefined) => void;
  readonly onLayer: (layer: number) => void;
}) {
  const by = createdBy?.[bar.layer];
  const bad = untrusted.has(bar.layer);
  const tooltip = tooltipOf(bar, createdBy, untrusted);
  const u = bar.uncompressed;
  const share = wastedShare(bar);
  const uWidth = u === undefined ? 0 : scale.at(u);
  // The wasted part inside the uncompressed bar: by bytes on the linear scale, by share on the log one.
  const wastedWidth = u === undefined || bar.wasted === undefined || u === 0 ? 0 : scale.kind === "linear" ? scale.at(bar.wasted) : uWidth * Math.min(1, bar.wasted / u);
  const rowProps = {
    "data-testid": "chart-layer",
    "data-layer": bar.layer,
    "data-status": bar.status,
    "data-compressed": bar.compressed,
    "data-uncompressed": u ?? "",
    "data-wasted": bar.wasted ?? "",
  };
  return (
    <button
      type="button"
      {...rowProps}
      title={tooltip}
      aria-label={tooltip}
      onClick={() => onLayer(bar.layer)}
      onMouseEnter={() => onHover(bar.layer)}
      onMouseLeave={() => onHover(undefined)}
      className={`col-span-full grid grid-cols-subgrid items-center rounded py-1 text-left focus-visible:outline-2 focus-visible:outline-indigo-600 ${hovered ? "bg-indigo-50" : "hover:bg-slate-50"}`}
    >
      <span
        className={`inline-flex h-[18px] w-fit items-center rounded px-1 font-mono text-[10.5px] font-semibold tabular-nums ring-1 ring-inset ${
          bad ? "bg-rose-600 text-white ring-rose-700" : "bg-slate-100 text-slate-800 ring-slate-300"
        }`}
      >
        L{bar.layer + 1}
        {bad && <span aria-label="untrusted">!</span>}
      </span>
      <span className="hidden truncate font-mono text-[11.5px] text-slate-700 sm:block">
        {by === undefined ? <span className="font-sans text-slate-400">no history entry</span> : <SafeText text={clip(by, 200).text} />}
      </span>
      <span className="flex min-w-0 flex-col gap-[3px]">
        <Bar width={scale.at(bar.compressed)} style={{ backgroundColor: COMPRESSED }} testId="bar-compressed" />
        {bar.status === "pending" || bar.status === "failed" || bar.status === "cancelled" ? (
          <span
            data-testid="bar-uncompressed"
            className={`flex h-3 items-center rounded-sm border border-dashed px-1 text-[10px] leading-none ${bar.status === "pending" ? "border-slate-300 text-slate-500" : "border-rose-400 text-rose-700"}`}
          >
            {bar.status === "pending" ? `pending… ${Math.round((bar.progress ?? 0) * 100)} % downloaded` : `${bar.status}: not indexed`}
          </span>
        ) : (
          <span className="relative block h-3">
            <Bar width={uWidth} style={{ backgroundColor: UNCOMPRESSED }} testId="bar-uncompressed" tall />
            {wastedWidth > 0 && <span data-testid="bar-wasted" className="absolute top-0 h-3 rounded-r-sm" style={{ ...HATCH, left: `${(uWidth - wastedWidth) * 100}%`, width: `${wastedWidth * 100}%` }} />}
          </span>
        )}
      </span>
      <span className="col-start-2 text-[11px] leading-tight tabular-nums text-slate-700 sm:col-start-auto">
        <span className="block">
          {formatBytes(bar.compressed)}
          {u !== undefined && <> → {formatBytes(u)}</>}
        </span>
        <span className="block text-slate-500">
          {bar.status === "pending" ? "indexing…" : bar.status === "failed" || bar.status === "cancelled" ? <span className="text-rose-700">{bar.status}</span> : bar.empty ? "empty: no files" : bar.wasted === undefined ? "—" : `${percent(share)} wasted`}
          {bar.status === "partial" && <span className="ml-1 text-amber-800">partial</span>}
        </span>
      </span>
    </button>
  );
}

function Bar({ width, style, testId, tall = false }: { readonly width: number; readonly style: CSSProperties; readonly testId: string; readonly tall?: boolean }) {
  // A 0-byte (empty) layer still shows a sliver, so it is visibly there.
  return <span data-testid={testId} className={`block rounded-sm ${tall ? "h-3" : "h-2"}`} style={{ ...style, width: width > 0 ? `max(2px, ${width * 100}%)` : "2px", opacity: width > 0 ? 1 : 0.5 }} />;
}

function Key({ swatch, title, children }: { readonly swatch: CSSProperties; readonly title?: string; readonly children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1" title={title}>
      <span className="inline-block h-2.5 w-3.5 rounded-sm" style={swatch} />
      {children}
    </span>
  );
}

/** Every figure in exact bytes, and the layer's created_by (escaped, U2/U3), for the row's tooltip. */
function tooltipOf(bar: LayerBar, createdBy: readonly (string | undefined)[] | undefined, untrusted: ReadonlySet<number>): string {
  const lines = [layerTitle(bar.layer, createdBy, untrusted)];
  lines.push(`Compressed (blob, from the manifest): ${formatExactBytes(bar.compressed)}`);
  if (bar.status === "pending") lines.push(`Uncompressed: pending (${Math.round((bar.progress ?? 0) * 100)} % downloaded)`);
  else if (bar.status === "failed" || bar.status === "cancelled") lines.push(`Uncompressed: unknown — the layer ${bar.status === "failed" ? "failed" : "was cancelled"} before it was indexed`);
  else {
    lines.push(`Uncompressed (tar${bar.status === "partial" ? ", partly read" : ""}): ${formatExactBytes(bar.uncompressed ?? 0)}`);
    if (bar.fileBytes !== undefined) lines.push(`Files: ${formatExactBytes(bar.fileBytes)}`);
    if (bar.wasted !== undefined) {
      lines.push(`Wasted later: ${formatExactBytes(bar.wasted)} (${percent(wastedShare(bar))} of its file bytes) — overwritten ${formatExactBytes(bar.overwritten ?? 0)}, deleted ${formatExactBytes(bar.deleted ?? 0)}`);
    }
    if (bar.empty) lines.push("Empty: the layer has no files");
  }
  return escapeInvisible(lines.join("\n"), { multiline: true });
}
