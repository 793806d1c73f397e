/**
 * Local image archives as typed values: the images they hold, and for every digest the place
 * its bytes come from, so the page can serve the archive as a read-only registry.
 *
 * Three layouts exist in the wild, and one file can be two of them:
 * - OCI image layout in a tar (`skopeo copy … oci-archive:`, buildkit `type=oci`): `oci-layout`,
 *   `index.json`, `blobs/<alg>/<encoded>` (image-spec image-layout.md).
 * - `docker save` (moby image/tarexport): `manifest.json`, a list of
 *   `{Config, RepoTags, Layers[, LayerSources]}` naming members; classic saves put each layer in
 *   `<v1 id>/layer.tar` (uncompressed: its sha256 is the config's diff_id) and the config in
 *   `<image id>.json`. Docker 25+ writes an OCI layout and a manifest.json naming its blobs.
 * - kaniko `--tar-path` (go-containerregistry tarball.Write): a manifest.json whose config is a
 *   member named `sha256:<hex>` and whose layers are `<digest hex>.tar.gz` members.
 *
 * The OCI layout is preferred when its index.json lists images (it carries real manifests with
 * real digests); otherwise manifest.json is read, and each image's manifest is synthesized from
 * it: an OCI manifest whose descriptors only make claims something independent backs (the
 * config's diff_ids, or a digest written in a member's name), so the layer pipeline's checks
 * stay real checks. Nothing here reads a layer beyond its first bytes (for magic detection).
 *
 * The layout reader works over {@link LayoutFiles}, so the same code reads a layout that is a
 * directory ({@link openLayout}; the command line supplies the files over node:fs).
 */
import { detectCompression } from "../compression/detect";
import { digestBytes, parseDigest } from "../digest";
import type { LayerscopeError } from "../errors";
import {
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_LAYER_TAR_ZSTD,
  OCI_MANIFEST,
  parseImageConfig,
  parseManifestOrIndex,
  type Descriptor,
  type ImageConfig,
} from "../oci";
import { err, ok, type Result } from "../result";
import { indexMembers, peekMember, readMember, resolveMember, type ArchiveSource, type IndexOptions, type MemberIndex, type ResolvedMember } from "./members";

/** Which layout the images were read from. */
export type ArchiveFormat =
  /** An OCI image layout (oci-archive). */
  | "oci-layout"
  /** Docker 25+ docker save: an OCI layout and a manifest.json; the layout was read. */
  | "docker-oci"
  /** A classic docker save (manifest.json, per-layer directories). */
  | "docker-save"
  /** A kaniko / go-containerregistry tarball (manifest.json, `sha256:` config, `.tar.gz` layers). */
  | "kaniko";

/**
 * Where a blob's bytes are: held in memory (small JSON documents), or a member of the archive
 * (`offset` and `size` in the tar). A layout directory's blob is a "member" too: `path` is its
 * file, `offset` 0.
 */
export type ArchiveBlob =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "member"; readonly path: string; readonly offset: number; readonly size: number };

/** One image (or index) the archive holds, as the user picks it. */
export interface ArchiveImage {
  /** What the archive calls it: RepoTags, or the layout's ref.name / image.name annotation. Maybe empty. */
  readonly names: readonly string[];
  /** The top document (an image manifest or an index) and its digest. */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  /**
   * True when the manifest was written here from manifest.json: its digest is this page's own
   * hash of its own bytes, not a registry's, and proves nothing.
   */
  readonly synthesized: boolean;
  /** Things worth saying about this image that did not stop it (a digest nothing claimed…). */
  readonly warnings: readonly string[];
}

export interface OpenedArchive {
  readonly format: ArchiveFormat;
  readonly images: readonly ArchiveImage[];
  /** Every blob the images reference, by digest. */
  readonly blobs: ReadonlyMap<string, ArchiveBlob>;
  /** About the archive as a whole (an unusable index.json beside a usable manifest.json…). */
  readonly warnings: readonly string[];
  readonly memberCount: number;
}

const archiveError = (reason: string, hint?: string): LayerscopeError => ({ kind: "bad-archive", reason, ...(hint !== undefined ? { hint } : {}) });

