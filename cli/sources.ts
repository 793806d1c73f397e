/**
 * SOURCE arguments, in skopeo's transport words (containers-transports(5)):
 * `docker-archive:FILE`, `oci-archive:FILE` and `oci:DIR`, each optionally followed by
 * `:NAME` or `:@N` to choose one image (cli/select.ts), or a registry reference. Parsing is pure
 * but for the question of which paths exist; {@link openImage} dispatches to the transport's opener.
 */
import { existsSync } from "node:fs";
import type { LayerscopeError } from "../src/core/errors";
import { err, ok, type Result } from "../src/core/result";
import type { Platform } from "../src/core/oci";
import { openArchiveImage } from "./archive";
import type { OpenResult } from "./image";
import { openLayoutImage } from "./layout";
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

/**
 * Parses SOURCE; an unknown transport is a bad-reference naming the ones that exist. `exists`
 * answers whether a path is there (the disk, unless a test says otherwise).
 */
export function parseSource(input: string, exists: (path: string) => boolean = onDisk): Result<Source, LayerscopeError> {
  const m = /^(docker-archive|oci-archive|oci):(.*)$/s.exec(input);
  if (m !== null) {
    const kind = m[1] as "docker-archive" | "oci-archive" | "oci";
    const location = splitLocation(kind, m[2] as string, exists);
    if (!location.ok) return err({ kind: "bad-reference", input, part: location.error.part, reason: location.error.reason });
    return ok({ kind, path: location.value.path, ...(location.value.selector !== undefined ? { selector: location.value.selector } : {}) });
  }
  const part = /^[a-z-]+:/.exec(input)?.[0] ?? input;
  const reason = /^(docker-daemon|dir):/.test(input)
    ? "this transport is not supported yet: save the image as docker-archive:FILE, oci-archive:FILE or oci:DIR"
    : "registry references are not supported by the command line yet: use docker-archive:FILE, oci-archive:FILE or oci:DIR";
  return err({ kind: "bad-reference", input, part, reason });
}

/** Opens a parsed SOURCE. The caller closes the image. */
export async function openImage(source: Source, options: SourceOptions = {}): Promise<OpenResult> {
  const local = { ...(options.platform ? { platform: options.platform } : {}), ...(source.kind !== "registry" && source.selector ? { selector: source.selector } : {}) };
  switch (source.kind) {
    case "docker-archive":
    case "oci-archive":
      return openArchiveImage(source.kind, source.path, local);
    case "oci":
      return openLayoutImage(source.path, local);
    case "registry":
      return err({ kind: "bad-reference", input: source.reference, part: source.kind, reason: "not supported yet" });
  }
}
