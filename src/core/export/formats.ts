/**
 * Exports of what the image view shows, as JSON and CSV, built as a stream of string chunks so a
 * 200 000-entry listing can be assembled into Blob parts a slice at a time (the page yields
 * between slices; nothing here holds the whole document).
 *
 * Every JSON document starts with `"schema"` (which export) and `"version"` (bumped on any
 * incompatible change to the shape below); layers are 0-based positions in manifest.layers
 * (`layerIndex`, the page shows them 1-based), sizes in bytes, modes as 4-digit octal strings,
 * paths without a leading "/" (see names.ts for `pathEncoding`). CSV files carry the same
 * fields flattened, one header row, per RFC 4180 (csv.ts).
 *
 * - `layerscope/merged-filesystem` v1: `image`, `asOfLayerIndex`, `layerCount`, `complete`,
 *   `entries[]` {path, pathEncoding, type, size, mode, uid, gid, uname, gname, linkTarget,
 *   layerIndex (the layer that provides it), implied (a directory no layer wrote),
 *   hiddenLayerIndexes (lower versions it hides)}, and `deleted[]` {path, pathEncoding, type,
 *   lastLayerIndex, removedByLayerIndex, how, marker}. CSV: one row per path, `status` present
 *   or deleted.
 * - `layerscope/layer-listing` v1: `image`, `layer` {layerIndex, digest, diffId, mediaType,
 *   trusted, partial, entries}, `entries[]` in tar order {path, pathEncoding, type, typeflag,
 *   size, mode, uid, gid, uname, gname, mtime, linkTarget, whiteout, whiteoutTarget, flags}.
 * - `layerscope/file-comparison` v1: `a`, `b` (images), `filter` (what the compare view had
 *   selected), `counts` (of the whole diff), `rows[]` as shown {path, pathEncoding, kind,
 *   changes, content, a, b} where a and b are {layerIndex, type, size, mode, uid, gid,
 *   linkTarget} or null.
 */
import type { FileDiffCounts, FileDiffKind, FileDiffRow } from "../compare";
import type { MergedFilesystem, PathVersion } from "../filetree/types";
import type { LayerEntry } from "../pipeline/types";
import { csvRow, type CsvValue } from "./csv";
import { escapeRawPath, exportPath, octalMode, type PathEncoding, type RawPaths } from "./names";

export const EXPORT_VERSION = 1;

/** The image an export is about, as the page names it. */
export interface ExportImage {
  readonly reference: string;
  readonly manifestDigest?: string;
  readonly configDigest?: string;
  readonly platform?: string;
}

const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `{head…, "name": [items…], …}` written item by item. */
function* jsonDocument(head: Readonly<Record<string, unknown>>, arrays: readonly (readonly [string, Iterable<unknown>])[]): Generator<string> {
  const h = JSON.stringify(head);
  yield h.slice(0, -1);
  let first = h === "{}";
  for (const [name, items] of arrays) {
    yield `${first ? "" : ","}\n${JSON.stringify(name)}: [`;
    first = false;
    let n = 0;
    for (const item of items) yield `${n++ === 0 ? "\n" : ",\n"}${JSON.stringify(item)}`;
    yield n === 0 ? "]" : "\n]";
  }
  yield "\n}\n";
}

// ---------------------------------------------------------------------------------------------
// The merged filesystem

export interface MergedExportInput {
  readonly image: ExportImage;
  readonly fs: MergedFilesystem;
  readonly layerCount: number;
  /** False while layers are missing, failed or partial (the view says "partial"). */
  readonly complete: boolean;
  /** Also list deleted paths (the tree's "show deleted"). */
  readonly includeDeleted: boolean;
  readonly rawPaths?: RawPaths;
}

interface MergedRow {
  readonly path: string;
  readonly pathEncoding: PathEncoding;
  readonly type: string;
  readonly size: number;
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string | null;
  readonly gname: string | null;
  readonly linkTarget: string | null;
  readonly layerIndex: number;
  readonly implied: boolean;
  readonly hiddenLayerIndexes: readonly number[];
}

