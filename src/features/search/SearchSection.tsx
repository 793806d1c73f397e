import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import type { LayerEntry } from "../../core/pipeline/types";
import { ENTRY_KINDS, EMPTY_FORM, isEmptyForm, parseSearch, type EntryKind, type LinkFilter, type QueryError, type SearchForm, type SearchHit, type SearchOutcome } from "../../core/search";
import { Badge, Card } from "../../components/Card";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { searchBridge } from "../../lib/filetree/client";
import { formatBytes, formatExactBytes } from "../../lib/format";
import type { LayerJobs } from "../../lib/layers/types";
import { useFileActions } from "../files/actions";
import { clip, modeString, ownerLabel } from "../layers/format";
import { useSharedLayerJobs } from "../layers/LayerJobsContext";
import { useStableResults } from "../merged/MergedSection";
import { completeness, layerEntries, layerList } from "../merged/model";
import { runSearchInPlace } from "./model";

/** Typing pauses this long before a search runs (Enter runs at once). */
const DEBOUNCE_MS = 200;
/** The worker's own budget: a scan that takes longer stops with what it found. */
const BUDGET_MS = 5000;
/**
 * A search still running after this is stopped by terminating the worker (a runaway regex). It
 * also covers sending the layers and merging them in the worker on the first search, which
 * takes seconds for 200 000 entries on a busy machine.
 */
const WATCHDOG_MS = 30_000;
/** Result rows drawn at first and per "show more": 1 000 rows of DOM at once cost the page ~100 ms. */
const ROWS_PER_PAGE = 200;

const KIND_LABEL: Readonly<Record<EntryKind, string>> = {
  file: "file",
  dir: "directory",
  symlink: "symlink",
  hardlink: "hardlink",
  char: "char device",
  block: "block device",
  fifo: "FIFO",
  whiteout: "whiteout",
  opaque: "opaque marker",
  other: "other",
};

const LINK_LABEL: Readonly<Record<LinkFilter, string>> = {
  any: "any",
  "broken-symlinks": "broken symlinks",
  hardlinks: "hardlinks",
  "hardlinks-missing-target": "hardlinks to a missing target",
};

const MODE_HELP: Readonly<Record<SearchForm["mode"], string>> = {
  substring: "Paths containing the text, e.g. bin/sh or .conf",
  glob: "* within a name, ** across directories, ? [a-z] {a,b}; no slash = match the name anywhere, e.g. *.so or /usr/**/*.h",
  regex: "JavaScript regular expression on the path with a leading /, e.g. ^/etc/.*\\.conf$",
};

type Run =
  | { readonly status: "idle" }
  | { readonly status: "running"; readonly form: SearchForm }
  | { readonly status: "done"; readonly form: SearchForm; readonly outcome: SearchOutcome; readonly layersSearched: number }
  | { readonly status: "failed"; readonly form: SearchForm; readonly message: string };

const NO_STATES: readonly never[] = [];
const noSubscribe = (): (() => void) => () => {};

/** The image's search section, from the layer-jobs store of the LayerJobsProvider above it. */
export function SearchSection() {
  const shared = useSharedLayerJobs();
  const jobs = shared?.jobs;
  return <SearchView jobs={jobs} />;
}

/** A number for each distinct layers array: the worker keeps the layers it was sent under this id. */
const datasetIds = new WeakMap<readonly (readonly LayerEntry[])[], number>();
let nextDataset = 1;
const datasetId = (layers: readonly (readonly LayerEntry[])[]): number => {
  let id = datasetIds.get(layers);
  if (id === undefined) {
    id = nextDataset++;
    datasetIds.set(layers, id);
  }
  return id;
};

