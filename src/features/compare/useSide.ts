import { useQuery } from "@tanstack/react-query";
import type { Descriptor, ImageConfig, ImageManifest } from "../../core/oci";
import { formatPlatform } from "../../core/oci";
import { familiarReference, type Reference } from "../../core/reference";
import type { ShownError } from "../image/ErrorPanel";
import { childManifestQuery, configQuery, manifestByReferenceQuery } from "../image/queries";
import { asShownError } from "../image/QueryView";
import { pickChild, platformOptions } from "./model";

/** One side of the comparison, resolved to a single-platform image (manifest + config). */
export interface ResolvedSide {
  readonly reference: Reference;
  readonly familiar: string;
  /** Digest of the image manifest compared (the index child's, when the reference names an index). */
  readonly manifestDigest: string;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
  readonly configDigest: string;
  /** The platform shown ("linux/amd64"), from the index entry or else the config. */
  readonly platform: string;
  /** When the reference names an index: its digest and the platforms one could pick instead. */
  readonly index?: { readonly digest: string; readonly platforms: readonly string[] };
}

export type SideState =
  | { readonly status: "loading"; readonly label: string; readonly platforms?: readonly string[]; readonly platform?: string }
  | { readonly status: "error"; readonly error: ShownError; readonly retry: () => void; readonly platforms?: readonly string[]; readonly platform?: string }
  | ({ readonly status: "ready" } & ResolvedSide);

/** A key that is never fetched (the query is disabled until the real descriptor is known). */
const NO_DESCRIPTOR: Descriptor = { mediaType: "", digest: "", size: 0 };

/**
 * Resolves a reference with the image feature's query factories (so the cache is shared with the
 * single-image view): the manifest or index, the chosen child for an index, then the config.
 * `fallbackPlatform` is used for an index when `wantedPlatform` is undefined; `waitForFallback`
 * holds an index's choice back until the fallback is known (B waits for A's platform).
 */
export function useSide(reference: Reference, wantedPlatform: string | undefined, fallbackPlatform: string | undefined, waitForFallback: boolean): SideState {
  const familiar = familiarReference(reference);
  const top = useQuery(manifestByReferenceQuery(reference));
  const doc = top.data?.document;
  const index = doc?.kind === "index" ? doc : undefined;
  const platforms = index ? platformOptions(index) : undefined;
  const waiting = index !== undefined && wantedPlatform === undefined && waitForFallback;
  const chosen = index && !waiting ? pickChild(index, wantedPlatform, fallbackPlatform) : undefined;
  const child = useQuery({
    ...childManifestQuery(reference.registry, reference.repository, chosen?.digest ?? ""),
    enabled: chosen !== undefined,
  });
  const manifestFetched = index ? child.data : top.data;
  const manifest = manifestFetched?.document.kind === "manifest" ? manifestFetched.document : undefined;
  const config = useQuery({
    ...configQuery(reference.registry, reference.repository, manifest?.config ?? NO_DESCRIPTOR),
    enabled: manifest !== undefined,
  });
  const chosenPlatform = chosen ? formatPlatform(chosen.platform) : undefined;
  const extra = { ...(platforms ? { platforms } : {}), ...(chosenPlatform ? { platform: chosenPlatform } : {}) };

  if (top.isError && !top.data) return { status: "error", error: asShownError(top.error), retry: () => void top.refetch(), ...extra };
  if (!top.data) return { status: "loading", label: `Fetching the manifest for ${familiar}…`, ...extra };
  if (index) {
    if (waiting) return { status: "loading", label: "Waiting for image A's platform…", ...extra };
    if (!chosen) {
      return {
        status: "error",
        error: { kind: "bad-manifest", what: "index", reason: `the index has no image for platform ${wantedPlatform ?? "linux/amd64"}; pick one of ${platforms?.join(", ") || "none"}` },
        retry: () => void top.refetch(),
        ...extra,
      };
    }
    if (child.isError) return { status: "error", error: asShownError(child.error), retry: () => void child.refetch(), ...extra };
    if (!child.data) return { status: "loading", label: `Fetching the ${chosenPlatform ?? ""} manifest of ${familiar}…`, ...extra };
    if (child.data.document.kind !== "manifest") {
      return {
        status: "error",
        error: { kind: "bad-manifest", what: "index", reason: "the chosen entry is itself an index; open it by digest to compare one of its images" },
        retry: () => void child.refetch(),
        ...extra,
      };
    }
  }
  if (!manifest || !manifestFetched) return { status: "loading", label: `Fetching the manifest for ${familiar}…`, ...extra };
  if (config.isError) return { status: "error", error: asShownError(config.error), retry: () => void config.refetch(), ...extra };
  if (!config.data) return { status: "loading", label: `Fetching the config of ${familiar}…`, ...extra };
  const c = config.data.config;
  const platform = chosenPlatform ?? formatPlatform({ os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) });
  return {
    status: "ready",
    reference,
    familiar,
    manifestDigest: manifestFetched.digest,
    manifest,
    config: c,
    configDigest: config.data.digest,
    platform,
    ...(index && platforms ? { index: { digest: top.data.digest, platforms } } : {}),
  };
}
