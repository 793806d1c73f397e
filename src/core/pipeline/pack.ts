/**
 * A compact, structured-clone friendly form of a layer's entries: how a layer's index leaves the
 * worker that made it (its typed arrays transferred, see workers/protocol.ts) and how the
 * persistent cache stores it.
 *
 * Why not store the LayerEntry objects as they are: IndexedDB serialises a value with the
 * structured-clone algorithm on the calling thread, object by object; 200 000 entry objects,
 * each with its own Uint8Array, is hundreds of milliseconds of main-thread work to write and as
 * much to read, and the store holds one record per object property. Packed, a layer is a dozen
 * typed arrays and three strings: cloning them is a copy. The columns:
 *
 * - `text` holds every path, link name and whiteout target back to back; `*Len` columns give
 *   each one's length in UTF-16 code units (-1: absent). Slicing a long string is cheap in V8.
 * - `raw` holds the rawPath bytes back to back of the entries whose raw name is not simply their
 *   ASCII path (`rawLen` -1: the path's own bytes, the common case, stored once as text).
 *   Decoded entries get views into one buffer.
 * - Low-cardinality strings (type, typeflag, whiteout kind, uname, gname) are indexes into `dict`.
 * - Numeric columns are Uint32Array when every value is an integer in [0, 2^32), else Float64Array
 *   (sizes over 4 GiB, fractional PAX mtimes): exact either way.
 * - `flags` is sparse: [entry index, flags] for the few entries that have any.
 *
 * Encoding and decoding run in slices of {@link SLICE} entries with a yield between slices, so
 * a large layer never blocks the page for long (measured figures in README.md, "Persistent cache").
 */
import type { EntryType, LayerEntry, WhiteoutKind } from "./types";
import type { Steps } from "../steps";

/** Entries handled between two yields to the event loop. */
export const SLICE = 10_000;

type NumberColumn = Uint32Array | Float64Array;

export interface PackedEntries {
  readonly n: number;
  readonly text: string;
  readonly pathLen: Uint32Array;
  readonly linkLen: Int32Array;
  readonly targetLen: Int32Array;
  readonly raw: Uint8Array;
  /** Bytes of each raw name in `raw`, or -1 when it is the ASCII path itself. */
  readonly rawLen: Int32Array;
  /** 1 when every character of `text` is below U+0100 (browsers then store a byte per character), else 2. */
  readonly textUnitBytes: 1 | 2;
  readonly dict: readonly string[];
  /** n × 5 dictionary indexes: type, typeflag, whiteout, uname, gname (16 bits while the dictionary allows). */
  readonly names: Uint16Array | Uint32Array;
  readonly size: NumberColumn;
  readonly mode: NumberColumn;
  readonly uid: NumberColumn;
  readonly gid: NumberColumn;
  readonly mtime: NumberColumn;
  readonly headerOffset: NumberColumn;
  readonly dataOffset: NumberColumn;
  readonly flags: readonly (readonly [number, readonly string[]])[];
}

const NUMBER_FIELDS = ["size", "mode", "uid", "gid", "mtime", "headerOffset", "dataOffset"] as const;
const NAME_FIELDS = ["type", "typeflag", "whiteout", "uname", "gname"] as const;
const NAMES = NAME_FIELDS.length;

/** Lets the page paint between slices (the page passes lib/yield.ts `yieldToPage`). */
export type Yield = () => Promise<void>;
const noYield: Yield = () => Promise.resolve();

/**
 * Bytes the packed form occupies: typed arrays by their length, the text at 1 or 2 bytes per
 * code unit as browsers store strings, small strings at 2 (an upper bound).
 */
export function packedBytes(p: PackedEntries): number {
  let bytes = p.text.length * p.textUnitBytes + p.raw.byteLength + p.pathLen.byteLength + p.linkLen.byteLength + p.targetLen.byteLength + p.rawLen.byteLength + p.names.byteLength;
  for (const f of NUMBER_FIELDS) bytes += p[f].byteLength;
  for (const s of p.dict) bytes += s.length * 2;
  for (const [, fl] of p.flags) bytes += 8 + fl.reduce((a, s) => a + s.length * 2, 0);
  return bytes;
}

