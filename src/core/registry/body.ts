/**
 * Reading a response body into memory with a hard byte limit, while it streams.
 *
 * Manifests and configs are small documents we must hold whole to hash and parse; a hostile or
 * broken server can send gigabytes instead. The limit is enforced on the bytes actually
 * received, not on Content-Length (which can lie or be absent), and the stream is cancelled as
 * soon as it is passed, so memory stays bounded by `limit` plus one chunk.
 */
import { err, ok, type Result } from "../result";

/** The body exceeded the limit; `limit` is in bytes. */
export interface TooLarge {
  readonly limit: number;
}

export interface ReadOptions {
  /** Keep the first `limit` bytes and stop, instead of reporting TooLarge (for error bodies). */
  readonly truncate?: boolean;
}

/**
 * Reads `res.body` to its end, or to `limit` bytes. Returns the bytes in arrival order; a body
 * longer than `limit` gives `err({limit})` (or, with `truncate`, its first `limit` bytes).
 * A declared Content-Length above the limit is refused before reading a byte.
 * Rejects like the underlying stream does (AbortError when the fetch's signal fires, TypeError
 * on a network failure); callers map those.
 */
export async function readBodyCapped(res: Response, limit: number, options: ReadOptions = {}): Promise<Result<Uint8Array, TooLarge>> {
  const declared = Number(res.headers.get("Content-Length") ?? "NaN");
  if (!options.truncate && Number.isSafeInteger(declared) && declared > limit) {
    await cancelQuietly(res);
    return err({ limit });
  }
  if (res.body === null) return ok(new Uint8Array());

  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > limit) {
        // Stop the download now: the rest of the bytes are never wanted.
        reader.cancel().catch(() => undefined);
        if (!options.truncate) return err({ limit });
        chunks.push(value.subarray(0, limit - total));
        total = limit;
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return ok(concat(chunks, total));
}

/** Joins chunks into one array of `total` bytes, in order. */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined && chunks[0].byteLength === total) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function cancelQuietly(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Already errored or locked: nothing left to release.
  }
}
