import { queryOptions } from "@tanstack/react-query";
import { LayerscopeFailure } from "../../core/errors";
import type { Descriptor } from "../../core/oci";
import type { Reference } from "../../core/reference";
import { fetchConfig, fetchManifest, type FetchedConfig, type FetchedManifest } from "../../core/registry";
import { appCache } from "../../lib/cache";
import { registryClientFor } from "../../lib/registry";

/**
 * One queryOptions factory per registry operation (STYLE 11). Keys start with the operation,
 * then registry and repository, so logging in to a registry can reset exactly its queries.
 * Anything named by a digest is content-addressed and never goes stale (STYLE 10); a tag is
 * looked up again when it is stale.
 */
export const imageKeys = {
  manifest: (registry: string, repository: string, reference: string) => ["manifest", registry, repository, reference] as const,
  config: (registry: string, repository: string, digest: string) => ["config", registry, repository, digest] as const,
};

/**
 * Keeps a verified document in the persistent cache, keyed by its digest (issue 5, point 6):
 * a manifest fetched by digest, or by tag when the registry's Docker-Content-Digest named the
 * bytes received; every config (a mismatch is already an error). A by-tag manifest nothing
 * vouched for is not kept. Reads come back through the registry client's fetch (lib/registry.ts).
 * In the background: the page never waits for storage.
 */
function keepManifest(m: FetchedManifest): void {
  if (m.verification.status === "verified") void appCache().putBlob("manifest", m.verification.digest, m.bytes, m.contentType);
}
function keepConfig(c: FetchedConfig): void {
  if (c.verification.status === "verified") void appCache().putBlob("config", c.digest, c.bytes, "application/octet-stream");
}

/** True for the key of a manifest looked up by tag (digests contain ':', tags cannot). */
export function isTagLookup(key: readonly unknown[]): boolean {
  return key[0] === "manifest" && typeof key[3] === "string" && !key[3].includes(":");
}

/** The manifest or index a reference names: by digest when it has one (the digest wins), else by tag. */
export function manifestByReferenceQuery(ref: Reference) {
  const reference = ref.digest ?? ref.tag ?? "latest";
  return queryOptions({
    queryKey: imageKeys.manifest(ref.registry, ref.repository, reference),
    queryFn: async ({ signal }) => {
      const r = await fetchManifest(registryClientFor(ref.registry), ref.registry, ref.repository, reference, signal);
      if (!r.ok) throw new LayerscopeFailure(r.error);
      keepManifest(r.value);
      return r.value;
    },
    staleTime: ref.digest ? "static" : 30_000,
  });
}

/** A child of an index, fetched by its descriptor's digest and verified against it. */
export function childManifestQuery(registry: string, repository: string, digest: string) {
  return queryOptions({
    queryKey: imageKeys.manifest(registry, repository, digest),
    queryFn: async ({ signal }) => {
      const r = await fetchManifest(registryClientFor(registry), registry, repository, digest, signal);
      if (!r.ok) throw new LayerscopeFailure(r.error);
      keepManifest(r.value);
      return r.value;
    },
    staleTime: "static",
  });
}

/** The image config blob named by a manifest's config descriptor; its digest is the image ID. */
export function configQuery(registry: string, repository: string, descriptor: Descriptor) {
  return queryOptions({
    queryKey: imageKeys.config(registry, repository, descriptor.digest),
    queryFn: async ({ signal }) => {
      const r = await fetchConfig(registryClientFor(registry), registry, repository, descriptor, signal);
      if (!r.ok) throw new LayerscopeFailure(r.error);
      keepConfig(r.value);
      return r.value;
    },
    staleTime: "static",
  });
}
