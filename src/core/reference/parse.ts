/**
 * Image references as `docker pull` reads them, normalised the way Docker normalises them.
 *
 * Grammar (docker/distribution `reference/reference.go`, also the distribution-spec's name rule):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ registry "/" ] path-component ( "/" path-component )*
 *   registry       := host [ ":" port ]          host: DNS name, IPv4, or "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag            := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *   digest         := see ../digest (image-spec descriptor.md grammar)
 *
 * Normalisation follows docker/distribution `reference/normalize.go`: no registry means Docker
 * Hub, a single-component Hub name lives under `library/`, and no tag and no digest means `latest`.
 */
import type { LayerscopeError } from "../errors";
import { parseDigest } from "../digest/digest";
import { err, ok, type Result } from "../result";
import type { Reference } from "./types";

type BadReference = Extract<LayerscopeError, { kind: "bad-reference" }>;

/**
 * Docker Hub's canonical registry name. `docker pull nginx` talks to Docker Hub, and Docker
 * writes that registry as "docker.io" in canonical references (the API itself is served from
 * registry-1.docker.io; the registry client maps it).
 */
export const DOCKER_HUB_REGISTRY = "docker.io";

/**
 * The old name of Docker Hub that Docker still rewrites to "docker.io" (normalize.go
 * `legacyDefaultDomain`). Note: "registry-1.docker.io" is NOT rewritten by Docker, so neither
 * do we; it stays a registry of its own name.
 */
export const LEGACY_DOCKER_HUB_REGISTRY = "index.docker.io";

/**
 * Docker Hub's namespace for official images: a one-component name on Docker Hub ("nginx")
 * means "library/nginx". Other registries get no such prefix.
 */
export const OFFICIAL_NAMESPACE = "library";

/** The tag Docker assumes when a reference has neither a tag nor a digest. */
export const DEFAULT_TAG = "latest";

/**
 * The one dot-less, colon-less host name Docker treats as a registry in the first path
 * component: `localhost/app` is the image "app" on the local registry, not a Hub repository.
 */
export const LOCALHOST = "localhost";

/** docker/distribution `NameTotalLengthMax`: registry + "/" + repository, after normalisation. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Tags are at most 128 characters (distribution-spec, and the `tag` grammar above). */
export const TAG_LENGTH_MAX = 128;

/**
 * The registry rule (normalize.go `splitDockerDomain`): when a name has a "/", its first
 * component is a registry if it contains a "." (a DNS name or IPv4 address) or a ":" (a port, or
 * an IPv6 literal), or is exactly "localhost". Otherwise the whole name is a Docker Hub repository
 * ("bitnami/nginx").
 *
 * Docker also treats a first component with uppercase letters as a registry ("MyOrg/app" would
 * dial the host "MyOrg"). We do not: such input is far more likely a mistyped repository, so it is
 * rejected with "repository names must be lowercase" instead of sending a request to a host
 * nobody meant.
 */
export function isRegistryComponent(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === LOCALHOST;
}

// One path component: lowercase alphanumerics joined by ".", "_", "__" or one or more "-".
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// A DNS label (also matches each part of a dotted IPv4 address). Host is lower-cased first.
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// docker/distribution accepts hex digits and colons inside the brackets (no zone, no embedded IPv4).
const IPV6_BODY = /^[0-9a-f:]+$/;
// Any URL scheme ("https://", "oci://", "docker://"): people paste these from browsers and docs.
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// A bare image ID: Docker refuses it as a name so it is never confused with a content address.
const IMAGE_ID = /^[a-f0-9]{64}$/;

/**
 * Parses what `docker pull` accepts and normalises it like Docker:
 * `alpine` → {registry:"docker.io", repository:"library/alpine", tag:"latest"};
 * `index.docker.io/x/y` → registry "docker.io"; `localhost:5000/x`, `[::1]:5000/x`, `ghcr.io/o/a:t`,
 * `name@sha256:…`, `name:tag@sha256:…` (both kept; the digest is what gets fetched).
 *
 * Leading and trailing whitespace is trimmed; everything else is strict. The registry host is
 * lower-cased (DNS names are case-insensitive); the repository must already be lowercase. On
 * failure, `part` names the offending piece of the input and `reason` says what is wrong.
 */
