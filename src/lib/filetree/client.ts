/// <reference types="vite/client" />
/**
 * The filetree bridge: runs the core's efficiency computation (a full overlay merge plus dive's
 * analysis, about a second for 200 000 entries) and path searches in a worker so the page stays
 * responsive.
 *
 * The bridge owns the worker's life (STYLE 8, as src/lib/layers/jobs.ts does): the worker starts
 * lazily on the first request, runs one request at a time, latest wins (a newer request, or an
 * abort, terminates the worker running an older one and rejects that one's promise with an
 * AbortError), and is terminated when idle for a while and on dispose. Only plain data crosses:
 * the layers go packed (core/pipeline/pack.ts), packed once per entries array.
 */
import { packEntries, packedFormOf, type PackedEntries } from "../../core/pipeline/pack";
import type { LayerEntry } from "../../core/pipeline/types";
import type { SearchForm, SearchOutcome } from "../../core/search";
import { mergeSourceOf, type MergedColumns } from "../../core/filetree";
import type { EfficiencySummary, FiletreeWorkerRequest, FiletreeWorkerResponse } from "../../workers/filetree-protocol";
import { layerActivity, type LayerActivity } from "../layers/activity";
import type { WorkerLike } from "../layers/jobs";
import { yieldToPage } from "../yield";
import { sameElements } from "../collections";

/** An idle worker is kept this long for the next request, then terminated. */
export const DEFAULT_FILETREE_IDLE_MS = 30_000;
/**
 * An efficiency report waits for the layers being read at most this long (then runs beside them):
 * long enough for a usual image's layers, short enough that a stalled download does not keep the
 * panel "computing…".
 */
export const EFFICIENCY_MAX_WAIT_MS = 5_000;

export interface FiletreeBridgeOptions {
  readonly idleTimeoutMs?: number;
  /** A fake in tests; the app uses the module worker. */
  readonly createWorker?: () => WorkerLike;
  /** Layer runs that efficiency reports wait for (default: the page's, lib/layers/activity). */
  readonly activity?: LayerActivity;
}

export interface FiletreeBridge {
  /**
   * The efficiency report for these layers (base first), computed in the worker once no layer
   * is being read (at most {@link EFFICIENCY_MAX_WAIT_MS}), so it never competes with the layer
   * workers; a newer call made meanwhile wins and this one rejects with an AbortError. With
   * `listLimit`, its path lists keep only that many (the biggest) paths; with `sizeTree`, the
   * summary also carries the treemap's size tree, built from the same merge.
   */
  efficiency(
    layers: readonly (readonly LayerEntry[])[],
    options?: { readonly signal?: AbortSignal; readonly listLimit?: number; readonly sizeTree?: boolean },
  ): Promise<EfficiencySummary>;
  /**
   * Searches `dataset` (an id naming these layers: the same id must mean the same layers) in the
   * worker. The layers cross once per worker and dataset; later queries send only the form.
   * Latest wins, like `efficiency`. With `timeoutMs`, a search still running then (a regex that
   * backtracks without end, say) is stopped by terminating the worker, and the promise rejects
   * with a TimeoutError.
   */
  search(
    dataset: { readonly id: number; readonly layers: readonly (readonly LayerEntry[])[] },
    form: SearchForm,
    options?: { readonly signal?: AbortSignal; readonly limit?: number; readonly budgetMs?: number; readonly timeoutMs?: number },
  ): Promise<SearchOutcome>;
  /**
   * The merged tree of `dataset`'s layers as of `upTo` as columns (core/filetree/columns.ts),
   * computed in the worker; latest wins, like `efficiency`. The layers cross once per worker and
   * dataset; the columns come back transferred, with the layers' packed texts put back.
   */
  merged(layers: readonly (readonly LayerEntry[])[], upTo: number, showDeleted: boolean, options?: { readonly signal?: AbortSignal }): Promise<MergedColumnsOf>;
  /**
   * Starts merging these packed layers (as of the top layer, deleted paths not shown) before
   * anyone asks: the layer jobs call it when the last layer's index arrives, so the worker merges
   * while the page unpacks the entries. A `merged` call for the same packed layers and view then
   * gets this merge's answer.
   */
  mergeAhead(packed: readonly PackedEntries[]): void;
  /**
   * Starts the worker if none is running, so that its script is loaded and run before the first
   * request: a big image's merge then waits for no worker start (about 0.3 s in the million-entry bench).
   */
  warm(): void;
  /** Terminates the worker and rejects the request in flight. */
  dispose(): void;
}

function defaultCreateWorker(): WorkerLike {
  // The literal `new Worker(new URL(…))` form: the only one Vite bundles.
  return new Worker(new URL("../../workers/filetree.worker.ts", import.meta.url), { type: "module", name: "layerscope-filetree" });
}

/**
 * Each layer's entries packed for the worker (core/pipeline/pack.ts), once per entries array
 * (the efficiency panel and the search share them), in slices with the page painting between;
 * not at all for entries that were unpacked (a worker's result, the cache), which keep theirs.
 */
