/**
 * Incremental hashing for layers, which are too large to hold in memory: WebCrypto's digest is
 * one-shot (it needs every byte at once: +1.25 GB measured for a 400 MB layer, issue 3), so
 * layers are hashed chunk by chunk with hash-wasm's SHA-256 / SHA-512 (WebAssembly).
 *
 * Two pieces:
 * - {@link createHasher}: a plain incremental hasher that answers "sha256:<hex>".
 * - {@link createBlobVerifier}: the verify-while-streaming check of SECURITY D1/D2/D5. It counts
 *   bytes against the descriptor's `size` (an overrun fails at the first byte too many, an
 *   underrun says "truncated: got N of M bytes") and compares the digest at the end. An algorithm
 *   we cannot compute is "unverifiable", never "verified".
 *
 * CSP: hash-wasm embeds its WebAssembly as base64 and calls WebAssembly.compile, so a page or
 * worker under a Content-Security-Policy needs `script-src 'self' 'wasm-unsafe-eval'`.
 */
import { createSHA256, createSHA512, type IHasher } from "hash-wasm";
import { isVerifiableAlgorithm, parseDigest, type DigestAlgorithm, type Verification } from "./digest";

/** An incremental hash over a sequence of chunks, in order. */
export interface IncrementalHasher {
  readonly algorithm: DigestAlgorithm;
  /** Adds `chunk` (the whole view) to the hash. Throws if called after {@link digest}. */
  update(chunk: Uint8Array): void;
  /** Finishes and returns "algorithm:<lowercase hex>". Call once; the hasher is spent afterwards. */
  digest(): string;
}

/**
 * A fresh incremental hasher. Async only because the WebAssembly module is compiled on first use
 * (hash-wasm caches it, so later hashers are cheap).
 */
export async function createHasher(algorithm: DigestAlgorithm): Promise<IncrementalHasher> {
  const inner: IHasher = algorithm === "sha256" ? await createSHA256() : await createSHA512();
  inner.init();
  let done = false;
  return {
    algorithm,
    update(chunk) {
      if (done) throw new Error(`${algorithm} hasher: update() after digest()`);
      inner.update(chunk);
    },
    digest() {
      if (done) throw new Error(`${algorithm} hasher: digest() called twice`);
      done = true;
      return `${algorithm}:${inner.digest("hex")}`;
    },
  };
}

/**
 * A blob whose byte count disagrees with its descriptor's `size` (SECURITY D2). Plain data, so it
 * crosses postMessage; {@link describeSizeError} gives the sentence.
 * - `blob-too-large`: reported as soon as `received` passes `expectedSize` (received is the count
 *   at that moment, so it is at least expectedSize + 1); the rest of the blob is not read.
 * - `blob-truncated`: the stream ended after `received` < `expectedSize` bytes.
 */
export type SizeError =
  | { readonly kind: "blob-too-large"; readonly expectedSize: number; readonly received: number }
  | { readonly kind: "blob-truncated"; readonly expectedSize: number; readonly received: number };

/** The one sentence for a {@link SizeError} (issue 3 wording). */
export function describeSizeError(e: SizeError): string {
  switch (e.kind) {
    case "blob-too-large":
      return `blob larger than its descriptor: more than ${e.expectedSize} bytes`;
    case "blob-truncated":
      return `truncated: got ${e.received} of ${e.expectedSize} bytes`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Counts and hashes a blob as it streams, against the digest and size that name it. */
export interface BlobVerifier {
  /** Bytes seen so far (including any past the expected size). */
  readonly received: number;
  /**
   * Adds the next chunk. Returns a `blob-too-large` error as soon as the running count passes the
   * expected size (the caller stops reading and fails the layer at once); otherwise undefined.
   * Once over, every later call returns the same error and hashes nothing.
   */
  update(chunk: Uint8Array): SizeError | undefined;
  /**
   * End of the stream: a size error (overrun or underrun) if the count is wrong, else the
   * verification of the digest. Call once.
   */
  finish(): SizeError | Verification;
}

/**
 * Verify-while-streaming for one blob (SECURITY D1, D2, D5).
 *
 * @param expected the digest from the descriptor or diff_ids, "algorithm:encoded".
 * @param expectedSize the descriptor's `size` in bytes; omit when there is none (a diff_id has no
 *   size, only a digest). Must be a non-negative safe integer (the manifest parser ensures it).
 *
 * A malformed digest or an algorithm other than sha256/sha512 is never hashed and finishes as
 * "unverifiable"; the size is still checked, since it costs nothing and catches a cut connection.
 */
export async function createBlobVerifier(expected: string, expectedSize?: number): Promise<BlobVerifier> {
  if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
    throw new RangeError(`expected size must be a non-negative safe integer, got ${expectedSize}`);
  }
  const parsed = parseDigest(expected);
  let unverifiable: string | undefined;
  let hasher: IncrementalHasher | undefined;
  if (!parsed.ok) unverifiable = parsed.error;
  else if (!isVerifiableAlgorithm(parsed.value.algorithm)) {
    unverifiable = `${parsed.value.algorithm} is not an algorithm Layerscope can compute (sha256 and sha512 are)`;
  } else hasher = await createHasher(parsed.value.algorithm);

  let received = 0;
  let overrun: SizeError | undefined;
  let finished = false;
  return {
    get received() {
      return received;
    },
    update(chunk) {
      if (finished) throw new Error("blob verifier: update() after finish()");
      if (overrun) return overrun;
      received += chunk.length;
      if (expectedSize !== undefined && received > expectedSize) {
        // Fail at the first byte too many, before hashing it: the blob is already wrong.
        overrun = { kind: "blob-too-large", expectedSize, received };
        return overrun;
      }
      hasher?.update(chunk);
      return undefined;
    },
    finish() {
      if (finished) throw new Error("blob verifier: finish() called twice");
      finished = true;
      if (overrun) return overrun;
      if (expectedSize !== undefined && received < expectedSize) {
        return { kind: "blob-truncated", expectedSize, received };
      }
      if (!hasher) return { status: "unverifiable", digest: expected, reason: unverifiable ?? "not hashed" };
      const actual = hasher.digest();
      // parseDigest guaranteed lowercase hex for sha256/sha512, and hash-wasm writes lowercase.
      return actual === expected ? { status: "verified", digest: expected } : { status: "mismatch", expected, actual };
    },
  };
}

/** True when {@link BlobVerifier.finish} answered with a size error rather than a verification. */
export function isSizeError(v: SizeError | Verification): v is SizeError {
  return "kind" in v;
}
