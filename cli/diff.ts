/**
 * `layerscope diff SOURCE_A SOURCE_B`: the compare view's comparison (issue 4), on the command
 * line (issue 6). Both sources are opened first (a bad second argument fails before any layer is
 * read), then analysed one after the other by cli/image.ts; the comparison is src/core/compare's,
 * called as the page's compare view calls it: compareLayers on the two manifests and configs
 * (src/features/compare/CompareView.tsx), diffFilesystems on the two merged filesystems with the
 * configs' diff_ids for the provenance rule (FileDiffSection.tsx). Exit 0 when the comparison was
 * made, however much the images differ; 2 on error. Layers that did not verify do not stop the
 * diff (the page shows it too, under an "untrusted" banner): they are reported per side.
 */
import { diffFilesystems, compareLayers, type ChangedAttribute, type ConfigChange, type ContentVerdict, type FileDiffCounts, type FileDiffKind, type FileDiffRow, type LayerRowKind, type LayerSide, type PullDecision } from "../src/core/compare";
import type { DeletedPath, PathVersion } from "../src/core/filetree";
import type { LayerscopeError } from "../src/core/errors";
import type { EntryType } from "../src/core/pipeline";
import { err, ok, type Result } from "../src/core/result";
import { SOURCE_FLAGS } from "./args";
import { EXIT_ERROR, EXIT_OK, analyseWithProgress, openArgument, sourceOptions, type Command, type Io } from "./command";
import { describeLine } from "./errors";
import { unreadLayer, type OpenedImage, type SourceInfo } from "./image";
import { imageRef, untrustedReasons, type ImageRef } from "./report";

/** The `schema` field of every result: cli/schema/diff.schema.json in this repository. */
export const DIFF_SCHEMA = "layerscope/cli/schema/diff.schema.json";
/** Bumped on any change a consumer could notice; additions of optional fields keep it. */
export const DIFF_VERSION = 1;

export interface SideOut {
  readonly source: SourceInfo;
  readonly image: ImageRef;
  readonly layers: number;
  /** Every layer, the config and the manifest verified. */
  readonly trusted: boolean;
  /** Why not, one phrase each (layers numbered from 0). */
  readonly untrusted: readonly string[];
  /** Every layer was read to its end (none failed or stopped early). */
  readonly complete: boolean;
}

export interface LayerSideOut {
  readonly index: number;
  readonly digest: string | null;
  readonly mediaType: string | null;
  /** Compressed bytes, from the manifest. */
  readonly size: number | null;
  readonly diffId: string | null;
  readonly chainId: string | null;
}

export interface LayerRowOut {
  readonly kind: LayerRowKind;
  readonly a: LayerSideOut | null;
  readonly b: LayerSideOut | null;
  /** For "recompressed": which shipping attributes differ. */
  readonly recompressed: { readonly digest: boolean; readonly mediaType: boolean } | null;
  /** For "only-a"/"only-b": positions of the same diff_id in the other image (the same tar on another base). */
  readonly sameDiffIdIn: readonly number[];
  /** For B's layers: what a machine holding A fetches. */
  readonly pull: PullDecision | null;
}

export interface VersionOut {
  /** The layer that wrote it (0-based, in its own image). */
  readonly layer: number;
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget: string | null;
}

export interface FileRowOut {
  /** Without a leading "/", as in inspect. */
  readonly path: string;
  readonly kind: Exclude<FileDiffKind, "unchanged">;
  readonly changes: readonly ChangedAttribute[];
  readonly content: ContentVerdict | null;
  readonly implied: "a" | "b" | "both" | null;
  readonly a: VersionOut | null;
  readonly b: VersionOut | null;
  /** For "removed": B's whiteout that removed it; for "added": A's, when A had deleted it. */
  readonly deletion: { readonly layer: number; readonly marker: string; readonly how: DeletedPath["how"] } | null;
}

export interface DiffResult {
  readonly schema: string;
  readonly version: number;
  readonly a: SideOut;
  readonly b: SideOut;
  readonly layers: {
    readonly sharedBase: { readonly layers: number; readonly chainId: string | null; readonly bytesA: number; readonly bytesB: number };
    readonly rows: readonly LayerRowOut[];
    readonly bytesToPull: number;
    readonly bytesIfBlobsOnly: number;
    readonly bytesWithContentStore: number;
    readonly bytesDockerClassic: number;
    readonly bytesB: number;
    readonly problems: readonly string[];
  };
  readonly config: readonly ConfigChange[];
  readonly files: {
    /** Of every path of both images, unchanged ones included. */
    readonly counts: FileDiffCounts;
    /** Every path that is not unchanged, sorted by path. */
    readonly rows: readonly FileRowOut[];
  };
  readonly warnings: readonly string[];
}

/**
 * Compares two opened images; reads A's layers, then B's (progress on `io` when it is a terminal).
 * A layer the network cut short even after its retries is an error naming its side (unreadLayer).
 * The caller closes both.
 */
