import { useCallback, useDeferredValue, useEffect, useMemo, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import { describeError, type LayerscopeError } from "../../core/errors";
import { isTrusted, type LayerIndex } from "../../core/pipeline/types";
import { Badge, Card } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { Loading } from "../../components/Loading";
import { RetryCountdown } from "../../components/RetryCountdown";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import type { LayerJobs, LayerJobState, RateLimitWait } from "../../lib/layers/types";
import { layerTypeName } from "../image/mediaTypeNames";
import { layerCsv, layerJson } from "../../core/export";
import { ExportButtons } from "../export/ExportButtons";
import { exportFileName, useExportImage } from "../export/ExportImage";
import { useFileAction } from "../files/actions";
import { FileTreeView } from "./FileTreeView";
import { LayerTarDownload } from "../viewer/EntryActions";
import { clip, formatRate } from "./format";
import { diffIdVerdict, digestVerdict, isRetryable, isRunning, treeFor, changesFor, trust, untrustedReason, type ShownVerdict } from "./model";
import { sameElements } from "../../lib/collections";

/**
 * Every layer of one image: the list with progress, verdicts and controls, and the file tree of
 * the selected layer. The store is passed in (LayersSection creates the real one), so tests and
 * the screenshot harness can drive the view with a fake.
 */
export function LayersView({ jobs, createdBy }: { readonly jobs: LayerJobs; readonly createdBy?: readonly (string | undefined)[] }) {
  const subscribe = useCallback((onChange: () => void) => jobs.subscribe(onChange), [jobs]);
  const getSnapshot = useCallback(() => jobs.getSnapshot(), [jobs]);
  const states = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  // A request to show a path in a layer's tree (search results, other features): select the layer, the tree does the rest.
  const [reveal, setReveal] = useState<{ readonly layer: number; readonly path: string } | undefined>(undefined);
  useFileAction(
    "reveal-layer",
    useCallback((a: { readonly layer: number; readonly path: string }) => {
      setSelected(a.layer);
      setReveal({ layer: a.layer, path: a.path });
    }, []),
  );
  // View state: rows showing full digests and details, keyed by layer index.
  const [open, setOpen] = useState<ReadonlySet<number>>(() => new Set());
  const running = states.filter(isRunning).length;
  const done = states.filter((s) => s.progress.stage === "done").length;
  const failed = states.filter((s) => s.progress.stage === "failed").length;
  const fromCache = states.filter((s) => s.source === "cache").length;
  // The list shows a new selection at once; the tree (hundreds of ms for 200 000 entries) follows.
  const shown = useDeferredValue(selected);
  const selectedState = states.find((s) => s.layerIndex === shown);
  const lowers = useStable(useMemo(() => (selectedState ? states.filter((s) => s.layerIndex < selectedState.layerIndex).map((s) => s.result) : []), [states, selectedState]));

  const toggle = (i: number): void =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });

  return (
    <div className="space-y-4">
      <Card
        anchor="layers"
        title="Layers"
        testId="layers-card"
        aside={
          <span className="inline-flex flex-wrap items-center gap-2">
            <span data-testid="layers-summary">
              {states.length} layers · {done} done{running > 0 ? ` · ${running} running or queued` : ""}
              {failed > 0 ? ` · ${failed} failed` : ""}
              {fromCache > 0 ? ` · ${fromCache} from the cache` : ""} · base layer first
            </span>
            <button type="button" data-testid="layers-cancel-all" disabled={running === 0} onClick={() => jobs.cancel()} className={`${smallButton} disabled:opacity-40`}>
              Cancel all
            </button>
          </span>
        }
      >
        {states.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-600">This image has no layers.</p>
        ) : (
          <ol data-testid="layers" className="divide-y divide-slate-200">
            {states.map((s) => (
              <LayerRow
                key={s.layerIndex}
                state={s}
                createdBy={createdBy?.[s.layerIndex]}
                selected={s.layerIndex === selected}
                open={open.has(s.layerIndex)}
                onSelect={() => setSelected(s.layerIndex)}
                onToggle={() => toggle(s.layerIndex)}
                onCancel={() => jobs.cancel(s.layerIndex)}
                onRetry={() => jobs.retry(s.layerIndex)}
              />
            ))}
          </ol>
        )}
        {fromCache > 0 && <CacheSummary fromCache={fromCache} total={states.length} />}
        {selected === undefined && states.length > 0 && (
          <p className="border-t border-slate-200 px-4 py-2 text-xs text-slate-600">Select a layer (click, or Enter) to see its files.</p>
        )}
      </Card>
      {selected !== shown && <Loading label={`Building the file tree of layer ${(selected ?? 0) + 1}…`} />}
      {selectedState && selected === shown && (
        <LayerFiles key={selectedState.layerIndex} state={selectedState} lowers={lowers} reveal={reveal?.layer === selectedState.layerIndex ? reveal : undefined} />
      )}
    </div>
  );
}

