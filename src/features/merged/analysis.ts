/**
 * The image's analysis at the top layer — the efficiency report and the treemap's size tree —
 * computed once per set of layer results in the filetree worker, and shared by every section
 * that shows it (the efficiency panel, the pictures). The bridge runs one request at a time and
 * the latest wins, so two sections asking separately would cancel each other: they share one
 * request here instead, cancelled only when no section wants it any more.
 */
import { useEffect, useState } from "react";
import { computeEfficiency } from "../../core/filetree";
import type { LayerEntry } from "../../core/pipeline/types";
import { buildSizeTree, type SizeTree } from "../../core/treemap";
import { filetreeBridge } from "../../lib/filetree/client";
import { afterNextPaint } from "../../lib/yield";
import type { EfficiencySummary } from "../../workers/filetree-protocol";
import { mergedAt } from "./model";

type Layers = readonly (readonly LayerEntry[])[];

/** The report's path lists are trimmed to this many (the panel shows at most this many). */
export const ANALYSIS_LIST_LIMIT = 100;

export interface Analysis extends EfficiencySummary {
  readonly sizeTree: SizeTree;
}

const NO_LAYERS: Layers = [];

/** Finished analyses per layers array, kept while the array is. */
const done = new WeakMap<Layers, Analysis>();
/** Requests in flight per layers array, with how many sections wait for each. */
const inflight = new WeakMap<Layers, { readonly promise: Promise<Analysis>; readonly abort: AbortController; users: number }>();

/** On this thread: where there are no workers (Node tests), or when the worker failed. */
function analyseInPlace(layers: Layers): Analysis {
  let a = done.get(layers);
  if (!a) {
    const merged = mergedAt(layers, layers.length - 1);
    const report = computeEfficiency(layers, merged);
    a = { report, wastedFileCount: report.wastedFiles.length, sizeTree: buildSizeTree(merged) };
    done.set(layers, a);
  }
  return a;
}


const isAbort = (e: unknown): boolean => e instanceof Error && e.name === "AbortError";

/** Joins (or starts) the request for `layers`; `leave` cancels it when the last section leaves. */
function join(layers: Layers): { readonly promise: Promise<Analysis>; leave(): void } {
  let entry = inflight.get(layers);
  if (!entry) {
    const abort = new AbortController();
    // Nothing to analyse yet (no layer has entries): no worker for that.
    const bridge = layers.some((l) => l.length > 0) ? filetreeBridge() : undefined;
    const work: Promise<Analysis> = bridge
      ? bridge.efficiency(layers, { signal: abort.signal, listLimit: ANALYSIS_LIST_LIMIT, sizeTree: true }).then(
          (r) => (r.sizeTree ? { ...r, sizeTree: r.sizeTree } : analyseInPlace(layers)),
          (e: unknown) => {
            if (abort.signal.aborted || isAbort(e)) throw e;
            return analyseInPlace(layers); // the worker failed: compute here rather than show nothing
          },
        )
      : Promise.resolve().then(() => analyseInPlace(layers));
    const promise = work.then((a) => {
      done.set(layers, a);
      inflight.delete(layers);
      return a;
    });
    promise.catch(() => inflight.delete(layers));
    entry = { promise, abort, users: 0 };
    inflight.set(layers, entry);
  }
  const joined = entry;
  joined.users++;
  let left = false;
  return {
    promise: joined.promise,
    leave() {
      if (left) return;
      left = true;
      joined.users--;
      if (joined.users === 0 && !done.has(layers)) {
        joined.abort.abort();
        inflight.delete(layers);
      }
    },
  };
}

/**
 * The analysis of `layers` (pass the same array for the same results: see `layerEntries`). Until
 * it arrives, the previous one shows with `computing` true, so a panel never goes blank while a
 * later layer finishes.
 */
export function useAnalysis(layers: Layers): { readonly analysis: Analysis; readonly computing: boolean } {
  const cached = done.get(layers);
  const [shown, setShown] = useState<Analysis>(() => cached ?? analyseInPlace(NO_LAYERS));
  useEffect(() => {
    if (done.has(layers)) return;
    let alive = true;
    let request: ReturnType<typeof join> | undefined;
    // After the next frame: sending the layers to the worker is a structured clone on this thread
    // (0.8 s for a million entries), which must not hold back the paint of the render that asked
    // (the merged tree's first rows).
    const cancel = afterNextPaint(() => {
      request = join(layers);
      request.promise.then(
        (a) => {
          if (alive) setShown(a);
        },
        () => undefined, // cancelled: a newer set of layers is on its way
      );
    });
    return () => {
      alive = false;
      cancel();
      request?.leave();
    };
  }, [layers]);
  return { analysis: cached ?? shown, computing: cached === undefined };
}