const packs = new WeakMap<readonly LayerEntry[], Promise<PackedEntries>>();

function packedLayers(layers: readonly (readonly LayerEntry[])[]): Promise<PackedEntries[]> {
  return Promise.all(
    layers.map((entries) => {
      let p = packs.get(entries);
      if (!p) {
        // Entries unpacked from a worker's result or the cache still have their packed form.
        const known = packedFormOf(entries);
        p = known ? Promise.resolve(known) : packEntries(entries, yieldToPage);
        packs.set(entries, p);
      }
      return p;
    }),
  );
}

const abortError = (message: string): Error => {
  const e = new Error(message);
  e.name = "AbortError";
  return e;
};

/** Columns, and the packed layers they were merged from (their versions are read there). */
export interface MergedColumnsOf {
  readonly columns: MergedColumns;
  readonly packed: readonly PackedEntries[];
}

/**
 * Images with more entries than this have their merged view computed in a worker, as columns
 * (features/merged/useMergedView); smaller ones on the page, at once (100 000 entries merge in
 * about 100 ms), so their view never shows a "merging" state.
 */
export const MERGE_IN_WORKER_ABOVE_ENTRIES = 150_000;

/** Readies the merged view's worker once an image is known to be big (by its entries read so far), so its merge runs warm. */
export function warmMergeWorker(): void {
  mergedBridge()?.warm();
}

/** Starts the merged view's merge of these packed layers ahead of the page asking, when the image is big enough for one. */
export function mergeAhead(packed: readonly PackedEntries[]): void {
  if (packed.reduce((n, p) => n + p.n, 0) <= MERGE_IN_WORKER_ABOVE_ENTRIES) return;
  mergedBridge()?.mergeAhead(packed);
}

