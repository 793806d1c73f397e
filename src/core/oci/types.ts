/**
 * Typed values for the OCI image-spec and Docker v2 schema 2 documents, after parsing.
 * Field names follow the specs. Everything here has been validated by the parsers in this
 * folder; code that holds one of these can trust its shape.
 */

/** image-spec descriptor.md */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  /** Size of the referenced content in bytes. */
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
}

/** image-index.md platform object. */
export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly "os.version"?: string;
  readonly "os.features"?: readonly string[];
}

/** An image manifest (OCI or Docker v2 schema 2). Layers are ordered base first. */
export interface ImageManifest {
  readonly kind: "manifest";
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An image index / Docker manifest list. */
export interface ImageIndex {
  readonly kind: "index";
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type ManifestOrIndex = ImageManifest | ImageIndex;

/**
 * An image manifest that describes an artifact, not a filesystem (image-spec manifest.md 1.1,
 * "Guidelines for Artifact Usage"): it declares an `artifactType`, or its config is not an image
 * config. `config` may be the empty descriptor (`application/vnd.oci.empty.v1+json`, `{}`);
 * `layers` are the artifact's blobs (a signature payload, an SBOM, an in-toto statement…), not tars.
 */
export interface ArtifactManifest {
  readonly kind: "artifact";
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What {@link parseAnyManifest} returns: images, indexes and artifacts alike. */
export type AnyManifest = ManifestOrIndex | ArtifactManifest;

/** config.md history entry. */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  /** True when this step produced no layer (ENV, CMD, LABEL…). */
  readonly empty_layer?: boolean;
}

/** config.md "config" object: the runtime defaults. */
export interface ContainerConfig {
  readonly User?: string;
  readonly ExposedPorts?: Readonly<Record<string, unknown>>;
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Volumes?: Readonly<Record<string, unknown>>;
  readonly WorkingDir?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly StopSignal?: string;
  readonly ArgsEscaped?: boolean;
}

/** config.md: the image configuration. */
export interface ImageConfig {
  readonly created?: string;
  readonly author?: string;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly "os.version"?: string;
  readonly config?: ContainerConfig;
  readonly rootfs: { readonly type: "layers"; readonly diff_ids: readonly string[] };
  readonly history?: readonly HistoryEntry[];
}

/**
 * One row of the `docker history`-style table: a history entry aligned with the layer it
 * produced. Rows are ordered base first (the config's order), unlike `docker history`.
 */
export interface HistoryRow {
  /** Index into config.history, or undefined for a layer with no history entry left to pair with. */
  readonly historyIndex?: number;
  readonly history?: HistoryEntry;
  /** Index into manifest.layers and rootfs.diff_ids, when this step produced a layer. */
  readonly layerIndex?: number;
  readonly layer?: Descriptor;
  readonly diffId?: string;
}

/** The result of aligning history with layers: rows plus explained mismatches. */
export interface LayerAlignment {
  readonly rows: readonly HistoryRow[];
  /** Human-readable problems: counts that disagree, and what was done about them. Empty when all agree. */
  readonly problems: readonly string[];
}
