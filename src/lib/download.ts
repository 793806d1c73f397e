/**
 * Saving a generated document: string chunks gathered into Blob parts a slice of time at a
 * time, yielding to the event loop between slices, so a 200 000-row export never freezes the
 * page (the longest task is about one slice), then handed to the browser as a download.
 */
import { yieldToPage } from "./yield";

/** Work done between two yields (ms): well under a frame. */
const SLICE_MS = 12;
/** Chunks joined into one Blob part (fewer, larger parts are cheaper for the Blob). */
const CHUNKS_PER_PART = 512;

const now = (): number => performance.now();

/** Builds a Blob from `chunks` in slices. Stops early (rejecting with an AbortError) when `signal` aborts. */
export async function blobFromChunks(chunks: Iterable<string>, type: string, signal?: AbortSignal): Promise<Blob> {
  const parts: string[] = [];
  let batch: string[] = [];
  let sliceStart = now();
  for (const chunk of chunks) {
    batch.push(chunk);
    if (batch.length >= CHUNKS_PER_PART) {
      parts.push(batch.join(""));
      batch = [];
      if (now() - sliceStart > SLICE_MS) {
        await yieldToPage();
        if (signal?.aborted === true) throw Object.assign(new Error("Export cancelled"), { name: "AbortError" });
        sliceStart = now();
      }
    }
  }
  parts.push(batch.join(""));
  return new Blob(parts, { type });
}

/** Offers `blob` as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the blob by the next task; a minute is ample.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
