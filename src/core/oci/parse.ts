/**
 * Manifests, indexes and image configs: untrusted bytes in, typed values (./types) or a precise
 * LayerscopeError out. Specs: image-spec manifest.md, image-index.md, config.md, descriptor.md;
 * Docker's image manifest v2 schema 2 and manifest list.
 *
 * The rule throughout is "one meaning or none" (SECURITY R7): when a document could be read two
 * ways — by Layerscope and by Docker, containerd or a registry — it is rejected as ambiguous rather
 * than shown the way we happen to read it.
 */
import { parseDigest } from "../digest/digest";
import type { LayerscopeError } from "../errors";
import { err, ok, type Result } from "../result";
import {
  foldKey,
  formatJsonPath,
  isJsonArray,
  isJsonNumber,
  isJsonObject,
  parseJson,
  type CaseCollision,
  type JsonObject,
  type JsonPathSegment,
  type JsonValue,
  type ParsedJson,
} from "./json";
import {
  DOCKER_SCHEMA1_MANIFEST,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  bareMediaType,
  isImageConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
} from "./mediatypes";
import type {
  ContainerConfig,
  Descriptor,
  HistoryEntry,
  ImageConfig,
  ImageIndex,
  AnyManifest,
  ArtifactManifest,
  ImageManifest,
  ManifestOrIndex,
  Platform,
} from "./types";

type What = "manifest" | "index" | "config";

/** Internal: thrown by the field readers below, caught once at each entry point. */
class Failure {
  constructor(readonly error: LayerscopeError) {}
}

const invalid = (what: What, reason: string): never => {
  throw new Failure({ kind: "bad-manifest", what, reason });
};
const ambiguous = (reason: string): never => {
  throw new Failure({ kind: "ambiguous-manifest", reason });
};

/**
 * Content-Type values that make no claim about which document this is. Registries that serve
 * manifests as plain JSON exist, and our proxy rewrites unsafe types to octet-stream; neither is
 * "the registry says this is something else".
 */
const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set(["", "application/json", "application/octet-stream", "text/plain"]);

// RFC 6838 §4.2 restricted-name, for type and subtype; parameters are not allowed in descriptors.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

// Field names each struct-like object is read with. A key that folds to one of these but is not
// spelled exactly like it ("MediaType", "layerſ") is what Go's case-insensitive decoder would
// take for the field while we would not: ambiguous.
const TOP_FIELDS = ["schemaVersion", "mediaType", "config", "layers", "manifests", "artifactType", "subject", "annotations"];
const DESCRIPTOR_FIELDS = ["mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType", "data"];
const PLATFORM_FIELDS = ["architecture", "os", "variant", "os.version", "os.features"];
const CONFIG_FIELDS = ["created", "author", "architecture", "os", "variant", "os.version", "config", "rootfs", "history"];
const ROOTFS_FIELDS = ["type", "diff_ids"];
const HISTORY_FIELDS = ["created", "created_by", "author", "comment", "empty_layer"];
const CONTAINER_CONFIG_FIELDS = [
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "ArgsEscaped",
];

/** Bytes → text → JSON, with the errors named for `what`. */
function decode(bytes: Uint8Array, what: What): ParsedJson {
  let text: string;
  try {
    // fatal: invalid UTF-8 is an error, not U+FFFD (two byte strings must not decode alike).
    // ignoreBOM: keep a BOM so the JSON reader rejects it, as Go's decoder does.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return invalid(what, "it is not valid UTF-8 text");
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e.type === "syntax") return invalid(what, `it is not valid JSON (${e.reason})`);
    return ambiguous(
      `the ${what === "config" ? "image config" : "document"} has the key ${JSON.stringify(e.key)} twice at ${formatJsonPath(e.path)}; readers disagree on which one counts`,
    );
  }
  return parsed.value;
}

function rejectCaseCollision(c: CaseCollision, what: What): never {
  return ambiguous(
    `the ${what === "config" ? "image config" : "document"} has keys ${JSON.stringify(c.keys[0])} and ${JSON.stringify(c.keys[1])} at ${formatJsonPath(c.path)}, which differ only in case; case-insensitive readers (Go) see one field`,
  );
}