/** image-spec annotations.md: the name an image layout gives a manifest. */
const REF_NAME = "org.opencontainers.image.ref.name";
/** containerd (and Docker 25+) write the full image name here. */
const CONTAINERD_NAME = "io.containerd.image.name";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Indexes the archive's members, then reads its images (see the module comment). */
export async function openArchive(source: ArchiveSource, options: IndexOptions = {}): Promise<Result<OpenedArchive, LayerscopeError>> {
  const indexed = await indexMembers(source, options);
  if (!indexed.ok) return indexed;
  const index = indexed.value;
  const warnings: string[] = [];
  const hasLayout = index.members.has("index.json");
  const hasManifestJson = index.members.has("manifest.json");

  if (hasLayout) {
    const layout = await readLayout(memberFiles(source, index), false);
    if (layout.ok) return ok({ ...layout.value, format: hasManifestJson ? "docker-oci" : "oci-layout", memberCount: index.members.size });
    if (!hasManifestJson) return layout;
    // Docker 25+ writes both; when the layout is unusable, manifest.json still describes the images.
    warnings.push(`index.json was not used (${reasonOf(layout.error)}); the images come from manifest.json`);
  }
  if (hasManifestJson) {
    const saved = await readManifestJson(source, index);
    if (!saved.ok) return saved;
    return ok({ ...saved.value, warnings: [...warnings, ...saved.value.warnings], memberCount: index.members.size });
  }
  return err(
    archiveError(
      `the archive is a tar but holds neither manifest.json (docker save, kaniko) nor index.json (OCI layout)${index.members.size > 0 ? `; its first members are ${[...index.members.keys()].slice(0, 3).map((n) => `"${n}"`).join(", ")}` : ""}`,
    ),
  );
}

function reasonOf(e: LayerscopeError): string {
  return e.kind === "bad-archive" || e.kind === "bad-manifest" ? e.reason : e.kind;
}

// ── OCI image layout ────────────────────────────────────────────────────────────────────────────

/**
 * The files of an image layout, wherever they are: the members of a tar ({@link memberFiles}),
 * or the files of a directory (the command line's `oci:DIR`, over node:fs, which core cannot
 * import). Paths are the layout's own ("index.json", "blobs/sha256/<hex>"); a resolved file is
 * registered as a "member" {@link ArchiveBlob}, so its bytes are read from where it lies.
 */
export interface LayoutFiles {
  /** True when something is at `path`, before links are followed (it may still fail to resolve). */
  has(path: string): Promise<boolean>;
  /**
   * The regular file `path` names, links followed but never out of the layout; a bad-archive
   * error naming `what` and the path when it is missing, a link out, or not a regular file.
   */
  resolve(path: string, what: string): Promise<Result<ResolvedMember, LayerscopeError>>;
  /** A resolved file's bytes, whole (small JSON documents); refuses a file over `limit` bytes. */
  read(file: ResolvedMember, what: string, limit?: number): Promise<Result<Uint8Array, LayerscopeError>>;
}

/** A tar's members as {@link LayoutFiles}: links resolved lexically inside the archive. */
export function memberFiles(source: ArchiveSource, index: MemberIndex): LayoutFiles {
  return {
    has: async (path) => index.members.has(path),
    resolve: async (path, what) => resolveMember(index, path, what),
    read: (file, what, limit) => readMember(source, file, what, limit),
  };
}

/**
 * Reads an image layout that is not in a tar (a directory: `skopeo copy … oci:DIR`, umoci).
 * Stricter than a layout in an archive: without its oci-layout file a directory is most likely
 * not a layout at all (a parent directory, a `dir:` copy), so that is an error, not a warning.
 * `memberCount` is the number of files the images reference (index.json and oci-layout aside).
 */
export async function openLayout(files: LayoutFiles): Promise<Result<OpenedArchive, LayerscopeError>> {
  const layout = await readLayout(files, true);
  if (!layout.ok) return layout;
  return ok({ ...layout.value, format: "oci-layout", memberCount: layout.value.blobs.size });
}

