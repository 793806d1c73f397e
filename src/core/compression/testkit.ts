/**
 * Helpers for this folder's tests only (pure, so they also typecheck with the core): build gzip
 * with CompressionStream, cut input into chunks, run a decoder and collect what it says.
 */
import { decodeAll, type Decoder, type DecodeSummary } from "./decoder";
import { isCompressionFailure, type CompressionError } from "./errors";
import { xorshift32 } from "../testing/noise";

/** Chunk sizes every decoder test runs with (STYLE 13): 1 byte, odd sizes, and the whole input. */
export const CHUNKINGS = [1, 7, 4093, Infinity] as const;

export function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  const step = Number.isFinite(size) ? size : Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += step) yield bytes.subarray(at, at + step);
}

/** One gzip member of `data`, made by the platform's CompressionStream. */
export async function gzip(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(c) {
      c.enqueue(new Uint8Array(data));
      c.close();
    },
  }).pipeThrough(new CompressionStream("gzip"));
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
  }
  return concat(...parts);
}

/** Deterministic bytes that compress somewhat (text-like runs mixed with noise). */
export function sampleBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const next = xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = next();
    out[i] = (x & 3) === 0 ? x & 0xff : 0x61 + (i % 26);
  }
  return out;
}

export type Outcome =
  | { readonly ok: true; readonly output: Uint8Array; readonly summary: DecodeSummary; readonly largestChunk: number }
  | { readonly ok: false; readonly error: CompressionError; readonly outputBytes: number; readonly largestChunk: number };

/** Feeds `input` in chunks of `size` through `decoder` and reports output or the typed error. */
export async function run(decoder: Decoder, input: Uint8Array, size: number, keep = true): Promise<Outcome> {
  const parts: Uint8Array[] = [];
  let outputBytes = 0;
  let largestChunk = 0;
  try {
    const summary = await decodeAll(decoder, chunked(input, size), (c) => {
      outputBytes += c.length;
      largestChunk = Math.max(largestChunk, c.length);
      if (keep) parts.push(c);
    });
    return { ok: true, output: concat(...parts), summary, largestChunk };
  } catch (e) {
    if (isCompressionFailure(e)) return { ok: false, error: e.error, outputBytes, largestChunk };
    throw e;
  }
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * "equal" or where two byte arrays first differ. Deep-equality matchers walk typed arrays one
 * element at a time and take ~100 ms per 100 KB, so byte comparisons go through this.
 */
export function diffBytes(actual: Uint8Array | false | undefined, expected: Uint8Array): string {
  if (!actual) return `no output (${String(actual)})`;
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return `differs at byte ${i}`;
  return "equal";
}
