/**
 * Test-only: builds POSIX ustar archives in memory, byte for byte, so tests and the sample image
 * never depend on a tar binary or on files on disk (→ node-tar test/fixtures, containerd
 * pkg/archive/tartest).
 *
 * Layout (POSIX.1-1988 ustar, as in GNU tar's "tar.h"): each entry is one 512-byte header block,
 * then the body padded with zeros to a multiple of 512; the archive ends with two zero blocks.
 * Optional PAX extended headers (typeflag 'x') and raw blocks let tests build odd archives.
 */

// The header layout is the parser's own (one set of named offsets for reading and writing).
import { BLOCK_SIZE, USTAR } from "../tar/format";
import { fitsOctal, paxBody, sealTarHeader, splitUstarPath, tarChecksum, writeTarOctal, writeTarString } from "../tar/writer";
export { BLOCK_SIZE, USTAR, paxBody, tarChecksum };

/** ustar typeflags used here. */
export const TYPEFLAG = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  char: "3",
  block: "4",
  dir: "5",
  fifo: "6",
  paxHeader: "x",
  paxGlobal: "g",
} as const;

/** One entry to write. Paths are written as given (no normalisation), so tests can write odd ones. */
export interface TarEntry {
  readonly path: string;
  /** Default "file". */
  readonly type?: "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";
  /** File body; strings are written as UTF-8. Only files have bodies. */
  readonly content?: Uint8Array | string;
  /** Target of a symlink or hardlink. */
  readonly linkname?: string;
  /** Permission bits; default 0o644 for files, 0o755 for dirs, 0o777 for symlinks. */
  readonly mode?: number;
  /** Seconds since the epoch; default {@link DEFAULT_MTIME} (deterministic output). */
  readonly mtime?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly uname?: string;
  readonly gname?: string;
  /** PAX records written in a typeflag 'x' header just before this entry (e.g. a long `path`). */
  readonly pax?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Write this typeflag instead of the one `type` implies (unknown types, GNU 'L', …). */
  readonly typeflag?: string;
}

/** A verbatim chunk inserted between entries (must be block-aligned unless a test wants otherwise). */
export interface RawBlocks {
  readonly raw: Uint8Array;
}

export interface TarOptions {
  /** Write the two zero blocks at the end (default true). */
  readonly endMarker?: boolean;
  /** Bytes appended after the end marker (garbage, padding as some tools write). */
  readonly trailing?: Uint8Array;
}

/** 2020-01-01T00:00:00Z: a fixed default so built archives are identical on every run. */
export const DEFAULT_MTIME = 1577836800;

const encoder = new TextEncoder();

/**
 * Builds a tar archive from entries in order. Paths longer than 100 bytes are split into
 * ustar prefix/name at a '/'; paths that cannot be split need a `pax` path record instead
 * (this function throws, since a silently truncated name would make a test lie).
 */
export function buildTar(entries: readonly (TarEntry | RawBlocks)[], options: TarOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if ("raw" in entry) {
      parts.push(entry.raw);
      continue;
    }
    if (entry.pax !== undefined) {
      const records = entry.pax instanceof Map ? [...entry.pax] : Object.entries(entry.pax);
      const body = paxBody(records);
      const paxPath = `PaxHeaders/${lastComponent(entry.path)}`.slice(0, 100);
      parts.push(header({ path: paxPath, typeflag: TYPEFLAG.paxHeader, size: body.byteLength, mode: 0o644, mtime: entry.mtime ?? DEFAULT_MTIME }, true));
      parts.push(padded(body));
    }
    const type = entry.type ?? "file";
    const body = type === "file" && entry.content !== undefined ? toBytes(entry.content) : new Uint8Array();
    parts.push(
      header({
        path: entry.path,
        typeflag: entry.typeflag ?? TYPEFLAG[type],
        size: body.byteLength,
        mode: entry.mode ?? (type === "dir" ? 0o755 : type === "symlink" ? 0o777 : 0o644),
        mtime: entry.mtime ?? DEFAULT_MTIME,
        linkname: entry.linkname ?? "",
        uid: entry.uid ?? 0,
        gid: entry.gid ?? 0,
        uname: entry.uname ?? "root",
        gname: entry.gname ?? "root",
      }, entry.pax !== undefined),
    );
    if (body.byteLength > 0) parts.push(padded(body));
  }
  if (options.endMarker !== false) parts.push(new Uint8Array(2 * BLOCK_SIZE));
  if (options.trailing !== undefined) parts.push(options.trailing);
  return concatBytes(parts);
}

interface HeaderFields {
  readonly path: string;
  readonly typeflag: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  readonly linkname?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly uname?: string;
  readonly gname?: string;
}

/**
 * One 512-byte ustar header. With `lenient`, an over-long path is cut instead of refused (a PAX
 * record carries the real one).
 */
function header(f: HeaderFields, lenient: boolean): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  const [prefix, name] = splitPath(f.path, lenient);
  writeString(block, USTAR.name, name);
  writeOctal(block, USTAR.mode, f.mode & 0o7777);
  writeOctal(block, USTAR.uid, f.uid ?? 0);
  writeOctal(block, USTAR.gid, f.gid ?? 0);
  writeOctal(block, USTAR.size, f.size);
  writeOctal(block, USTAR.mtime, f.mtime);
  writeString(block, USTAR.typeflag, f.typeflag);
  writeString(block, USTAR.linkname, f.linkname ?? "", lenient);
  // "ustar\0" + "00": POSIX ustar (GNU tar writes "ustar  \0" instead; both are read alike).
  writeString(block, USTAR.magic, "ustar\0");
  writeString(block, USTAR.version, "00");
  writeString(block, USTAR.uname, f.uname ?? "root");
  writeString(block, USTAR.gname, f.gname ?? "root");
  writeOctal(block, USTAR.devmajor, 0);
  writeOctal(block, USTAR.devminor, 0);
  writeString(block, USTAR.prefix, prefix);
  sealTarHeader(block);
  return block;
}

/** Splits a path into ustar (prefix, name) with the writer's rule; lenient keeps an unsplittable path whole (cut). */
function splitPath(path: string, lenient: boolean): [string, string] {
  const split = splitUstarPath(path);
  if (split !== undefined) return split;
  if (lenient) return ["", path];
  throw new Error(`buildTar: "${path}" does not fit a ustar header; give it a pax path record`);
}

function writeString(block: Uint8Array, field: { offset: number; size: number }, value: string, lenient = true): void {
  if (encoder.encode(value).byteLength > field.size && !lenient) throw new Error(`buildTar: "${value}" is longer than ${field.size} bytes`);
  writeTarString(block, field, value);
}

/** Octal, zero-padded to width-1 digits, NUL-terminated (ustar numeric field). */
function writeOctal(block: Uint8Array, field: { offset: number; size: number }, value: number): void {
  if (!fitsOctal(field, value)) throw new Error(`buildTar: ${value} does not fit a ${field.size}-byte octal field`);
  writeTarOctal(block, field, value);
}

function padded(body: Uint8Array): Uint8Array {
  const size = Math.ceil(body.byteLength / BLOCK_SIZE) * BLOCK_SIZE;
  if (size === body.byteLength) return body;
  const out = new Uint8Array(size);
  out.set(body);
  return out;
}

function lastComponent(path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  return parts[parts.length - 1] ?? "entry";
}

function toBytes(content: Uint8Array | string): Uint8Array {
  return typeof content === "string" ? encoder.encode(content) : content;
}

/** Joins byte arrays in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
