/**
 * SOURCE arguments, in skopeo's transport words: `docker-archive:FILE`, `oci-archive:FILE`,
 * `oci:DIR`, or a registry reference (bare, or as skopeo writes it, `docker://REF`). Parsing is
 * pure; {@link openImage} dispatches to the transport's opener.
 */
import type { LayerscopeError } from "../src/core/errors";
import { err, ok, type Result } from "../src/core/result";
import type { Platform } from "../src/core/oci";
import { parseReference } from "../src/core/reference";
import { openArchiveImage } from "./archive";
import type { OpenResult } from "./image";
import { openRegistryImage, type RegistryContext } from "./registry";

/** How to open a source: the flags of cli/args.ts SOURCE_FLAGS, parsed. */
export interface SourceOptions {
  /** For a source naming an index: the platform to open (default linux/amd64). */
  readonly platform?: Platform;
  /** Registry credentials from --username/--password-stdin; they win over ~/.docker/config.json. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Let registry destinations be loopback or private addresses (the proxy's egress rules otherwise). */
  readonly allowPrivate?: boolean;
}

/** A parsed command-line SOURCE. */
export type Source =
  | { readonly kind: "docker-archive" | "oci-archive"; readonly path: string }
  | { readonly kind: "oci"; readonly path: string }
  | { readonly kind: "registry"; readonly reference: string };

/** skopeo's word for a registry: `docker://REF` means the same as a bare REF. */
export const REGISTRY_TRANSPORT = "docker://";

/**
 * skopeo transports the command line does not read (yet). Named, because `dir:x` or
 * `docker-daemon:alpine` would otherwise parse as Docker Hub references with a tag.
 */
const UNSUPPORTED_TRANSPORTS = /^(oci|docker-daemon|dir|containers-storage|ostree|sif):/;

/**
 * Parses SOURCE: a transport-prefixed archive, or else a registry reference (checked by
 * src/core/reference's parseReference, so a typo is a bad-reference before any network). A
 * transport that is known but not read is a bad-reference naming the ones that are.
 */
export function parseSource(input: string): Result<Source, LayerscopeError> {
  const m = /^(docker-archive|oci-archive):(.+)$/.exec(input);
  if (m !== null) return ok({ kind: m[1] as "docker-archive" | "oci-archive", path: m[2] as string });
  if (UNSUPPORTED_TRANSPORTS.test(input)) {
    const part = /^[a-z-]+:/.exec(input)?.[0] ?? input;
    return err({ kind: "bad-reference", input, part, reason: "this transport is not supported yet: save the image as docker-archive:FILE or oci-archive:FILE" });
  }
  const reference = input.startsWith(REGISTRY_TRANSPORT) ? input.slice(REGISTRY_TRANSPORT.length) : input;
  const parsed = parseReference(reference);
  if (!parsed.ok) return parsed;
  return ok({ kind: "registry", reference });
}

/** What opening a source may need besides its options: the environment (Docker's config file) and a warning line. */
export type OpenContext = RegistryContext;

/** No environment, no warnings: a registry is read with the options' credentials or anonymously. */
const QUIET: OpenContext = { env: {}, warn: () => undefined };

/** Opens a parsed SOURCE. The caller closes the image. */
export async function openImage(source: Source, options: SourceOptions = {}, context: OpenContext = QUIET): Promise<OpenResult> {
  switch (source.kind) {
    case "docker-archive":
    case "oci-archive":
      return openArchiveImage(source.kind, source.path, options.platform ? { platform: options.platform } : {});
    case "registry":
      return openRegistryImage(source.reference, options, context);
    case "oci":
      return err({ kind: "bad-reference", input: `oci:${source.path}`, part: source.kind, reason: "not supported yet" });
  }
}
