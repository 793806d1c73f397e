/**
 * Choosing one image of a local source, in skopeo's syntax (containers-transports(5)):
 * `docker-archive:PATH[:{REFERENCE|@INDEX}]`, `oci-archive:PATH[:{REFERENCE|@INDEX}]` and
 * `oci:PATH[:{REFERENCE|@INDEX}]`. INDEX counts from 0 through the source's images (skopeo's
 * source-index: manifest.json's entries, or index.json's manifests). REFERENCE is a RepoTag for
 * docker-archive, normalised as docker does (`busybox` is `docker.io/library/busybox:latest`),
 * and for the OCI transports the `org.opencontainers.image.ref.name` annotation (or the full
 * `io.containerd.image.name`), matched exactly.
 *
 * Pure: whether a path exists is the caller's answer (cli/sources.ts asks the disk).
 */
import type { LayerscopeError } from "../src/core/errors";
import { formatReference, parseReference } from "../src/core/reference";
import { err, ok, type Result } from "../src/core/result";
import type { Transport } from "./image";

/** The transports that read a file or directory, and so take a selector. */
export type LocalTransport = Exclude<Transport, "registry">;

/** Which image of a source: by 0-based number, or by name. */
export type Selector = { readonly kind: "index"; readonly index: number } | { readonly kind: "name"; readonly name: string };

/** A location split into its path and what follows it. `part` names the offending text on failure. */
export type Location = { readonly path: string; readonly selector?: Selector };
export type LocationError = { readonly part: string; readonly reason: string };

/**
 * image-spec annotations.md, `org.opencontainers.image.ref.name`: components of alphanumerics
 * joined by `-._:@+` or `--`, separated by `/` (containers/image checks oci: names with it too).
 */
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;
/** `@N`: no sign, no leading zeros, and small enough to be an exact number. */
const INDEX = /^@(0|[1-9][0-9]{0,8})$/;

const SYNTAX = "after the path, write :@N (N counts images from 0) or :NAME";

/** Parses what follows the path's ':' for `transport`. */
export function parseSelector(transport: LocalTransport, text: string): Result<Selector, string> {
  if (text === "") return err(`nothing follows the ':' — ${SYNTAX}, or leave out the ':'`);
  if (text.startsWith("@")) {
    const m = INDEX.exec(text);
    return m === null ? err(`"${text}" is not an image number — ${SYNTAX}, e.g. :@1`) : ok({ kind: "index", index: Number(m[1]) });
  }
  if (transport === "docker-archive") {
    // skopeo refuses a digest here too: a docker save's images are named by RepoTags only.
    const ref = parseReference(text);
    if (!ref.ok) return err(`"${text}" is not an image name (${ref.error.reason}) — ${SYNTAX}`);
    if (ref.value.digest !== undefined) return err(`"${text}" has a digest; docker-archive images are chosen by name:tag or :@N`);
    return ok({ kind: "name", name: text });
  }
  return REF_NAME.test(text) ? ok({ kind: "name", name: text }) : err(`"${text}" is not a valid org.opencontainers.image.ref.name — ${SYNTAX}`);
}

/**
 * Splits `rest` (what follows `transport:`) into a path and an optional selector. A path may
 * itself hold ':' (`./a:b.tar`), so the disk decides: the whole of `rest` when it exists;
 * otherwise the longest prefix ending before a ':' that exists, the rest being its selector
 * (a name may hold ':' too: `busybox:1.36`). When no prefix exists either, the first ':' that
 * starts a valid selector splits (skopeo's rule, paths without ':'), so the error names the
 * path the user most likely meant.
 */
export function splitLocation(transport: LocalTransport, rest: string, exists: (path: string) => boolean): Result<Location, LocationError> {
  if (rest === "") return err({ part: `${transport}:`, reason: "the path is missing" });
  if (exists(rest)) return ok({ path: rest });
  const colons = [...rest.matchAll(/:/g)].map((m) => m.index);
  let firstProblem: LocationError | undefined;
  for (const at of [...colons].reverse()) {
    const path = rest.slice(0, at);
    if (path === "" || !exists(path)) continue;
    const selector = parseSelector(transport, rest.slice(at + 1));
    if (selector.ok) return ok({ path, selector: selector.value });
    firstProblem ??= { part: rest.slice(at + 1) || ":", reason: selector.error };
  }
  if (firstProblem !== undefined) return err(firstProblem);
  for (const at of colons) {
    if (at === 0) continue;
    const selector = parseSelector(transport, rest.slice(at + 1));
    if (selector.ok) return ok({ path: rest.slice(0, at), selector: selector.value });
  }
  return ok({ path: rest });
}

