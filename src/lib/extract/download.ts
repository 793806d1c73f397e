/**
 * Downloads out of layers: one file's bytes, a directory as a tar, a layer's uncompressed tar.
 *
 * Nothing is held as one JS buffer. Pieces arrive from the extract worker (with backpressure) and
 * are gathered into Blob parts of a few MiB: a Blob's bytes live outside the JS heap, and
 * Chromium spills large blobs to disk, so a multi-GiB layer does not sit in the page's memory.
 * The finished Blob is saved through an object URL and the browser's own download manager
 * (every browser, visible in its downloads list). The File System Access API's save picker is
 * not used: it must be opened before any asynchronous work in the click, it is Chromium-only,
 * and headless tests cannot drive it; the Blob path gives the same bounded memory.
 */
import type { LayerscopeError } from "../../core/errors";
import type { LayerTarOutcome } from "../../core/extract";
import { tarHeader, tarPaddingBytes, TAR_END_MARKER_BYTES, type TarWriteEntry } from "../../core/tar";
import type { LayerEntry } from "../../core/pipeline/types";
import { err, ok, type Result } from "../../core/result";
import type { LayerJobs } from "../layers/types";
import { runExtract } from "./client";
import { layerEntryAt, layerIndexOf, locateFile, settle, sourceOf } from "./readFile";
import { readTrust } from "../../core/extract";

/** Pieces are gathered into Blob parts of about this size (fewer, larger parts; bounded JS memory). */
const PART_BYTES = 4 * 1024 * 1024;

/** Where a download's bytes go, in order. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  /** Everything written is void (the layer is read again from byte 0). */
  reset(): void;
  readonly bytes: number;
}

/** A sink that builds a Blob from parts, without one big buffer. */
export function blobSink(): ByteSink & { finish(type: string): Blob } {
  let parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    parts.push(new Blob(pending as BlobPart[]));
    pending = [];
    pendingBytes = 0;
  };
  return {
    write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      if (pendingBytes >= PART_BYTES) flush();
    },
    reset() {
      parts = [];
      pending = [];
      pendingBytes = 0;
      bytes = 0;
    },
    get bytes() {
      return bytes;
    },
    finish(type) {
      flush();
      return new Blob(parts, { type });
    },
  };
}

/** A path's last component, for a file name ("" → fallback). Slashes and controls cannot appear in a name. */
export function baseName(path: string, fallback = "download"): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/[\u0000-\u001f\u007f]/g, "_");
  return name === "" || name === "." || name === ".." ? fallback : name;
}

export interface DownloadResult {
  readonly blob: Blob;
  readonly name: string;
  /** Whether every layer the bytes came from is verified. */
  readonly trusted: boolean;
  /** For a layer tar: the verdicts of this very read. */
  readonly verdicts?: LayerTarOutcome;
}

/** One file's whole body (a hardlink gives the body it shares), as `application/octet-stream`. */
export async function downloadFile(jobs: LayerJobs, layer: number, path: string, signal?: AbortSignal): Promise<Result<DownloadResult, LayerscopeError>> {
  const located = locateFile(jobs, layer, path);
  if (!located.ok) return located;
  const { body, bodyLayer, trust } = located.value;
  const source = sourceOf(jobs, bodyLayer, path);
  if (!source.ok) return source;
  const sink = blobSink();
  const run = await settle(
    runExtract(
      { type: "entries", job: source.value.job, request: source.value.request, targets: [{ path: body.path, size: body.size, headerOffset: body.headerOffset, dataOffset: body.dataOffset }] },
      { onData: (_t, chunk) => sink.write(chunk) },
      signal,
    ),
  );
  if (!run.ok) return run;
  if (run.value.type === "entries-done" && !run.value.result.ok) return run.value.result;
  return ok({ blob: sink.finish("application/octet-stream"), name: baseName(path), trusted: trust.trusted });
}