export function SearchView({ jobs }: { readonly jobs: LayerJobs | undefined }) {
  const subscribe = useCallback((onChange: () => void) => jobs?.subscribe(onChange) ?? noSubscribe(), [jobs]);
  const getSnapshot = useCallback(() => jobs?.getSnapshot() ?? NO_STATES, [jobs]);
  const states = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  const results = useStableResults(useMemo(() => states.map((s) => s.result), [states]));
  const layers = useMemo(() => layerEntries(results), [results]);
  const loaded = results.filter((r) => r !== undefined).length;
  const state = useMemo(() => completeness(states), [states]);
  const actions = useFileActions();
  const id = useId();

  const [form, setForm] = useState<SearchForm>(EMPTY_FORM);
  const [submitted, setSubmitted] = useState<SearchForm>(EMPTY_FORM);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const resultsRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const parsed = useMemo(() => parseSearch(form), [form]);
  const errors: readonly QueryError[] = parsed.ok ? [] : parsed.error;
  const errorOf = (field: QueryError["field"]): string | undefined => errors.find((e) => e.field === field)?.message;

  // Debounce typing; a change of form restarts the timer.
  useEffect(() => {
    const t = setTimeout(() => setSubmitted(form), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [form]);

  // Run the submitted search whenever it or the layers change (layers arrive one by one). The
  // outcome is kept with the request it answers; a newer request shows the last outcome, dimmed.
  const request = useMemo(() => ({ form: submitted, layers, loaded }), [submitted, layers, loaded]);
  const [answer, setAnswer] = useState<{ readonly request: typeof request; readonly run: Run } | undefined>(undefined);
  const idle = isEmptyForm(submitted) || loaded === 0;
  useEffect(() => {
    if (isEmptyForm(request.form) || request.loaded === 0 || !parseSearch(request.form).ok) return; // errors are shown beside the fields
    const controller = new AbortController();
    const bridge = searchBridge();
    const work = bridge
      ? bridge.search({ id: datasetId(request.layers), layers: request.layers }, request.form, { signal: controller.signal, budgetMs: BUDGET_MS, timeoutMs: WATCHDOG_MS })
      : Promise.resolve().then(() => runSearchInPlace(request.layers, request.form, BUDGET_MS));
    work.then(
      (outcome) => {
        if (!controller.signal.aborted) setAnswer({ request, run: { status: "done", form: request.form, outcome, layersSearched: request.loaded } });
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const message =
          e instanceof Error && e.name === "TimeoutError"
            ? `The search was stopped after ${WATCHDOG_MS / 1000} s: the pattern is too slow on these paths (a regular expression that backtracks a lot?). Simplify it, or use text or glob.`
            : `The search failed: ${e instanceof Error ? e.message : String(e)}`;
        setAnswer({ request, run: { status: "failed", form: request.form, message } });
      },
    );
    return () => controller.abort();
  }, [request]);
  const run: Run = idle ? { status: "idle" } : answer === undefined ? { status: "running", form: submitted } : answer.run;
  const searching = !idle && answer?.request !== request && parseSearch(submitted).ok;

  const patch = (p: Partial<SearchForm>): void => {
    setNotice(undefined);
    setForm((f) => ({ ...f, ...p }));
  };

  const reveal = (hit: SearchHit): void => {
    if (!actions) return;
    const type = hit.scope === "merged" ? "reveal-merged" : "reveal-layer";
    if (!actions.handles(type)) {
      setNotice(hit.scope === "merged" ? "The merged tree is not shown yet." : "The layers list is not shown yet.");
      return;
    }
    setNotice(undefined);
    if (hit.scope === "merged") actions.emit({ type: "reveal-merged", path: hit.path });
    else actions.emit({ type: "reveal-layer", layer: hit.scope, path: hit.path });
  };

  const focusResult = (i: number): void => {
    const buttons = resultsRef.current?.querySelectorAll<HTMLButtonElement>("button[data-result]");
    if (!buttons || buttons.length === 0) return;
    buttons[Math.max(0, Math.min(buttons.length - 1, i))]?.focus();
  };

  const onInputKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === "Enter") {
      e.preventDefault();
      setSubmitted(form);
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      focusResult(0);
    } else if (e.key === "Escape" && form.text !== "") {
      e.preventDefault();
      patch({ text: "" });
    }
  };

  const onResultsKeyDown = (e: KeyboardEvent<HTMLOListElement>): void => {
    const buttons = [...(resultsRef.current?.querySelectorAll<HTMLButtonElement>("button[data-result]") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const go: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1, PageDown: at + 10, PageUp: at - 10 };
    const to = go[e.key];
    if (to === undefined) return;
    e.preventDefault();
    if (to < 0) inputRef.current?.focus();
    else focusResult(to);
  };

  const toggleKind = (k: EntryKind): void => patch({ kinds: form.kinds.includes(k) ? form.kinds.filter((x) => x !== k) : ENTRY_KINDS.filter((x) => x === k || form.kinds.includes(x)) });

  const count = states.length;
  const incomplete = loaded < count || state.partial.length > 0;
  const stale = run.status === "done" && (searching || run.form !== form);

  return (
    <Card
      anchor="search"
      testId="search"
      title="Search"
      aside={<span>paths in the merged filesystem and in every layer, with metadata filters</span>}
    >
      <div className="space-y-2.5 border-b border-slate-200 px-4 py-3">
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={`${id}-text`} className="sr-only">
            Search paths
          </label>
          <input
            ref={inputRef}
            id={`${id}-text`}
            data-testid="search-input"
            type="search"
            value={form.text}
            onChange={(e) => patch({ text: e.target.value })}
            onKeyDown={onInputKeyDown}
            placeholder={MODE_HELP[form.mode]}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={errorOf("text") !== undefined}
            aria-describedby={`${id}-text-error`}
            className={`min-w-[16rem] flex-1 rounded-md border px-2.5 py-1.5 font-mono text-[13px] text-slate-900 placeholder:font-sans placeholder:text-slate-400 focus:outline-3 focus:outline-indigo-500/30 ${
              errorOf("text") !== undefined ? "border-rose-400" : "border-slate-300 focus:border-indigo-500"
            }`}
          />
          <Segmented
            label="Match"
            testId="search-mode"
            value={form.mode}
            options={[
              ["substring", "text"],
              ["glob", "glob"],
              ["regex", "regex"],
            ]}
            onChange={(mode) => patch({ mode })}
          />
          <label className="inline-flex items-center gap-1.5 text-xs text-slate-700">
            <input type="checkbox" data-testid="search-case" checked={form.caseSensitive} onChange={(e) => patch({ caseSensitive: e.target.checked })} className="accent-indigo-600" />
            Match case
          </label>
          <label className="inline-flex items-center gap-1.5 text-xs text-slate-700">
            In
            <select
              data-testid="search-scope"
              value={String(form.scope)}
              onChange={(e) => {
                const v = e.target.value;
                patch({ scope: v === "merged" || v === "layers" ? v : Number(v) });
              }}
              className="rounded border border-slate-300 bg-white px-1.5 py-1 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              <option value="merged">the merged filesystem (top layer)</option>
              <option value="layers">all layers</option>
              {states.map((s) => (
                <option key={s.layerIndex} value={s.layerIndex}>
                  layer {s.layerIndex + 1}
                  {s.result ? "" : " (not read yet)"}
                </option>
              ))}
            </select>
          </label>
        </div>
        <FieldError id={`${id}-text-error`} message={errorOf("text")} />

        <fieldset className="flex flex-wrap items-center gap-1.5">
          <legend className="sr-only">Types</legend>
          <span className="mr-1 text-xs font-medium text-slate-600">Type</span>
          {ENTRY_KINDS.map((k) => {
            const on = form.kinds.includes(k);
            return (
              <label
                key={k}
                className={`cursor-pointer rounded-full border px-2 py-0.5 text-[11px] font-medium focus-within:outline-2 focus-within:outline-indigo-600 ${
                  on ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
                }`}
                title={k === "whiteout" || k === "opaque" ? "Layers only: the merged view has no markers" : undefined}
              >
                <input type="checkbox" data-testid={`search-kind-${k}`} checked={on} onChange={() => toggleKind(k)} className="sr-only" />
                {KIND_LABEL[k]}
              </label>
            );
          })}
        </fieldset>

        <div className="flex flex-wrap items-start gap-x-4 gap-y-2 text-xs text-slate-700">
          <SmallField label="Size from" testId="search-size-min" value={form.sizeMin} placeholder="e.g. 1M" error={errorOf("sizeMin")} onChange={(sizeMin) => patch({ sizeMin })} />
          <SmallField label="to" testId="search-size-max" value={form.sizeMax} placeholder="e.g. 1.5 GB" error={errorOf("sizeMax")} onChange={(sizeMax) => patch({ sizeMax })} />
          <SmallField label="uid" testId="search-uid" value={form.uid} placeholder="0, 1000-1999" error={errorOf("uid")} onChange={(uid) => patch({ uid })} />
          <SmallField label="gid" testId="search-gid" value={form.gid} placeholder="0" error={errorOf("gid")} onChange={(gid) => patch({ gid })} />
          <span className="inline-flex items-center gap-3 pt-1">
            <Check testId="search-setuid" label="setuid" checked={form.setuid} onChange={(setuid) => patch({ setuid })} />
            <Check testId="search-setgid" label="setgid" checked={form.setgid} onChange={(setgid) => patch({ setgid })} />
            <Check testId="search-world-writable" label="world-writable" checked={form.worldWritable} onChange={(worldWritable) => patch({ worldWritable })} />
          </span>
          <label className="inline-flex items-center gap-1.5 pt-0.5">
            Links
            <select
              data-testid="search-links"
              value={form.links}
              onChange={(e) => patch({ links: e.target.value as LinkFilter })}
              className="rounded border border-slate-300 bg-white px-1.5 py-1 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
              title="Links are resolved in the merged filesystem at the top layer: relative targets from the link's directory, absolute ones from the root, at most 40 hops; a loop is broken"
            >
              {(Object.keys(LINK_LABEL) as LinkFilter[]).map((l) => (
                <option key={l} value={l}>
                  {LINK_LABEL[l]}
                </option>
              ))}
            </select>
          </label>
          {!isEmptyForm(form) && (
            <button type="button" data-testid="search-clear" onClick={() => setForm({ ...EMPTY_FORM, scope: form.scope })} className="pt-1 text-xs font-medium text-indigo-700 hover:underline">
              Clear
            </button>
          )}
        </div>
      </div>

      {incomplete && loaded > 0 && (
        <p data-testid="search-partial" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-950">
          Searching {loaded} of {count} layers:
          {state.running.length > 0 && ` ${state.running.length === 1 ? "layer" : "layers"} ${layerList(state.running)} still being read;`}
          {state.missing.length > 0 && ` ${state.missing.length === 1 ? "layer" : "layers"} ${layerList(state.missing)} failed or cancelled;`}
          {state.partial.length > 0 && ` ${state.partial.length === 1 ? "layer" : "layers"} ${layerList(state.partial)} only partly read;`} results will follow as they arrive.
        </p>
      )}
      {notice !== undefined && (
        <p role="status" data-testid="search-notice" className="border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs text-slate-700">
          {notice}
        </p>
      )}
      <Results run={run} loaded={loaded} count={count} stale={stale} onReveal={reveal} resultsRef={resultsRef} onKeyDown={onResultsKeyDown} canReveal={actions !== null} />
    </Card>
  );
}

function Results({
  run,
  loaded,
  count,
  stale,
  onReveal,
  resultsRef,
  onKeyDown,
  canReveal,
}: {
  readonly run: Run;
  readonly loaded: number;
  readonly count: number;
  readonly stale: boolean;
  readonly onReveal: (hit: SearchHit) => void;
  readonly resultsRef: RefObject<HTMLOListElement | null>;
  readonly onKeyDown: (e: KeyboardEvent<HTMLOListElement>) => void;
  readonly canReveal: boolean;
}) {
  if (loaded === 0)
    return (
      <p data-testid="search-empty" className="px-4 py-3 text-sm text-slate-600">
        {count === 0 ? "This image has no layers to search." : "Search starts once the first layer has been read."}
      </p>
    );
  if (run.status === "idle")
    return (
      <p data-testid="search-empty" className="px-4 py-3 text-sm text-slate-600">
        Type a path, a glob or a regular expression, or pick a filter (for example <em>setuid</em>, or links: <em>broken symlinks</em>). ↓ moves to the results, Enter
        reveals one in its tree.
      </p>
    );
  if (run.status === "failed")
    return (
      <p role="alert" data-testid="search-error" className="px-4 py-3 text-sm text-rose-800">
        {run.message}
      </p>
    );
  if (run.status === "running")
    return (
      <p data-testid="search-running" className="px-4 py-3 text-sm text-slate-600" aria-live="polite">
        Searching…
      </p>
    );
  return <Outcome outcome={run.outcome} stale={stale} onReveal={onReveal} resultsRef={resultsRef} onKeyDown={onKeyDown} canReveal={canReveal} />;
}

function Outcome({
  outcome: o,
  stale,
  onReveal,
  resultsRef,
  onKeyDown,
  canReveal,
}: {
  readonly outcome: SearchOutcome;
  readonly stale: boolean;
  readonly onReveal: (hit: SearchHit) => void;
  readonly resultsRef: RefObject<HTMLOListElement | null>;
  readonly onKeyDown: (e: KeyboardEvent<HTMLOListElement>) => void;
  readonly canReveal: boolean;
}) {
  // Rows drawn so far, for this outcome: a new outcome starts again from one page.
  const [drawn, setDrawn] = useState({ outcome: o, rows: ROWS_PER_PAGE });
  const rows = drawn.outcome === o ? drawn.rows : ROWS_PER_PAGE;
  if (drawn.outcome !== o) setDrawn({ outcome: o, rows: ROWS_PER_PAGE });
  return (
    <div className={stale ? "opacity-70 transition-opacity" : ""}>
      <p data-testid="search-summary" data-total={o.total} data-shown={o.hits.length} data-cut={o.cut ? "true" : "false"} aria-live="polite" className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-slate-200 px-4 py-2 text-xs text-slate-700">
        <span className="font-medium text-slate-900">
          {o.total === 0 ? "No match" : o.total === 1 ? "1 match" : `${o.total.toLocaleString("en-US")} matches`}
        </span>
        {o.hits.length < o.total && <span>· the best {o.hits.length.toLocaleString("en-US")} shown</span>}
        <span className="text-slate-500">
          · {o.examined.toLocaleString("en-US")} of {o.inScope.toLocaleString("en-US")} entries searched in {Math.max(1, Math.round(o.elapsedMs)).toLocaleString("en-US")} ms
        </span>
        {o.cut && (
          <Badge tone="warn" title="The scan stopped at its time budget: matches after that point were not looked for">
            stopped after {o.cut.budgetMs / 1000} s: partial
          </Badge>
        )}
        {o.skippedLong > 0 && (
          <Badge tone="warn" title="Patterns are not tested on paths longer than 16 384 characters (hostile names)">
            {o.skippedLong.toLocaleString("en-US")} very long {o.skippedLong === 1 ? "path" : "paths"} not tested
          </Badge>
        )}
      </p>
      {o.hits.length > 0 && (
        <>
          <div aria-hidden="true" className="grid grid-cols-[minmax(0,1fr)_4.5rem_6.5rem_6.5rem_7rem_5rem] gap-x-2 border-b border-slate-200 bg-slate-50 px-4 py-1 text-[11px] font-medium uppercase tracking-wide text-slate-500">
            <span>Path</span>
            <span>In</span>
            <span>Type</span>
            <span>Mode</span>
            <span>Owner</span>
            <span className="text-right">Size</span>
          </div>
          <ol ref={resultsRef} data-testid="search-results" onKeyDown={onKeyDown} className="max-h-[28rem] divide-y divide-slate-100 overflow-y-auto">
            {o.hits.slice(0, rows).map((h, i) => (
              <ResultRow key={`${String(h.scope)}:${h.path}:${i}`} hit={h} onReveal={onReveal} canReveal={canReveal} />
            ))}
          </ol>
          {o.hits.length > rows && (
            <button
              type="button"
              data-testid="search-more"
              onClick={() => setDrawn({ outcome: o, rows: rows + ROWS_PER_PAGE })}
              className="w-full border-t border-slate-200 px-4 py-1.5 text-left text-xs font-medium text-indigo-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600"
            >
              Show {Math.min(ROWS_PER_PAGE, o.hits.length - rows)} more of the {o.hits.length.toLocaleString("en-US")} kept
            </button>
          )}
        </>
      )}
    </div>
  );
}

function ResultRow({ hit: h, onReveal, canReveal }: { readonly hit: SearchHit; readonly onReveal: (hit: SearchHit) => void; readonly canReveal: boolean }) {
  const owner = ownerLabel({ uid: h.uid, gid: h.gid, uname: h.uname ?? "", gname: h.gname ?? "" });
  const where = h.scope === "merged" ? "merged" : `L${h.scope + 1}`;
  const full = escapeInvisible(clip(`/${h.path}`, 4096).text);
  return (
    <li data-testid="search-result" data-path={h.path} data-scope={String(h.scope)} data-kind={h.kind} className="grid grid-cols-[minmax(0,1fr)_4.5rem_6.5rem_6.5rem_7rem_5rem] items-center gap-x-2 px-4 py-1 text-[12.5px] hover:bg-slate-50">
      <span className="min-w-0">
        <button
          type="button"
          data-result=""
          disabled={!canReveal}
          onClick={() => onReveal(h)}
          title={`${full}\nShow it in the ${h.scope === "merged" ? "merged tree" : `tree of layer ${h.scope + 1}`}`}
          className="block max-w-full truncate text-left font-mono text-indigo-800 hover:underline focus-visible:rounded focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <SafeText text={clip(`/${h.path}`, 400).text} />
        </button>
        {(h.linkname !== undefined || h.problem !== undefined) && (
          <span className="block truncate font-mono text-[11px] text-slate-500" title={escapeInvisible(clip(h.linkname ?? "", 4096).text)}>
            {h.linkname !== undefined && (
              <>
                → <SafeText text={clip(h.linkname, 300).text} />
              </>
            )}
            {h.problem !== undefined && (
              <span data-testid="search-problem" className="ml-2 font-sans text-rose-700">
                <SafeText text={clip(h.problem, 300).text} />
              </span>
            )}
          </span>
        )}
      </span>
      <span className={`text-[11px] font-medium ${h.scope === "merged" ? "text-slate-600" : "text-indigo-700"}`} title={h.scope === "merged" ? `merged view; provided by layer ${h.layer + 1}` : `layer ${h.scope + 1}'s own entry`}>
        {where}
        {h.scope === "merged" && <span className="ml-1 font-normal text-slate-400">L{h.layer + 1}</span>}
      </span>
      <span className="text-[11px] text-slate-700">{KIND_LABEL[h.kind]}</span>
      <span className="font-mono text-[11px] text-slate-700">{modeString(h.type, h.mode)}</span>
      <span className="truncate font-mono text-[11px] text-slate-700" title={owner.title}>
        <SafeText text={clip(owner.text, 60).text} />
      </span>
      <span className="text-right text-[11px] tabular-nums text-slate-700" title={formatExactBytes(h.size)}>
        {h.kind === "dir" || h.kind === "symlink" || h.kind === "hardlink" ? "" : formatBytes(h.size)}
      </span>
    </li>
  );
}

function Segmented<T extends string>({
  label,
  testId,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly testId: string;
  readonly value: T;
  readonly options: readonly (readonly [T, string])[];
  readonly onChange: (value: T) => void;
}) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={testId} className="inline-flex overflow-hidden rounded-md border border-slate-300 text-xs">
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role="radio"
          aria-checked={value === v}
          data-testid={`${testId}-${v}`}
          onClick={() => onChange(v)}
          className={`px-2.5 py-1 font-medium focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600 ${
            value === v ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"
          }`}
        >
          {text}
        </button>
      ))}
    </div>
  );
}

