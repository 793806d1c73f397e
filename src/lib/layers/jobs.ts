/// <reference types="vite/client" />
/**
 * The layer-jobs store: runs every layer of one image through the worker pipeline, a few at a
 * time, and publishes immutable snapshots for useSyncExternalStore.
 *
 * The bridge owns the workers' lives (STYLE 8, after squoosh's worker-bridge): a lane (the
 * workers for one layer at a time) starts lazily when a layer needs it, is reused for the next
 * layer, and is terminated when idle for a while, on cancel and on dispose. Terminating a
 * worker aborts its fetch, and the proxy then aborts the upstream request (SECURITY P13, L4).
 *
 * Modes (see src/workers/protocol.ts): "split" runs decompression and hashing of the blob in
 * one worker and diff_id hashing plus tar indexing in another, so a layer uses two cores;
 * "single" runs both stages in one worker. `npm run bench` compares them (bench/README.md).
 *
 * Before a layer is fetched, the persistent cache (lib/cache) is asked for it by blob digest; a
 * verified layer stored earlier becomes the result with `source: "cache"` and no request. After
 * a layer is verified twice and read to its end, it is stored there in the background.
 */
import type { LayerscopeError } from "../../core/errors";
import type { Descriptor } from "../../core/oci";
import { DEFAULT_BATCH_BYTES, DEFAULT_CREDITS, LAYER_NETWORK_RETRIES, isTransientLayerError, type LayerIndex, type LayerJob, type LayerLimits, type LayerProgress } from "../../core/pipeline";
import { basicAuthorization, blobUrl, DEFAULT_RETRY_AFTER_SECONDS, RATE_LIMIT_RETRIES, type RegistryClient } from "../../core/registry";
import { packedFormOf, type PackedEntries } from "../../core/pipeline/pack";
import { resultOf, type BlobRequest, type BlobWorkerRequest, type LayerWorkerRequest, type TarWorkerRequest, type WorkerEvent } from "../../workers/protocol";
import { yieldToPage } from "../yield";
import { archiveBlobRequest } from "../archive";
import { appCache, isStorableLayer, reuseStoredLayer, type VerifiedCache } from "../cache";
import { readLayerLimits } from "./limits";
import { isSampleRegistry } from "../sample";
import { layerActivity, type LayerActivity } from "./activity";
import { MERGE_IN_WORKER_ABOVE_ENTRIES, mergeAhead, warmMergeWorker } from "../filetree/client";
import type { LayerBlobSource, LayerJobs, LayerJobsOptions, LayerJobState, LayerSource, RateLimitWait } from "./types";

export type LayerJobsMode = "single" | "split";

/** The default mode: measured faster on a 2-core machine by `npm run bench` (bench/README.md). */
export const DEFAULT_MODE: LayerJobsMode = "split";
/** Layers processed at once. */
export const DEFAULT_POOL_SIZE = 2;
/**
 * A layer this small (compressed bytes) does not wait for a lane of the pool: it runs beside
 * the big ones, in one of {@link SMALL_LAYER_LANES} extra lanes. Images often end with tiny
 * layers (an ENV, a COPY of a few files); queued behind two big layers, the Debian-like image's
 * 60 KB top layer started only when the 20 MB base was done and came in 250–600 ms after it,
 * while its own work is a few milliseconds (bench/README.md, "Open to merged").
 */
export const SMALL_LAYER_BYTES = 1024 * 1024;
/** Extra lanes for small layers, beyond the pool. */
export const SMALL_LAYER_LANES = 2;
/** Idle lanes keep their workers (and compiled WebAssembly) this long for the next layer. */
export const DEFAULT_IDLE_TIMEOUT_MS = 15_000;
/** The page re-renders a layer's progress at most this often (10 updates per second). */
export const PROGRESS_INTERVAL_MS = 100;
/** Throughput is measured over this recent window. */
const RATE_WINDOW_MS = 1500;
/**
 * A layer cut short by the network (connection reset, registry gone for a moment) is run again
 * this many times by itself, from byte 0 with fresh hash state, before the failure is shown
 * (SECURITY L5; core's rule, which the command line follows too). A partial run is never kept.
 */