/** The file that holds a blob in an image layout: blobs/<alg>/<encoded> (image-layout.md). */
function blobPath(digest: string): string {
  const colon = digest.indexOf(":");
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

/** `markerRequired`: a missing oci-layout file is an error (a directory), not a warning (a tar). */
async function readLayout(files: LayoutFiles, markerRequired: boolean): Promise<Result<Omit<OpenedArchive, "format" | "memberCount">, LayerscopeError>> {
  const warnings: string[] = [];
  const marker = await files.resolve("oci-layout", "the oci-layout file");
  if (!marker.ok) {
    if (markerRequired) return marker;
    warnings.push("the archive has index.json but no oci-layout file (image-layout.md requires it)");
  } else {
    const bytes = await files.read(marker.value, "oci-layout");
    if (!bytes.ok) return bytes;
    const version = jsonOf(bytes.value) as { imageLayoutVersion?: unknown } | undefined;
    if (version?.imageLayoutVersion !== "1.0.0") warnings.push(`oci-layout says imageLayoutVersion ${JSON.stringify(version?.imageLayoutVersion ?? null)}, not "1.0.0"`);
  }
  const indexFile = await files.resolve("index.json", "index.json");
  if (!indexFile.ok) return indexFile;
  const indexBytes = await files.read(indexFile.value, "index.json");
  if (!indexBytes.ok) return indexBytes;
  const parsed = parseManifestOrIndex(indexBytes.value, OCI_INDEX);
  if (!parsed.ok) return err(archiveError(`index.json is not a valid image index: ${reasonOf(parsed.error)}`));
  if (parsed.value.kind !== "index") return err(archiveError("index.json is not an image index"));
  if (parsed.value.manifests.length === 0) return err(archiveError("index.json lists no images"));

  const blobs = new Map<string, ArchiveBlob>();
  const images: ArchiveImage[] = [];
  for (const [i, d] of parsed.value.manifests.entries()) {
    const doc = await layoutDocument(files, d, `image ${i + 1} of index.json`, blobs, 0);
    if (!doc.ok) return doc;
    const names = [d.annotations?.[CONTAINERD_NAME], d.annotations?.[REF_NAME]].filter((n): n is string => typeof n === "string" && n !== "");
    images.push({ names: [...new Set(names)], digest: d.digest, mediaType: d.mediaType, bytes: doc.value, synthesized: false, warnings: [] });
  }
  return ok({ images, blobs, warnings });
}

/** Most indexes a layout may nest (an index naming indexes…), as the page's MAX_INDEX_DEPTH. */
const MAX_LAYOUT_DEPTH = 4;

/**
 * Reads the manifest or index `d` names, and checks that everything below it is in the
 * layout, so a missing blob is named now rather than as a 404 later. Registers every blob.
 */
async function layoutDocument(
  files: LayoutFiles,
  d: Descriptor,
  what: string,
  blobs: Map<string, ArchiveBlob>,
  depth: number,
): Promise<Result<Uint8Array, LayerscopeError>> {
  const file = await layoutBlob(files, d.digest, what);
  if (!file.ok) return file;
  const bytes = await files.read(file.value, what);
  if (!bytes.ok) return bytes;
  blobs.set(d.digest, { kind: "bytes", bytes: bytes.value });
  const parsed = parseManifestOrIndex(bytes.value, d.mediaType);
  // A document that does not parse is served anyway: the page names what is wrong with it.
  if (!parsed.ok) return ok(bytes.value);
  if (parsed.value.kind === "index") {
    if (depth >= MAX_LAYOUT_DEPTH) return ok(bytes.value);
    for (const child of parsed.value.manifests) {
      // An index child may be absent on purpose (a single-platform export of a multi-platform
      // image, attestation manifests left out): the page shows that child as not found.
      if (!(await files.has(blobPath(child.digest)))) continue;
      const c = await layoutDocument(files, child, `${what}, child ${child.digest}`, blobs, depth + 1);
      if (!c.ok) return c;
    }
    return ok(bytes.value);
  }
  const m = parsed.value;
  const config = await layoutBlob(files, m.config.digest, `the config of ${what}`);
  if (!config.ok) return config;
  blobs.set(m.config.digest, { kind: "member", ...config.value });
  for (const [i, layer] of m.layers.entries()) {
    if (layer.urls !== undefined && layer.urls.length > 0 && !(await files.has(blobPath(layer.digest)))) continue; // foreign: not shipped
    const l = await layoutBlob(files, layer.digest, `layer ${i + 1} of ${what}`);
    if (!l.ok) return l;
    blobs.set(layer.digest, { kind: "member", ...l.value });
  }
  return ok(bytes.value);
}

/** The file of a blob, its digest parsed first: only a valid digest becomes a path. */
async function layoutBlob(files: LayoutFiles, digest: string, what: string): Promise<Result<ResolvedMember, LayerscopeError>> {
  const d = parseDigest(digest);
  if (!d.ok) return err(archiveError(`${what} has the digest "${digest}", which is not valid: ${d.error}`));
  return files.resolve(blobPath(digest), `${what} (${digest})`);
}

// ── docker save / kaniko: manifest.json ────────────────────────────────────────────────────────

/** One entry of manifest.json, as moby's image/tarexport writes it. */
interface SavedImage {
  readonly config: string;
  readonly layers: readonly string[];
  readonly repoTags: readonly string[];
  readonly layerSources: ReadonlyMap<string, { mediaType?: string; digest?: string; size?: number }>;
}

function jsonOf(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses manifest.json into typed entries, or says precisely what is wrong with it. */
export function parseManifestJson(bytes: Uint8Array): Result<SavedImage[], LayerscopeError> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return err(archiveError("manifest.json is not UTF-8 text"));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    return err(archiveError(`manifest.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`));
  }
  if (doc === null) return err(archiveError("manifest.json is null: it lists no images (go-containerregistry refuses this archive too)"));
  if (!Array.isArray(doc)) return err(archiveError(`manifest.json must be a list of images, not ${typeof doc === "object" ? "an object" : `a ${typeof doc}`}`));
  if (doc.length === 0) return err(archiveError("manifest.json lists no images"));
  const out: SavedImage[] = [];
  for (const [i, item] of doc.entries()) {
    const where = `manifest.json entry ${i + 1}`;
    if (!isRecord(item)) return err(archiveError(`${where} is not an object`));
    const config = item["Config"];
    if (typeof config !== "string" || config === "") return err(archiveError(`${where} has no Config (the member holding the image config)`));
    const layers = item["Layers"];
    if (!Array.isArray(layers) || !layers.every((l): l is string => typeof l === "string" && l !== "")) {
      return err(archiveError(`${where} has no Layers list of member names`));
    }
    const tags = item["RepoTags"];
    if (tags !== undefined && tags !== null && !(Array.isArray(tags) && tags.every((t) => typeof t === "string"))) {
      return err(archiveError(`${where} has RepoTags that are not a list of names`));
    }
    const sources = new Map<string, { mediaType?: string; digest?: string; size?: number }>();
    const ls = item["LayerSources"];
    if (isRecord(ls)) {
      for (const [diffId, d] of Object.entries(ls)) {
        if (!isRecord(d)) continue;
        sources.set(diffId, {
          ...(typeof d["mediaType"] === "string" ? { mediaType: d["mediaType"] } : {}),
          ...(typeof d["digest"] === "string" ? { digest: d["digest"] } : {}),
          ...(typeof d["size"] === "number" ? { size: d["size"] } : {}),
        });
      }
    }
    out.push({ config, layers, repoTags: Array.isArray(tags) ? (tags as string[]) : [], layerSources: sources });
  }
  return ok(out);
}