/** The same array object while its elements are the same objects, so memoised work keyed on it is kept. */
function useStable<T>(next: readonly T[]): readonly T[] {
  const [kept, setKept] = useState(next);
  if (kept !== next && !sameElements(kept, next)) {
    setKept(next);
    return next;
  }
  return kept;
}

const smallButton =
  "rounded border border-slate-300 bg-white px-2 py-0.5 text-[11px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600";

const STAGE_LABEL: Readonly<Record<LayerJobState["progress"]["stage"], string>> = {
  queued: "queued",
  downloading: "downloading, verifying, indexing",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
};

function LayerRow({
  state: s,
  createdBy,
  selected,
  open,
  onSelect,
  onToggle,
  onCancel,
  onRetry,
}: {
  readonly state: LayerJobState;
  readonly createdBy: string | undefined;
  readonly selected: boolean;
  readonly open: boolean;
  readonly onSelect: () => void;
  readonly onToggle: () => void;
  readonly onCancel: () => void;
  readonly onRetry: () => void;
}) {
  const r = s.result;
  const t = trust(s);
  const typeName = layerTypeName(s.descriptor.mediaType);
  const error = s.error ?? r?.error;
  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>): void => {
    if (e.target !== e.currentTarget) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onSelect();
    }
  };
  return (
    <li
      data-testid="layer-row"
      data-layer-index={s.layerIndex}
      data-trusted={t === "trusted" ? "true" : "false"}
      data-stage={s.progress.stage}
      aria-current={selected ? "true" : undefined}
      aria-label={`Layer ${s.layerIndex + 1}`}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={onKeyDown}
      className={`grid cursor-pointer grid-cols-[2.25rem_minmax(0,1fr)] gap-x-2 px-3 py-2.5 text-[13px] outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-600 ${
        selected ? "bg-indigo-50/70 shadow-[inset_3px_0_0_0_var(--color-indigo-600)]" : "hover:bg-slate-50"
      }`}
    >
      <span className="pt-0.5 font-mono text-xs tabular-nums text-slate-500" title={`manifest.layers[${s.layerIndex}]`}>
        {s.layerIndex + 1}
      </span>
      <div className="min-w-0 space-y-1.5">
        <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-1">
          <div className="min-w-0 flex-1">
            {createdBy !== undefined ? (
              <div className="line-clamp-2 font-mono text-[12px] leading-5 text-slate-900 [overflow-wrap:anywhere]" title={escapeInvisible(createdBy.slice(0, 4096))}>
                <SafeText text={createdBy.slice(0, 2000)} />
              </div>
            ) : (
              <span className="text-xs text-slate-400">no history entry for this layer</span>
            )}
          </div>
          <div className="flex shrink-0 items-center gap-1.5">
            {isRunning(s) && (
              <button type="button" data-testid="layer-cancel" onClick={onCancel} className={smallButton}>
                Cancel
              </button>
            )}
            {isRetryable(s) && (
              <button type="button" data-testid="layer-retry" onClick={onRetry} className={smallButton}>
                Retry
              </button>
            )}
            <button type="button" data-testid="layer-details-toggle" aria-expanded={open} onClick={onToggle} className={smallButton}>
              {open ? "Less" : "More"}
            </button>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-700">
          <span title={formatExactBytes(s.descriptor.size)}>
            <span className="font-medium tabular-nums text-slate-900">{formatBytes(s.descriptor.size)}</span> compressed
          </span>
          <span title={r ? formatExactBytes(r.uncompressedSize) : "known once the layer has been read"}>
            <span className="font-medium tabular-nums text-slate-900">{r ? formatBytes(r.uncompressedSize) : s.progress.uncompressedBytes > 0 ? `≥ ${formatBytes(s.progress.uncompressedBytes)}` : "—"}</span> uncompressed
          </span>
          <Badge tone={typeName ? "neutral" : "warn"} title={s.descriptor.mediaType}>
            {typeName ?? <SafeText text={s.descriptor.mediaType.slice(0, 200)} />}
          </Badge>
          {r && typeName && !typeName.includes(r.compression === "none" ? "tar" : r.compression) && (
            <Badge tone="warn" title="The bytes' magic number decides how the layer is decompressed; the media type is only a hint">
              bytes are {r.compression}
            </Badge>
          )}
          {r && <span className="tabular-nums text-slate-600">{r.totals.entries.toLocaleString("en-US")} entries</span>}
          <StageBadge state={s} />
          {s.source === "cache" && <FromCacheBadge cachedAt={s.cachedAt} />}
          {r?.partial && <PartialBadge />}
          {t === "untrusted" && <UntrustedBadge title={untrustedReason(s)} />}
          {r && r.warnings.length > 0 && <Badge tone="warn">{r.warnings.length === 1 ? "1 warning" : `${r.warnings.length} warnings`}</Badge>}
        </div>
        <DigestLine label="digest" value={s.descriptor.digest} verdict={digestVerdict(s)} testId="digest-verdict" open={open} />
        <DigestLine label="diff_id" value={s.diffId} verdict={diffIdVerdict(s)} testId="diffid-verdict" open={open} />
        {isRunning(s) && <Progress state={s} />}
        {error && error.kind !== "aborted" && <LayerError error={error} />}
        {error?.kind === "rate-limited" && <RateLimitLine wait={s.rateLimitWait} />}
        {open && <Details state={s} />}
      </div>
    </li>
  );
}