/** Rejects keys that a case-insensitive reader would take for one of `fields`. */
function checkFolds(obj: JsonObject, fields: readonly string[], path: readonly JsonPathSegment[]): void {
  for (const key of obj.keys()) {
    if (fields.includes(key)) continue;
    const f = foldKey(key);
    const field = fields.find((name) => foldKey(name) === f);
    if (field !== undefined) {
      ambiguous(
        `the key ${JSON.stringify(key)} at ${formatJsonPath(path)} is not ${JSON.stringify(field)}, but case-insensitive readers (Go) treat it as that field`,
      );
    }
  }
}

// ── typed field readers ──────────────────────────────────────────────────────────────────────

const at = (path: readonly JsonPathSegment[], key: JsonPathSegment): JsonPathSegment[] => [...path, key];
const where = (path: readonly JsonPathSegment[]): string => formatJsonPath(path);

function describeJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return "a string";
  if (typeof v === "boolean") return "a boolean";
  if (isJsonNumber(v)) return `the number ${v.raw}`;
  if (isJsonArray(v)) return "an array";
  return "an object";
}

function asObject(v: JsonValue | undefined, path: readonly JsonPathSegment[], what: What): JsonObject {
  if (!isJsonObject(v)) return invalid(what, `${where(path)} must be an object${v === undefined ? " but is missing" : `, not ${describeJson(v)}`}`);
  return v;
}

function optString(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): string | undefined {
  const v = obj.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== "string") return invalid(what, `${where(at(path, key))} must be a string, not ${describeJson(v)}`);
  return v;
}

function reqString(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): string {
  const v = optString(obj, key, path, what);
  if (v === undefined) return invalid(what, `${where(at(path, key))} is missing`);
  if (v === "") return invalid(what, `${where(at(path, key))} is empty`);
  return v;
}

function optBoolean(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): boolean | undefined {
  const v = obj.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") return invalid(what, `${where(at(path, key))} must be true or false, not ${describeJson(v)}`);
  return v;
}

/** An array of strings; `null` counts as absent (Go marshals a nil slice as null). */
function optStringArray(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): string[] | null | undefined {
  const v = obj.get(key);
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!isJsonArray(v)) return invalid(what, `${where(at(path, key))} must be an array of strings, not ${describeJson(v)}`);
  return v.map((item, i) => {
    if (typeof item !== "string") return invalid(what, `${where(at(at(path, key), i))} must be a string, not ${describeJson(item)}`);
    return item;
  });
}

/**
 * A string→string map (annotations, labels) as a null-prototype record: a "__proto__" or
 * "constructor" key is stored as data and cannot reach Object.prototype.
 */
function optStringRecord(
  obj: JsonObject,
  key: string,
  path: readonly JsonPathSegment[],
  what: What,
): Record<string, string> | null | undefined {
  const v = obj.get(key);
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!isJsonObject(v)) return invalid(what, `${where(at(path, key))} must be an object of strings, not ${describeJson(v)}`);
  const out = Object.create(null) as Record<string, string>;
  for (const [k, value] of v) {
    if (typeof value !== "string") return invalid(what, `${where(at(at(path, key), k))} must be a string, not ${describeJson(value)}`);
    out[k] = value;
  }
  return out;
}

/**
 * A set written as an object whose values are empty objects (ExposedPorts, Volumes: Go's
 * map[string]struct{}). Keys are kept; values are read loosely (any object or null) and stored as
 * empty objects, since nothing in them has meaning.
 */
function optKeySet(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): Record<string, unknown> | undefined {
  const v = obj.get(key);
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) return invalid(what, `${where(at(path, key))} must be an object, not ${describeJson(v)}`);
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, value] of v) {
    if (value !== null && !isJsonObject(value)) {
      return invalid(what, `${where(at(at(path, key), k))} must be an object, not ${describeJson(value)}`);
    }
    out[k] = {};
  }
  return out;
}

function optMediaType(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): string | undefined {
  const v = optString(obj, key, path, what);
  if (v !== undefined && !MEDIA_TYPE.test(v)) {
    return invalid(what, `${where(at(path, key))} ${JSON.stringify(v)} is not a media type (type/subtype)`);
  }
  return v;
}