export const AUTO_RETRIES = LAYER_NETWORK_RETRIES;

/** The little of a Worker the bridge uses (a fake in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export type WorkerKind = "layer" | "blob" | "tar";

/** Knobs for tests and the benchmark; the app uses the defaults. */
export interface LayerJobsTuning {
  readonly mode?: LayerJobsMode;
  readonly batchBytes?: number;
  readonly credits?: number;
  readonly idleTimeoutMs?: number;
  readonly limits?: LayerLimits;
  /** Force the gzip engine choice (undefined: native where the browser has it). */
  readonly nativeGzip?: boolean;
  /** Use the persistent cache of verified layers (default true). */
  readonly cache?: boolean;
  /** The cache to use (default: the app's, lib/cache). */
  readonly layerCache?: VerifiedCache;
  readonly createWorker?: (kind: WorkerKind) => WorkerLike;
  /** Layers of at most this many compressed bytes get an extra lane (default {@link SMALL_LAYER_BYTES}; 0: none). */
  readonly smallLayerBytes?: number;
  /**
   * When verified layers are written to the persistent cache: given the write, it runs it later
   * (default: once nothing is active and the page is idle, see `whenSettledAndIdle`). The write packs every entry on the page's
   * thread, so it waits until no layer is being read (see `storeWhenSettled`).
   */
  readonly scheduleStore?: (write: () => void) => void;
  /** Where runs are reported, so deferrable work waits for them (default: the page's, lib/layers/activity). */
  readonly activity?: LayerActivity;
}

/** The longest a cache write waits for the page to settle (a stalled download must not hold it back for ever). */
const STORE_MAX_WAIT_MS = 30_000;

/**
 * Runs `f` once nothing is active (no layer run, no work on results before they are shown: see
 * activity.ts) and then the page is idle, checked again when the idle callback comes (work may
 * have started meanwhile); after {@link STORE_MAX_WAIT_MS} at the most.
 */
function whenSettledAndIdle(activity: LayerActivity, f: () => void): void {
  const deadline = performance.now() + STORE_MAX_WAIT_MS;
  const attempt = (): void => {
    const left = deadline - performance.now();
    if (activity.active > 0 && left > 0) {
      void activity.whenIdle({ maxWaitMs: left }).then(attempt);
      return;
    }
    whenIdle(() => (activity.active > 0 && deadline > performance.now() ? attempt() : f()));
  };
  attempt();
}

/** Runs `f` when the page is idle (requestIdleCallback, at most 2 s later), else in a later task. */
export function whenIdle(f: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(() => f(), { timeout: 2000 });
  else setTimeout(f, 0);
}

function defaultCreateWorker(kind: WorkerKind): WorkerLike {
  // Spelled out per kind: Vite bundles a worker only from this literal `new Worker(new URL(…))` form.
  switch (kind) {
    case "layer":
      return new Worker(new URL("../../workers/layer.worker.ts", import.meta.url), { type: "module", name: "layerscope-layer" });
    case "blob":
      return new Worker(new URL("../../workers/blob.worker.ts", import.meta.url), { type: "module", name: "layerscope-blob" });
    case "tar":
      return new Worker(new URL("../../workers/tar.worker.ts", import.meta.url), { type: "module", name: "layerscope-tar" });
  }
}

/** Workers started before any image's layers are known, by kind; see {@link prewarmLayerWorkers}. */
export interface SpareWorkers {
  /** Starts workers for `lanes` lanes of `mode` (those not already spare); the unused end after `idleMs`. */
  prewarm(lanes: number, mode: LayerJobsMode): void;
  /** A spare worker of this kind, or a new one. */
  take(kind: WorkerKind): WorkerLike;
}

