/**
 * Platforms of an image index: formatting, parsing, telling images from attestations, and
 * choosing the child for a wanted platform (image-index.md "platform"; normalisation as in
 * containerd's `platforms` package).
 */
import type { Descriptor, ImageIndex, Platform } from "./types";

/** What Layerscope opens when nobody picked a platform: the most common one. */
export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/**
 * BuildKit marks attestation manifests (SBOM, provenance) in an index with this annotation and
 * platform unknown/unknown; they are not runnable images.
 */
export const DOCKER_REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";

const UNKNOWN = "unknown";

/**
 * "os/architecture[/variant]", e.g. "linux/arm64/v8"; "unknown/unknown" when there is no
 * platform. os.version and os.features are not included (they refine, they do not name).
 */
export function formatPlatform(p?: Platform): string {
  if (!p) return `${UNKNOWN}/${UNKNOWN}`;
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

// Platform components as written in the wild: lowercase letters, digits, '_', '.', '-'.
const PLATFORM_PART = /^[a-z0-9_.-]+$/;

/**
 * Parses "os/architecture" or "os/architecture/variant" (as in a URL's `platform=` parameter),
 * lower-cased. Returns undefined for anything else. The value is kept as written; matching
 * normalises (see choosePlatform).
 */
export function parsePlatform(s: string): Platform | undefined {
  const parts = s.trim().toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => PLATFORM_PART.test(p))) return undefined;
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/**
 * True for index entries that are attestations rather than images: platform unknown/unknown
 * (how BuildKit lists them) or the vnd.docker.reference.type annotation.
 */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.[DOCKER_REFERENCE_TYPE_ANNOTATION] !== undefined) return true;
  return d.platform?.os === UNKNOWN && d.platform.architecture === UNKNOWN;
}

/** Splits an index's children into images and attestations, each in index order. */
export function partitionIndex(index: ImageIndex): { images: Descriptor[]; attestations: Descriptor[] } {
  const images: Descriptor[] = [];
  const attestations: Descriptor[] = [];
  for (const d of index.manifests) (isAttestation(d) ? attestations : images).push(d);
  return { images, attestations };
}

/**
 * containerd `platforms.Normalize`, for architecture and variant: aliases map to Go's names, and
 * a variant that is the architecture's default is written the same way either side — arm64 means
 * arm64/v8, arm means arm/v7, amd64 means amd64/v1 — so "linux/arm64" finds "linux/arm64/v8".
 */
function normalise(p: Platform): { os: string; architecture: string; variant: string } {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = (p.variant ?? "").toLowerCase();
  switch (architecture) {
    case "i386":
      architecture = "386";
      variant = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      architecture = "amd64";
      if (variant === "v1") variant = "";
      break;
    case "aarch64":
    case "arm64":
      architecture = "arm64";
      if (variant === "8" || variant === "v8" || variant === "v8.0") variant = "";
      break;
    case "armhf":
      architecture = "arm";
      variant = "v7";
      break;
    case "armel":
      architecture = "arm";
      variant = "v6";
      break;
    case "arm":
      if (variant === "" || variant === "7") variant = "v7";
      else if (variant === "5" || variant === "6" || variant === "8") variant = `v${variant}`;
      break;
  }
  return { os, architecture, variant };
}

/**
 * The first image (not attestation) in index order whose os, architecture and variant equal
 * `wanted`'s after normalisation; undefined when there is none. No fallback to a "compatible"
 * platform: Layerscope shows what was asked for or says it is not there.
 */
export function choosePlatform(index: ImageIndex, wanted: Platform): Descriptor | undefined {
  const w = normalise(wanted);
  return index.manifests.find((d) => {
    if (!d.platform || isAttestation(d)) return false;
    const p = normalise(d.platform);
    return p.os === w.os && p.architecture === w.architecture && p.variant === w.variant;
  });
}