function reqDigest(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): string {
  const v = reqString(obj, key, path, what);
  const d = parseDigest(v);
  if (!d.ok) return invalid(what, `${where(at(path, key))} is not a valid digest: ${d.error}`);
  return d.value.string;
}

/**
 * descriptor.md: size is an int64 count of bytes. We also require it to be exact in a JS number
 * (≤ 2^53−1), and written as a plain integer: Go refuses "1e3", "1.0" and "-0" for an int64 too.
 */
function reqSize(obj: JsonObject, key: string, path: readonly JsonPathSegment[], what: What): number {
  const v = obj.get(key);
  if (v === undefined) return invalid(what, `${where(at(path, key))} is missing`);
  if (!isJsonNumber(v)) return invalid(what, `${where(at(path, key))} must be a number of bytes, not ${describeJson(v)}`);
  if (!/^(?:0|[1-9][0-9]*)$/.test(v.raw) || !Number.isSafeInteger(v.value)) {
    return invalid(what, `${where(at(path, key))} must be a whole number of bytes from 0 to 2^53−1, not ${v.raw}`);
  }
  return v.value;
}

function readPlatform(v: JsonValue | undefined, path: readonly JsonPathSegment[], what: What): Platform {
  const obj = asObject(v, path, what);
  checkFolds(obj, PLATFORM_FIELDS, path);
  const variant = optString(obj, "variant", path, what);
  const osVersion = optString(obj, "os.version", path, what);
  const osFeatures = optStringArray(obj, "os.features", path, what);
  return {
    architecture: reqString(obj, "architecture", path, what),
    os: reqString(obj, "os", path, what),
    ...(variant !== undefined ? { variant } : {}),
    ...(osVersion !== undefined ? { "os.version": osVersion } : {}),
    ...(osFeatures ? { "os.features": osFeatures } : {}),
  };
}

/**
 * descriptor.md: mediaType, digest and size are required; urls, annotations, artifactType and
 * (in an index) platform are optional. `data` (embedded content) is checked to be a string and
 * not kept: Layerscope always fetches by digest.
 */
