import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { diffFilesystems, type FileDiff } from "../../core/compare";
import { mergeLayers } from "../../core/filetree";
import type { LayerEntry } from "../../core/pipeline/types";
import { Card } from "../../components/Card";
import { formatBytes } from "../../lib/format";
import { createLayerJobs } from "../../lib/layers/jobs";
import type { LayerJobs, LayerJobState } from "../../lib/layers/types";
import { registryClientFor } from "../../lib/registry";
import { LayerError } from "../layers/LayersView";
import { rawPathsOf } from "../export/ExportImage";
import { FileDiffList } from "./FileDiffList";
import { combineStates, readiness, reuseFromA, type SideReadiness } from "./model";
import type { ResolvedSide } from "./useSide";
import { createSlot } from "../../lib/slot";

/** Layers read at once per side: two sides × two keeps a 2-core machine busy without starving the page. */
const POOL_PER_SIDE = 2;

interface Stores {
  readonly a: LayerJobs;
  /** Only B's layers that A does not have (same digest and diff_id): the rest come from `a`. */
  readonly b: LayerJobs;
}

const NONE: readonly LayerJobState[] = Object.freeze([]);
const noSubscribe = (): (() => void) => () => {};
const noSnapshot = (): readonly LayerJobState[] => NONE;

/**
 * Reads every layer of both images (the layer pipeline, in workers) and, once all are done,
 * diffs the two merged filesystems. The stores live as long as this section: navigating away
 * (another comparison, another image, back) disposes them, which aborts every worker and fetch.
 */
