/**
 * SOURCE arguments, in skopeo's transport words (containers-transports(5)):
 * `docker-archive:FILE`, `oci-archive:FILE` and `oci:DIR`, each optionally followed by
 * `:NAME` or `:@N` to choose one image (cli/select.ts), or a registry reference (bare, or as
 * skopeo writes it, `docker://REF`). Parsing is pure but for the question of which paths exist;
 * {@link openImage} dispatches to the transport's opener.
 */
import { existsSync } from "node:fs";
import type { LayerscopeError } from "../src/core/errors";
import { err, ok, type Result } from "../src/core/result";
import type { Platform } from "../src/core/oci";
import { parseReference } from "../src/core/reference";
import { openArchiveImage } from "./archive";
import type { OpenResult } from "./image";
import { openLayoutImage } from "./layout";
import { openRegistryImage, type RegistryContext } from "./registry";
import { splitLocation, type Selector } from "./select";

/** How to open a source: the flags of cli/args.ts SOURCE_FLAGS, parsed. */
export interface SourceOptions {
  /** For a source naming an index: the platform to open (default linux/amd64). */
  readonly platform?: Platform;
  /** Registry credentials from --username/--password-stdin; they win over ~/.docker/config.json. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Let registry destinations be loopback or private addresses (the proxy's egress rules otherwise). */
  readonly allowPrivate?: boolean;
}

/** A parsed command-line SOURCE. `selector` chooses one image of a source that holds several. */
export type Source =
  | { readonly kind: "docker-archive" | "oci-archive"; readonly path: string; readonly selector?: Selector }
  | { readonly kind: "oci"; readonly path: string; readonly selector?: Selector }
  | { readonly kind: "registry"; readonly reference: string };

/** Whether a path is there (a file or a directory), for telling a path's ':' from a selector's. */
const onDisk = (path: string): boolean => existsSync(path);

/** skopeo's word for a registry: `docker://REF` means the same as a bare REF. */
export const REGISTRY_TRANSPORT = "docker://";

/**
 * skopeo transports the command line does not read (yet). Named, because `dir:x` or
 * `docker-daemon:alpine` would otherwise parse as Docker Hub references with a tag.
 */
const UNSUPPORTED_TRANSPORTS = /^(docker-daemon|dir|containers-storage|ostree|sif):/;

/**
 * Parses SOURCE: a transport-prefixed local source (with an optional image selector), or else a
 * registry reference (checked by src/core/reference's parseReference, so a typo is a
 * bad-reference before any network). A transport that is known but not read is a
 * bad-reference naming the ones that are. `exists` answers whether a path is there (the disk,
 * unless a test says otherwise).
 */
export function parseSource(input: string, exists: (path: string) => boolean = onDisk): Result<Source, LayerscopeError> {
  const m = /^(docker-archive|oci-archive|oci):(.*)$/s.exec(input);
  if (m !== null) {
    const kind = m[1] as "docker-archive" | "oci-archive" | "oci";
    const location = splitLocation(kind, m[2] as string, exists);
    if (!location.ok) return err({ kind: "bad-reference", input, part: location.error.part, reason: location.error.reason });
    return ok({ kind, path: location.value.path, ...(location.value.selector !== undefined ? { selector: location.value.selector } : {}) });
  }
  if (UNSUPPORTED_TRANSPORTS.test(input)) {
    const part = /^[a-z-]+:/.exec(input)?.[0] ?? input;
    return err({ kind: "bad-reference", input, part, reason: "this transport is not supported yet: save the image as docker-archive:FILE, oci-archive:FILE or oci:DIR" });
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
  if (source.kind === "registry") return openRegistryImage(source.reference, options, context);
  const local = { ...(options.platform ? { platform: options.platform } : {}), ...(source.selector ? { selector: source.selector } : {}) };
  switch (source.kind) {
    case "docker-archive":
    case "oci-archive":
      return openArchiveImage(source.kind, source.path, local);
    case "oci":
      return openLayoutImage(source.path, local);
  }
}
