/**
 * Reading file bodies out of one layer's uncompressed tar stream, by the offsets its index
 * recorded (LayerEntry.headerOffset / dataOffset), without holding the layer.
 *
 * The stream is pushed in order from byte 0. The tar parser (the pipeline's own, bodies skipped)
 * reads every header on the way, so the header found at a target's `headerOffset` can be checked
 * against the index: same path, same size, same body offset. Only then are the body's bytes
 * handed on, piece by piece, as they pass. Once the last target's last wanted byte has passed,
 * {@link EntryExtractor.push} says "done" and the caller stops reading (and cancels the fetch).
 *
 * Several targets are read in one pass (a directory download takes every file a layer gives in
 * one read of that layer), in tar order.
 */
import type { LayerscopeError } from "../errors";
import { asLayerscopeError, createTarParser, type TarEntry, type TarParser } from "../tar";
import { err, ok, type Result } from "../result";

/** Where an entry's header and body sit in the uncompressed tar, as the layer index recorded it. */
export interface ExtractTarget {
  /** Normalised path (LayerEntry.path). */
  readonly path: string;
  /** Body size in bytes. */
  readonly size: number;
  readonly headerOffset: number;
  readonly dataOffset: number;
}

/**
 * Receives body bytes in order: `target` is the position in the targets array, `chunk` a copy
 * the sink may keep or transfer. May be async (a download writing to disk): the caller awaits it.
 */
export type BodySink = (target: number, chunk: Uint8Array) => void | Promise<void>;

export interface ExtractorOptions {
  /** Deliver at most this many bytes of each target's body (default: all of it). */
  readonly maxBytes?: number;
  readonly onBody: BodySink;
  /**
   * Body bytes already delivered by an earlier pass that restarted from byte 0 (native gzip
   * fallback): these are skipped, so the sink never sees a byte twice.
   */
  readonly alreadyDelivered?: readonly number[];
}

/** What one pass read, per target. */
export interface ExtractedBody {
  /** Bytes delivered (≤ size). */
  readonly delivered: number;
  /** True when fewer bytes than the file's size were delivered because of `maxBytes`. */
  readonly truncated: boolean;
}

export interface EntryExtractor {
  /** Feeds the next piece of the uncompressed stream; resolves true once every target is complete. */
  push(chunk: Uint8Array): Promise<boolean>;
  readonly done: boolean;
  /** Bytes delivered so far, per target (for a restart). */
  readonly delivered: readonly number[];
  /** The outcome: every target read, or why not (header mismatch, the stream ended early, a tar error). */
  finish(): Result<readonly ExtractedBody[], LayerscopeError>;
}

function mismatch(t: ExtractTarget, detail: string): LayerscopeError {
  return { kind: "extract-mismatch", path: t.path, offset: t.headerOffset, detail };
}

/** Checks the header the parser found at a target's offset against the index's record of it. */
function checkHeader(t: ExtractTarget, e: TarEntry): LayerscopeError | undefined {
  if (e.path !== t.path) return mismatch(t, `the header there names "${e.path}"`);
  if (e.size !== t.size) return mismatch(t, `the header there gives ${e.size} bytes, the index ${t.size}`);
  if (e.dataOffset !== t.dataOffset) return mismatch(t, `the body starts at ${e.dataOffset}, the index says ${t.dataOffset}`);
  if (e.type === "sparse") return mismatch(t, "it is a sparse file, whose stored body is not the file's bytes (not expanded here)");
  if (e.type !== "file" && e.type !== "contiguous") return mismatch(t, `the header there is a ${e.type}, not a regular file`);
  return undefined;
}

/**
 * An extractor for `targets`. Targets may come in any order; they are read in tar order. Two
 * targets at the same offset are refused (a caller bug).
 */
export function createEntryExtractor(targets: readonly ExtractTarget[], options: ExtractorOptions): EntryExtractor {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const order = targets.map((_, i) => i).sort((a, b) => targets[a]!.headerOffset - targets[b]!.headerOffset);
  const byOffset = new Map<number, number>();
  for (const i of order) {
    const t = targets[i]!;
    if (byOffset.has(t.headerOffset)) throw new RangeError(`two targets at header offset ${t.headerOffset}`);
    byOffset.set(t.headerOffset, i);
  }
  const want = targets.map((t) => Math.min(t.size, maxBytes));
  const delivered = targets.map((_, i) => options.alreadyDelivered?.[i] ?? 0);
  /** Bytes of each body seen in this pass (delivered or skipped as already delivered). */
  const seen = targets.map(() => 0);
  const checked = targets.map(() => false);
  /** The next target in tar order whose body is not complete yet. */
  let next = 0;
  let pos = 0;
  let failure: LayerscopeError | undefined;
  let done = targets.length === 0;

  const parser: TarParser = createTarParser({
    collect: false,
    onEntry(e) {
      const i = byOffset.get(e.headerOffset);
      if (i === undefined) return;
      const problem = checkHeader(targets[i]!, e);
      if (problem) failure ??= problem;
      else checked[i] = true;
    },
  });

  /** The end of the stream the parser must see: through the last target's header. */
  const lastHeaderEnd = order.length > 0 ? targets[order[order.length - 1]!]!.dataOffset : 0;

  function advance(): void {
    while (next < order.length) {
      const i = order[next]!;
      if (!checked[i] || seen[i]! < want[i]!) return;
      next++;
    }
    done = true;
  }

  return {
    get done() {
      return done;
    },
    get delivered() {
      return delivered;
    },
    async push(chunk) {
      if (done || failure) return done;
      const start = pos;
      const end = pos + chunk.length;
      pos = end;
      // Headers: only what lies before the last target's body needs parsing.
      if (start < lastHeaderEnd) {
        parser.push(end <= lastHeaderEnd ? chunk : chunk.subarray(0, lastHeaderEnd - start));
      }
      // Bodies: the part of this chunk inside each pending target's wanted range.
      for (let k = next; k < order.length && !failure; k++) {
        const i = order[k]!;
        const t = targets[i]!;
        if (!checked[i]) {
          // The parser has seen everything before this body: no header matched at the offset.
          if (end >= t.dataOffset) failure = mismatch(t, `no entry header was found at offset ${t.headerOffset}`);
          break;
        }
        const from = t.dataOffset + seen[i]!;
        const to = t.dataOffset + want[i]!;
        if (from >= end) break; // later targets lie further on
        if (from >= to) continue;
        const a = Math.max(from, start);
        const b = Math.min(to, end);
        if (b <= a) continue;
        const alreadyOut = t.dataOffset + delivered[i]!;
        // Skip what an earlier pass already delivered; copy the rest (the chunk is the decoder's).
        const outFrom = Math.max(a, alreadyOut);
        if (outFrom < b) {
          const piece = chunk.slice(outFrom - start, b - start);
          delivered[i] = b - t.dataOffset;
          await options.onBody(i, piece);
        }
        seen[i] = b - t.dataOffset;
      }
      if (!failure) advance();
      return done;
    },
    finish() {
      if (failure) return err(failure);
      if (done) return ok(targets.map((t, i) => ({ delivered: delivered[i]!, truncated: delivered[i]! < t.size })));
      const summary = parser.end();
      if (summary.error) return err(asLayerscopeError(summary.error));
      const i = order[next]!;
      const t = targets[i]!;
      if (!checked[i]) return err(mismatch(t, `the layer's tar ended at ${pos} bytes before an entry header at that offset`));
      return err({
        kind: "corrupt-tar",
        reason: `the layer's tar ends inside the body of "${t.path}": got ${seen[i]} of ${want[i]} bytes`,
        offset: pos,
      });
    },
  };
}