/**
 * The buffers of a packed form, to transfer rather than copy (postMessage's transfer list). Each
 * column owns its buffer (made by packEntries), so transferring them leaves nothing shared behind.
 */
export function packedBuffers(p: PackedEntries): ArrayBuffer[] {
  const columns = [p.pathLen, p.linkLen, p.targetLen, p.raw, p.rawLen, p.names, ...NUMBER_FIELDS.map((f) => p[f])];
  const buffers = new Set<ArrayBuffer>();
  for (const c of columns) if (c.buffer instanceof ArrayBuffer && c.byteLength > 0) buffers.add(c.buffer);
  return [...buffers];
}

/** The column as Uint32Array when every value is an integer in [0, 2^32), else as it is. */
function narrowed(col: Float64Array): NumberColumn {
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    if (!(v >= 0 && v <= 0xffff_ffff && Math.floor(v) === v)) return col;
  }
  return Uint32Array.from(col);
}

/** True when `raw` is exactly the bytes of `path` and `path` is ASCII (so it need not be stored twice). */
function isAsciiPath(raw: Uint8Array, path: string): boolean {
  if (raw.length !== path.length) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x80 || raw[i] !== c) return false;
  }
  return true;
}

/** Any character above U+00FF: the browser then stores the string at two bytes per character. */
const WIDE = /[\u0100-\uffff]/;

/** Packs entries (tar order kept). `yieldFn` runs between slices; tests pass none. */
export async function packEntries(entries: readonly LayerEntry[], yieldFn: Yield = noYield): Promise<PackedEntries> {
  const n = entries.length;
  const pathLen = new Uint32Array(n);
  const linkLen = new Int32Array(n);
  const targetLen = new Int32Array(n);
  const rawLen = new Int32Array(n);
  let names: Uint16Array | Uint32Array = new Uint16Array(n * NAMES);
  const dict: string[] = [];
  const dictIndex = new Map<string, number>();
  const size = new Float64Array(n);
  const mode = new Float64Array(n);
  const uid = new Float64Array(n);
  const gid = new Float64Array(n);
  const mtime = new Float64Array(n);
  const headerOffset = new Float64Array(n);
  const dataOffset = new Float64Array(n);
  const flags: [number, readonly string[]][] = [];
  const textParts: string[] = [];
  const raws: Uint8Array[] = [];
  let rawBytes = 0;
  let wide = false;

  const intern = (s: string): number => {
    let at = dictIndex.get(s);
    if (at === undefined) {
      at = dict.length;
      dict.push(s);
      dictIndex.set(s, at);
      // More distinct names than 16 bits can index (a hostile layer): widen once.
      if (at === 0x1_0000 && names instanceof Uint16Array) names = Uint32Array.from(names);
    }
    return at;
  };

  for (let start = 0; start < n; start += SLICE) {
    if (start > 0) await yieldFn();
    const end = Math.min(n, start + SLICE);
    const slice: string[] = [];
    for (let i = start; i < end; i++) {
      const e = entries[i]!;
      slice.push(e.path);
      pathLen[i] = e.path.length;
      if (e.linkname !== undefined) {
        slice.push(e.linkname);
        linkLen[i] = e.linkname.length;
      } else linkLen[i] = -1;
      if (e.whiteoutTarget !== undefined) {
        slice.push(e.whiteoutTarget);
        targetLen[i] = e.whiteoutTarget.length;
      } else targetLen[i] = -1;
      if (isAsciiPath(e.rawPath, e.path)) rawLen[i] = -1;
      else {
        rawLen[i] = e.rawPath.byteLength;
        rawBytes += e.rawPath.byteLength;
        raws.push(e.rawPath);
      }
      // Interned first: interning may widen `names`, and `names[o] = intern(…)` would write to the old array.
      const t = intern(e.type);
      const tf = intern(e.typeflag);
      const w = intern(e.whiteout);
      const u = intern(e.uname);
      const g = intern(e.gname);
      const o = i * NAMES;
      names[o] = t;
      names[o + 1] = tf;
      names[o + 2] = w;
      names[o + 3] = u;
      names[o + 4] = g;
      size[i] = e.size;
      mode[i] = e.mode;
      uid[i] = e.uid;
      gid[i] = e.gid;
      mtime[i] = e.mtime;
      headerOffset[i] = e.headerOffset;
      dataOffset[i] = e.dataOffset;
      if (e.flags !== undefined) flags.push([i, [...e.flags]]);
    }
    const joined = slice.join("");
    if (!wide && WIDE.test(joined)) wide = true;
    textParts.push(joined);
  }

  const raw = new Uint8Array(rawBytes);
  let at = 0;
  for (const r of raws) {
    raw.set(r, at);
    at += r.byteLength;
  }
  return {
    n,
    text: textParts.join(""),
    pathLen,
    linkLen,
    targetLen,
    raw,
    rawLen,
    textUnitBytes: wide ? 2 : 1,
    dict,
    names,
    size: narrowed(size),
    mode: narrowed(mode),
    uid: narrowed(uid),
    gid: narrowed(gid),
    mtime: narrowed(mtime),
    headerOffset: narrowed(headerOffset),
    dataOffset: narrowed(dataOffset),
    flags,
  };
}