export function createSpareWorkers(create: (kind: WorkerKind) => WorkerLike, idleMs: number): SpareWorkers {
  const spare: Record<WorkerKind, WorkerLike[]> = { layer: [], blob: [], tar: [] };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const end = (): void => {
    timer = undefined;
    for (const list of Object.values(spare)) for (const w of list.splice(0)) w.terminate();
  };
  return {
    prewarm(lanes, mode) {
      for (const kind of mode === "split" ? (["blob", "tar"] as const) : (["layer"] as const)) {
        const list = spare[kind];
        while (list.length < lanes) list.push(create(kind));
      }
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(end, idleMs);
    },
    take(kind) {
      return spare[kind].pop() ?? create(kind);
    },
  };
}

const spares = createSpareWorkers(defaultCreateWorker, DEFAULT_IDLE_TIMEOUT_MS);

/**
 * Starts the layer workers of the default pool now, before the image's manifest and config are
 * fetched: the page calls it as soon as it knows it will open an image. A worker's script takes
 * 0.2–0.4 s to load and start here, which was paid after the config arrived, with every blob
 * request waiting for it (bench/README.md, "Open to merged"). The lanes of the next layer store
 * take these workers; any not taken within the idle timeout end.
 */
export function prewarmLayerWorkers(): void {
  if (typeof Worker === "undefined") return;
  spares.prewarm(DEFAULT_POOL_SIZE, DEFAULT_MODE);
}

// ── the blob request a worker makes ─────────────────────────────────────────────────────────────

/**
 * The URL and headers for one blob, as the registry client would request it: through the proxy,
 * with credentials as `Authorization: Basic`. The offline sample is served as static files, a
 * local archive's layers as `blob:` URLs of the file's slices.
 */
export function blobRequest(client: RegistryClient, registry: string, repository: string, digest: string): BlobRequest {
  const archived = archiveBlobRequest(registry, repository, digest);
  if (archived !== undefined) return archived;
  if (isSampleRegistry(registry) && /^sha256:[a-f0-9]{64}$/.test(digest)) {
    return { url: `${import.meta.env.BASE_URL}sample/blobs/sha256/${digest.slice(7)}`, headers: {}, registry, repository };
  }
  const creds = client.credentials?.(registry);
  return {
    url: blobUrl(client, registry, repository, digest),
    headers: creds !== undefined ? { Authorization: basicAuthorization(creds) } : {},
    registry,
    repository,
  };
}

// ── lanes: the workers for one layer at a time ──────────────────────────────────────────────────

