/**
 * Credit-based backpressure between the two stages when they run in different workers.
 *
 * postMessage has no backpressure of its own: a fast decoder would queue the whole layer in the
 * receiver's message queue. So the receiver hands out credits, one per batch it may be sent, and
 * gives one back each time it has processed a batch. With `credits` batches of at most
 * `batchBytes` each, at most credits × batchBytes uncompressed bytes are in flight between the
 * workers, whatever the layer size.
 */

/** Defaults measured with `npm run bench` (see bench/README.md). */
export const DEFAULT_BATCH_BYTES = 1024 * 1024;
export const DEFAULT_CREDITS = 4;

/** The sender's side: take a credit before sending a batch; the receiver grants them back. */
export class CreditGate {
  private available: number;
  private waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;

  constructor(initial: number) {
    if (!(Number.isSafeInteger(initial) && initial > 0)) throw new RangeError(`credits must be a positive integer, got ${initial}`);
    this.available = initial;
  }

  /** Resolves once a credit is available and takes it; rejects after {@link fail}. One taker at a time. */
  take(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    if (this.waiter) return Promise.reject(new Error("CreditGate: only one taker at a time"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Credits given back by the receiver. */
  grant(n = 1): void {
    this.available += n;
    const w = this.waiter;
    if (w && this.available > 0) {
      this.waiter = undefined;
      this.available--;
      w.resolve();
    }
  }

  /** Credits currently held (for tests). */
  get credits(): number {
    return this.available;
  }

  /** Wakes a waiting taker with `reason` (abort); later takes reject too. */
  fail(reason: unknown): void {
    this.failure = reason;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(reason);
  }
}

/**
 * Groups chunks into batches of about `batchBytes`, without copying: a batch is a list of the
 * chunks themselves, so their buffers can be transferred together in one message.
 */
export class ChunkBatcher {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor(private readonly batchBytes: number = DEFAULT_BATCH_BYTES) {}

  /** Adds a chunk; returns a full batch when there is one. */
  add(chunk: Uint8Array): Uint8Array[] | undefined {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return this.bytes >= this.batchBytes ? this.take() : undefined;
  }

  /** Whatever is left (possibly empty). */
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

/**
 * The distinct ArrayBuffers behind `chunks`, for a transfer list (a buffer listed twice makes
 * postMessage throw). Decoded chunks own their buffers (compression/decoder.ts), so moving
 * them leaves nothing behind that anyone reads.
 */
export function transferables(chunks: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of chunks) if (c.buffer instanceof ArrayBuffer && c.buffer.byteLength > 0) out.add(c.buffer);
  return [...out];
}
