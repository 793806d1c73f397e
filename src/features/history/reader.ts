/**
 * How the history panel gets a version's bytes: the file reader of the viewer
 * (src/lib/extract/readFile.ts), passed in so tests give a fake and the panel never extracts
 * anything itself.
 */
import type { LayerscopeError } from "../../core/errors";
import type { Result } from "../../core/result";

/** A file's bytes as the reader gives them (the same shape as lib/extract's FileBytes). */
export interface FileBytes {
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly truncated: boolean;
  /** False when the layer did not verify: the diff says so. */
  readonly trusted: boolean;
}

/** Reads the version of `path` that layer `layer` wrote (0-based), at most `maxBytes` bytes. */
export type ReadVersion = (layer: number, path: string, options: { readonly maxBytes: number; readonly signal?: AbortSignal }) => Promise<Result<FileBytes, LayerscopeError>>;

/** Bytes read per version for a diff: enough for most text files, bounded for memory. */
export const DIFF_MAX_BYTES = 1024 * 1024;