/**
 * The digest a member's name claims, when it claims one: `blobs/sha256/<hex>` (OCI layout,
 * Docker 25+), `sha256:<hex>` (kaniko configs), `<hex>.tar.gz` / `<hex>.tar` / `<hex>.json`
 * (kaniko layers, skopeo, classic docker save configs). A classic `<v1 id>/layer.tar` names
 * none: its directory is a v1 layer ID, not a digest of the file.
 */
export function digestFromName(path: string): string | undefined {
  const blob = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
  const base = path.slice(path.lastIndexOf("/") + 1);
  const candidate =
    blob !== null
      ? `${blob[1]}:${blob[2]}`
      : /^sha256:[a-f0-9]{64}$/.test(base)
        ? base
        : /^([a-f0-9]{64})\.(?:tar\.gz|tgz|tar\.zst|tar|json)$/.exec(base)?.[1] !== undefined
          ? `sha256:${base.slice(0, 64)}`
          : undefined;
  return candidate !== undefined && parseDigest(candidate).ok ? candidate : undefined;
}

const LAYER_MEDIA_TYPE = { none: OCI_LAYER_TAR, gzip: OCI_LAYER_TAR_GZIP, zstd: OCI_LAYER_TAR_ZSTD } as const;

async function readManifestJson(source: ArchiveSource, index: MemberIndex): Promise<Result<Omit<OpenedArchive, "memberCount">, LayerscopeError>> {
  const member = resolveMember(index, "manifest.json", "manifest.json");
  if (!member.ok) return member;
  const bytes = await readMember(source, member.value, "manifest.json");
  if (!bytes.ok) return bytes;
  const entries = parseManifestJson(bytes.value);
  if (!entries.ok) return entries;

  const blobs = new Map<string, ArchiveBlob>();
  const images: ArchiveImage[] = [];
  let kaniko = true;
  for (const [i, entry] of entries.value.entries()) {
    const what = entries.value.length > 1 ? `image ${i + 1} (${entry.repoTags[0] ?? "untagged"})` : "the image";
    const image = await synthesize(source, index, entry, what, blobs);
    if (!image.ok) return image;
    images.push(image.value);
    kaniko &&= entry.config.startsWith("sha256:") || entry.layers.every((l) => /\.(tar\.gz|tgz)$/.test(l));
  }
  return ok({ format: kaniko ? "kaniko" : "docker-save", images, blobs, warnings: [] });
}