export function createFiletreeBridge(options: FiletreeBridgeOptions = {}): FiletreeBridge {
  const idleMs = options.idleTimeoutMs ?? DEFAULT_FILETREE_IDLE_MS;
  const create = options.createWorker ?? defaultCreateWorker;
  let worker: WorkerLike | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  let pending: { id: number; resolve: (r: FiletreeWorkerResponse) => void; reject: (e: Error) => void; cleanup: () => void } | undefined;
  /** The search dataset the live worker holds (forgotten with the worker). */
  let sentDataset: number | undefined;
  const activity = options.activity ?? layerActivity;
  /** The latest efficiency call: one still waiting for the layers gives way to a newer one. */
  let efficiencyCall = 0;

  const stopIdleTimer = (): void => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  const terminate = (): void => {
    stopIdleTimer();
    worker?.terminate();
    worker = undefined;
    sentDataset = undefined;
  };
  const settle = (): typeof pending => {
    const p = pending;
    pending = undefined;
    p?.cleanup();
    return p;
  };
  /** Aborts the request in flight, if any: its worker is terminated (the next request starts another). */
  const abortPending = (reason: string): void => {
    const p = settle();
    if (!p) return;
    terminate();
    p.reject(abortError(reason));
  };

  const start = (): WorkerLike => {
    const w = create();
    w.onmessage = (event: MessageEvent) => {
      const msg = event.data as FiletreeWorkerResponse;
      if (!pending || msg.id !== pending.id) return; // a superseded request
      const p = settle()!;
      idleTimer = setTimeout(terminate, idleMs);
      if (msg.type === "error") p.reject(new Error(msg.message));
      else p.resolve(msg);
    };
    w.onerror = (event: ErrorEvent) => {
      event.preventDefault?.();
      const p = settle();
      terminate();
      p?.reject(new Error(`The filetree worker failed: ${event.message || "unknown error"}`));
    };
    return w;
  };

  /**
   * Sends one request built by `build(id)`; latest wins (decided when called, even while the
   * request is still being built: packing big layers takes a while); `timeoutMs` arms a watchdog.
   */
  const request = (
    build: (id: number) => FiletreeWorkerRequest | Promise<FiletreeWorkerRequest>,
    signal: AbortSignal | undefined,
    timeoutMs?: number,
  ): Promise<FiletreeWorkerResponse> => {
    abortPending("Superseded by a newer request");
    if (signal?.aborted === true) return Promise.reject(abortError("Aborted"));
    stopIdleTimer();
    const id = nextId++;
    return new Promise<FiletreeWorkerResponse>((resolve, reject) => {
      const onAbort = (): void => {
        if (pending?.id === id) abortPending("Aborted");
      };
      const watchdog =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              if (pending?.id !== id) return;
              const p = settle();
              terminate();
              const e = new Error(`stopped after ${Math.round(timeoutMs / 1000)} s`);
              e.name = "TimeoutError";
              p?.reject(e);
            }, timeoutMs);
      signal?.addEventListener("abort", onAbort);
      pending = {
        id,
        resolve,
        reject,
        cleanup: () => {
          signal?.removeEventListener("abort", onAbort);
          if (watchdog !== undefined) clearTimeout(watchdog);
        },
      };
      const w = (worker ??= start());
      void Promise.resolve()
        .then(() => build(id))
        .then(
          (msg) => {
            if (pending?.id === id && worker === w) w.postMessage(msg);
          },
          (e: unknown) => {
            if (pending?.id !== id) return;
            settle();
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
    });
  };

  /** The packed layers the live worker holds for merges, under the dataset id it knows them by. */
  let sentPacked: { readonly id: number; readonly packed: readonly PackedEntries[] } | undefined;
  let nextDataset = 1;
  /** The merge started by mergeAhead, while it may still serve. */
  let ahead: { readonly packed: readonly PackedEntries[]; readonly columns: Promise<MergedColumnsOf> } | undefined;

  const mergeColumnsOf = async (packed: readonly PackedEntries[], upTo: number, showDeleted: boolean, signal: AbortSignal | undefined): Promise<MergedColumnsOf> => {
    const msg = await request((id) => {
      // Sent once per worker and set of packed layers (a structured clone on this thread).
      const known = sentPacked !== undefined && sentPacked.id === sentDataset && sameElements(sentPacked.packed, packed);
      const held = known && sentPacked ? sentPacked : { id: nextDataset++, packed };
      sentPacked = held;
      sentDataset = held.id;
      return { type: "merged", id, dataset: held.id, upTo, showDeleted, ...(known ? {} : { layers: packed.map(mergeSourceOf) }) };
    }, signal);
    if (msg.type !== "merged") throw new Error("The filetree worker answered the wrong request");
    return { columns: { ...msg.columns, texts: packed.map((p) => p.text) }, packed };
  };

  return {
    async efficiency(layers, options = {}) {
      const { signal, listLimit, sizeTree } = options;
      const call = ++efficiencyCall;
      if (activity.active > 0) {
        await activity.whenIdle({ ...(signal !== undefined ? { signal } : {}), maxWaitMs: EFFICIENCY_MAX_WAIT_MS });
        if (call !== efficiencyCall) throw abortError("Superseded by a newer request");
        if (signal?.aborted === true) throw abortError("Aborted");
      }
      const msg = await request(
        async (id) => ({
          type: "efficiency",
          id,
          layers: await packedLayers(layers),
          ...(listLimit !== undefined ? { listLimit } : {}),
          ...(sizeTree === true ? { sizeTree } : {}),
        }),
        signal,
      );
      if (msg.type !== "efficiency") throw new Error("The filetree worker answered the wrong request");
      return { report: msg.report, wastedFileCount: msg.wastedFileCount, ...(msg.sizeTree ? { sizeTree: msg.sizeTree } : {}) };
    },
    async search(dataset, form, options = {}) {
      const { signal, limit, budgetMs, timeoutMs } = options;
      const msg = await request(
        async (id) => {
          const send = sentDataset !== dataset.id;
          sentDataset = dataset.id;
          return {
            type: "search",
            id,
            dataset: dataset.id,
            form,
            ...(send ? { layers: await packedLayers(dataset.layers) } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(budgetMs !== undefined ? { budgetMs } : {}),
          };
        },
        signal,
        timeoutMs,
      );
      if (msg.type !== "search") throw new Error("The filetree worker answered the wrong request");
      return msg.outcome;
    },
    async merged(layers, upTo, showDeleted, options = {}) {
      const packed = await packedLayers(layers);
      if (ahead && upTo === packed.length - 1 && !showDeleted && sameElements(ahead.packed, packed)) return ahead.columns;
      return mergeColumnsOf(packed, upTo, showDeleted, options.signal);
    },
    warm() {
      if (worker) return;
      worker = start();
      idleTimer = setTimeout(terminate, idleMs);
    },
    mergeAhead(packed) {
      if (ahead && sameElements(ahead.packed, packed)) return;
      const columns = mergeColumnsOf(packed, packed.length - 1, false, undefined);
      const mine = { packed, columns };
      ahead = mine;
      // Superseded or failed: forgotten, so a later call asks again.
      columns.catch(() => {
        if (ahead === mine) ahead = undefined;
      });
    },
    dispose() {
      abortPending("Disposed");
      terminate();
    },
  };
}

let shared: FiletreeBridge | undefined;
let searching: FiletreeBridge | undefined;

/** The page's bridge, or undefined where there are no workers (tests in Node): compute in place then. */
export function filetreeBridge(): FiletreeBridge | undefined {
  if (typeof Worker === "undefined") return undefined;
  return (shared ??= createFiletreeBridge());
}

/**
 * The search's own bridge (a second worker of the same kind): a query typed while the efficiency
 * report is computed must not cancel it, and latest-wins is what a search box wants.
 */
export function searchBridge(): FiletreeBridge | undefined {
  if (typeof Worker === "undefined") return undefined;
  return (searching ??= createFiletreeBridge());
}

let merging: FiletreeBridge | undefined;

/**
 * The merged view's own bridge (a third worker of the kind): moving the layer slider must cancel
 * the merge it superseded, never the efficiency report or a search.
 */
export function mergedBridge(): FiletreeBridge | undefined {
  if (typeof Worker === "undefined") return undefined;
  return (merging ??= createFiletreeBridge());
}