/** `name` as docker would pull it ("busybox" → "docker.io/library/busybox:latest"), or undefined. */
function dockerName(name: string): string | undefined {
  const ref = parseReference(name);
  return ref.ok && ref.value.digest === undefined ? formatReference(ref.value) : undefined;
}

/** True when image name `have` answers `wanted`: equal, or for docker-archive equal once normalised. */
export function nameMatches(transport: LocalTransport, have: string, wanted: string): boolean {
  if (have === wanted) return true;
  if (transport !== "docker-archive") return false;
  const w = dockerName(wanted);
  return w !== undefined && dockerName(have) === w;
}

/** Why no single image was chosen. */
export type ChoiceProblem = "not-chosen" | "no-such-number" | "no-such-name" | "ambiguous";

/** Picks the image `selector` names among `images` (in the source's order), or says why none. */
export function chooseImage(
  transport: LocalTransport,
  images: readonly { readonly names: readonly string[] }[],
  selector: Selector | undefined,
): Result<number, { readonly problem: ChoiceProblem; readonly matches: readonly number[] }> {
  if (selector === undefined) return images.length === 1 ? ok(0) : err({ problem: "not-chosen", matches: [] });
  if (selector.kind === "index") return selector.index < images.length ? ok(selector.index) : err({ problem: "no-such-number", matches: [] });
  const matches = images.flatMap((image, i) => (image.names.some((n) => nameMatches(transport, n, selector.name)) ? [i] : []));
  if (matches.length === 1) return ok(matches[0] as number);
  return err({ problem: matches.length === 0 ? "no-such-name" : "ambiguous", matches });
}

/** One image as a listing shows it. */
export interface ImageSummary {
  readonly names: readonly string[];
  /** "linux/amd64", or for an index the platforms it offers; undefined when unknown. */
  readonly platform?: string;
}

/** How many images a listing names before "… and N more". */
export const LISTED_IMAGES = 20;

/** "@0 test_image_2 (linux/amd64); @1 test_image_1 (linux/amd64)": one line, as errors are. */
export function listImages(images: readonly ImageSummary[], only?: readonly number[]): string {
  const shown = (only ?? images.map((_, i) => i)).slice(0, LISTED_IMAGES);
  const items = shown.map((i) => {
    const image = images[i] as ImageSummary;
    const name = image.names.length > 0 ? image.names.join(", ") : "(no name)";
    return `@${i} ${name}${image.platform !== undefined ? ` (${image.platform})` : ""}`;
  });
  const more = (only?.length ?? images.length) - shown.length;
  return `${items.join("; ")}${more > 0 ? `; … and ${more} more` : ""}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The error for a choice that failed: what the source holds, and how to choose. A bad-archive
 * (the page says the same of a picked image an archive lacks), built here so the listing is
 * the source's own.
 */
export function choiceError(
  transport: LocalTransport,
  location: string,
  images: readonly ImageSummary[],
  selector: Selector | undefined,
  problem: ChoiceProblem,
  matches: readonly number[] = [],
): LayerscopeError {
  const holds = `${transport === "oci" ? "the layout directory" : "the archive"} ${location} holds ${plural(images.length, "image")}: ${listImages(images)}`;
  const named = images.findIndex((image, i) => i > 0 && image.names.length > 0);
  const example = `${transport}:${location}:@${Math.min(1, images.length - 1)}${named >= 0 ? ` or ${transport}:${location}:${images[named]?.names[0] ?? ""}` : ""}`;
  const byName =
    transport === "docker-archive"
      ? "A name matches a RepoTag, normalised as docker does (busybox is docker.io/library/busybox:latest)."
      : "A name matches an image's org.opencontainers.image.ref.name (or io.containerd.image.name) exactly.";
  switch (problem) {
    case "not-chosen":
      return { kind: "bad-archive", reason: `${holds}; the command line reads one at a time`, hint: `Choose one after the path, by number (from 0) or by name: ${example}.` };
    case "no-such-number":
      return {
        kind: "bad-archive",
        reason: `there is no image @${selector?.kind === "index" ? selector.index : "?"}: ${holds}`,
        hint: `Images are numbered from 0, as skopeo's source-index: ${example}.`,
      };
    case "no-such-name":
      return { kind: "bad-archive", reason: `no image is named "${selector?.kind === "name" ? selector.name : ""}": ${holds}`, hint: `${byName} Or choose by number: ${example}.` };
    case "ambiguous":
      return {
        kind: "bad-archive",
        reason: `${plural(matches.length, "image")} of ${location} are named "${selector?.kind === "name" ? selector.name : ""}": ${listImages(images, matches)}`,
        hint: `Choose one by number: ${transport}:${location}:@${matches[0] ?? 0}.`,
      };
  }
}