interface DeletedRow {
  readonly path: string;
  readonly pathEncoding: PathEncoding;
  readonly type: string;
  readonly lastLayerIndex: number;
  readonly removedByLayerIndex: number;
  readonly how: string;
  readonly marker: string;
}

function* mergedRows(input: MergedExportInput): Generator<MergedRow> {
  const paths = [...input.fs.entries.keys()].filter((p) => p !== "").sort(byPath);
  for (const p of paths) {
    const e = input.fs.entries.get(p);
    if (!e) continue;
    const v = e.version;
    const { path, encoding } = exportPath(p, input.rawPaths);
    yield {
      path,
      pathEncoding: encoding,
      type: v.type,
      size: v.size,
      mode: octalMode(v.mode),
      uid: v.uid,
      gid: v.gid,
      uname: v.uname ?? null,
      gname: v.gname ?? null,
      linkTarget: v.linkname ?? null,
      layerIndex: v.layer,
      implied: e.implied,
      hiddenLayerIndexes: e.hides.map((h) => h.layer),
    };
  }
}

function* deletedRows(input: MergedExportInput): Generator<DeletedRow> {
  if (!input.includeDeleted) return;
  const paths = [...input.fs.deleted.keys()].filter((p) => p !== "" && !input.fs.entries.has(p)).sort(byPath);
  for (const p of paths) {
    const d = input.fs.deleted.get(p);
    if (!d) continue;
    const { path, encoding } = exportPath(p, input.rawPaths);
    yield { path, pathEncoding: encoding, type: d.last.type, lastLayerIndex: d.last.layer, removedByLayerIndex: d.removedBy, how: d.how, marker: d.marker };
  }
}

export function mergedJson(input: MergedExportInput): Generator<string> {
  return jsonDocument(
    {
      schema: "layerscope/merged-filesystem",
      version: EXPORT_VERSION,
      image: input.image,
      asOfLayerIndex: input.fs.upTo,
      layerCount: input.layerCount,
      complete: input.complete,
    },
    [
      ["entries", mergedRows(input)],
      ["deleted", deletedRows(input)],
    ],
  );
}

export const MERGED_CSV_HEADER = [
  "path",
  "path_encoding",
  "status",
  "type",
  "size",
  "mode",
  "uid",
  "gid",
  "uname",
  "gname",
  "link_target",
  "layer_index",
  "implied",
  "removed_by_layer_index",
] as const;

export function* mergedCsv(input: MergedExportInput): Generator<string> {
  yield csvRow(MERGED_CSV_HEADER);
  for (const r of mergedRows(input)) {
    yield csvRow([r.path, r.pathEncoding, "present", r.type, r.size, r.mode, r.uid, r.gid, r.uname ?? undefined, r.gname ?? undefined, r.linkTarget ?? undefined, r.layerIndex, r.implied, undefined]);
  }
  for (const d of deletedRows(input)) {
    yield csvRow([d.path, d.pathEncoding, "deleted", d.type, undefined, undefined, undefined, undefined, undefined, undefined, undefined, d.lastLayerIndex, undefined, d.removedByLayerIndex]);
  }
}

// ---------------------------------------------------------------------------------------------
// One layer's listing

export interface LayerExportInput {
  readonly image: ExportImage;
  readonly layer: {
    readonly layerIndex: number;
    readonly digest: string;
    readonly diffId: string | undefined;
    readonly mediaType: string;
    /** Both digests verified and the stream read to its end. */
    readonly trusted: boolean;
    readonly partial: boolean;
  };
  readonly entries: readonly LayerEntry[];
}

function layerPath(e: LayerEntry): { path: string; encoding: PathEncoding } {
  return e.flags?.includes("invalid-utf8") === true ? { path: escapeRawPath(e.rawPath), encoding: "escaped" } : { path: e.path, encoding: "utf-8" };
}

interface LayerRow {
  readonly path: string;
  readonly pathEncoding: PathEncoding;
  readonly type: string;
  readonly typeflag: string;
  readonly size: number;
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  readonly mtime: number;
  readonly linkTarget: string | null;
  readonly whiteout: string;
  readonly whiteoutTarget: string | null;
  readonly flags: readonly string[];
}

