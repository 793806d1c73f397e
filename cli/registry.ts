/**
 * A registry reference (`nginx:1.27`, `ghcr.io/org/app@sha256:…`, `docker://…`) opened to an
 * {@link OpenedImage} with the page's own pieces: src/core/reference parses and normalises it
 * (Docker Hub, `library/`, `latest`), src/core/registry fetches the manifest by tag or digest
 * (verified), picks the platform of an index, fetches the config (verified) and streams each
 * layer. The client's fetch is cli/direct-fetch.ts: the proxy's upstream code run in-process, so
 * the registry is spoken to directly under the proxy's egress rules (unless --allow-private).
 */
import type { LayerscopeError } from "../src/core/errors";
import type { FetchedManifest } from "../src/core/registry";
import { DEFAULT_TAG, formatReference, parseReference } from "../src/core/reference";
import { createRegistryClient, fetchConfig, fetchManifest, registryBlobOpener, type Credentials } from "../src/core/registry";
import { err, ok } from "../src/core/result";
import { registryCredentials, type CredentialsContext } from "./credentials";
import { createDirectFetch, DIRECT_PROXY_BASE, type DirectFetch } from "./direct-fetch";
import { pickPlatform, type OpenResult } from "./image";
import type { SourceOptions } from "./sources";

/** What opening a registry reference needs from outside its arguments. */
export interface RegistryContext extends CredentialsContext {
  /** The transport to use instead of a direct fetch (tests: a fake registry). Closed with the image. */
  readonly transport?: (options: { allowPrivate: boolean }) => DirectFetch;
}

/** Docker-Content-Digest disagreeing with the bytes of a document fetched by tag: a warning, as in the page. */
function headerWarning(fetched: FetchedManifest, reference: string): string[] {
  return fetched.headerMatches === false
    ? [`the registry's Docker-Content-Digest for ${reference} (${fetched.headerDigest ?? "?"}) does not match the bytes it sent (${fetched.digest})`]
    : [];
}

/**
 * Opens `input` (a reference, without any transport prefix). Credentials: options.credentials,
 * else Docker's config file (cli/credentials.ts); they are sent to the reference's registry only.
 * The manifest's digest is the one the reference names, or by tag the sha256 of the bytes
 * received (checked against Docker-Content-Digest); `indexDigest` is set when the reference named
 * an index. The caller closes the image, which closes every socket.
 */
export async function openRegistryImage(input: string, options: SourceOptions, context: RegistryContext): Promise<OpenResult> {
  const parsed = parseReference(input);
  if (!parsed.ok) return parsed;
  const ref = parsed.value;
  const { registry, repository } = ref;
  const found = await registryCredentials(registry, options.credentials, context);
  if (!found.ok) return found;
  const credentials: Credentials | undefined = found.value;

  const allowPrivate = options.allowPrivate === true;
  const transport = context.transport?.({ allowPrivate }) ?? createDirectFetch({ allowPrivate });
  let handed = false;
  try {
    const client = createRegistryClient({
      proxyBase: DIRECT_PROXY_BASE,
      fetch: transport.fetch,
      // Keyed by registry: redirect hops and other registries never see them.
      credentials: (r) => (r === registry ? credentials : undefined),
    });
    // The digest wins when a reference has both (as docker pull and the page do).
    const reference = ref.digest ?? ref.tag ?? DEFAULT_TAG;
    const top = await fetchManifest(client, registry, repository, reference);
    if (!top.ok) return top;
    const warnings = headerWarning(top.value, reference);
    let fetched = top.value;
    let indexDigest: string | null = null;
    if (fetched.document.kind === "index") {
      const child = pickPlatform(fetched.document, options.platform);
      if (!child.ok) return child;
      const got = await fetchManifest(client, registry, repository, child.value.digest);
      if (!got.ok) return got;
      indexDigest = fetched.digest;
      fetched = got.value;
    }
    const manifest = fetched.document;
    if (manifest.kind !== "manifest") {
      return err<LayerscopeError>({ kind: "bad-manifest", what: "index", reason: "the index names another index for this platform; nested indexes are not followed" });
    }
    const config = await fetchConfig(client, registry, repository, manifest.config);
    if (!config.ok) return config;

    handed = true;
    return ok({
      source: { transport: "registry", location: input, format: "registry", images: 1 },
      names: [formatReference(ref)],
      manifestDigest: fetched.digest,
      manifestVerdict: fetched.verification,
      indexDigest,
      manifest,
      configDigest: config.value.digest,
      configVerdict: config.value.verification,
      config: config.value.config,
      warnings,
      layerOpener: (_i, d) => registryBlobOpener(client, { registry, repository, digest: d.digest }),
      close: async () => transport.close(),
    });
  } finally {
    if (!handed) transport.close();
  }
}
