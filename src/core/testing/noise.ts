/**
 * Deterministic pseudo-random bytes for tests and fixtures (Marsaglia's xorshift32): the same
 * seed gives the same bytes on every run and machine, so digests in fixtures are stable and
 * failures reproduce. The output barely compresses, so compressed offsets track raw offsets.
 */

/** The xorshift32 sequence from `seed` (0 is replaced by 1: xorshift never leaves 0). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `n` bytes: the low byte of each step of {@link xorshift32}. */
export function noiseBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const next = xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}