function StageBadge({ state: s }: { readonly state: LayerJobState }) {
  switch (s.progress.stage) {
    case "done":
      return null;
    case "failed":
      return <Badge tone="bad">failed</Badge>;
    case "cancelled":
      return <Badge tone="warn">cancelled</Badge>;
    case "queued":
      return <Badge>queued</Badge>;
    case "downloading":
      return <Badge tone="info">running</Badge>;
  }
}

/** Short date of when a cached layer was verified and stored: "24 Nov 2026, 14:05". */
function verifiedDate(ms: number | undefined): string {
  if (ms === undefined) return "earlier";
  return new Date(ms).toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The layer's result came from this browser's persistent cache: verified when stored, nothing downloaded now. */
function FromCacheBadge({ cachedAt }: { readonly cachedAt: number | undefined }) {
  const when = verifiedDate(cachedAt);
  return (
    <span
      data-testid="layer-source"
      data-source="cache"
      title={`Read from this browser's cache: its blob digest and diff_id were verified when it was stored (${when}); nothing was downloaded now. The diff_id is compared with this image's config again.`}
      className="inline-flex items-center gap-1 rounded bg-sky-50 px-1.5 py-px text-[11px] font-medium text-sky-800 ring-1 ring-inset ring-sky-300"
    >
      from cache <span className="font-normal text-sky-700">(verified {when})</span>
    </span>
  );
}

function CacheSummary({ fromCache, total }: { readonly fromCache: number; readonly total: number }) {
  return (
    <p data-testid="layers-cache-summary" className="border-t border-slate-200 bg-sky-50/50 px-4 py-2 text-xs text-slate-700">
      <span className="font-medium text-sky-900">
        {fromCache} of {total} {total === 1 ? "layer" : "layers"} from the cache
      </span>{" "}
      — verified when they were stored, read back from this browser with no download. Manifests and configs named by a digest come from the cache too; a tag is
      always resolved at the registry.
    </p>
  );
}

export function UntrustedBadge({ title }: { readonly title: string }) {
  return (
    <span data-testid="untrusted" title={title} className="inline-flex items-center rounded bg-rose-600 px-1.5 py-px text-[11px] font-semibold text-white">
      untrusted
    </span>
  );
}

function PartialBadge() {
  return (
    <span data-testid="partial" title="The layer stopped early: only the entries read before the error are shown" className="inline-flex items-center rounded bg-amber-100 px-1.5 py-px text-[11px] font-semibold text-amber-900 ring-1 ring-inset ring-amber-400">
      partial
    </span>
  );
}

function DigestLine({
  label,
  value,
  verdict,
  testId,
  open,
}: {
  readonly label: string;
  readonly value: string | undefined;
  readonly verdict: ShownVerdict;
  readonly testId: string;
  readonly open: boolean;
}) {
  return (
    <div className="flex flex-wrap items-start gap-x-1.5 gap-y-0.5 text-xs">
      <span className="w-12 shrink-0 pt-0.5 text-slate-500">{label}</span>
      {value === undefined ? (
        <Badge tone="warn">missing</Badge>
      ) : (
        <>
          <code className="min-w-0 pt-0.5 font-mono text-[11.5px] text-slate-800 [overflow-wrap:anywhere]" title={escapeInvisible(value)} data-full={open ? "true" : "false"}>
            <SafeText text={open ? value : shortDigest(value)} />
          </code>
          <CopyButton text={value} />
        </>
      )}
      <Verdict v={verdict} testId={testId} />
    </div>
  );
}

function Verdict({ v, testId }: { readonly v: ShownVerdict; readonly testId: string }) {
  const base = "inline-flex max-w-full flex-wrap items-center gap-x-1 rounded px-1.5 py-px text-[11px] font-medium ring-1 ring-inset";
  switch (v.status) {
    case "verified":
      return (
        <span data-testid={testId} data-status="verified" title={`${v.digest} — the bytes hash to exactly this`} className={`${base} bg-emerald-50 text-emerald-800 ring-emerald-300`}>
          verified
        </span>
      );
    case "pending":
      return (
        <span data-testid={testId} data-status="pending" title="Checked once the whole stream has been read" className={`${base} bg-slate-50 text-slate-600 ring-slate-300`}>
          pending
        </span>
      );
    case "unverifiable":
      return (
        <span data-testid={testId} data-status="unverifiable" title={escapeInvisible(v.reason)} className={`${base} bg-amber-50 text-amber-900 ring-amber-300`}>
          unverifiable <span className="font-normal">({<SafeText text={v.reason.slice(0, 300)} />})</span>
        </span>
      );
    case "mismatch":
      return (
        <span data-testid={testId} data-status="mismatch" className={`${base} basis-full bg-rose-50 text-rose-800 ring-rose-300`}>
          <span className="font-semibold">mismatch</span>
          <span className="font-normal">
            expected{" "}
            <code data-part="expected" className="font-mono [overflow-wrap:anywhere]">
              <SafeText text={v.expected} />
            </code>{" "}
            got{" "}
            <code data-part="actual" className="font-mono [overflow-wrap:anywhere]">
              <SafeText text={v.actual} />
            </code>
          </span>
        </span>
      );
  }
}

function Progress({ state: s }: { readonly state: LayerJobState }) {
  const p = s.progress;
  const total = p.compressedTotal > 0 ? p.compressedTotal : s.descriptor.size;
  const fraction = total > 0 ? Math.min(1, p.compressedBytes / total) : 0;
  return (
    <div data-testid="layer-progress" data-stage={p.stage} className="space-y-1">
      <div className="flex flex-wrap gap-x-3 text-xs tabular-nums text-slate-700">
        <span className="font-medium">{STAGE_LABEL[p.stage]}</span>
        <span title={`${formatExactBytes(p.compressedBytes)} of ${formatExactBytes(total)}`}>
          {formatBytes(p.compressedBytes)} of {formatBytes(total)}
        </span>
        <span title="Throughput of the uncompressed tar stream">{formatRate(p.bytesPerSecond)}</span>
        <span>{p.entries.toLocaleString("en-US")} entries so far</span>
        {p.uncompressedBytes > 0 && <span className="text-slate-500">{formatBytes(p.uncompressedBytes)} of tar read</span>}
      </div>
      <div role="progressbar" aria-label={`Layer ${s.layerIndex + 1} download`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)} className="h-1.5 overflow-hidden rounded bg-slate-200">
        {/* Scaled, not resized: a transform transition runs on the compositor, where a width one laid out and painted the page every frame while layers streamed. */}
        <div className={`h-full w-full origin-left rounded ${p.stage === "queued" ? "bg-slate-300" : "bg-indigo-600"} transition-transform duration-200`} style={{ transform: `scaleX(${fraction.toFixed(4)})` }} />
      </div>
    </div>
  );
}

