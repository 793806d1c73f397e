/**
 * A recorder of the registry requests this page makes, for the teaching view's "pull, replayed".
 *
 * The page's registry client (manifests and configs) is wrapped by {@link recordingFetch}; layer
 * blobs are fetched inside Web Workers, which the page cannot see, so their rows are derived from
 * the LayerJobs snapshots instead ({@link createLayerTimeline}). Token requests never appear:
 * the proxy asks the registry's token server itself, so the page only ever sees the result.
 *
 * Nothing secret is kept: the URL is reduced to its path (no query, no fragment, no userinfo),
 * request headers (where credentials travel) are never read, and of the response headers only
 * Content-Length and the registry's renamed auth challenge are looked at.
 */
import type { LayerJobs, LayerJobState } from "./layers/types";

/** What a request asked for, read from its path (`…/v2/<repository>/manifests|blobs/<reference>`). */
export type RequestKind = "manifest" | "blob" | "other";

/** One request, as immutable data. Times are milliseconds on the log's clock. */
export interface RequestRecord {
  readonly id: number;
  readonly method: string;
  /** The URL's path only, as the page requested it. */
  readonly path: string;
  readonly kind: RequestKind;
  /** The registry host in the proxy path ("registry-1.docker.io" for Docker Hub), when the path names one. */
  readonly registry?: string;
  readonly repository?: string;
  /** The tag or digest after manifests/ or blobs/. */
  readonly reference?: string;
  readonly startedAt: number;
  /** Undefined until the response headers arrive, and when the fetch failed outright. */
  readonly status?: number;
  /** Body bytes: Content-Length until the body has been read, then the bytes counted. */
  readonly bytes?: number;
  /** From the call to the end of the body (or to the failure). */
  readonly ms?: number;
  /** True once the body ended, was cancelled, or the fetch failed. */
  readonly done: boolean;
  /** Why it ended early: "aborted", "network error", "body cancelled". */
  readonly error?: string;
  /** The registry's WWW-Authenticate challenge, passed on by the proxy as X-Registry-Www-Authenticate. */
  readonly challenge?: string;
}

export interface RequestLog {
  subscribe(onChange: () => void): () => void;
  /** The same array object until something changes; oldest first. */
  getSnapshot(): readonly RequestRecord[];
  clear(): void;
  /** The recorder's side: used by {@link recordingFetch}. */
  begin(record: Omit<RequestRecord, "id" | "startedAt" | "done">): number;
  update(id: number, patch: Partial<Omit<RequestRecord, "id">>): void;
  now(): number;
}

/** The log keeps the most recent requests only: a long session must not grow without bound. */
export const MAX_RECORDS = 300;

/** The header the proxy renames WWW-Authenticate to, so the browser never shows a login dialog. */
export const CHALLENGE_HEADER = "X-Registry-Www-Authenticate";

const defaultNow = (): number => globalThis.performance.now();

export function createRequestLog(opts: { readonly now?: () => number; readonly max?: number } = {}): RequestLog {
  const now = opts.now ?? defaultNow;
  const max = opts.max ?? MAX_RECORDS;
  let records: readonly RequestRecord[] = [];
  let nextId = 1;
  const listeners = new Set<() => void>();
  const emit = (): void => {
    for (const l of [...listeners]) l();
  };
  return {
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getSnapshot: () => records,
    clear() {
      records = [];
      emit();
    },
    begin(record) {
      const id = nextId++;
      const next = [...records, { ...record, id, startedAt: now(), done: false }];
      records = next.length > max ? next.slice(next.length - max) : next;
      emit();
      return id;
    },
    update(id, patch) {
      const i = records.findIndex((r) => r.id === id);
      if (i < 0) return; // dropped by the cap
      const next = records.slice();
      next[i] = { ...records[i]!, ...patch };
      records = next;
      emit();
    },
    now,
  };
}

/**
 * Reads a proxy URL's path: `<proxyBase>/<host>/v2/<repository>/(manifests|blobs)/<reference>`.
 * Anything else is kind "other" with only the path. The path is the one the page requested, so
 * it is safe to show: query strings (where signed URLs keep their signatures) are dropped.
 */
export function describePath(url: string, proxyBase: string): Pick<RequestRecord, "path" | "kind" | "registry" | "repository" | "reference"> {
  const path = new URL(url, "http://page.invalid").pathname;
  const base = new URL(proxyBase.replace(/\/+$/, "") || "/", "http://page.invalid").pathname.replace(/\/+$/, "");
  const rest = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path.replace(/^\/+/, "");
  const m = /^([^/]+)\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rest);
  if (m === null) return { path, kind: "other" };
  const [, registry, repository, route, reference] = m as unknown as [string, string, string, string, string];
  return { path, kind: route === "manifests" ? "manifest" : "blob", registry, repository, reference: decodeURIComponent(reference) };
}