interface Lane {
  readonly workers: Partial<Record<WorkerKind, WorkerLike>>;
  busy: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

interface Running {
  readonly runId: number;
  readonly lane: Lane;
  readonly started: number;
  /** Tells the activity this run stopped. */
  readonly release: () => void;
  samples: { t: number; bytes: number }[];
}

interface Mutable {
  progress: LayerProgress;
  result?: LayerIndex;
  error?: LayerscopeError;
  source?: LayerSource;
  cachedAt?: number;
  rateLimitWait?: RateLimitWait;
}

const ZERO = { compressedBytes: 0, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } as const;

/**
 * Creates the store for one image's layers. Nothing starts until {@link LayerJobs.start}.
 * `client` gives the proxy base and credentials; the workers fetch on their own.
 */
export function createLayerJobs(client: RegistryClient, options: LayerJobsOptions, tuning: LayerJobsTuning = {}): LayerJobs {
  const mode = tuning.mode ?? DEFAULT_MODE;
  const poolSize = Math.max(1, options.poolSize ?? DEFAULT_POOL_SIZE);
  const idleTimeoutMs = tuning.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const createWorker = tuning.createWorker ?? spares.take;
  const smallLayerBytes = tuning.smallLayerBytes ?? SMALL_LAYER_BYTES;
  const activity = tuning.activity ?? layerActivity;
  /** Whether the merged view's worker was readied for this image (by the entries read so far: see warmMergeWorker below). */
  let mergeWarmed = false;
  const scheduleStore = tuning.scheduleStore ?? ((write: () => void): void => whenSettledAndIdle(activity, write));
  const isSmall = (i: number): boolean => layers[i]!.size <= smallLayerBytes;
  // The persistent cache of verified layers (lib/cache): looked up before a layer is fetched,
  // written after a layer verified. Content-addressed by the blob digest, so it never goes stale.
  const layerCache = (tuning.cache ?? true) ? (tuning.layerCache ?? appCache()) : undefined;

  const listeners = new Set<() => void>();
  const layers: readonly Descriptor[] = options.layers;
  const current: Mutable[] = layers.map((d) => ({ progress: { stage: "queued", compressedTotal: d.size, ...ZERO } }));
  let snapshot: readonly LayerJobState[] = layers.map((d, i) => freeze(i, d, current[i]!));
  const queue: number[] = layers.map((_, i) => i);
  const running = new Map<number, Running>();
  /** Automatic retries used per layer; reset by a user's retry. */
  const autoRetries = new Map<number, number>();
  /** Automatic attempts after a 429 used per layer (R4); reset by a user's retry. */
  const rateRetries = new Map<number, number>();
  /** Layers waiting out a 429's Retry-After: the timer that queues them again. */
  const waiting = new Map<number, ReturnType<typeof setTimeout>>();
  const lanes: Lane[] = [];
  /** Layers changed since the last snapshot; one snapshot publishes them all. */
  const dirty = new Set<number>();
  let lastEmit = Number.NEGATIVE_INFINITY;
  let pendingEmit: ReturnType<typeof setTimeout> | undefined;
  /** Verified results waiting to be written to the persistent cache (see storeWhenSettled). */
  const toStore: { readonly result: LayerIndex; readonly packed: PackedEntries | undefined }[] = [];
  let storeScheduled = false;
  let nextRunId = 1;
  let started = false;
  let disposed = false;
  /** Layers whose cache lookup is under way: queued, but not fetched until the answer comes. */
  const lookingUp = new Set<number>();
  let lookedUp = false;

  function freeze(i: number, descriptor: Descriptor, m: Mutable): LayerJobState {
    return {
      layerIndex: i,
      descriptor,
      diffId: options.diffIds[i],
      progress: m.progress,
      ...(m.result !== undefined ? { result: m.result } : {}),
      ...(m.error !== undefined ? { error: m.error } : {}),
      ...(m.source !== undefined ? { source: m.source } : {}),
      ...(m.cachedAt !== undefined ? { cachedAt: m.cachedAt } : {}),
      ...(m.rateLimitWait !== undefined ? { rateLimitWait: m.rateLimitWait } : {}),
    };
  }

  function notify(): void {
    for (const l of [...listeners]) l();
  }

  /**
   * Publishes every changed layer now, in one new snapshot array with a new object for each.
   * One snapshot for all layers, not one per layer: every snapshot re-renders each section that
   * shows the layers, so two layers' progress used to cost twice the renders.
   */
  function flush(): void {
    if (pendingEmit !== undefined) clearTimeout(pendingEmit);
    pendingEmit = undefined;
    if (dirty.size === 0) return;
    lastEmit = performance.now();
    const next = snapshot.slice();
    for (const i of dirty) next[i] = freeze(i, layers[i]!, current[i]!);
    dirty.clear();
    snapshot = next;
    notify();
  }

  /** Publishes layer `i` now (with any other layer's pending progress). */
  function emit(i: number): void {
    dirty.add(i);
    flush();
  }

  /** Publishes progress at most every PROGRESS_INTERVAL_MS for all layers together; the last update is never lost. */
  function emitThrottled(i: number): void {
    dirty.add(i);
    if (pendingEmit !== undefined) return;
    const wait = lastEmit + PROGRESS_INTERVAL_MS - performance.now();
    if (wait <= 0) flush();
    else pendingEmit = setTimeout(flush, wait);
  }

  function set(i: number, m: Mutable, now = true): void {
    current[i] = m;
    if (now) emit(i);
    else emitThrottled(i);
  }

  // ── lanes ──

  function acquireLane(): Lane | undefined {
    const idle = lanes.find((l) => !l.busy);
    if (idle) {
      if (idle.idleTimer !== undefined) clearTimeout(idle.idleTimer);
      idle.idleTimer = undefined;
      idle.busy = true;
      return idle;
    }
    if (lanes.length >= poolSize + SMALL_LAYER_LANES) return undefined;
    const lane: Lane = { workers: {}, busy: true, idleTimer: undefined };
    lanes.push(lane);
    return lane;
  }

  function worker(lane: Lane, kind: WorkerKind): WorkerLike {
    let w = lane.workers[kind];
    if (!w) {
      w = createWorker(kind); // lazy start: only when a layer needs it
      lane.workers[kind] = w;
    }
    return w;
  }

  function killLane(lane: Lane): void {
    if (lane.idleTimer !== undefined) clearTimeout(lane.idleTimer);
    for (const w of Object.values(lane.workers)) {
      w.onmessage = null;
      w.onerror = null;
      w.terminate();
    }
    const at = lanes.indexOf(lane);
    if (at >= 0) lanes.splice(at, 1);
  }

  function releaseLane(lane: Lane): void {
    lane.busy = false;
    for (const w of Object.values(lane.workers)) {
      w.onmessage = null;
      w.onerror = null;
    }
    lane.idleTimer = setTimeout(() => killLane(lane), idleTimeoutMs);
  }

  // ── runs ──

  function pump(): void {
    if (!started || disposed) return;
    for (;;) {
      // The first queued layer not waiting for its cache lookup that may start: at most
      // poolSize big layers at once, and small ones beside them in the extra lanes.
      if (running.size >= poolSize + SMALL_LAYER_LANES) break;
      let big = 0;
      for (const r of running.keys()) if (!isSmall(r)) big++;
      const at = queue.findIndex((i) => !lookingUp.has(i) && (isSmall(i) || big < poolSize));
      if (at < 0) break;
      const lane = acquireLane();
      if (!lane) break;
      const i = queue[at]!;
      queue.splice(at, 1);
      begin(i, lane);
    }
    storeWhenSettled();
  }

  /**
   * Writes the verified results to the persistent cache once no layer is being read or waits
   * to be, and then only when the page is idle: packing a layer's entries for IndexedDB runs on
   * the page's thread, and while layers stream it took CPU from their workers and delayed the
   * merged tree (bench/README.md). Still written when the store is disposed first.
   */
  function storeWhenSettled(force = false): void {
    if (layerCache === undefined || toStore.length === 0 || storeScheduled) return;
    if (!force && (running.size > 0 || queue.length > 0)) return;
    storeScheduled = true;
    const cache = layerCache;
    const write = (): void => {
      storeScheduled = false;
      for (const { result, packed } of toStore.splice(0)) void cache.putLayer(result, packed);
    };
    if (force) write();
    else scheduleStore(write);
  }

  /**
   * Asks the persistent cache about every queued layer at once (each answer is one small read
   * for a miss). A hit becomes the layer's result with source "cache" — no run, no request;
   * a miss (or a stored layer that cannot stand in, see reuseStoredLayer) is fetched as usual.
   */
  function lookUpAll(cache: VerifiedCache): void {
    for (const i of queue) {
      lookingUp.add(i);
      const d = layers[i]!;
      void cache.getLayer(d.digest).then(
        (stored) => {
          // Cancelled, retried or disposed meanwhile: the answer no longer applies.
          if (disposed || !lookingUp.delete(i)) return;
          const result = stored ? reuseStoredLayer(stored, d, options.diffIds[i], i) : undefined;
          const at = queue.indexOf(i);
          if (stored && result && at >= 0) {
            queue.splice(at, 1);
            set(i, {
              result,
              source: "cache",
              cachedAt: stored.storedAt,
              progress: {
                stage: "done",
                compressedBytes: result.compressedSize,
                compressedTotal: d.size,
                uncompressedBytes: result.uncompressedSize,
                entries: result.entries.length,
                bytesPerSecond: 0,
              },
            });
          }
          pump();
        },
        () => {
          lookingUp.delete(i);
          pump();
        },
      );
    }
  }

  // Read once per image: the tuning's (tests, benchmark), else what localStorage says (limits.ts).
  const limits = tuning.limits ?? readLayerLimits();

  /**
   * Starts the workers of the lanes the first layers will use while the persistent cache is
   * asked about them (about 100 ms in a fresh profile, behind the manifest's and config's
   * writes), so the workers' scripts load and start meanwhile instead of after the answer. When
   * every layer is cached, the idle lanes end after the idle timeout, having run nothing.
   */
  function prewarm(): void {
    const wanted = Math.min(poolSize, queue.length);
    while (lanes.length < wanted) {
      const lane: Lane = { workers: {}, busy: false, idleTimer: undefined };
      lanes.push(lane);
      for (const kind of mode === "split" ? (["blob", "tar"] as const) : (["layer"] as const)) worker(lane, kind);
      lane.idleTimer = setTimeout(() => killLane(lane), idleTimeoutMs);
    }
  }

  function sourceOf(i: number, d: Descriptor): LayerBlobSource {
    const job: LayerJob = {
      layerIndex: i,
      digest: d.digest,
      size: d.size,
      mediaType: d.mediaType,
      ...(d.annotations !== undefined ? { annotations: { ...d.annotations } } : {}),
      diffId: options.diffIds[i],
      ...(limits !== undefined ? { limits } : {}),
    };
    return { job, request: blobRequest(client, options.registry, options.repository, d.digest) };
  }

  function begin(i: number, lane: Lane): void {
    const d = layers[i]!;
    const runId = nextRunId++;
    const run: Running = { runId, lane, started: performance.now(), samples: [], release: activity.begin() };
    running.set(i, run);
    const { job, request } = sourceOf(i, d);
    set(i, { progress: { stage: "downloading", compressedTotal: d.size, ...ZERO } });

    const onEvent = (e: MessageEvent<WorkerEvent>): void => handleEvent(i, run, e.data);
    const onError = (e: ErrorEvent): void =>
      finish(i, run, undefined, { kind: "internal", detail: `the layer worker stopped unexpectedly (${e.message || "no details"})` });
    const native = tuning.nativeGzip !== undefined ? { nativeGzip: tuning.nativeGzip } : {};

    if (mode === "split") {
      const blob = worker(lane, "blob");
      const tar = worker(lane, "tar");
      blob.onmessage = onEvent;
      tar.onmessage = onEvent;
      blob.onerror = onError;
      tar.onerror = onError;
      const channel = new MessageChannel();
      const tarMsg: TarWorkerRequest = { type: "run", runId, job, port: channel.port2 };
      tar.postMessage(tarMsg, [channel.port2]);
      const blobMsg: BlobWorkerRequest = {
        type: "run",
        runId,
        job,
        request,
        port: channel.port1,
        credits: tuning.credits ?? DEFAULT_CREDITS,
        batchBytes: tuning.batchBytes ?? DEFAULT_BATCH_BYTES,
        ...native,
      };
      blob.postMessage(blobMsg, [channel.port1]);
    } else {
      const w = worker(lane, "layer");
      w.onmessage = onEvent;
      w.onerror = onError;
      const msg: LayerWorkerRequest = { type: "run", runId, job, request, ...native };
      w.postMessage(msg);
    }
  }

  function handleEvent(i: number, run: Running, e: WorkerEvent): void {
    if (running.get(i) !== run || e.runId !== run.runId) return; // stale
    const m = current[i]!;
    if (e.type === "progress") {
      const now = performance.now();
      const uncompressed = e.uncompressedBytes ?? m.progress.uncompressedBytes;
      run.samples.push({ t: now, bytes: uncompressed });
      while (run.samples.length > 2 && now - run.samples[0]!.t > RATE_WINDOW_MS) run.samples.shift();
      const first = run.samples[0]!;
      const dt = (now - first.t) / 1000;
      const rate = dt > 0.05 ? (uncompressed - first.bytes) / dt : m.progress.bytesPerSecond;
      set(
        i,
        {
          progress: {
            ...m.progress,
            compressedBytes: e.compressedBytes ?? m.progress.compressedBytes,
            uncompressedBytes: uncompressed,
            entries: e.entries ?? m.progress.entries,
            bytesPerSecond: Math.max(0, rate),
            ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : m.progress.httpStatus !== undefined ? { httpStatus: m.progress.httpStatus } : {}),
          },
        },
        false,
      );
      // A big image (by the entries read so far): its merged view will be merged in a worker; ready that one now.
      if (e.entries !== undefined && !mergeWarmed) {
        const total = current.reduce((n, s) => n + s.progress.entries, 0);
        if (total > MERGE_IN_WORKER_ABOVE_ENTRIES) {
          mergeWarmed = true;
          warmMergeWorker();
        }
      }
    } else if (e.type === "done") {
      if (!("packed" in e)) {
        finish(i, run, e.result, e.result.error);
        return;
      }
      // Unpacked in slices with the page painting between them (a million entries are about a
      // second of work, once). A cancel meanwhile makes finish() ignore the result.
      const packed = e.packed;
      // The image's last index to arrive: a big image's merged view is merged in a worker while
      // the page unpacks the entries (lib/filetree/client.ts mergeAhead).
      const all = current.map((s, j) => (j === i ? packed : s.result && packedFormOf(s.result.entries)));
      if (all.every((p) => p !== undefined)) mergeAhead(all);
      void resultOf(e, yieldToPage).then(
        (result) => finish(i, run, result, result.error, packed),
        (err: unknown) => finish(i, run, undefined, { kind: "internal", detail: `the layer's index could not be read (${err instanceof Error ? err.message : String(err)})` }),
      );
    } else {
      finish(i, run, undefined, e.error);
    }
  }