/**
 * Under a layer's 429: the countdown to its next automatic attempt (R4), or, once those are
 * used up, that it stopped and waits for Retry.
 */
function RateLimitLine({ wait }: { readonly wait: RateLimitWait | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (wait === undefined) return;
    const t = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(t);
  }, [wait]);
  if (wait === undefined) return <p className="text-xs text-slate-700">Stopped after the automatic retries. Use Retry when you are ready.</p>;
  return (
    <div className="text-xs text-slate-700">
      <RetryCountdown secondsLeft={Math.max(0, Math.ceil((wait.retryAt - now) / 1000))} attempt={wait.attempt} max={wait.max} testId="layer-retry-countdown" />
    </div>
  );
}

/** A layer's error in the words of describeError (data-testid=error, data-kind), compact. */
export function LayerError({ error }: { readonly error: LayerscopeError }) {
  const d = describeError(error);
  return (
    <div data-testid="error" data-kind={error.kind} role="alert" className="rounded border border-rose-300 bg-rose-50 px-3 py-1.5 text-xs text-rose-950">
      <p className="font-semibold">
        <SafeText text={d.title} />
      </p>
      <p className="[overflow-wrap:anywhere]" data-part="detail">
        <SafeText text={d.detail} />
      </p>
      <p className="opacity-90" data-part="action">
        <SafeText text={d.action} />
      </p>
    </div>
  );
}