function readDescriptor(v: JsonValue | undefined, path: readonly JsonPathSegment[], what: What): Descriptor {
  const obj = asObject(v, path, what);
  checkFolds(obj, DESCRIPTOR_FIELDS, path);
  const mediaType = optMediaType(obj, "mediaType", path, what);
  if (mediaType === undefined) return invalid(what, `${where(at(path, "mediaType"))} is missing`);
  const digest = reqDigest(obj, "digest", path, what);
  const size = reqSize(obj, "size", path, what);
  const urls = optStringArray(obj, "urls", path, what);
  const annotations = optStringRecord(obj, "annotations", path, what);
  const platform = obj.has("platform") ? readPlatform(obj.get("platform"), at(path, "platform"), what) : undefined;
  const artifactType = optMediaType(obj, "artifactType", path, what);
  optString(obj, "data", path, what);
  return {
    mediaType,
    digest,
    size,
    ...(urls ? { urls } : {}),
    ...(annotations ? { annotations } : {}),
    ...(platform ? { platform } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
  };
}

function readDescriptorArray(obj: JsonObject, key: string, what: What): Descriptor[] {
  const v = obj.get(key);
  if (v === undefined) return invalid(what, `${key} is missing`);
  if (!isJsonArray(v)) return invalid(what, `${key} must be an array of descriptors, not ${describeJson(v)}`);
  return v.map((item, i) => readDescriptor(item, [key, i], what));
}

// ── manifests and indexes ────────────────────────────────────────────────────────────────────

/**
 * Parses a manifest or index body as fetched, with the response's Content-Type (or null).
 *
 * Which document it is comes from the body's `mediaType`, else from the Content-Type, else — as
 * the OCI spec allows `mediaType` to be absent — from its shape (`manifests` → OCI index,
 * `config` → OCI manifest). Rejected as ambiguous: duplicate keys or keys differing only in case
 * anywhere, a body `mediaType` that disagrees with a specific Content-Type (compared without
 * parameters, case-insensitively), a body with both `manifests` and `layers`/`config`, or a shape
 * that contradicts the media type. Schema 1 → {kind:"schema1"}; a manifest whose config is not an
 * image config, or that declares an artifactType → {kind:"not-an-image"}.
 */
export function parseManifestOrIndex(bytes: Uint8Array, contentType: string | null): Result<ManifestOrIndex, LayerscopeError> {
  try {
    const doc = readManifestOrIndex(bytes, contentType, false);
    // With artifacts refused, readManifestOrIndex has thrown not-an-image instead of returning one.
    if (doc.kind === "artifact") return err({ kind: "not-an-image", mediaType: doc.config.mediaType, ...(doc.artifactType !== undefined ? { artifactType: doc.artifactType } : {}) });
    return ok(doc);
  } catch (e) {
    if (e instanceof Failure) return err(e.error);
    throw e;
  }
}

/**
 * {@link parseManifestOrIndex} with the same rules, except that a manifest describing an artifact
 * (an artifactType, or a config that is not an image config: signatures, SBOMs, attestations,
 * charts…) comes back as {kind:"artifact"} instead of the not-an-image error. For the referrers
 * and artifact views, which open such manifests on purpose.
 */
export function parseAnyManifest(bytes: Uint8Array, contentType: string | null): Result<AnyManifest, LayerscopeError> {
  try {
    return ok(readManifestOrIndex(bytes, contentType, true));
  } catch (e) {
    if (e instanceof Failure) return err(e.error);
    throw e;
  }
}

function readManifestOrIndex(bytes: Uint8Array, contentType: string | null, artifacts: boolean): AnyManifest {
  const parsed = decode(bytes, "manifest");
  const first = parsed.caseCollisions[0];
  if (first) rejectCaseCollision(first, "manifest");
  const root = parsed.value;
  if (!isJsonObject(root)) return invalid("manifest", `the document must be a JSON object, not ${describeJson(root)}`);
  checkFolds(root, TOP_FIELDS, []);

  const bodyType = optString(root, "mediaType", [], "manifest");
  const headerType = contentType === null ? "" : bareMediaType(contentType);
  const claimedByHeader = GENERIC_CONTENT_TYPES.has(headerType) ? undefined : headerType;
  if (bodyType !== undefined && claimedByHeader !== undefined && bareMediaType(bodyType) !== claimedByHeader) {
    ambiguous(`the body says mediaType “${bodyType}” but the registry sent Content-Type “${headerType}”`);
  }
  const hasManifests = root.has("manifests");
  const hasLayers = root.has("layers");
  const hasConfig = root.has("config");
  if (hasManifests && (hasLayers || hasConfig)) {
    ambiguous(`the body has both “manifests” (an index) and “${hasLayers ? "layers" : "config"}” (a manifest)`);
  }

  const schemaVersion = root.get("schemaVersion");
  const declared = bodyType !== undefined ? bareMediaType(bodyType) : claimedByHeader;
  // Schema 1 bodies carry no mediaType; schemaVersion 1 (or the header) is how they announce it.
  // A v2 media type with schemaVersion 1 is not schema 1, just invalid (caught below).
  if (declared !== undefined ? isSchema1MediaType(declared) : isJsonNumber(schemaVersion) && schemaVersion.raw === "1") {
    throw new Failure({
      kind: "schema1",
      mediaType: declared ?? (root.has("signatures") ? DOCKER_SCHEMA1_SIGNED_MANIFEST : DOCKER_SCHEMA1_MANIFEST),
    });
  }

  let mediaType: string;
  if (declared !== undefined) {
    mediaType = declared;
  } else if (hasManifests) {
    mediaType = OCI_INDEX; // image-index.md: mediaType SHOULD be used; absent means OCI
  } else if (hasConfig || hasLayers) {
    mediaType = OCI_MANIFEST; // manifest.md: likewise
  } else {
    return invalid("manifest", "it has no mediaType, and neither “config” nor “manifests” to tell what it is");
  }

  const isIndex = isIndexMediaType(mediaType);
  if (!isIndex && !isManifestMediaType(mediaType)) throw new Failure({ kind: "unsupported-media-type", mediaType });
  const what: What = isIndex ? "index" : "manifest";
  if (isIndex && (hasLayers || hasConfig)) ambiguous(`the media type says index (${mediaType}) but the body has “${hasLayers ? "layers" : "config"}”`);
  if (!isIndex && hasManifests) ambiguous(`the media type says manifest (${mediaType}) but the body has “manifests”`);

  if (schemaVersion === undefined) return invalid(what, "schemaVersion is missing (it must be 2)");
  if (!isJsonNumber(schemaVersion) || schemaVersion.raw !== "2") {
    return invalid(what, `schemaVersion must be 2, not ${isJsonNumber(schemaVersion) ? schemaVersion.raw : describeJson(schemaVersion)}`);
  }

  const artifactType = optMediaType(root, "artifactType", [], what);
  const subject = root.has("subject") ? readDescriptor(root.get("subject"), ["subject"], what) : undefined;
  const annotations = optStringRecord(root, "annotations", [], what);
  const common = {
    schemaVersion: 2 as const,
    mediaType,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(subject ? { subject } : {}),
    ...(annotations ? { annotations } : {}),
  };

  if (isIndex) {
    const index: ImageIndex = { kind: "index", ...common, manifests: readDescriptorArray(root, "manifests", what) };
    return index;
  }
  if (!hasConfig) return invalid(what, "config is missing");
  const config = readDescriptor(root.get("config"), ["config"], what);
  const layers = readDescriptorArray(root, "layers", what);
  // manifest.md (1.1): artifacts are manifests whose artifactType, or else config.mediaType,
  // names what they are. Only an image config describes a filesystem to explore.
  if (artifactType !== undefined || !isImageConfigMediaType(config.mediaType)) {
    if (artifacts) {
      const artifact: ArtifactManifest = { kind: "artifact", ...common, config, layers };
      return artifact;
    }
    throw new Failure({ kind: "not-an-image", mediaType: config.mediaType, ...(artifactType !== undefined ? { artifactType } : {}) });
  }
  const manifest: ImageManifest = { kind: "manifest", ...common, config, layers };
  return manifest;
}

// ── image config ─────────────────────────────────────────────────────────────────────────────

/**
 * Objects in a config whose keys are data, not field names: Go decodes them into maps, which
 * compare keys exactly, so "maintainer" and "Maintainer" are two labels, not an ambiguity.
 * (Docker's legacy `container_config` has the same shape as `config`.)
 */
function isMapPath(path: readonly JsonPathSegment[]): boolean {
  return (
    path.length === 2 &&
    (path[0] === "config" || path[0] === "container_config") &&
    (path[1] === "Labels" || path[1] === "ExposedPorts" || path[1] === "Volumes")
  );
}

/**
 * Parses an image config (config.md; Docker's container image v1 has the same shape).
 * Required: `architecture`, `os`, and `rootfs` of type "layers" with `diff_ids` (valid digests of
 * the uncompressed layer tars, base first). `history` and the runtime `config` are optional and
 * type-checked; unknown fields are ignored. Invalid → bad-manifest (what: "config"); duplicate keys
 * or struct keys differing only in case → ambiguous-manifest.
 */
export function parseImageConfig(bytes: Uint8Array): Result<ImageConfig, LayerscopeError> {
  try {
    return ok(readImageConfig(bytes));
  } catch (e) {
    if (e instanceof Failure) return err(e.error);
    throw e;
  }
}

function readImageConfig(bytes: Uint8Array): ImageConfig {
  const what: What = "config";
  const parsed = decode(bytes, what);
  const collision = parsed.caseCollisions.find((c) => !isMapPath(c.path));
  if (collision) rejectCaseCollision(collision, what);
  const root = parsed.value;
  if (!isJsonObject(root)) return invalid(what, `the config must be a JSON object, not ${describeJson(root)}`);
  checkFolds(root, CONFIG_FIELDS, []);
  // Required fields first, so the first error is about what matters most.
  const architecture = reqString(root, "architecture", [], what);
  const os = reqString(root, "os", [], what);

  const rootfsObj = asObject(root.get("rootfs"), ["rootfs"], what);
  checkFolds(rootfsObj, ROOTFS_FIELDS, ["rootfs"]);
  const rootfsType = reqString(rootfsObj, "type", ["rootfs"], what);
  if (rootfsType !== "layers") return invalid(what, `rootfs.type must be “layers”, not ${JSON.stringify(rootfsType)}`);
  const diffIdsValue = rootfsObj.get("diff_ids");
  if (!isJsonArray(diffIdsValue)) {
    return invalid(what, `rootfs.diff_ids must be an array of digests${diffIdsValue === undefined ? " but is missing" : `, not ${describeJson(diffIdsValue)}`}`);
  }
  const diffIds = diffIdsValue.map((v, i) => {
    if (typeof v !== "string") return invalid(what, `rootfs.diff_ids[${i}] must be a digest string, not ${describeJson(v)}`);
    const d = parseDigest(v);
    if (!d.ok) return invalid(what, `rootfs.diff_ids[${i}] is not a valid digest: ${d.error}`);
    return d.value.string;
  });

  let history: HistoryEntry[] | undefined;
  const historyValue = root.get("history");
  if (historyValue !== undefined && historyValue !== null) {
    if (!isJsonArray(historyValue)) return invalid(what, `history must be an array, not ${describeJson(historyValue)}`);
    history = historyValue.map((entry, i) => readHistoryEntry(entry, ["history", i]));
  }

  const configValue = root.get("config");
  const config = configValue === undefined || configValue === null ? undefined : readContainerConfig(configValue);

  const created = optString(root, "created", [], what);
  const author = optString(root, "author", [], what);
  const variant = optString(root, "variant", [], what);
  const osVersion = optString(root, "os.version", [], what);
  return {
    architecture,
    os,
    ...(variant !== undefined ? { variant } : {}),
    ...(osVersion !== undefined ? { "os.version": osVersion } : {}),
    ...(created !== undefined ? { created } : {}),
    ...(author !== undefined ? { author } : {}),
    ...(config ? { config } : {}),
    rootfs: { type: "layers", diff_ids: diffIds },
    ...(history ? { history } : {}),
  };
}

function readHistoryEntry(v: JsonValue, path: readonly JsonPathSegment[]): HistoryEntry {
  const what: What = "config";
  const obj = asObject(v, path, what);
  checkFolds(obj, HISTORY_FIELDS, path);
  const created = optString(obj, "created", path, what);
  const createdBy = optString(obj, "created_by", path, what);
  const author = optString(obj, "author", path, what);
  const comment = optString(obj, "comment", path, what);
  const emptyLayer = optBoolean(obj, "empty_layer", path, what);
  return {
    ...(created !== undefined ? { created } : {}),
    ...(createdBy !== undefined ? { created_by: createdBy } : {}),
    ...(author !== undefined ? { author } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(emptyLayer !== undefined ? { empty_layer: emptyLayer } : {}),
  };
}

function readContainerConfig(v: JsonValue): ContainerConfig {
  const what: What = "config";
  const path = ["config"];
  const obj = asObject(v, path, what);
  checkFolds(obj, CONTAINER_CONFIG_FIELDS, path);
  const user = optString(obj, "User", path, what);
  const exposedPorts = optKeySet(obj, "ExposedPorts", path, what);
  const env = optStringArray(obj, "Env", path, what);
  const entrypoint = optStringArray(obj, "Entrypoint", path, what);
  const cmd = optStringArray(obj, "Cmd", path, what);
  const volumes = optKeySet(obj, "Volumes", path, what);
  const workingDir = optString(obj, "WorkingDir", path, what);
  const labels = optStringRecord(obj, "Labels", path, what);
  const stopSignal = optString(obj, "StopSignal", path, what);
  const argsEscaped = optBoolean(obj, "ArgsEscaped", path, what);
  return {
    ...(user !== undefined ? { User: user } : {}),
    ...(exposedPorts ? { ExposedPorts: exposedPorts } : {}),
    ...(env ? { Env: env } : {}),
    // Entrypoint/Cmd keep an explicit null: "reset to nothing" differs from "not set".
    ...(entrypoint !== undefined ? { Entrypoint: entrypoint } : {}),
    ...(cmd !== undefined ? { Cmd: cmd } : {}),
    ...(volumes ? { Volumes: volumes } : {}),
    ...(workingDir !== undefined ? { WorkingDir: workingDir } : {}),
    ...(labels !== undefined ? { Labels: labels } : {}),
    ...(stopSignal !== undefined ? { StopSignal: stopSignal } : {}),
    ...(argsEscaped !== undefined ? { ArgsEscaped: argsEscaped } : {}),
  };
}