function SmallField({
  label,
  testId,
  value,
  placeholder,
  error,
  onChange,
}: {
  readonly label: string;
  readonly testId: string;
  readonly value: string;
  readonly placeholder: string;
  readonly error: string | undefined;
  readonly onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <span className="inline-flex flex-col gap-0.5">
      <span className="inline-flex items-center gap-1.5">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          data-testid={testId}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error !== undefined}
          aria-describedby={`${id}-error`}
          className={`w-24 rounded border px-1.5 py-0.5 font-mono text-xs text-slate-900 placeholder:font-sans placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600 ${
            error !== undefined ? "border-rose-400" : "border-slate-300"
          }`}
        />
      </span>
      <FieldError id={`${id}-error`} message={error} />
    </span>
  );
}

function FieldError({ id, message }: { readonly id: string; readonly message: string | undefined }): ReactNode {
  return (
    <span id={id} data-testid={message !== undefined ? "search-field-error" : undefined} role={message !== undefined ? "alert" : undefined} className="block max-w-xl text-[11px] text-rose-700">
      {message}
    </span>
  );
}

function Check({ testId, label, checked, onChange }: { readonly testId: string; readonly label: string; readonly checked: boolean; readonly onChange: (v: boolean) => void }) {
  return (
    <label className="inline-flex items-center gap-1.5">
      <input type="checkbox" data-testid={testId} checked={checked} onChange={(e) => onChange(e.target.checked)} className="accent-indigo-600" />
      {label}
    </label>
  );
}