/** The whole uncompressed tar of a layer, hashed on the way: its verdicts come with it. */
export async function downloadLayerTar(jobs: LayerJobs, layer: number, signal?: AbortSignal, onProgress?: (compressedBytes: number) => void): Promise<Result<DownloadResult, LayerscopeError>> {
  const index = layerIndexOf(jobs, layer, "");
  if (!index.ok) return index;
  const trust = readTrust(index.value);
  if (!trust.allowed) return err({ kind: "file-unavailable", layer, path: "", why: "untrusted", detail: trust.reason });
  const source = sourceOf(jobs, layer, "");
  if (!source.ok) return source;
  const sink = blobSink();
  const run = await settle(
    runExtract(
      { type: "layer-tar", job: source.value.job, request: source.value.request },
      { onData: (_t, chunk) => sink.write(chunk), onRestart: () => sink.reset(), ...(onProgress ? { onProgress } : {}) },
      signal,
    ),
  );
  if (!run.ok) return run;
  if (run.value.type !== "layer-done") return err({ kind: "internal", detail: "the extract worker answered the wrong request" });
  const verdicts = run.value.outcome;
  if (verdicts.error) return err(verdicts.error);
  // This read's own verdicts decide: bytes that do not hash to the digest are not handed out.
  if (verdicts.digestVerdict.status === "mismatch") return err({ kind: "digest-mismatch", what: "blob", expected: verdicts.digestVerdict.expected, actual: verdicts.digestVerdict.actual });
  if (verdicts.diffIdVerdict.status === "mismatch") return err({ kind: "digest-mismatch", what: "diff_id", expected: verdicts.diffIdVerdict.expected, actual: verdicts.diffIdVerdict.actual });
  const trusted = verdicts.digestVerdict.status === "verified" && verdicts.diffIdVerdict.status === "verified";
  const digest = jobs.getSnapshot()[layer]?.descriptor.digest ?? "layer";
  return ok({ blob: sink.finish("application/x-tar"), name: `layer-${layer + 1}-${digest.replace(/^sha256:/, "").slice(0, 12)}.tar`, trusted, verdicts });
}

/** One entry of a directory download: where it goes in the archive and which layer provides it. */
export interface DirectoryItem {
  /** Path in the image (normalised). */
  readonly path: string;
  /** The layer whose version of `path` is written. */
  readonly layer: number;
}

const writeEntryOf = (name: string, e: LayerEntry, type: TarWriteEntry["type"], size: number, linkname?: string): TarWriteEntry => ({
  path: name,
  type,
  size,
  mode: e.mode,
  uid: e.uid,
  gid: e.gid,
  uname: e.uname,
  gname: e.gname,
  mtime: e.mtime,
  ...(linkname !== undefined ? { linkname } : {}),
});

/**
 * A directory as a tar: `items` (the directory itself and everything under it, each from the
 * layer that provides it) are written under the directory's own name. Directories, symlinks and
 * empty files first (by path, so parents come before children), then file bodies read one layer
 * at a time, each layer once, up to its last wanted body. A hardlink is written as a regular file
 * with the body it shares (its target may be outside the directory). Devices, FIFOs and other
 * types are skipped and counted. Refuses when any providing layer failed verification.
 */
