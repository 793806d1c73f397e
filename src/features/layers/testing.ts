/**
 * Test-only: a LayerJobs store driven by hand, and builders for entries and layer results.
 * Used by this feature's tests and its screenshot harness; the page never imports it.
 */
import type { Descriptor } from "../../core/oci";
import type { EntryType, LayerEntry, LayerIndex, LayerProgress, LayerTotals } from "../../core/pipeline/types";
import type { LayerJobs, LayerJobState } from "../../lib/layers/types";

export interface FakeLayerJobs extends LayerJobs {
  /** Replaces the whole snapshot. */
  set(states: readonly LayerJobState[]): void;
  /** Replaces one layer's state with `patch` applied. */
  update(layerIndex: number, patch: Partial<LayerJobState>): void;
  /** Every method call, in order: "start", "cancel", "cancel:2", "retry:1", "dispose". */
  readonly calls: string[];
  readonly disposed: boolean;
}

/**
 * A store that does nothing by itself: cancel/retry only record the call and move the layer to
 * "cancelled" / "queued", so a UI can be exercised without workers or a registry.
 */
export function createFakeLayerJobs(initial: readonly LayerJobState[]): FakeLayerJobs {
  let snapshot: readonly LayerJobState[] = initial;
  let disposed = false;
  const listeners = new Set<() => void>();
  const calls: string[] = [];
  const emit = (): void => {
    for (const l of [...listeners]) l();
  };
  const patchOne = (i: number, patch: Partial<LayerJobState>): void => {
    snapshot = snapshot.map((s) => (s.layerIndex === i ? { ...s, ...patch } : s));
    emit();
  };
  const stage = (s: LayerJobState, stage: LayerProgress["stage"]): Partial<LayerJobState> => ({ progress: { ...s.progress, stage } });
  return {
    calls,
    get disposed() {
      return disposed;
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getSnapshot: () => snapshot,
    start() {
      calls.push("start");
    },
    cancel(layerIndex) {
      calls.push(layerIndex === undefined ? "cancel" : `cancel:${layerIndex}`);
      snapshot = snapshot.map((s) =>
        (layerIndex === undefined || s.layerIndex === layerIndex) && (s.progress.stage === "queued" || s.progress.stage === "downloading")
          ? { ...s, ...stage(s, "cancelled"), error: { kind: "aborted" } }
          : s,
      );
      emit();
    },
    retry(layerIndex) {
      calls.push(`retry:${layerIndex}`);
      const s = snapshot.find((x) => x.layerIndex === layerIndex);
      if (s) patchOne(layerIndex, { ...stage(s, "queued"), error: undefined, result: undefined });
    },
    dispose() {
      calls.push("dispose");
      disposed = true;
      listeners.clear();
    },
    set(states) {
      snapshot = states;
      emit();
    },
    update: patchOne,
  };
}

const encoder = new TextEncoder();

/** One entry with defaults: a 0644 root-owned file of 0 bytes. */
export function fakeEntry(path: string, over: Partial<LayerEntry> = {}): LayerEntry {
  const type: EntryType = over.type ?? "file";
  return {
    path,
    rawPath: encoder.encode(path),
    type,
    typeflag: type === "dir" ? "5" : type === "symlink" ? "2" : type === "hardlink" ? "1" : "0",
    size: 0,
    mode: type === "dir" ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
    mtime: 1_700_000_000,
    whiteout: "none",
    headerOffset: 0,
    dataOffset: 512,
    ...over,
  };
}

/** A deterministic pseudo-random generator (mulberry32), so fake trees are the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` entries of a plausible filesystem: nested directories (listed before their contents),
 * files of varied sizes, some symlinks. Deterministic for a given seed.
 */
export function fakeFilesystem(count: number, seed = 1): LayerEntry[] {
  const rnd = random(seed);
  const tops = ["bin", "etc", "lib", "opt", "usr", "var"];
  const entries: LayerEntry[] = [];
  let offset = 0;
  const dirs: string[] = [];
  for (const t of tops) {
    entries.push(fakeEntry(t, { type: "dir", headerOffset: offset }));
    offset += 512;
    dirs.push(t);
  }
  while (entries.length < count) {
    const parent = dirs[Math.floor(rnd() * dirs.length)] as string;
    const r = rnd();
    const name = `${r < 0.1 ? "dir" : r < 0.15 ? "link" : "file"}${entries.length.toString(36)}`;
    const path = `${parent}/${name}`;
    if (r < 0.1 && parent.split("/").length < 8) {
      entries.push(fakeEntry(path, { type: "dir", headerOffset: offset }));
      dirs.push(path);
    } else if (r < 0.15) {
      entries.push(fakeEntry(path, { type: "symlink", linkname: `../${name}.real`, mode: 0o777, headerOffset: offset }));
    } else {
      const size = Math.floor(rnd() ** 4 * 5_000_000);
      entries.push(fakeEntry(path, { size, mode: rnd() < 0.2 ? 0o755 : 0o644, headerOffset: offset, dataOffset: offset + 512 }));
      offset += Math.ceil(size / 512) * 512;
    }
    offset += 512;
  }
  return entries;
}

/** Totals counted from entries, as the pipeline reports them. */
export function totalsOf(entries: readonly LayerEntry[]): LayerTotals {
  const t = { entries: entries.length, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, opaques: 0, others: 0, fileBytes: 0 };
  for (const e of entries) {
    if (e.whiteout === "whiteout") t.whiteouts++;
    else if (e.whiteout === "opaque") t.opaques++;
    else if (e.type === "file") {
      t.files++;
      t.fileBytes += e.size;
    } else if (e.type === "dir") t.dirs++;
    else if (e.type === "symlink") t.symlinks++;
    else if (e.type === "hardlink") t.hardlinks++;
    else t.others++;
  }
  return t;
}

/** A descriptor for layer `i`: a fake sha256 made of the digit repeated. */
export function fakeDescriptor(i: number, size = 1_000_000 * (i + 1)): Descriptor {
  return {
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: `sha256:${(i % 10).toString().repeat(8)}${"ab".repeat(28)}`,
    size,
  };
}

export const fakeDiffId = (i: number): string => `sha256:${(i % 10).toString().repeat(8)}${"cd".repeat(28)}`;

/** A finished, verified layer with these entries. */
export function fakeResult(i: number, entries: readonly LayerEntry[], over: Partial<LayerIndex> = {}): LayerIndex {
  const d = fakeDescriptor(i);
  const totals = totalsOf(entries);
  return {
    layerIndex: i,
    digest: d.digest,
    diffId: fakeDiffId(i),
    mediaType: d.mediaType,
    compression: "gzip",
    compressedSize: d.size,
    uncompressedSize: Math.max(totals.fileBytes + entries.length * 512 + 1024, 1024),
    entries,
    totals,
    warnings: [],
    digestVerdict: { status: "verified", digest: d.digest },
    diffIdVerdict: { status: "verified", digest: fakeDiffId(i) },
    partial: false,
    ...over,
  };
}

/** A job state: "done" with `result`, or at the given stage. */
export function fakeState(i: number, over: Partial<LayerJobState> & { result?: LayerIndex } = {}): LayerJobState {
  const d = fakeDescriptor(i);
  const done = over.result !== undefined;
  return {
    layerIndex: i,
    descriptor: d,
    diffId: fakeDiffId(i),
    progress: {
      stage: done ? "done" : "queued",
      compressedBytes: done ? d.size : 0,
      compressedTotal: d.size,
      uncompressedBytes: done ? (over.result?.uncompressedSize ?? 0) : 0,
      entries: done ? (over.result?.entries.length ?? 0) : 0,
      bytesPerSecond: 0,
    },
    ...over,
  };
}