function Details({ state: s }: { readonly state: LayerJobState }) {
  const r = s.result;
  return (
    <div className="rounded border border-slate-200 bg-slate-50 px-3 py-2 text-xs text-slate-700">
      <dl className="grid grid-cols-[9rem_minmax(0,1fr)] gap-x-3 gap-y-0.5">
        <dt className="text-slate-500">Media type</dt>
        <dd className="font-mono [overflow-wrap:anywhere]">
          <SafeText text={s.descriptor.mediaType} />
        </dd>
        {r && (
          <>
            <dt className="text-slate-500">Compression</dt>
            <dd>{r.compression} (by magic bytes)</dd>
            <dt className="text-slate-500">Contents</dt>
            <dd>
              {r.totals.files.toLocaleString("en-US")} files ({formatBytes(r.totals.fileBytes)}), {r.totals.dirs.toLocaleString("en-US")} directories,{" "}
              {r.totals.symlinks.toLocaleString("en-US")} symlinks, {r.totals.hardlinks.toLocaleString("en-US")} hard links, {r.totals.whiteouts.toLocaleString("en-US")} whiteouts,{" "}
              {r.totals.opaques.toLocaleString("en-US")} opaque markers, {r.totals.others.toLocaleString("en-US")} other
            </dd>
          </>
        )}
      </dl>
      {r && r.warnings.length > 0 && (
        <ul data-testid="layer-warnings" className="mt-1.5 list-disc space-y-0.5 pl-5 text-amber-900">
          {r.warnings.slice(0, 50).map((w, i) => (
            <li key={i} className="[overflow-wrap:anywhere]">
              <SafeText text={w} />
            </li>
          ))}
          {r.warnings.length > 50 && <li>… and {r.warnings.length - 50} more</li>}
        </ul>
      )}
    </div>
  );
}