export async function diffImages(a: OpenedImage, b: OpenedImage, io: Io): Promise<Result<DiffResult, { side: "A" | "B"; error: LayerscopeError }>> {
  const analysisA = await analyseWithProgress(a, io, "A: ");
  const unreadA = unreadLayer(analysisA);
  if (unreadA !== undefined) return err({ side: "A", error: unreadA });
  const analysisB = await analyseWithProgress(b, io, "B: ");
  const unreadB = unreadLayer(analysisB);
  if (unreadB !== undefined) return err({ side: "B", error: unreadB });
  const layers = await compareLayers({ manifest: a.manifest, config: a.config }, { manifest: b.manifest, config: b.config });
  const files = diffFilesystems(analysisA.merged, analysisB.merged, { diffIds: { a: a.config.rootfs.diff_ids, b: b.config.rootfs.diff_ids } });
  const side = (image: OpenedImage, analysis: typeof analysisA): SideOut => {
    const untrusted = untrustedReasons(image, analysis);
    return {
      source: image.source,
      image: imageRef(image),
      layers: image.manifest.layers.length,
      trusted: untrusted.length === 0,
      untrusted,
      complete: analysis.layers.every((l) => l.error === undefined && !l.partial),
    };
  };
  const sideA = side(a, analysisA);
  const sideB = side(b, analysisB);
  const warnings = [
    ...sideA.untrusted.map((r) => `A is untrusted: ${r}`),
    ...sideB.untrusted.map((r) => `B is untrusted: ${r}`),
    ...(!sideA.complete || !sideB.complete ? ["layers without a whole result were merged as read: paths they would add or change may be missing from the file diff"] : []),
    ...a.warnings.map((w) => `A: ${w}`),
    ...b.warnings.map((w) => `B: ${w}`),
  ];
  return ok({
    schema: DIFF_SCHEMA,
    version: DIFF_VERSION,
    a: sideA,
    b: sideB,
    layers: {
      sharedBase: { layers: layers.sharedBase.layers, chainId: layers.sharedBase.chainId ?? null, bytesA: layers.sharedBase.bytesA, bytesB: layers.sharedBase.bytesB },
      rows: layers.rows.map((r) => ({
        kind: r.kind,
        a: layerSideOut(r.a),
        b: layerSideOut(r.b),
        recompressed: r.recompressed ?? null,
        sameDiffIdIn: r.sameDiffIdIn,
        pull: r.pull ?? null,
      })),
      bytesToPull: layers.bytesToPull,
      bytesIfBlobsOnly: layers.bytesIfBlobsOnly,
      bytesWithContentStore: layers.bytesWithContentStore,
      bytesDockerClassic: layers.bytesDockerClassic,
      bytesB: layers.bytesB,
      problems: layers.problems,
    },
    config: layers.config,
    files: { counts: files.counts, rows: files.rows.flatMap(fileRowOut) },
    warnings,
  });
}

function layerSideOut(s: LayerSide | undefined): LayerSideOut | null {
  if (s === undefined) return null;
  return { index: s.index, digest: s.digest ?? null, mediaType: s.mediaType ?? null, size: s.size ?? null, diffId: s.diffId ?? null, chainId: s.chainId ?? null };
}

const versionOut = (v: PathVersion | undefined): VersionOut | null =>
  v === undefined ? null : { layer: v.layer, type: v.type, size: v.size, mode: v.mode, uid: v.uid, gid: v.gid, linkTarget: v.linkname ?? null };

function fileRowOut(r: FileDiffRow): FileRowOut[] {
  if (r.kind === "unchanged") return [];
  return [
    {
      path: r.path,
      kind: r.kind,
      changes: r.changes,
      content: r.content ?? null,
      implied: r.implied ?? null,
      a: versionOut(r.a),
      b: versionOut(r.b),
      deletion: r.deletion ? { layer: r.deletion.removedBy, marker: r.deletion.marker, how: r.deletion.how } : null,
    },
  ];
}

export const diff: Command = {
  usage: "layerscope diff SOURCE_A SOURCE_B [--platform os/arch[/variant]] [--json]",
  flags: { ...SOURCE_FLAGS, json: "switch" },
  async run(args, io) {
    if (args.positional.length !== 2) {
      io.err(`usage: ${this.usage}`);
      return EXIT_ERROR;
    }
    const options = await sourceOptions(args, io);
    if (!options.ok) {
      io.err(`layerscope: ${options.error}`);
      return EXIT_ERROR;
    }
    const opened: OpenedImage[] = [];
    try {
      for (const [i, argument] of args.positional.entries()) {
        const image = await openArgument(argument, options.value, io);
        if (!image.ok) {
          io.err(`layerscope: ${i === 0 ? "A" : "B"}: ${describeLine(image.error)}`);
          return EXIT_ERROR;
        }
        opened.push(image.value);
      }
      const result = await diffImages(opened[0] as OpenedImage, opened[1] as OpenedImage, io);
      if (!result.ok) {
        io.err(`layerscope: ${result.error.side}: ${describeLine(result.error.error)}`);
        return EXIT_ERROR;
      }
      io.out(args.flags.has("json") ? JSON.stringify(result.value, null, 2) : human(result.value));
      return EXIT_OK;
    } finally {
      for (const image of opened) await image.close();
    }
  },
};

