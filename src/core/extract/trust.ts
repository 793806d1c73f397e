/**
 * Whether a layer's files may be shown, and as what. The rule (issue 5, point 1): nothing is
 * shown as trusted unless the layer is (both verdicts "verified", no error: `isTrusted`).
 *
 * - Known-bad bytes are refused: a digest or diff_id mismatch, or a stream that failed to
 *   decompress or parse. These bytes are not what the image names; showing them, even marked,
 *   invites reading an attacker's file as the image's.
 * - Bytes that could not be checked (no diff_id in the config, an algorithm we cannot compute, a
 *   safety limit that stopped indexing early) are shown behind an "unverified" banner: nothing
 *   says they are wrong, and looking is how a person finds out what the layer holds.
 */
import type { LayerIndex } from "../pipeline/types";
import { isTrusted } from "../pipeline/types";

export type ReadTrust =
  | { readonly allowed: true; readonly trusted: true }
  | { readonly allowed: true; readonly trusted: false; readonly reason: string }
  | { readonly allowed: false; readonly reason: string };

/** The decision for `layer` (see the module comment). */
export function readTrust(layer: Pick<LayerIndex, "digestVerdict" | "diffIdVerdict" | "error">): ReadTrust {
  if (isTrusted(layer)) return { allowed: true, trusted: true };
  const d = layer.digestVerdict;
  const f = layer.diffIdVerdict;
  if (d.status === "mismatch") return { allowed: false, reason: `the layer blob does not match its digest (expected ${d.expected}, got ${d.actual})` };
  if (f.status === "mismatch") return { allowed: false, reason: `the uncompressed layer does not match its diff_id (expected ${f.expected}, got ${f.actual})` };
  const e = layer.error;
  if (e !== undefined && (e.kind === "corrupt-compression" || e.kind === "corrupt-tar" || e.kind === "digest-mismatch" || e.kind === "size-mismatch")) {
    return { allowed: false, reason: `the layer failed verification (${e.kind.replace("-", " ")})` };
  }
  const reasons: string[] = [];
  if (d.status === "unverifiable") reasons.push(`the blob's digest could not be verified: ${d.reason}`);
  if (f.status === "unverifiable") reasons.push(`the diff_id could not be verified: ${f.reason}`);
  if (e !== undefined) reasons.push(`the layer stopped early (${e.kind})`);
  return { allowed: true, trusted: false, reason: reasons.join("; ") || "the layer is not verified" };
}