export function FileDiffSection({ a, b }: { readonly a: ResolvedSide; readonly b: ResolvedSide }) {
  const diffIdsA = a.config.rootfs.diff_ids;
  const diffIdsB = b.config.rootfs.diff_ids;
  const fromA = useMemo(
    () => reuseFromA({ layers: a.manifest.layers, diffIds: diffIdsA }, { layers: b.manifest.layers, diffIds: diffIdsB }),
    [a.manifest.layers, diffIdsA, b.manifest.layers, diffIdsB],
  );
  const [slot] = useState(() => createSlot<Stores>());
  useEffect(() => {
    const ownB = b.manifest.layers.flatMap((d, i) => (fromA[i] === undefined ? [{ d, diffId: diffIdsB[i] }] : []));
    const stores: Stores = {
      a: createLayerJobs(registryClientFor(a.reference.registry), {
        registry: a.reference.registry,
        repository: a.reference.repository,
        layers: a.manifest.layers,
        diffIds: diffIdsA,
        poolSize: POOL_PER_SIDE,
      }),
      b: createLayerJobs(registryClientFor(b.reference.registry), {
        registry: b.reference.registry,
        repository: b.reference.repository,
        layers: ownB.map((x) => x.d),
        diffIds: ownB.map((x) => x.diffId),
        poolSize: POOL_PER_SIDE,
      }),
    };
    slot.set(stores);
    stores.a.start();
    stores.b.start();
    return () => {
      slot.set(undefined);
      stores.a.dispose();
      stores.b.dispose();
    };
  }, [slot, a.reference, b.reference, a.manifest.layers, b.manifest.layers, diffIdsA, diffIdsB, fromA]);
  const stores = useSyncExternalStore(slot.subscribe, slot.get);
  const statesA = useSyncExternalStore(stores?.a.subscribe ?? noSubscribe, stores?.a.getSnapshot ?? noSnapshot);
  const ownStatesB = useSyncExternalStore(stores?.b.subscribe ?? noSubscribe, stores?.b.getSnapshot ?? noSnapshot);
  const statesB = useMemo(() => combineStates(fromA, statesA, ownStatesB), [fromA, statesA, ownStatesB]);
  const readyA = readiness(statesA);
  const readyB = readiness(statesB);
  const started = stores !== undefined && statesA.length === a.manifest.layers.length && statesB.length === b.manifest.layers.length;
  const finished = started && readyA.running === 0 && readyB.running === 0;
  const reused = fromA.filter((j) => j !== undefined).length;

  const diff = useMemo((): FileDiff | undefined => {
    if (!finished) return undefined;
    const entries = (states: readonly LayerJobState[]): readonly (readonly LayerEntry[])[] => states.map((s) => s.result?.entries ?? []);
    const fsA = mergeLayers(entries(statesA));
    const fsB = mergeLayers(entries(statesB));
    return diffFilesystems(fsA, fsB, { diffIds: { a: diffIdsA, b: diffIdsB }, includeUnchanged: true });
  }, [finished, statesA, statesB, diffIdsA, diffIdsB]);

  const untrusted = readyA.untrusted.length + readyB.untrusted.length > 0;
  const incomplete = readyA.missing.length + readyB.missing.length + readyA.partial.length + readyB.partial.length > 0;

  return (
    <Card
      title="Files: B compared with A"
      aside={reused > 0 ? `${reused} of B's layers are A's blobs, read once` : undefined}
      testId="file-diff"
    >
      <div data-testid="file-diff-state" data-state={diff ? "done" : "running"} data-trusted={untrusted ? "false" : "true"} data-complete={incomplete ? "false" : "true"}>
        {!diff && (
          <div data-testid="file-diff-progress" className="space-y-2 px-4 py-3 text-sm">
            <p className="text-slate-700">Reading every layer of both images (fetch, verify, decompress, index) before the file-level diff…</p>
            <Progress label="A" r={readyA} />
            <Progress label="B" r={readyB} />
          </div>
        )}
        {untrusted && (
          <div data-testid="file-diff-untrusted" role="alert" className="border-b border-rose-200 bg-rose-50 px-4 py-2 text-sm text-rose-950">
            <strong>Untrusted:</strong> some layers did not verify, so this file diff may show bytes no one published.
            <ul className="mt-1 list-disc pl-5 text-xs">
              {readyA.untrusted.map((u) => (
                <li key={`a${u.layer}`}>
                  A layer {u.layer + 1}: {u.reason}
                </li>
              ))}
              {readyB.untrusted.map((u) => (
                <li key={`b${u.layer}`}>
                  B layer {u.layer + 1}: {u.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
        {diff && incomplete && (
          <div data-testid="file-diff-incomplete" className="space-y-1 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-950">
            <p>
              <strong>Incomplete:</strong> layers without a (whole) result were merged as empty or partial; paths they would add or change are missing here.
            </p>
            <Failures label="A" states={statesA} r={readyA} />
            <Failures label="B" states={statesB} r={readyB} />
          </div>
        )}
        {diff && (
          <FileDiffList
            diff={diff}
            sides={{ a: exportSide(a), b: exportSide(b), rawPaths: () => rawPathsOf([...statesA, ...statesB].map((s) => s.result?.entries ?? [])) }}
          />
        )}
      </div>
    </Card>
  );
}

function Progress({ label, r }: { readonly label: string; readonly r: SideReadiness }) {
  const fraction = r.compressedTotal > 0 ? r.compressedBytes / r.compressedTotal : r.running === 0 ? 1 : 0;
  return (
    <div className="flex items-center gap-3 text-xs text-slate-700" data-testid={`file-diff-progress-${label.toLowerCase()}`} data-done={r.done} data-total={r.total}>
      <span className="w-4 font-bold">{label}</span>
      <div
        role="progressbar"
        aria-label={`Image ${label} layers read`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        className="h-1.5 w-48 overflow-hidden rounded bg-slate-200"
      >
        <div className="h-full rounded bg-indigo-600 transition-[width] duration-200" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <span>
        {r.done} of {r.total} layers · {formatBytes(r.compressedBytes)} of {formatBytes(r.compressedTotal)}
        {r.missing.length > 0 && <span className="text-rose-700"> · {r.missing.length} failed</span>}
      </span>
    </div>
  );
}

function Failures({ label, states, r }: { readonly label: string; readonly states: readonly LayerJobState[]; readonly r: SideReadiness }) {
  if (r.missing.length === 0 && r.partial.length === 0) return null;
  return (
    <div className="space-y-1 text-xs">
      {[...new Set([...r.missing, ...r.partial])].map((i) => {
        const s = states[i];
        return (
          <div key={i}>
            <p className="font-medium">
              {label} layer {i + 1}
              {r.partial.includes(i) ? " (partial)" : ""}
            </p>
            {s?.error && <LayerError error={s.error} />}
          </div>
        );
      })}
    </div>
  );
}

/** One side as the compare export names it: the reference the user typed, the digests and the platform. */
function exportSide(s: ResolvedSide) {
  return { reference: s.familiar, manifestDigest: s.manifestDigest, configDigest: s.configDigest, platform: s.platform, name: s.familiar };
}
