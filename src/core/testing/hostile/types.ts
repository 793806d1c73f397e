/**
 * The shape of the hostile corpus (SECURITY T1–T13, D1–D5): named cases, each a layer blob as a
 * registry would serve it plus the job the page would run on it, and the outcome that is right,
 * as data. The table-driven suite (hostile.test.ts) runs every case through `runLayer`, the
 * function the page's layer worker runs; e2e/setup/hostile-fixtures.ts pushes some of the same
 * cases to the test registry for Chromium.
 */
import type { LayerJob } from "../../pipeline";
import type { TarEntry } from "../tar";

/** Rows of ../shared/SECURITY.md this corpus covers. */
export type RowId = "T1" | "T2" | "T3" | "T4" | "T5" | "T6" | "T7" | "T8" | "T9" | "T10" | "T11" | "T12" | "T13" | "D1" | "D2" | "D3" | "D4" | "D5";

export type VerdictStatus = "verified" | "mismatch" | "unverifiable";

/** A layer as served: the bytes (or a fresh stream of them per call) and the job naming them. */
export interface HostileLayer {
  /** Small cases are bytes (the suite cuts them into chunks); large ones a fresh stream per call. */
  readonly blob: Uint8Array | (() => AsyncIterable<Uint8Array>);
  /** What the manifest and config say about the blob (digest, size, media type, diff_id, limits). */
  readonly job: Omit<LayerJob, "layerIndex">;
  /** Layers below this one (tar entries, base first), for the merge and link expectations. */
  readonly lower?: readonly (readonly TarEntry[])[];
}

/** A subset of a LayerIndex error to match. */
export interface ExpectedError {
  readonly kind: string;
  /** `corrupt-tar` code (bad-checksum, truncated-body, …). */
  readonly code?: string;
  /** `limit-exceeded` what ("tar entries", "uncompressed size", "zstd window", …). */
  readonly what?: string;
  /** `size-mismatch` direction. */
  readonly direction?: "overrun" | "truncated";
  /** `corrupt-compression` format. */
  readonly format?: string;
}

/** What the merged view (overlay of `lower` and this layer) must show. */
export interface ExpectedMerge {
  readonly present?: readonly string[];
  readonly absent?: readonly string[];
  /** Warnings as "kind path"; each must be among the merge's warnings. */
  readonly warnings?: readonly string[];
  /** Paths whose winning version must be of this type. */
  readonly types?: Readonly<Record<string, string>>;
}

export interface ExpectedOutcome {
  /** undefined: the layer must have no error. */
  readonly error?: ExpectedError;
  readonly digest: VerdictStatus;
  readonly diffId: VerdictStatus;
  readonly compression?: "gzip" | "zstd" | "none";
  /**
   * Entry paths in tar order. With `prefixOf`, the entries reported must be a prefix of these (a
   * fault inside compressed data stops somewhere in the middle: nothing before it may be lost),
   * at least `minEntries` long.
   */
  readonly paths?: readonly string[];
  readonly prefixOf?: boolean;
  readonly minEntries?: number;
  /** For large cases: only the number of entries. */
  readonly entryCount?: number;
  /** Fields of single entries, by index in tar order. */
  readonly entries?: readonly (readonly [index: number, fields: Readonly<Record<string, unknown>>])[];
  /** Each pattern must match one of the layer's warnings. */
  readonly warnings?: readonly RegExp[];
  /**
   * Warnings only pako gives: Node's DecompressionStream (≤ 24.18) silently drops zero bytes after
   * the last member, so with the native engine in Node they are hashed but not flagged. Chromium's
   * fails on them and the pipeline falls back to pako, which flags them.
   */
  readonly warningsWithPako?: readonly RegExp[];
  /** Exact uncompressed bytes read (a bomb stops at its cap). */
  readonly uncompressedSize?: number;
  readonly merge?: ExpectedMerge;
  /** Symlinks followed in the merged view (SECURITY T3): [link path, "ok" or the failure reason]. */
  readonly follow?: readonly (readonly [path: string, outcome: string])[];
}

export interface HostileCase {
  /** "row/slug", unique: how ROWS.md and the test names refer to it. */
  readonly name: string;
  readonly rows: readonly RowId[];
  /** One line: what the input is. */
  readonly what: string;
  /** Streamed, big: run at one chunk size only, with memory watched. */
  readonly large?: boolean;
  build(): Promise<HostileLayer>;
  readonly expect: ExpectedOutcome;
}
