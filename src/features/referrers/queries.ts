import { queryOptions } from "@tanstack/react-query";
import { LayerscopeFailure } from "../../core/errors";
import type { Descriptor } from "../../core/oci";
import { fetchAnyManifest, fetchArtifactBlob, fetchReferrers } from "../../core/registry";
import { registryClientFor } from "../../lib/registry";

/**
 * Query keys start with the operation, then registry and repository (like the image view's), so
 * logging in to a registry can reset its queries. A referrers list can change at any time (a new
 * signature is pushed), so it goes stale; manifests and blobs named by digest never do (STYLE 10).
 */
export const referrersKeys = {
  referrers: (registry: string, repository: string, digest: string, artifactType: string | undefined) =>
    ["referrers", registry, repository, digest, artifactType ?? ""] as const,
  document: (registry: string, repository: string, reference: string) => ["artifact-manifest", registry, repository, reference] as const,
  blob: (registry: string, repository: string, digest: string, size: number) => ["artifact-blob", registry, repository, digest, size] as const,
};

/** The referrers of `digest` (API, else the tag schema), optionally of one artifactType. */
export function referrersQuery(registry: string, repository: string, digest: string, artifactType?: string) {
  return queryOptions({
    queryKey: referrersKeys.referrers(registry, repository, digest, artifactType),
    queryFn: async ({ signal }) => {
      const r = await fetchReferrers(registryClientFor(registry), registry, repository, digest, { signal, ...(artifactType !== undefined ? { artifactType } : {}) });
      if (!r.ok) throw new LayerscopeFailure(r.error);
      return r.value;
    },
    staleTime: 30_000,
  });
}

/** Any manifest (image, index or artifact) by tag or digest, verified like the image view's. */
export function anyManifestQuery(registry: string, repository: string, reference: string) {
  return queryOptions({
    queryKey: referrersKeys.document(registry, repository, reference),
    queryFn: async ({ signal }) => {
      const r = await fetchAnyManifest(registryClientFor(registry), registry, repository, reference, signal);
      if (!r.ok) throw new LayerscopeFailure(r.error);
      return r.value;
    },
    staleTime: reference.includes(":") ? "static" : 30_000,
  });
}

/** An artifact blob held whole for display, verified against its descriptor (size and digest). */
export function artifactBlobQuery(registry: string, repository: string, descriptor: Descriptor) {
  return queryOptions({
    queryKey: referrersKeys.blob(registry, repository, descriptor.digest, descriptor.size),
    queryFn: async ({ signal }) => {
      const r = await fetchArtifactBlob(registryClientFor(registry), registry, repository, descriptor, { signal });
      if (!r.ok) throw new LayerscopeFailure(r.error);
      return r.value;
    },
    staleTime: "static",
  });
}