  function finish(i: number, run: Running, result: LayerIndex | undefined, error: LayerscopeError | undefined, packed?: PackedEntries): void {
    if (running.get(i) !== run) return;
    running.delete(i);
    run.release();
    // A lane whose run failed outright may hold a confused worker: start afresh next time.
    if (result === undefined) killLane(run.lane);
    else releaseLane(run.lane);
    const m = current[i]!;
    const used = autoRetries.get(i) ?? 0;
    if (!disposed && isTransientLayerError(error) && used < AUTO_RETRIES) {
      autoRetries.set(i, used + 1);
      queue.unshift(i);
      set(i, { progress: { stage: "queued", compressedTotal: m.progress.compressedTotal, ...ZERO } });
      pump();
      return;
    }
    // A 429: wait what the registry asked for, visibly, then queue the layer again; a few times (R4).
    const rateUsed = rateRetries.get(i) ?? 0;
    if (!disposed && error?.kind === "rate-limited" && rateUsed < RATE_LIMIT_RETRIES) {
      rateRetries.set(i, rateUsed + 1);
      const waitMs = (error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) * 1000;
      const rateLimitWait: RateLimitWait = { retryAt: Date.now() + waitMs, attempt: rateUsed + 1, max: RATE_LIMIT_RETRIES };
      set(i, { error, rateLimitWait, progress: { stage: "queued", compressedTotal: m.progress.compressedTotal, ...ZERO } });
      waiting.set(
        i,
        setTimeout(() => {
          waiting.delete(i);
          if (disposed) return;
          queue.unshift(i);
          set(i, { progress: { stage: "queued", compressedTotal: m.progress.compressedTotal, ...ZERO } });
          pump();
        }, waitMs),
      );
      pump();
      return;
    }
    const seconds = (performance.now() - run.started) / 1000;
    const failed = error !== undefined || result === undefined;
    // D1: only a layer verified twice and read to its end is kept; in the background.
    if (result !== undefined && layerCache !== undefined && !disposed && isStorableLayer(result)) toStore.push({ result, packed });
    set(i, {
      ...(result !== undefined ? { result, source: "network" as const } : {}),
      ...(error !== undefined ? { error } : {}),
      progress: {
        ...m.progress,
        stage: failed ? "failed" : "done",
        ...(result !== undefined
          ? { compressedBytes: result.compressedSize, uncompressedBytes: result.uncompressedSize, entries: result.entries.length }
          : {}),
        // The whole run's average once it is over.
        bytesPerSecond: result !== undefined && seconds > 0 ? result.uncompressedSize / seconds : m.progress.bytesPerSecond,
      },
    });
    pump();
  }

