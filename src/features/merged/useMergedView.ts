/**
 * The merged view's data for a set of layers, a layer and "show deleted": at once for small
 * images, in slices for big ones (a million entries took one task of seconds, during which the
 * page could not paint or answer input). While a sliced computation runs, the view shown before
 * stays (with `computing` true), or there is none yet on the first one.
 */
import { useEffect, useMemo, useState } from "react";
import type { LayerEntry } from "../../core/pipeline/types";
import { runSliced } from "../../lib/yield";
import { SLICE_ABOVE_ENTRIES, cachedView, viewNow, viewSteps, type MergedView } from "./model";

type Layers = readonly (readonly LayerEntry[])[];

interface Done {
  readonly layers: Layers;
  readonly upTo: number;
  readonly showDeleted: boolean;
  readonly view: MergedView;
}

export function useMergedView(layers: Layers, upTo: number, showDeleted: boolean): { readonly view: MergedView | undefined; readonly computing: boolean } {
  const entries = useMemo(() => layers.reduce((n, l) => n + l.length, 0), [layers]);
  const sliced = entries > SLICE_ABOVE_ENTRIES;
  // Small images, and whatever is cached, in render: no effect, no extra frame.
  const now = useMemo(() => (sliced ? cachedView(layers, upTo, showDeleted) : viewNow(layers, upTo, showDeleted)), [sliced, layers, upTo, showDeleted]);
  const [done, setDone] = useState<Done | undefined>(undefined);
  const current = done !== undefined && done.layers === layers && done.upTo === upTo && done.showDeleted === showDeleted ? done.view : undefined;
  const needed = now === undefined && current === undefined;

  useEffect(() => {
    if (!needed) return;
    const abort = new AbortController();
    runSliced(viewSteps(layers, upTo, showDeleted), abort.signal).then(
      (view) => {
        if (!abort.signal.aborted) setDone({ layers, upTo, showDeleted, view });
      },
      () => undefined, // cancelled: newer layers, another layer or "show deleted" asked meanwhile
    );
    return () => abort.abort();
  }, [needed, layers, upTo, showDeleted]);

  return { view: now ?? current ?? done?.view, computing: needed };
}