function* layerRows(entries: readonly LayerEntry[]): Generator<LayerRow> {
  for (const e of entries) {
    const { path, encoding } = layerPath(e);
    yield {
      path,
      pathEncoding: encoding,
      type: e.type,
      typeflag: e.typeflag,
      size: e.size,
      mode: octalMode(e.mode),
      uid: e.uid,
      gid: e.gid,
      uname: e.uname,
      gname: e.gname,
      mtime: e.mtime,
      linkTarget: e.linkname ?? null,
      whiteout: e.whiteout,
      whiteoutTarget: e.whiteoutTarget ?? null,
      flags: e.flags ?? [],
    };
  }
}

export function layerJson(input: LayerExportInput): Generator<string> {
  return jsonDocument(
    {
      schema: "layerscope/layer-listing",
      version: EXPORT_VERSION,
      image: input.image,
      layer: { ...input.layer, diffId: input.layer.diffId ?? null, entries: input.entries.length },
    },
    [["entries", layerRows(input.entries)]],
  );
}

export const LAYER_CSV_HEADER = [
  "path",
  "path_encoding",
  "type",
  "typeflag",
  "size",
  "mode",
  "uid",
  "gid",
  "uname",
  "gname",
  "mtime",
  "link_target",
  "whiteout",
  "whiteout_target",
  "flags",
] as const;

export function* layerCsv(input: LayerExportInput): Generator<string> {
  yield csvRow(LAYER_CSV_HEADER);
  for (const r of layerRows(input.entries)) {
    yield csvRow([
      r.path,
      r.pathEncoding,
      r.type,
      r.typeflag,
      r.size,
      r.mode,
      r.uid,
      r.gid,
      r.uname,
      r.gname,
      r.mtime,
      r.linkTarget ?? undefined,
      r.whiteout,
      r.whiteoutTarget ?? undefined,
      r.flags.join(" "),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// A comparison

export interface CompareExportInput {
  readonly a: ExportImage;
  readonly b: ExportImage;
  /** What the compare view had selected: these are the rows shown. */
  readonly filter: { readonly kinds: readonly FileDiffKind[]; readonly path: string; readonly attribute?: string };
  readonly counts: FileDiffCounts;
  readonly rows: readonly FileDiffRow[];
  readonly rawPaths?: RawPaths;
}

const side = (v: PathVersion | undefined): Record<string, unknown> | null =>
  v === undefined ? null : { layerIndex: v.layer, type: v.type, size: v.size, mode: octalMode(v.mode), uid: v.uid, gid: v.gid, linkTarget: v.linkname ?? null };

function* compareRows(input: CompareExportInput): Generator<Record<string, unknown>> {
  for (const r of input.rows) {
    const { path, encoding } = exportPath(r.path, input.rawPaths);
    yield { path, pathEncoding: encoding, kind: r.kind, changes: r.changes, content: r.content ?? null, a: side(r.a), b: side(r.b) };
  }
}

export function compareJson(input: CompareExportInput): Generator<string> {
  return jsonDocument(
    { schema: "layerscope/file-comparison", version: EXPORT_VERSION, a: input.a, b: input.b, filter: input.filter, counts: input.counts },
    [["rows", compareRows(input)]],
  );
}

const SIDE_FIELDS = ["layer_index", "type", "size", "mode", "uid", "gid", "link_target"] as const;
export const COMPARE_CSV_HEADER = ["path", "path_encoding", "kind", "changes", "content", ...SIDE_FIELDS.map((f) => `a_${f}`), ...SIDE_FIELDS.map((f) => `b_${f}`)];

const sideCells = (v: PathVersion | undefined): CsvValue[] =>
  v === undefined ? SIDE_FIELDS.map(() => undefined) : [v.layer, v.type, v.size, octalMode(v.mode), v.uid, v.gid, v.linkname];

export function* compareCsv(input: CompareExportInput): Generator<string> {
  yield csvRow(COMPARE_CSV_HEADER);
  for (const r of input.rows) {
    const { path, encoding } = exportPath(r.path, input.rawPaths);
    yield csvRow([path, encoding, r.kind, r.changes.join(" "), r.content, ...sideCells(r.a), ...sideCells(r.b)]);
  }
}
