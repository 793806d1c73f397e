/**
 * The merged view's data for a set of layers, a layer and "show deleted": at once for small
 * images; for big ones, merged in the filetree worker as columns (core/filetree/columns.ts), so
 * the page makes nothing per path before the first frame (a million entries took 2.4 s of the
 * page's thread before, in slices; bench/README.md). Where there are no workers (tests in Node),
 * big images are merged on the page in slices instead. While a big view is computed, the view
 * shown before stays (with `computing` true), or there is none yet on the first one.
 *
 * A big view being computed counts as page activity (lib/layers/activity) until the frame that
 * shows it is painted: the work that waits for the page to settle (the persistent cache's write,
 * half a second of the page's thread for a million entries; the efficiency report's structured
 * clone to its worker) then runs after that frame, not in the way of it.
 */
import { useEffect, useMemo, useState } from "react";
import type { LayerEntry } from "../../core/pipeline/types";
import { keepNewest } from "../../lib/collections";
import { MERGE_IN_WORKER_ABOVE_ENTRIES, mergedBridge } from "../../lib/filetree/client";
import { layerActivity } from "../../lib/layers/activity";
import { afterNextPaint, runSliced } from "../../lib/yield";
import { cachedView, columnsView, viewNow, viewSteps, type MergedView } from "./model";

type Layers = readonly (readonly LayerEntry[])[];

interface Done {
  readonly layers: Layers;
  readonly upTo: number;
  readonly showDeleted: boolean;
  readonly view: MergedView;
}

/** Columns views kept per layers array, by "upTo/showDeleted": sliding back to one is instant. */
const columnViews = new WeakMap<Layers, Map<string, MergedView>>();
const KEEP_COLUMN_VIEWS = 4;

function keptColumnsView(layers: Layers, upTo: number, showDeleted: boolean): MergedView | undefined {
  return columnViews.get(layers)?.get(`${upTo}/${showDeleted}`);
}

function keepColumnsView(layers: Layers, upTo: number, showDeleted: boolean, view: MergedView): void {
  let kept = columnViews.get(layers);
  if (!kept) {
    kept = new Map();
    columnViews.set(layers, kept);
  }
  kept.set(`${upTo}/${showDeleted}`, view);
  keepNewest(kept, KEEP_COLUMN_VIEWS);
}

export function useMergedView(layers: Layers, upTo: number, showDeleted: boolean): { readonly view: MergedView | undefined; readonly computing: boolean } {
  const entries = useMemo(() => layers.reduce((n, l) => n + l.length, 0), [layers]);
  const big = entries > MERGE_IN_WORKER_ABOVE_ENTRIES;
  // Small images, and whatever is kept, in render: no effect, no extra frame.
  const now = useMemo(
    () => (big ? (keptColumnsView(layers, upTo, showDeleted) ?? cachedView(layers, upTo, showDeleted)) : viewNow(layers, upTo, showDeleted)),
    [big, layers, upTo, showDeleted],
  );
  const [done, setDone] = useState<Done | undefined>(undefined);
  const current = done !== undefined && done.layers === layers && done.upTo === upTo && done.showDeleted === showDeleted ? done.view : undefined;
  const needed = now === undefined && current === undefined;

  useEffect(() => {
    if (!needed) return;
    const abort = new AbortController();
    const end = layerActivity.begin();
    let delivered = false;
    const bridge = mergedBridge();
    const computed: Promise<MergedView> = bridge
      ? bridge
          .merged(layers, upTo, showDeleted, { signal: abort.signal })
          .then(
            ({ columns, packed }) => {
              const view = columnsView(columns, packed, layers);
              keepColumnsView(layers, upTo, showDeleted, view);
              return view;
            },
            (e: unknown) => {
              if (abort.signal.aborted) throw e;
              // The worker failed (out of memory, say): merge on the page instead, in slices.
              return runSliced(viewSteps(layers, upTo, showDeleted), abort.signal);
            },
          )
      : runSliced(viewSteps(layers, upTo, showDeleted), abort.signal);
    computed.then(
      (view) => {
        if (abort.signal.aborted) return;
        delivered = true;
        setDone({ layers, upTo, showDeleted, view });
      },
      // Cancelled (newer layers, another layer or "show deleted" asked meanwhile), or failed even
      // on the page: either way the page is no longer busy with it.
      () => end(),
    );
    return () => {
      abort.abort();
      // Delivered: this cleanup runs once the render showing the view is committed (it is no
      // longer needed), so the page is busy until the next frame, which shows it, is painted.
      // Ending here at once let waiting work (the efficiency report's structured clone, 85 ms
      // for a million entries) run between the commit and that frame.
      if (delivered) afterNextPaint(end);
      else end(); // it ends once, whichever comes first
    };
  }, [needed, layers, upTo, showDeleted]);

  return { view: now ?? current ?? done?.view, computing: needed };
}
