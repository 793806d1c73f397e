/**
 * What `diff` and `ci` report about an image besides their verdicts: which image it was (the
 * short form of inspect's `image`), and why its bytes cannot be trusted when they did not verify.
 */
import type { Verification } from "../src/core/digest";
import { isTrusted, type LayerIndex } from "../src/core/pipeline";
import { describeCliError } from "./errors";
import type { Analysis, OpenedImage } from "./image";
import { imageOut } from "./inspect";

/** An image as diff and ci name it: what inspect's `image` says first. */
export interface ImageRef {
  readonly names: readonly string[];
  /** The manifest's digest, or "synthesized" for a docker save. */
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly platform: string;
}

export function imageRef(image: OpenedImage): ImageRef {
  const { names, manifestDigest, configDigest, platform } = imageOut(image);
  return { names, manifestDigest, configDigest, platform };
}

/** "name [transport:location]" for one-line mentions of an image. */
export function imageLabel(image: OpenedImage): string {
  const where = `${image.source.transport}:${image.source.location}`;
  return image.names.length > 0 ? `${image.names.join(", ")} (${where})` : where;
}

/**
 * Why the image's bytes cannot be trusted, one phrase each; empty when the manifest (if the
 * source had one), the config and every layer verified. Layers are numbered from 0, as inspect
 * numbers them.
 */
export function untrustedReasons(image: OpenedImage, analysis: Analysis): string[] {
  const out: string[] = [];
  if (image.manifestVerdict !== null && image.manifestVerdict.status !== "verified") out.push(`the manifest ${verdictProblem(image.manifestVerdict, "digest")}`);
  if (image.configVerdict.status !== "verified") out.push(`the config ${verdictProblem(image.configVerdict, "digest")}`);
  for (const l of analysis.layers) if (!isTrusted(l)) out.push(`layer ${l.layerIndex} (${l.digest}): ${layerProblem(l)}`);
  return out;
}

function layerProblem(l: LayerIndex): string {
  const parts: string[] = [];
  if (l.digestVerdict.status !== "verified") parts.push(`the blob ${verdictProblem(l.digestVerdict, "digest")}`);
  if (l.diffIdVerdict.status !== "verified") parts.push(`the tar ${verdictProblem(l.diffIdVerdict, "diff_id")}`);
  if (l.partial) parts.push("only part of the layer was read");
  if (l.error !== undefined) {
    const d = describeCliError(l.error);
    parts.push(`${d.title}: ${d.detail.replace(/\.$/, "")}`);
  }
  return parts.join("; ");
}

function verdictProblem(v: Exclude<Verification, { status: "verified" }>, what: string): string {
  return v.status === "mismatch" ? `does not match its ${what} (expected ${v.expected}, got ${v.actual})` : `could not be verified against its ${what} (${v.reason})`;
}
