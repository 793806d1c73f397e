import type { QueryClient } from "@tanstack/react-query";
import { isLayerMediaType } from "../../core/oci";
import { parseReference } from "../../core/reference";
import { isArchiveRegistry } from "../../lib/archive";
import { parseUrlState } from "../../lib/urlState";
import { configQuery, manifestByReferenceQuery } from "./queries";

/**
 * A deep link (`?image=REF`) names its manifest before React renders anything: its request
 * starts here, as the app's script runs, and the image config's as soon as the manifest is in,
 * instead of after the first render and after the render that shows the manifest (together
 * 150-300 ms before the layers could start, bench/README.md). Same query options as the views
 * (queries.ts), so their useQuery finds the request in flight or done and never sends another.
 *
 * Only what the views would fetch first anyway: a plain image view (not a comparison, not a
 * local archive) and a parsable reference; the config only for an image manifest with layers to
 * unpack (what DocumentView shows as an image, not an index or an artifact). A failed request is
 * left as the views would find it: their mount asks once more (TanStack's retryOnMount), one
 * extra request for a deep link that fails.
 */
export function prefetchDeepLink(client: QueryClient, search: string): void {
  const url = parseUrlState(search);
  if (url.image === undefined || url.compare !== undefined) return;
  const parsed = parseReference(url.image);
  if (!parsed.ok || isArchiveRegistry(parsed.value.registry)) return;
  const ref = parsed.value;
  const manifest = manifestByReferenceQuery(ref);
  void client.prefetchQuery(manifest).then(() => {
    const doc = client.getQueryData(manifest.queryKey)?.document;
    if (doc?.kind !== "manifest") return;
    if (doc.layers.length > 0 && !doc.layers.some((l) => isLayerMediaType(l.mediaType))) return;
    void client.prefetchQuery(configQuery(ref.registry, ref.repository, doc.config));
  });
}
