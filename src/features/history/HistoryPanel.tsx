import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { pathHistory, type HistoryEvent, type PathHistory } from "../../core/history";
import { Badge } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import type { LayerJobState } from "../../lib/layers/types";
import type { FileActions } from "../files/actions";
import { clip, modeString, ownerLabel } from "../layers/format";
import { LayerChip, layerTitle } from "../merged/LayerChip";
import { goToLayerRow, useStableResults } from "../merged/MergedSection";
import { completeness, layerEntries, layerList } from "../merged/model";
import { DiffView, LayoutSwitch, useDiffLayout } from "./DiffView";
import { defaultPair, eventDetail, eventTitle, eventTone, formatMtime, hasContents, kindWord, previousContent, type DiffPair } from "./model";
import type { ReadVersion } from "./reader";
import { useContentDiff } from "./useContentDiff";

/** Characters of a path drawn in the header; the copy button has all of it (U3). */
const MAX_PATH_CHARS = 4096;

/**
 * Every version of one path across the layers, as a side panel (a modal dialog): what each layer
 * did to it, which version the final image shows, and a text diff between any two versions.
 * Esc or the close button closes it and gives focus back to where it was.
 */
export function HistoryPanel({
  path,
  states,
  createdBy,
  read,
  actions,
  onClose,
}: {
  readonly path: string;
  readonly states: readonly LayerJobState[];
  readonly createdBy: readonly (string | undefined)[] | undefined;
  /** Reads one version's bytes (the viewer's reader; a fake in tests). */
  readonly read: ReadVersion;
  readonly actions: FileActions | null;
  readonly onClose: () => void;
}) {
  const titleId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const results = useStableResults(useMemo(() => states.map((s) => s.result), [states]));
  const history = useMemo(() => pathHistory(layerEntries(results), path), [results, path]);
  const state = useMemo(() => completeness(states), [states]);
  const untrusted = useMemo(() => new Set(state.untrusted.map((u) => u.layer)), [state]);

  // Focus moves into the dialog when it opens and back to the opener when it closes.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus({ preventScroll: true });
  }, []);

  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>): void => {
    if (ev.key === "Escape") {
      ev.stopPropagation();
      onClose();
      return;
    }
    if (ev.key !== "Tab" || !panelRef.current) return;
    // Keep Tab inside the dialog (aria-modal).
    const focusable = [...panelRef.current.querySelectorAll<HTMLElement>('button:not([disabled]):not([tabindex="-1"]), input:not([disabled]), [tabindex="0"]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  };

  const incomplete = state.running.length + state.missing.length + state.partial.length > 0;
  // Going to a layer closes the panel (it covers the page). With a listener for reveal-layer the
  // layer's tree also selects the path; without one, the layers list's row is selected.
  const onLayer = (layer: number): void => {
    onClose();
    // After the panel is gone and has given the focus back, so the reveal keeps it.
    setTimeout(() => {
      if (actions?.handles("reveal-layer") === true) actions.emit({ type: "reveal-layer", layer, path: history.path });
      else goToLayerRow(layer);
    }, 0);
  };

  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-slate-900/30" onMouseDown={(ev) => ev.target === ev.currentTarget && onClose()}>
      <div
        ref={panelRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        // Focusable, so a click inside keeps the focus (and Esc) in the dialog.
        tabIndex={-1}
        data-testid="history-panel"
        data-path={history.path}
        onKeyDown={onKeyDown}
        className="flex h-full w-full max-w-4xl flex-col border-l border-slate-200 bg-white shadow-2xl outline-none"
      >
        <header className="flex items-start gap-3 border-b border-slate-200 px-4 py-3">
          <div className="min-w-0 flex-1">
            <h2 id={titleId} className="text-sm font-semibold text-slate-900">
              History of a path
            </h2>
            <p className="mt-0.5 flex min-w-0 items-start gap-2">
              <code data-testid="history-path" className="max-h-16 min-w-0 overflow-auto font-mono text-[12.5px] text-slate-800 [overflow-wrap:anywhere]">
                /<SafeText text={clip(history.path, MAX_PATH_CHARS).text} />
              </code>
              <CopyButton text={`/${history.path}`} />
            </p>
            <p data-testid="history-summary" className="mt-1 text-[12px] text-slate-600">
              <Summary history={history} />
            </p>
          </div>
          <button
            ref={closeRef}
            type="button"
            data-testid="history-close"
            aria-label="Close the history (Esc)"
            onClick={onClose}
            className="rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Close <kbd className="ml-1 font-sans text-[10px] text-slate-400">Esc</kbd>
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto">
          {incomplete && (
            <p data-testid="history-partial" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-950">
              This history may be incomplete until every layer is indexed:
              {state.running.length > 0 && ` ${layerWord(state.running)} ${layerList(state.running)} still being read;`}
              {state.missing.length > 0 && ` ${layerWord(state.missing)} ${layerList(state.missing)} failed or cancelled;`}
              {state.partial.length > 0 && ` ${layerWord(state.partial)} ${layerList(state.partial)} only partly read;`}
            </p>
          )}
          {history.events.length === 0 ? (
            <p data-testid="history-empty" className="px-4 py-6 text-center text-[13px] text-slate-600">
              No layer {incomplete ? "indexed so far " : ""}has this path, its whiteout or anything that removes it.
            </p>
          ) : (
            <HistoryBody history={history} createdBy={createdBy} untrusted={untrusted} actions={actions} onLayer={onLayer} read={read} />
          )}
          {history.warnings.length > 0 && (
            <ul data-testid="history-warnings" className="border-t border-slate-200 px-4 py-2 text-[11.5px] text-amber-900">
              {history.warnings.map((w, i) => (
                <li key={i}>
                  Layer {w.layer + 1}: <SafeText text={clip(w.detail, 600).text} />
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}

function layerWord(layers: readonly number[]): string {
  return layers.length === 1 ? "layer" : "layers";
}

function Summary({ history }: { readonly history: PathHistory }) {
  const f = history.final;
  const versions = history.events.filter((e) => e.marker === undefined).length;
  const layers = new Set(history.events.map((e) => e.layer)).size;
  const counts = `${versions} ${versions === 1 ? "version" : "versions"}, ${layers} ${layers === 1 ? "layer" : "layers"} involved`;
  if (f.kind === "present") {
    return (
      <>
        {counts} · in the final image:{" "}
        <strong className="font-medium text-slate-800">
          {f.implied ? "a directory implied by deeper paths" : `layer ${f.version.layer + 1}'s ${kindWord(f.version)}`}
        </strong>
        {f.hides.length > 0 && ` (hides ${f.hides.length} lower ${f.hides.length === 1 ? "version" : "versions"})`}
      </>
    );
  }
  if (f.kind === "deleted") {
    return (
      <>
        {counts} · <strong className="font-medium text-rose-800">not in the final image</strong>: removed by layer {f.deleted.removedBy + 1} (
        <code className="font-mono">
          <SafeText text={clip(f.deleted.marker, 300).text} />
        </code>
        )
      </>
    );
  }
  return <>Never present in any layer.</>;
}

function HistoryBody({
  history,
  createdBy,
  untrusted,
  actions,
  onLayer,
  read,
}: {
  readonly history: PathHistory;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly actions: FileActions | null;
  readonly onLayer: (layer: number) => void;
  readonly read: ReadVersion;
}) {
  // View state: the pair picked for the diff, keyed by path so another path starts afresh.
  const [picked, setPicked] = useState<{ readonly path: string; readonly pair: DiffPair } | undefined>(undefined);
  const pair = picked?.path === history.path && picked.pair.a < history.events.length && picked.pair.b < history.events.length ? picked.pair : defaultPair(history);
  const pick = (next: DiffPair): void => setPicked({ path: history.path, pair: next });
  const canReveal = actions?.handles("reveal-layer") === true;
  const canOpen = actions?.handles("open-file") === true;
  // A and B only mean something when there are two versions with contents to compare.
  const comparable = history.events.filter(hasContents).length >= 2;
  return (
    <>
      <ol data-testid="history-events" aria-label="Versions, base layer first" className="divide-y divide-slate-100">
        {history.events.map((e, i) => (
          <EventRow
            key={i}
            index={i}
            event={e}
            path={history.path}
            createdBy={createdBy}
            untrusted={untrusted}
            onLayer={onLayer}
            pair={pair}
            onPick={comparable ? pick : undefined}
            previous={previousContent(history, i)}
            reveal={canReveal ? () => onLayer(e.layer) : undefined}
            open={canOpen && hasContents(e) ? () => actions?.emit({ type: "open-file", layer: e.layer, path: history.path }) : undefined}
          />
        ))}
      </ol>
      <section aria-label="Text diff" className="border-t border-slate-200">
        {pair === undefined ? (
          <p data-testid="history-diff-none" className="px-4 py-3 text-[12.5px] text-slate-600">
            A text diff needs two versions with contents (regular files or hard links); this path has {history.events.filter(hasContents).length === 1 ? "one" : "none"}.
          </p>
        ) : (
          <DiffSection history={history} pair={pair} read={read} createdBy={createdBy} />
        )}
      </section>
    </>
  );
}

function EventRow({
  index,
  event: e,
  path,
  createdBy,
  untrusted,
  onLayer,
  pair,
  onPick,
  previous,
  reveal,
  open,
}: {
  readonly index: number;
  readonly event: HistoryEvent;
  readonly path: string;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
  readonly pair: DiffPair | undefined;
  /** Undefined when fewer than two versions have contents (no A/B pickers then). */
  readonly onPick: ((pair: DiffPair) => void) | undefined;
  readonly previous: number | undefined;
  readonly reveal: (() => void) | undefined;
  readonly open: (() => void) | undefined;
}) {
  const v = e.version;
  const removal = e.marker !== undefined;
  const owner = ownerLabel({ uid: v.uid, gid: v.gid, uname: v.uname ?? "", gname: v.gname ?? "" });
  const by = createdBy?.[e.layer];
  const detail = eventDetail(e);
  const content = hasContents(e);
  return (
    <li
      data-testid="history-event"
      data-kind={e.kind}
      data-layer={e.layer}
      data-visible={e.visible ? "true" : undefined}
      aria-current={e.visible ? "true" : undefined}
      className={`px-4 py-2 text-[12.5px] ${e.visible ? "bg-emerald-50/60" : removal ? "bg-rose-50/40" : ""}`}
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <LayerChip layer={e.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
        <Badge tone={eventTone(e)}>
          <span data-testid="history-event-title">{eventTitle(e)}</span>
        </Badge>
        {e.visible && (
          <Badge tone="good" title="This is the version the final image shows">
            visible in the image
          </Badge>
        )}
        {untrusted.has(e.layer) && (
          <Badge tone="bad" title="This layer did not verify: do not trust this version">
            untrusted layer
          </Badge>
        )}
        <span className="ml-auto flex items-center gap-1">
          {content && onPick && (
            <>
              <PickButton label="A" title="Compare from this version (old side)" checked={pair?.a === index} onClick={() => onPick({ a: index, b: pair && pair.b !== index ? pair.b : index })} />
              <PickButton label="B" title="Compare to this version (new side)" checked={pair?.b === index} onClick={() => onPick({ a: pair && pair.a !== index ? pair.a : index, b: index })} />
              {previous !== undefined && (
                <RowButton testId="history-diff-previous" onClick={() => onPick({ a: previous, b: index })} title={`Diff with the version of layer ${previous + 1}`}>
                  Diff with previous
                </RowButton>
              )}
            </>
          )}
          {open && (
            <RowButton testId="history-open" onClick={open} title="Open this version in the file viewer">
              Open
            </RowButton>
          )}
          {reveal && (
            <RowButton testId="history-reveal" onClick={reveal} title={`Show ${path} in layer ${e.layer + 1}'s files`}>
              Show in layer
            </RowButton>
          )}
        </span>
      </div>
      <p data-testid="history-event-meta" className="mt-1 flex flex-wrap gap-x-3 font-mono text-[11.5px] text-slate-700">
        {e.implied ? (
          <span className="font-sans text-slate-500">no tar entry: a directory the runtime creates for deeper paths</span>
        ) : (
          <>
            <span title={(v.mode & 0o7777).toString(8).padStart(4, "0")}>{modeString(v.type, v.mode)}</span>
            <span title={owner.title}>
              <SafeText text={clip(owner.text, 200).text} />
              {owner.text !== `${v.uid}:${v.gid}` && <span className="text-slate-500"> ({v.uid}:{v.gid})</span>}
            </span>
            <span title={formatExactBytes(v.size)}>{v.type === "dir" ? "—" : formatBytes(v.size)}</span>
            <span>{formatMtime(v.mtime)}</span>
            {v.linkname !== undefined && (
              <span className="min-w-0 [overflow-wrap:anywhere]">
                {v.type === "hardlink" ? "hard link to " : "→ "}
                <SafeText text={clip(v.linkname, 1000).text} />
              </span>
            )}
          </>
        )}
        {removal && <span className="font-sans text-rose-700">(the version removed)</span>}
      </p>
      {detail && (
        <p className="mt-0.5 text-[11.5px] text-slate-600">
          <SafeText text={clip(detail, 2000).text} />
        </p>
      )}
      <p className="mt-0.5 truncate font-mono text-[11px] text-slate-500" title={layerTitle(e.layer, createdBy, untrusted)}>
        {by === undefined ? <span className="font-sans">no history entry for this layer</span> : <SafeText text={clip(by, 300).text} />}
      </p>
    </li>
  );
}

function PickButton({ label, title, checked, onClick }: { readonly label: string; readonly title: string; readonly checked: boolean; readonly onClick: () => void }) {
  return (
    <button
      type="button"
      aria-pressed={checked}
      aria-label={title}
      title={title}
      data-testid={`history-pick-${label.toLowerCase()}`}
      onClick={onClick}
      className={`h-6 w-6 rounded border text-[11px] font-semibold focus-visible:outline-2 focus-visible:outline-indigo-600 ${
        checked ? (label === "A" ? "border-rose-600 bg-rose-600 text-white" : "border-emerald-600 bg-emerald-600 text-white") : "border-slate-300 bg-white text-slate-600 hover:bg-slate-50"
      }`}
    >
      {label}
    </button>
  );
}

function RowButton({ testId, title, onClick, children }: { readonly testId: string; readonly title: string; readonly onClick: () => void; readonly children: ReactNode }) {
  return (
    <button
      type="button"
      data-testid={testId}
      title={title}
      onClick={onClick}
      className="rounded border border-slate-300 bg-white px-2 py-0.5 text-[11.5px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      {children}
    </button>
  );
}

function DiffSection({
  history,
  pair,
  read,
  createdBy,
}: {
  readonly history: PathHistory;
  readonly pair: DiffPair;
  readonly read: ReadVersion;
  readonly createdBy: readonly (string | undefined)[] | undefined;
}) {
  const [layout, setLayout] = useDiffLayout();
  const a = history.events[pair.a] as HistoryEvent;
  const b = history.events[pair.b] as HistoryEvent;
  return (
    <div data-testid="history-diff-section">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 bg-slate-50 px-4 py-2 text-[12px] text-slate-700">
        <span className="font-medium text-slate-900">Text diff</span>
        <span data-testid="history-diff-sides">
          <span className="rounded bg-rose-600 px-1 font-semibold text-white">A</span> layer {a.layer + 1} ({eventTitle(a)}) →{" "}
          <span className="rounded bg-emerald-600 px-1 font-semibold text-white">B</span> layer {b.layer + 1} ({eventTitle(b)})
        </span>
        <span className="ml-auto flex items-center gap-2">
          <span className="text-[11px] text-slate-500">pick A and B on the versions above</span>
          <LayoutSwitch layout={layout} onChange={setLayout} />
        </span>
      </div>
      {pair.a === pair.b ? (
        <p className="px-4 py-3 text-[12.5px] text-slate-600">A and B are the same version: pick another one with A or B.</p>
      ) : (
        <LoadedDiff read={read} path={history.path} a={a} b={b} layout={layout} createdBy={createdBy} />
      )}
    </div>
  );
}

function LoadedDiff({
  read,
  path,
  a,
  b,
  layout,
  createdBy,
}: {
  readonly read: ReadVersion;
  readonly path: string;
  readonly a: HistoryEvent;
  readonly b: HistoryEvent;
  readonly layout: "unified" | "split";
  readonly createdBy: readonly (string | undefined)[] | undefined;
}) {
  const state = useContentDiff(read, { layer: a.layer, path }, { layer: b.layer, path });
  if (state.status === "loading") {
    return (
      <p data-testid="history-diff-loading" className="px-4 py-3 text-[12.5px] text-slate-600" aria-live="polite">
        Reading both versions from their layers…
      </p>
    );
  }
  if (state.status === "failed") {
    const layer = state.side === "old" ? a.layer : b.layer;
    return (
      <p data-testid="history-diff-error" role="alert" className="px-4 py-3 text-[12.5px] text-rose-800" title={layerTitle(layer, createdBy)}>
        Could not read layer {layer + 1}&apos;s version: <SafeText text={clip(state.message, 2000).text} />
      </p>
    );
  }
  const notes = [
    ...(!state.trusted.old ? [`layer ${a.layer + 1} did not verify: its bytes (A) must not be trusted`] : []),
    ...(!state.trusted.new ? [`layer ${b.layer + 1} did not verify: its bytes (B) must not be trusted`] : []),
  ];
  const cut = state.diff.kind === "text" ? [...state.diff.cut, ...(state.diff.diff.coarse ? ["too many changes for a line-by-line match: the rest is shown as one block replaced by another"] : [])] : [];
  return (
    <>
      {notes.length > 0 && (
        <p data-testid="history-diff-untrusted" className="border-y border-rose-200 bg-rose-50 px-4 py-1.5 text-[12px] text-rose-900">
          Unverified: {notes.join("; ")}.
        </p>
      )}
      {cut.length > 0 && (
        <p data-testid="history-diff-cut" className="border-y border-amber-200 bg-amber-50 px-4 py-1.5 text-[12px] text-amber-950">
          Diff cut: {cut.join("; ")}.
        </p>
      )}
      {state.diff.kind === "text" && !state.diff.diff.identical && (
        <p data-testid="history-diff-stats" className="px-4 pt-2 text-[11.5px] text-slate-600">
          <span className="text-emerald-700">+{state.diff.diff.added}</span> <span className="text-rose-700">−{state.diff.diff.removed}</span> lines
        </p>
      )}
      <div className="px-2 py-2">
        <div className="overflow-hidden rounded border border-slate-200" title={escapeInvisible(path)}>
          <DiffView diff={state.diff} layout={layout} />
        </div>
      </div>
    </>
  );
}