/** Builds the OCI manifest a registry would have served for one manifest.json entry. */
async function synthesize(
  source: ArchiveSource,
  index: MemberIndex,
  entry: SavedImage,
  what: string,
  blobs: Map<string, ArchiveBlob>,
): Promise<Result<ArchiveImage, LayerscopeError>> {
  const warnings: string[] = [];
  const configMember = resolveMember(index, entry.config, `the config of ${what}`);
  if (!configMember.ok) return configMember;
  const configBytes = await readMember(source, configMember.value, `the config of ${what}`);
  if (!configBytes.ok) return configBytes;
  const config = parseImageConfig(configBytes.value);
  if (!config.ok) return err(archiveError(`the config of ${what} ("${entry.config}") is not a valid image config: ${reasonOf(config.error)}`));
  const diffIds = (config.value as ImageConfig).rootfs.diff_ids;
  if (diffIds.length !== entry.layers.length) {
    return err(
      archiveError(
        `${what}: manifest.json lists ${entry.layers.length} layer file${entry.layers.length === 1 ? "" : "s"}, but its config's rootfs.diff_ids has ${diffIds.length}`,
        "Each layer must have its diff_id in the config: the archive is inconsistent (edited or written by a broken tool).",
      ),
    );
  }

  // The config's name claims its digest (the image ID); the registry client checks the bytes against it.
  let configDigest = digestFromName(configMember.value.path) ?? digestFromName(entry.config);
  if (configDigest === undefined) {
    configDigest = await digestBytes("sha256", configBytes.value);
    warnings.push(`the config's member name ("${entry.config}") names no digest: its digest was computed here, so it proves nothing`);
  }
  blobs.set(configDigest, { kind: "bytes", bytes: configBytes.value });

  const layers: Descriptor[] = [];
  for (const [i, name] of entry.layers.entries()) {
    const layerWhat = `layer ${i + 1} of ${what}`;
    const m = resolveMember(index, name, layerWhat);
    if (!m.ok) return m;
    const detected = detectCompression(await peekMember(source, m.value));
    if (detected === "unknown") return err(archiveError(`${layerWhat} ("${name}") is neither a tar nor gzip- or zstd-compressed`));
    const diffId = diffIds[i] as string;
    // The digest must be claimed by something other than the bytes themselves, or the pipeline's
    // check would prove nothing: a digest in the member's name, or for an uncompressed tar the
    // config's diff_id (a tar's digest is its diff_id).
    const claimed = digestFromName(m.value.path) ?? digestFromName(name) ?? (detected === "none" ? diffId : undefined);
    if (claimed === undefined) {
      return err(
        archiveError(
          `${layerWhat} ("${name}") is ${detected}-compressed, and nothing in the archive names its digest`,
          "Layerscope only shows layers it can check against a digest the archive claims. Save the image with docker save or skopeo (uncompressed layers), or as an OCI archive.",
        ),
      );
    }
    const layerSource = entry.layerSources.get(diffId);
    if (layerSource?.digest !== undefined && layerSource.digest !== claimed) {
      warnings.push(
        `manifest.json's LayerSources describe layer ${i + 1} as ${layerSource.digest}${layerSource.mediaType !== undefined ? ` (${layerSource.mediaType})` : ""}, a blob this archive does not hold; the layer is read from "${name}"`,
      );
    }
    layers.push({ mediaType: LAYER_MEDIA_TYPE[detected], digest: claimed, size: m.value.size });
    if (!blobs.has(claimed)) blobs.set(claimed, { kind: "member", ...m.value });
  }

  // Key order as a registry writes it; no whitespace, so the digest is reproducible.
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.value.length },
    layers,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = await digestBytes("sha256", bytes);
  blobs.set(digest, { kind: "bytes", bytes });
  return ok({ names: entry.repoTags, digest, mediaType: OCI_MANIFEST, bytes, synthesized: true, warnings });
}