export async function downloadDirectory(
  jobs: LayerJobs,
  dir: string,
  items: readonly DirectoryItem[],
  signal?: AbortSignal,
): Promise<Result<DownloadResult & { readonly skipped: number; readonly entries: number }, LayerscopeError>> {
  const root = baseName(dir, "rootfs");
  const nameOf = (path: string): string => (dir === "" ? `${root}/${path}` : path === dir ? root : `${root}/${path.slice(dir.length + 1)}`);
  const meta: { name: string; entry: TarWriteEntry }[] = [];
  const bodies = new Map<number, { name: string; meta: LayerEntry; body: LayerEntry }[]>();
  let trusted = true;
  let skipped = 0;
  for (const item of [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const index = layerIndexOf(jobs, item.layer, item.path);
    if (!index.ok) return index;
    const e = layerEntryAt(index.value, item.path);
    const name = nameOf(item.path);
    if (!e) {
      // A directory implied by deeper paths: no layer wrote it.
      meta.push({ name, entry: { path: name, type: "dir", size: 0, mode: 0o755, uid: 0, gid: 0, uname: "", gname: "", mtime: 0 } });
      continue;
    }
    if (e.type === "dir") meta.push({ name, entry: writeEntryOf(name, e, "dir", 0) });
    else if (e.type === "symlink") meta.push({ name, entry: writeEntryOf(name, e, "symlink", 0, e.linkname ?? "") });
    else if (e.type === "file" || e.type === "contiguous" || e.type === "hardlink") {
      const located = locateFile(jobs, item.layer, item.path);
      if (!located.ok) return located;
      trusted &&= located.value.trust.trusted;
      const { body, bodyLayer } = located.value;
      if (body.size === 0) meta.push({ name, entry: writeEntryOf(name, e, "file", 0) });
      else {
        const list = bodies.get(bodyLayer) ?? [];
        list.push({ name, meta: e, body });
        bodies.set(bodyLayer, list);
      }
    } else skipped++;
  }
  for (const l of new Set(items.map((i) => i.layer))) {
    const index = layerIndexOf(jobs, l, dir);
    if (!index.ok) return index;
    const t = readTrust(index.value);
    if (!t.allowed) return err({ kind: "file-unavailable", layer: l, path: dir, why: "untrusted", detail: t.reason });
    trusted &&= t.trusted;
  }

  const sink = blobSink();
  for (const m of meta) sink.write(tarHeader(m.entry));
  let entries = meta.length;
  for (const [layer, list] of [...bodies].sort((a, b) => a[0] - b[0])) {
    const source = sourceOf(jobs, layer, dir);
    if (!source.ok) return source;
    // Two names may share one body (hardlinks to the same file): read each body once per target.
    const targets = [...new Map(list.map((x) => [x.body.headerOffset, x.body])).values()];
    const slot = new Map(targets.map((b, i) => [b.headerOffset, i]));
    const byTarget = targets.map(() => [] as { name: string; meta: LayerEntry }[]);
    for (const x of list) byTarget[slot.get(x.body.headerOffset)!]!.push({ name: x.name, meta: x.meta });
    // Bodies come in tar order, each whole before the next; a shared body is buffered only when
    // several names use it (then it is written once per name).
    let current = -1;
    let shared: Uint8Array[] = [];
    const close = (): void => {
      if (current < 0) return;
      const names = byTarget[current]!;
      const size = targets[current]!.size;
      sink.write(new Uint8Array(tarPaddingBytes(size)));
      for (const extra of names.slice(1)) {
        sink.write(tarHeader(writeEntryOf(extra.name, extra.meta, "file", size)));
        for (const c of shared) sink.write(c);
        sink.write(new Uint8Array(tarPaddingBytes(size)));
      }
      entries += names.length;
      shared = [];
    };
    const run = await settle(
      runExtract(
        {
          type: "entries",
          job: source.value.job,
          request: source.value.request,
          targets: targets.map((b) => ({ path: b.path, size: b.size, headerOffset: b.headerOffset, dataOffset: b.dataOffset })),
        },
        {
          onData(target, chunk) {
            if (target !== current) {
              close();
              current = target;
              const first = byTarget[target]![0]!;
              sink.write(tarHeader(writeEntryOf(first.name, first.meta, "file", targets[target]!.size)));
            }
            sink.write(chunk);
            if (byTarget[target]!.length > 1) shared.push(chunk);
          },
        },
        signal,
      ),
    );
    if (!run.ok) return run;
    if (run.value.type === "entries-done" && !run.value.result.ok) return run.value.result;
    close();
  }
  sink.write(new Uint8Array(TAR_END_MARKER_BYTES));
  return ok({ blob: sink.finish("application/x-tar"), name: `${root}.tar`, trusted, skipped, entries });
}