/** Why a stored value is not a well-formed packed form (a corrupt or foreign record), or undefined. */
export function checkPacked(p: unknown): string | undefined {
  if (typeof p !== "object" || p === null) return "not an object";
  const v = p as Record<string, unknown>;
  const n = v["n"];
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return "bad entry count";
  if (typeof v["text"] !== "string") return "no text";
  if (!(v["raw"] instanceof Uint8Array)) return "no raw paths";
  if (!Array.isArray(v["dict"]) || !v["dict"].every((s) => typeof s === "string")) return "bad dictionary";
  if (!Array.isArray(v["flags"])) return "bad flags";
  if (v["textUnitBytes"] !== 1 && v["textUnitBytes"] !== 2) return "bad text width";
  const lengths: [string, unknown, number][] = [
    ["pathLen", Uint32Array, n],
    ["linkLen", Int32Array, n],
    ["targetLen", Int32Array, n],
    ["rawLen", Int32Array, n],
  ];
  for (const [k, type, len] of lengths) {
    const col = v[k];
    if (!(col instanceof (type as typeof Uint32Array)) || col.length !== len) return `bad column ${k}`;
  }
  const names = v["names"];
  if (!(names instanceof Uint16Array || names instanceof Uint32Array) || names.length !== n * NAMES) return "bad column names";
  for (const f of NUMBER_FIELDS) {
    const col = v[f];
    if (!(col instanceof Uint32Array || col instanceof Float64Array) || col.length !== n) return `bad column ${f}`;
  }
  // The lengths must add up exactly, or slicing would read past the end or mix entries.
  const p2 = p as PackedEntries;
  let text = 0;
  let raw = 0;
  for (let i = 0; i < n; i++) {
    text += p2.pathLen[i]! + Math.max(0, p2.linkLen[i]!) + Math.max(0, p2.targetLen[i]!);
    const r = p2.rawLen[i]!;
    if (r < -1) return "bad raw path length";
    raw += Math.max(0, r);
  }
  if (text !== p2.text.length) return "text lengths do not add up";
  if (raw !== p2.raw.byteLength) return "raw path lengths do not add up";
  const dictSize = p2.dict.length;
  for (let i = 0; i < p2.names.length; i++) if (p2.names[i]! >= dictSize) return "dictionary index out of range";
  return undefined;
}

