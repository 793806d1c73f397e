import { useEffect, useState } from "react";
import { describeError, type LayerscopeError } from "../../core/errors";
import { diffContents, type ContentDiff } from "../../core/history";
import { DIFF_MAX_BYTES, type ReadVersion } from "./reader";

/** One side of a diff to read: the layer that wrote the version, and the path. */
export interface DiffSide {
  readonly layer: number;
  readonly path: string;
}

export type ContentDiffState =
  | { readonly status: "loading" }
  | { readonly status: "failed"; readonly side: "old" | "new"; readonly message: string }
  | {
      readonly status: "done";
      readonly diff: ContentDiff;
      /** Per side: false when its layer did not verify (the diff is labelled untrusted). */
      readonly trusted: { readonly old: boolean; readonly new: boolean };
    };

function message(error: LayerscopeError): string {
  const d = describeError(error);
  return d.detail ? `${d.title}: ${d.detail}` : d.title;
}

/**
 * Reads both versions (at most DIFF_MAX_BYTES each) and compares them. Errors are data: the
 * side that could not be read and why, in words.
 */
export async function loadContentDiff(read: ReadVersion, oldSide: DiffSide, newSide: DiffSide, signal?: AbortSignal): Promise<ContentDiffState> {
  const options = { maxBytes: DIFF_MAX_BYTES, ...(signal ? { signal } : {}) };
  const [a, b] = await Promise.all([read(oldSide.layer, oldSide.path, options), read(newSide.layer, newSide.path, options)]);
  if (!a.ok) return { status: "failed", side: "old", message: message(a.error) };
  if (!b.ok) return { status: "failed", side: "new", message: message(b.error) };
  const diff = await diffContents(a.value, b.value);
  return { status: "done", diff, trusted: { old: a.value.trusted, new: b.value.trusted } };
}

/**
 * {@link loadContentDiff} for a pair, cancelling the reads when the pair changes or the panel
 * closes. The line diff runs on the page: its input is bounded (bytes here, lines and edit
 * distance in core/history/lineDiff.ts).
 */
export function useContentDiff(read: ReadVersion, oldSide: DiffSide, newSide: DiffSide): ContentDiffState {
  const [state, setState] = useState<{ readonly key: string; readonly value: ContentDiffState } | undefined>(undefined);
  const key = `${oldSide.layer}\n${oldSide.path}\n${newSide.layer}\n${newSide.path}`;
  useEffect(() => {
    const controller = new AbortController();
    const settle = (value: ContentDiffState): void => {
      if (!controller.signal.aborted) setState({ key, value });
    };
    loadContentDiff(read, oldSide, newSide, controller.signal).then(settle, (e: unknown) =>
      settle({ status: "failed", side: "new", message: e instanceof Error ? e.message : String(e) }),
    );
    return () => controller.abort();
    // The key names both sides; the sides' objects may be new on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [read, key]);
  return state?.key === key ? state.value : { status: "loading" };
}