/** Changed paths listed in the human report; the JSON lists them all. */
export const PATHS_SHOWN = 50;

const KIND_LABEL: Readonly<Record<LayerRowKind, string>> = { shared: "shared", recompressed: "recompressed", "only-a": "only A", "only-b": "only B" };
const FILE_MARK: Readonly<Record<FileRowOut["kind"], string>> = { added: "+", removed: "-", changed: "~", uncertain: "?" };
const FILE_ORDER: readonly FileRowOut["kind"][] = ["added", "removed", "changed", "uncertain"];
const short = (d: string | null): string => (d === null ? "-" : d.slice(0, 19));
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;
const num = (n: number | null): string => (n === null ? "-" : String(n));

/**
 * The short human-readable form: both images, the layer alignment, the config changes, the file
 * counts and the first {@link PATHS_SHOWN} paths — added, removed and changed before uncertain,
 * which can be many (equal sizes from different layers) and say the least.
 */
export function human(r: DiffResult): string {
  const shown = [...r.files.rows].sort((x, y) => FILE_ORDER.indexOf(x.kind) - FILE_ORDER.indexOf(y.kind)).slice(0, PATHS_SHOWN);
  const sideLine = (label: string, s: SideOut): string =>
    `${label}  ${s.image.names.join(", ") || "(unnamed)"}  [${s.source.transport}:${s.source.location}]  ${s.image.platform}  ${plural(s.layers, "layer")}  manifest ${s.image.manifestDigest}${s.trusted ? "" : "  UNTRUSTED"}`;
  const base = r.layers.sharedBase;
  const c = r.files.counts;
  const lines = [
    sideLine("A", r.a),
    sideLine("B", r.b),
    base.layers === 0
      ? "shared base  none: the first layers already differ"
      : `shared base  ${plural(base.layers, "layer")} (chain ${short(base.chainId)}), ${base.bytesA} B in A, ${base.bytesB} B in B`,
    "layers (aligned by diff_id and chain ID; sizes are compressed bytes)",
    `  ${"kind".padEnd(12)}  ${"A".padStart(3)}  ${"B".padStart(3)}  ${"diff_id".padEnd(19)}  ${"size A".padStart(12)}  ${"size B".padStart(12)}`,
    ...r.layers.rows.map((row) => {
      const s = row.a ?? row.b;
      const note = row.recompressed
        ? `  ${[row.recompressed.digest ? "digest" : "", row.recompressed.mediaType ? "media type" : ""].filter(Boolean).join(" and ")} differ`
        : row.sameDiffIdIn.length > 0
          ? `  same tar as ${row.kind === "only-a" ? "B" : "A"}'s layer ${row.sameDiffIdIn.join(", ")} (on another base)`
          : "";
      return `  ${KIND_LABEL[row.kind].padEnd(12)}  ${num(row.a?.index ?? null).padStart(3)}  ${num(row.b?.index ?? null).padStart(3)}  ${short(s?.diffId ?? null).padEnd(19)}  ${num(row.a?.size ?? null).padStart(12)}  ${num(row.b?.size ?? null).padStart(12)}${note}`;
    }),
    `pull B having A  ${r.layers.bytesToPull} B of ${r.layers.bytesB} B by chain ID (blobs only ${r.layers.bytesIfBlobsOnly} B, with a content store ${r.layers.bytesWithContentStore} B, Docker classic ${r.layers.bytesDockerClassic} B)`,
    `config    ${r.config.length === 0 ? "no changes" : plural(r.config.length, "change")}`,
    ...r.config.map((x) => `  ${x.change.padEnd(7)}  ${x.field}${x.key !== undefined ? ` ${x.key}` : ""}${x.a !== undefined ? `  A: ${x.a}` : ""}${x.b !== undefined ? `  B: ${x.b}` : ""}`),
    `files     ${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.uncertain} uncertain, ${c.unchanged} unchanged (${c.total} paths)`,
    ...shown.map((f) => {
      const why = f.kind === "changed" ? `  (${f.changes.join(" ")})` : f.kind === "uncertain" ? "  (same attributes; content not compared)" : "";
      return `  ${FILE_MARK[f.kind]} /${f.path}${why}`;
    }),
    ...(r.files.rows.length > PATHS_SHOWN ? [`  … and ${r.files.rows.length - PATHS_SHOWN} more (--json lists them all)`] : []),
    ...r.layers.problems.map((p) => `problem   ${p}`),
    ...r.warnings.map((w) => `warning   ${w}`),
  ];
  return lines.join("\n");
}
