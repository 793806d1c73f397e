/**
 * How the history panel gets a version's bytes: the viewer's file reader
 * (src/lib/extract/readFile.ts), passed in as a function so tests give a fake and the panel never
 * extracts anything itself.
 */
import type { LayerscopeError } from "../../core/errors";
import type { Result } from "../../core/result";
import type { FileBytes } from "../../lib/extract/readFile";

export type { FileBytes };

/** Reads the version of `path` that layer `layer` wrote (0-based), at most `maxBytes` bytes. */
export type ReadVersion = (layer: number, path: string, options: { readonly maxBytes: number; readonly signal?: AbortSignal }) => Promise<Result<FileBytes, LayerscopeError>>;

/** Bytes read per version for a diff: enough for most text files, bounded for memory. */
export const DIFF_MAX_BYTES = 1024 * 1024;