/**
 * A fetch that records each call in `log` and otherwise behaves like `inner`: same response
 * status and headers, the body streamed through (counted, not buffered). Cancelling the body or
 * aborting the request is recorded too.
 */
export function recordingFetch(log: RequestLog, inner: typeof fetch, opts: { readonly proxyBase: string }): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET")).toUpperCase();
    const started = log.now();
    const id = log.begin({ method, ...describePath(url, opts.proxyBase) });
    const elapsed = (): number => Math.max(0, log.now() - started);

    let res: Response;
    try {
      res = await inner(input, init);
    } catch (e) {
      const aborted = init?.signal?.aborted === true || (e as { name?: unknown } | null)?.name === "AbortError";
      log.update(id, { done: true, ms: elapsed(), error: aborted ? "aborted" : "network error" });
      throw e;
    }

    const length = Number(res.headers.get("Content-Length") ?? NaN);
    const challenge = res.headers.get(CHALLENGE_HEADER) ?? undefined;
    log.update(id, {
      status: res.status,
      ...(Number.isFinite(length) && length >= 0 ? { bytes: length } : {}),
      ...(challenge !== undefined ? { challenge } : {}),
    });
    if (res.body === null) {
      log.update(id, { done: true, ms: elapsed() });
      return res;
    }

    const reader = res.body.getReader();
    let counted = 0;
    let finished = false;
    const finish = (error?: string): void => {
      if (finished) return;
      finished = true;
      log.update(id, { done: true, ms: elapsed(), bytes: counted, ...(error !== undefined ? { error } : {}) });
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            finish();
            controller.close();
            return;
          }
          counted += value.byteLength;
          controller.enqueue(value);
        } catch (e) {
          finish(init?.signal?.aborted === true ? "aborted" : "network error");
          controller.error(e);
        }
      },
      cancel(reason) {
        finish("body cancelled");
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** The requests of this page, from the moment the app loaded. */
export const requestLog: RequestLog = createRequestLog();

// ── layer blobs, seen through the layer-jobs store ──────────────────────────────────────────────

/** When one layer's current run started and ended, as the page saw its snapshots change. */
export interface LayerTiming {
  readonly layerIndex: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /**
   * True when the layer went straight to "done" without downloading: a verified result from the
   * persistent cache (lib/cache) was reused, and no request was made.
   */
  readonly fromCache: boolean;
}

export interface LayerTimeline {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): readonly LayerTiming[];
  dispose(): void;
}

const ENDED: ReadonlySet<LayerJobState["progress"]["stage"]> = new Set(["done", "failed", "cancelled"]);

/**
 * Watches a LayerJobs store and stamps each layer's start (first "downloading") and end (first
 * "done", "failed" or "cancelled" after it). Create it before `jobs.start()`, or a layer
 * served from the cache at start is indistinguishable from one that finished before we looked
 * (both are then reported `fromCache`). A layer queued again (retry) starts a new timing.
 */
export function createLayerTimeline(jobs: Pick<LayerJobs, "subscribe" | "getSnapshot">, now: () => number = defaultNow): LayerTimeline {
  let timings: readonly LayerTiming[] = [];
  const listeners = new Set<() => void>();

  const observe = (): void => {
    const states = jobs.getSnapshot();
    let changed = states.length !== timings.length;
    const next = states.map((s, i): LayerTiming => {
      const prev: LayerTiming = timings[i] ?? { layerIndex: s.layerIndex, fromCache: false };
      const stage = s.progress.stage;
      let t: LayerTiming = prev;
      if (stage === "queued") t = { layerIndex: s.layerIndex, fromCache: false };
      else if (stage === "downloading" && (prev.startedAt === undefined || prev.endedAt !== undefined)) {
        t = { layerIndex: s.layerIndex, startedAt: now(), fromCache: false };
      } else if (ENDED.has(stage) && prev.endedAt === undefined) {
        t = prev.startedAt === undefined ? { layerIndex: s.layerIndex, fromCache: stage === "done", endedAt: now() } : { ...prev, endedAt: now() };
      }
      if (t !== prev || timings[i] === undefined) changed = true;
      return t;
    });
    if (!changed) return;
    timings = next;
    for (const l of [...listeners]) l();
  };

  const unsubscribe = jobs.subscribe(observe);
  observe();
  return {
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getSnapshot: () => timings,
    dispose: unsubscribe,
  };
}