/**
 * The entries back, equal to the ones packed. Call {@link checkPacked} first on anything read
 * from storage; what it cannot see cheaply (a raw name marked ASCII that is not) throws here.
 */
export async function unpackEntries(p: PackedEntries, yieldFn: Yield = noYield): Promise<LayerEntry[]> {
  const steps = unpackSteps(p);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await yieldFn();
  }
}

/**
 * Arrays of entries made by unpacking, with the packed form they came from: sending them on
 * (to the filetree worker) then needs no packing again. Kept while the array is.
 */
const unpackedFrom = new WeakMap<readonly LayerEntry[], PackedEntries>();

/** The packed form `entries` were unpacked from, if they were (the same entries, in the same order). */
export function packedFormOf(entries: readonly LayerEntry[]): PackedEntries | undefined {
  return unpackedFrom.get(entries);
}

/** {@link unpackEntries} as steps (core/steps.ts), a pause between slices: run at once with runSteps in a worker. */
export function* unpackSteps(p: PackedEntries): Steps<LayerEntry[]> {
  const out: LayerEntry[] = new Array<LayerEntry>(p.n);
  const flags = new Map<number, readonly string[]>(p.flags.map(([i, f]) => [i, f]));
  // Raw names that are their ASCII path are rebuilt into one buffer, so each entry gets a view.
  let asciiBytes = 0;
  for (let i = 0; i < p.n; i++) if (p.rawLen[i]! < 0) asciiBytes += p.pathLen[i]!;
  const ascii = new Uint8Array(asciiBytes);
  let asciiAt = 0;
  let textAt = 0;
  let rawAt = 0;
  for (let start = 0; start < p.n; start += SLICE) {
    if (start > 0) yield;
    const end = Math.min(p.n, start + SLICE);
    for (let i = start; i < end; i++) {
      const path = p.text.slice(textAt, (textAt += p.pathLen[i]!));
      const ll = p.linkLen[i]!;
      const linkname = ll >= 0 ? p.text.slice(textAt, (textAt += ll)) : undefined;
      const tl = p.targetLen[i]!;
      const whiteoutTarget = tl >= 0 ? p.text.slice(textAt, (textAt += tl)) : undefined;
      let rawPath: Uint8Array;
      const rl = p.rawLen[i]!;
      if (rl >= 0) rawPath = p.raw.subarray(rawAt, (rawAt += rl));
      else {
        const from = asciiAt;
        for (let k = 0; k < path.length; k++) {
          const c = path.charCodeAt(k);
          if (c >= 0x80) throw new Error("damaged record: a raw name marked as its ASCII path is not ASCII");
          ascii[asciiAt++] = c;
        }
        rawPath = ascii.subarray(from, asciiAt);
      }
      const o = i * NAMES;
      // One literal shape for every entry (fast to create), then the optional fields, present
      // exactly when they were packed; key order does not matter to anything that reads them.
      const e: { -readonly [K in keyof LayerEntry]: LayerEntry[K] } = {
        path,
        rawPath,
        type: p.dict[p.names[o]!] as EntryType,
        typeflag: p.dict[p.names[o + 1]!]!,
        size: p.size[i]!,
        mode: p.mode[i]!,
        uid: p.uid[i]!,
        gid: p.gid[i]!,
        uname: p.dict[p.names[o + 3]!]!,
        gname: p.dict[p.names[o + 4]!]!,
        mtime: p.mtime[i]!,
        whiteout: p.dict[p.names[o + 2]!] as WhiteoutKind,
        headerOffset: p.headerOffset[i]!,
        dataOffset: p.dataOffset[i]!,
      };
      if (linkname !== undefined) e.linkname = linkname;
      if (whiteoutTarget !== undefined) e.whiteoutTarget = whiteoutTarget;
      const fl = flags.get(i);
      if (fl !== undefined) e.flags = fl;
      out[i] = e;
    }
  }
  unpackedFrom.set(out, p);
  return out;
}
