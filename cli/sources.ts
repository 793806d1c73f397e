/**
 * SOURCE arguments, in skopeo's transport words: `docker-archive:FILE`, `oci-archive:FILE`,
 * `oci:DIR`, or a registry reference. Parsing is pure; {@link openImage} dispatches to the
 * transport's opener.
 */
import type { LayerscopeError } from "../src/core/errors";
import { err, ok, type Result } from "../src/core/result";
import type { Platform } from "../src/core/oci";
import { openArchiveImage } from "./archive";
import type { OpenResult } from "./image";

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

/** Parses SOURCE; an unknown transport is a bad-reference naming the ones that exist. */
export function parseSource(input: string): Result<Source, LayerscopeError> {
  const m = /^(docker-archive|oci-archive):(.+)$/.exec(input);
  if (m !== null) return ok({ kind: m[1] as "docker-archive" | "oci-archive", path: m[2] as string });
  const part = /^[a-z-]+:/.exec(input)?.[0] ?? input;
  const reason = /^(oci|docker-daemon|dir):/.test(input)
    ? "this transport is not supported yet: save the image as docker-archive:FILE or oci-archive:FILE"
    : "registry references are not supported by the command line yet: use docker-archive:FILE or oci-archive:FILE";
  return err({ kind: "bad-reference", input, part, reason });
}

/** Opens a parsed SOURCE. The caller closes the image. */
export async function openImage(source: Source, options: SourceOptions = {}): Promise<OpenResult> {
  switch (source.kind) {
    case "docker-archive":
    case "oci-archive":
      return openArchiveImage(source.kind, source.path, options.platform ? { platform: options.platform } : {});
    case "oci":
    case "registry":
      return err({ kind: "bad-reference", input: source.kind === "oci" ? `oci:${source.path}` : source.reference, part: source.kind, reason: "not supported yet" });
  }
}