  /** Stops a layer's wait for its next attempt after a 429; true when it was waiting. */
  function stopWaiting(i: number): boolean {
    const t = waiting.get(i);
    if (t === undefined) return false;
    clearTimeout(t);
    waiting.delete(i);
    return true;
  }

  function cancelOne(i: number): void {
    const run = running.get(i);
    const q = queue.indexOf(i);
    if (stopWaiting(i)) {
      // Nothing is running: the wait simply ends.
    } else if (run) {
      running.delete(i);
      run.release();
      // Terminating is the abort: the worker's fetch dies with it, and the proxy cuts upstream.
      killLane(run.lane);
    } else if (q >= 0) {
      queue.splice(q, 1);
      lookingUp.delete(i);
    } else {
      return;
    }
    const m = current[i]!;
    set(i, { progress: { ...m.progress, stage: "cancelled", bytesPerSecond: 0 }, error: { kind: "aborted" } });
  }

  return {
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getSnapshot() {
      return snapshot;
    },
    start() {
      if (disposed) return;
      started = true;
      if (layerCache !== undefined && !lookedUp) {
        lookedUp = true;
        lookUpAll(layerCache);
        prewarm();
      }
      pump();
    },
    cancel(layerIndex) {
      if (disposed) return;
      if (layerIndex === undefined) {
        for (const i of [...running.keys(), ...queue, ...waiting.keys()]) cancelOne(i);
      } else {
        cancelOne(layerIndex);
      }
      pump();
    },
    retry(layerIndex) {
      if (disposed || running.has(layerIndex) || queue.includes(layerIndex)) return;
      const d = layers[layerIndex];
      if (!d) return;
      // Alone and first: from byte 0, with fresh hash state (a new run in a worker), from the network.
      stopWaiting(layerIndex);
      autoRetries.delete(layerIndex);
      rateRetries.delete(layerIndex);
      queue.unshift(layerIndex);
      set(layerIndex, { progress: { stage: "queued", compressedTotal: d.size, ...ZERO } });
      started = true;
      if (layerCache !== undefined && !lookedUp) {
        lookedUp = true;
        lookUpAll(layerCache);
        lookingUp.delete(layerIndex);
      }
      pump();
    },
    layerSource(layerIndex) {
      const d = layers[layerIndex];
      return d !== undefined ? sourceOf(layerIndex, d) : undefined;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (pendingEmit !== undefined) clearTimeout(pendingEmit);
      pendingEmit = undefined;
      dirty.clear();
      storeWhenSettled(true);
      for (const run of running.values()) run.release();
      for (const t of waiting.values()) clearTimeout(t);
      waiting.clear();
      running.clear();
      queue.length = 0;
      for (const lane of [...lanes]) killLane(lane);
      listeners.clear();
    },
  };
}