/** The selected layer's files: its tree against the layers below, or why there is none yet. */
function LayerFiles({
  state: s,
  lowers,
  reveal,
}: {
  readonly state: LayerJobState;
  readonly lowers: readonly (LayerIndex | undefined)[];
  readonly reveal: { readonly path: string } | undefined;
}) {
  const r = s.result;
  const t = trust(s);
  return (
    <Card
      testId="layer-files"
      title={
        <span className="inline-flex flex-wrap items-center gap-2">
          Files in layer {s.layerIndex + 1}
          {t === "untrusted" && <UntrustedBadge title={untrustedReason(s)} />}
          {r?.partial && <PartialBadge />}
        </span>
      }
      aside={r ? <span className="font-mono">{shortDigest(s.descriptor.digest)}</span> : undefined}
    >
      {r ? (
        <LayerTree key={`${s.layerIndex}`} result={r} lowers={lowers} reveal={reveal} />
      ) : isRunning(s) ? (
        <p className="px-4 py-3 text-sm text-slate-600">
          The file tree appears when the layer has been read to its end.
          {reveal && <span data-testid="layer-reveal-notice"> /{clip(reveal.path, 300).text} will be shown then.</span>}
        </p>
      ) : (
        <p className="px-4 py-3 text-sm text-slate-600">{s.progress.stage === "cancelled" ? "Cancelled: use Retry to read this layer." : "No files: the layer could not be read. See the error above."}</p>
      )}
    </Card>
  );
}

function LayerTree({
  result,
  lowers,
  reveal,
}: {
  readonly result: LayerIndex;
  readonly lowers: readonly (LayerIndex | undefined)[];
  readonly reveal: { readonly path: string } | undefined;
}) {
  const tree = treeFor(result);
  const changes = changesFor(tree, result, lowers);
  const c = changes.counts;
  const image = useExportImage();
  return (
    <>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 px-4 py-2 text-xs text-slate-700" data-testid="tree-summary">
        <span>{result.totals.entries.toLocaleString("en-US")} entries</span>
        <span className="text-emerald-800">{c.added.toLocaleString("en-US")} added</span>
        <span className="text-amber-900">{c.modified.toLocaleString("en-US")} modified</span>
        <span className="text-rose-800">{c.deleted.toLocaleString("en-US")} deleted</span>
        {c.opaque > 0 && <span className="text-violet-800">{c.opaque.toLocaleString("en-US")} opaque</span>}
        <span className="text-slate-500">{lowers.length === 0 ? "base layer: everything is added" : lowers.length === 1 ? "against layer 1 below" : `against layers 1–${lowers.length} below`}</span>
        {changes.incompleteBelow.length > 0 && (
          <Badge tone="warn" title="Until every lower layer is indexed, a path present below may show as added">
            {changes.incompleteBelow.length === 1 ? `layer ${(changes.incompleteBelow[0] ?? 0) + 1} below is` : `layers ${changes.incompleteBelow.map((i) => i + 1).join(", ")} below are`} not fully indexed yet
          </Badge>
        )}
        <span className="ml-auto">
          <ExportButtons
            testId="layer-export"
            what={`the listing of layer ${result.layerIndex + 1}`}
            build={(format) => {
              const input = {
                image: image ?? { reference: "" },
                layer: {
                  layerIndex: result.layerIndex,
                  digest: result.digest,
                  diffId: result.diffId,
                  mediaType: result.mediaType,
                  trusted: isTrusted(result),
                  partial: result.partial,
                },
                entries: result.entries,
              };
              return format === "json" ? layerJson(input) : layerCsv(input);
            }}
            fileName={(format) => exportFileName(image, [`layer-${result.layerIndex + 1}`], format)}
          />
          <LayerTarDownload layer={result.layerIndex} />
        </span>
      </div>
      {result.error && (
        <div className="px-4 pt-2">
          <LayerError error={result.error} />
        </div>
      )}
      <FileTreeView tree={tree} changes={changes} label={`Files in layer ${result.layerIndex + 1}`} layer={result.layerIndex} reveal={reveal} />
    </>
  );
}

