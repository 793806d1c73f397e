/**
 * Content digests as the OCI image-spec defines them (descriptor.md, "Digests"):
 *
 *   digest              ::= algorithm ":" encoded
 *   algorithm           ::= algorithm-component (algorithm-separator algorithm-component)*
 *   algorithm-component ::= [a-z0-9]+
 *   algorithm-separator ::= [+._-]
 *   encoded             ::= [a-zA-Z0-9=_-]+
 *
 * Registered algorithms add their own rule for `encoded`; we enforce those and compute the two
 * that WebCrypto offers (sha256, sha512). A well-formed digest with any other algorithm parses,
 * but can never be reported as verified (SECURITY D5).
 */
import { err, ok, type Result } from "../result";

/** The algorithms Layerscope can compute with WebCrypto, and therefore verify. */
export type DigestAlgorithm = "sha256" | "sha512";

/** A digest that matched the grammar. `string` is exactly `${algorithm}:${encoded}`. */
export interface Digest {
  readonly algorithm: string;
  readonly encoded: string;
  readonly string: string;
}

/** The outcome of hashing bytes and comparing them with the digest that names them. */
export type Verification =
  | { readonly status: "verified"; readonly digest: string }
  | { readonly status: "mismatch"; readonly expected: string; readonly actual: string }
  | { readonly status: "unverifiable"; readonly digest: string; readonly reason: string };

// descriptor.md: algorithm components are lowercase alphanumerics joined by one of "+._-".
const ALGORITHM = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
// descriptor.md: the encoded part of an unregistered algorithm is only constrained to this set.
const ENCODED = /^[a-zA-Z0-9=_-]+$/;

/**
 * Registered algorithms and the exact shape of their encoded part (descriptor.md "Registered
 * algorithms"): lowercase hex only, so `sha256:ABC…` is not the same digest spelled differently,
 * it is invalid. blake3 is registered but not in WebCrypto, so it parses and stays unverifiable.
 */
const REGISTERED: ReadonlyMap<string, { readonly pattern: RegExp; readonly description: string }> = new Map([
  ["sha256", { pattern: /^[a-f0-9]{64}$/, description: "64 lowercase hex digits" }],
  ["sha512", { pattern: /^[a-f0-9]{128}$/, description: "128 lowercase hex digits" }],
  ["blake3", { pattern: /^[a-f0-9]{64}$/, description: "64 lowercase hex digits" }],
]);

/** WebCrypto's names for the algorithms we can compute. */
const SUBTLE_NAME: Readonly<Record<DigestAlgorithm, string>> = { sha256: "SHA-256", sha512: "SHA-512" };

/**
 * Parses "algorithm:encoded" per the image-spec grammar plus the registered algorithms' rules.
 * The error is a short reason in plain words (callers wrap it in their own error kind).
 * No trimming or case folding: a digest is compared byte for byte.
 */
export function parseDigest(s: string): Result<Digest, string> {
  if (s.length === 0) return err("the digest is empty");
  const colon = s.indexOf(":");
  if (colon === -1) return err("a digest looks like sha256:<64 hex digits>, but there is no ':'");
  const algorithm = s.slice(0, colon);
  const encoded = s.slice(colon + 1);
  if (algorithm.length === 0) return err("the digest has no algorithm before ':'");
  if (!ALGORITHM.test(algorithm)) {
    return err(`“${algorithm}” is not a valid digest algorithm (lowercase letters and digits, joined by + . _ -)`);
  }
  if (encoded.length === 0) return err(`the ${algorithm} digest has nothing after ':'`);
  if (!ENCODED.test(encoded)) {
    return err(`the ${algorithm} digest has characters outside letters, digits, '=', '_' and '-'`);
  }
  const registered = REGISTERED.get(algorithm);
  if (registered && !registered.pattern.test(encoded)) {
    return err(`a ${algorithm} digest must be ${registered.description}, got ${encoded.length} characters${/[A-F]/.test(encoded) ? " with uppercase" : ""}`);
  }
  return ok({ algorithm, encoded, string: s });
}

/** True for the algorithms WebCrypto can compute here (sha256, sha512). */
export function isVerifiableAlgorithm(alg: string): alg is DigestAlgorithm {
  return alg === "sha256" || alg === "sha512";
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function toHex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = "";
  for (const b of bytes) out += HEX[b];
  return out;
}

/**
 * WebCrypto only accepts views over a plain ArrayBuffer; a view over a SharedArrayBuffer is
 * copied first so callers can pass any Uint8Array.
 */
function plainView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * Lowercase hex sha256 of exactly the given bytes (the whole view, as stored: compressed blob
 * bytes for a layer digest, uncompressed tar bytes for a diff_id). Uses globalThis.crypto.subtle.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await globalThis.crypto.subtle.digest(SUBTLE_NAME.sha256, plainView(bytes)));
}

/** Hashes the given bytes with `alg` and returns the digest string "alg:hex" (lowercase hex). */
export async function digestBytes(alg: DigestAlgorithm, bytes: Uint8Array): Promise<string> {
  return `${alg}:${toHex(await globalThis.crypto.subtle.digest(SUBTLE_NAME[alg], plainView(bytes)))}`;
}

/**
 * Hashes `bytes` with the algorithm named by `expected` and compares. Never answers "verified"
 * unless the bytes were actually hashed and matched: a malformed digest or an algorithm we cannot
 * compute answers "unverifiable" with the reason (SECURITY D5).
 */
export async function verifyBytes(expected: string, bytes: Uint8Array): Promise<Verification> {
  const parsed = parseDigest(expected);
  if (!parsed.ok) return { status: "unverifiable", digest: expected, reason: parsed.error };
  const { algorithm } = parsed.value;
  if (!isVerifiableAlgorithm(algorithm)) {
    return {
      status: "unverifiable",
      digest: expected,
      reason: `${algorithm} is not an algorithm Layerscope can compute (sha256 and sha512 are)`,
    };
  }
  const actual = await digestBytes(algorithm, bytes);
  // Both sides are lowercase hex by construction (parseDigest enforced it), so === is exact.
  return actual === expected ? { status: "verified", digest: expected } : { status: "mismatch", expected, actual };
}