export function parseReference(input: string): Result<Reference, BadReference> {
  const bad = (part: string, reason: string): { ok: false; error: BadReference } =>
    err({ kind: "bad-reference", input, part, reason });

  const s = input.trim();
  if (s === "") return bad("", "the reference is empty");
  const scheme = SCHEME.exec(s);
  if (scheme) {
    return bad(scheme[0], "leave out the scheme: write ghcr.io/org/app:tag, not https://ghcr.io/org/app:tag");
  }
  if (/\s/.test(s)) return bad(s, "a reference cannot contain spaces or other whitespace");

  // "@" splits off the digest; everything after the first "@" must be one digest.
  let namePart = s;
  let digest: string | undefined;
  const at = s.indexOf("@");
  if (at !== -1) {
    namePart = s.slice(0, at);
    const digestPart = s.slice(at + 1);
    if (digestPart === "") return bad("@", "nothing after '@': a digest looks like sha256:<64 hex digits>");
    const parsed = parseDigest(digestPart);
    if (!parsed.ok) return bad(digestPart, parsed.error);
    digest = parsed.value.string;
    if (namePart === "") return bad("@", "the repository name is missing before '@'");
  }
  if (IMAGE_ID.test(namePart)) {
    return bad(namePart, "a 64-hex-digit name looks like an image ID; write the digest as name@sha256:<digest>");
  }

  // Registry: see isRegistryComponent. Without one the name is on Docker Hub.
  let registry = DOCKER_HUB_REGISTRY;
  let rest = namePart;
  const slash = namePart.indexOf("/");
  if (slash !== -1 && isRegistryComponent(namePart.slice(0, slash))) {
    const parsed = parseRegistry(namePart.slice(0, slash));
    if (typeof parsed !== "string") return bad(parsed.part, parsed.reason);
    registry = parsed;
    rest = namePart.slice(slash + 1);
    if (rest === "") return bad(namePart, `the repository name is missing after the registry ${registry}`);
  }

  // With the registry (and its port) gone, any ":" left starts the tag.
  let tag: string | undefined;
  let path = rest;
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    path = rest.slice(0, colon);
    tag = rest.slice(colon + 1);
    if (tag === "") return bad(":", "nothing after ':': the tag is empty");
    const tagProblem = checkTag(tag);
    if (tagProblem) return bad(tag, tagProblem);
  }
  if (path === "") return bad(rest, "the repository name is missing");

  const components = path.split("/");
  for (const [i, c] of components.entries()) {
    if (c === "") {
      const reason =
        i === 0
          ? "the name starts with '/'"
          : i === components.length - 1
            ? "the name ends with '/'"
            : "the name has an empty component ('//')";
      return bad(path, reason);
    }
    if (!PATH_COMPONENT.test(c)) {
      if (PATH_COMPONENT.test(c.toLowerCase())) return bad(c, "repository names must be lowercase");
      return bad(
        c,
        "a repository name component is lowercase letters and digits, separated by '.', '_', '__' or '-' (not at the start or end)",
      );
    }
  }

  // normalize.go: a one-component Docker Hub name is an official image under library/.
  const repository = registry === DOCKER_HUB_REGISTRY && components.length === 1 ? `${OFFICIAL_NAMESPACE}/${path}` : path;
  const fullName = `${registry}/${repository}`;
  if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
    return bad(path, `the full name ${registry}/… is ${fullName.length} characters; at most ${NAME_TOTAL_LENGTH_MAX} are allowed`);
  }

  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return ok({
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  });
}

/** Why a tag is invalid, or undefined when it is fine. */
function checkTag(tag: string): string | undefined {
  if (tag.length > TAG_LENGTH_MAX) return `the tag is ${tag.length} characters; at most ${TAG_LENGTH_MAX} are allowed`;
  if (tag.startsWith(".") || tag.startsWith("-")) return "a tag cannot start with '.' or '-'";
  if (!TAG.test(tag)) return "a tag may only contain letters, digits, '_', '.' and '-'";
  return undefined;
}

/**
 * Validates "host[:port]" and returns the normalised registry (lower-cased; Docker Hub's legacy
 * name rewritten), or the bad part and why.
 */
function parseRegistry(raw: string): string | { part: string; reason: string } {
  const lower = raw.toLowerCase();
  let host: string;
  let port: string | undefined;
  if (lower.startsWith("[")) {
    const close = lower.indexOf("]");
    if (close === -1) return { part: raw, reason: "an IPv6 registry address needs a closing ']'" };
    host = lower.slice(0, close + 1);
    const after = lower.slice(close + 1);
    const inner = host.slice(1, -1);
    if (!IPV6_BODY.test(inner) || !inner.includes(":")) {
      return { part: raw.slice(0, close + 1), reason: "not a valid IPv6 address (hex digits and ':' inside [ ])" };
    }
    if (after !== "") {
      if (!after.startsWith(":")) return { part: raw, reason: "only ':port' may follow an IPv6 address in [ ]" };
      port = after.slice(1);
    }
  } else {
    const colon = lower.indexOf(":");
    host = colon === -1 ? lower : lower.slice(0, colon);
    if (colon !== -1) port = lower.slice(colon + 1);
    if (host === "") return { part: raw, reason: "the registry host is empty" };
    if (!host.split(".").every((label) => DOMAIN_LABEL.test(label))) {
      return { part: raw.slice(0, host.length), reason: "not a valid registry host name" };
    }
  }
  if (port !== undefined) {
    // Ports are decimal 1–65535, written without leading zeros so one registry has one spelling.
    if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) {
      return { part: raw, reason: port === "" ? "nothing after ':': the port is empty" : `“${port}” is not a port (1–65535)` };
    }
  }
  if (port === undefined && (host === DOCKER_HUB_REGISTRY || host === LEGACY_DOCKER_HUB_REGISTRY)) return DOCKER_HUB_REGISTRY;
  return port === undefined ? host : `${host}:${port}`;
}

/**
 * The canonical string: "registry/repository[:tag][@digest]", e.g.
 * "docker.io/library/nginx:latest" or "ghcr.io/o/a@sha256:…". Parsing it again gives the same
 * Reference.
 */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/**
 * The short form Docker prints (reference.FamiliarString): Docker Hub's registry and the
 * `library/` namespace are left out, so {docker.io, library/nginx, latest} → "nginx:latest" and
 * {docker.io, bitnami/nginx} → "bitnami/nginx:…". Other registries stay in full.
 */
export function familiarReference(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB_REGISTRY) {
    name = ref.repository;
    const prefix = `${OFFICIAL_NAMESPACE}/`;
    // Only strip library/ when what remains is one component ("library/a/b" keeps its prefix).
    if (name.startsWith(prefix) && !name.slice(prefix.length).includes("/")) name = name.slice(prefix.length);
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
