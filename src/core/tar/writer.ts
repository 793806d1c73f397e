/**
 * A small tar writer for downloads (a directory as a tar): POSIX ustar headers, with a PAX
 * extended header (typeflag 'x') in front of an entry whose path, link target, size, ids or
 * owner names do not fit the ustar fields (POSIX.1-2001 pax "ustar Interchange Format" and
 * "pax Extended Header"). Bodies are not held here: the caller writes header, body, padding in
 * order, so an archive of any size streams. The offsets are the parser's own (format.ts).
 */
import { BLOCK_SIZE, USTAR, type Field } from "./format";

const encoder = new TextEncoder();

/** The entry kinds the writer emits, with their typeflags. */
export const WRITE_TYPEFLAG = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  char: "3",
  block: "4",
  dir: "5",
  fifo: "6",
} as const;

export type TarWriteType = keyof typeof WRITE_TYPEFLAG;

/** One entry's metadata. `size` is the body that follows (0 for everything but files). */
export interface TarWriteEntry {
  /** Path inside the archive, without a leading "/" (a directory gets its trailing "/" here). */
  readonly path: string;
  readonly type: TarWriteType;
  readonly size: number;
  /** Permission bits (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linkname?: string;
}

/** The two zero blocks that end an archive. */
export const TAR_END_MARKER_BYTES = 2 * BLOCK_SIZE;

/** Zero bytes after a body of `size` bytes, to the next block boundary. */
export function tarPaddingBytes(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/**
 * Splits a path into ustar (prefix, name): name ≤ 100 bytes, prefix ≤ 155, split at a '/'.
 * Undefined when no split fits (a PAX `path` record must carry it).
 */
export function splitUstarPath(path: string): [string, string] | undefined {
  if (encoder.encode(path).byteLength <= USTAR.name.size) return ["", path];
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== "/") continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (name !== "" && encoder.encode(prefix).byteLength <= USTAR.prefix.size && encoder.encode(name).byteLength <= USTAR.name.size) {
      return [prefix, name];
    }
  }
  return undefined;
}

/** Writes `value` as UTF-8 into `field`, cut at the field's size. */
export function writeTarString(block: Uint8Array, field: Field, value: string): void {
  block.set(encoder.encode(value).subarray(0, field.size), field.offset);
}

/** True when `value` fits the field as zero-padded octal with a NUL (the ustar numeric form). */
export function fitsOctal(field: Field, value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value < 8 ** (field.size - 1);
}

/** Octal, zero-padded to size-1 digits, NUL-terminated. Throws when it does not fit (check with {@link fitsOctal}). */
export function writeTarOctal(block: Uint8Array, field: Field, value: number): void {
  if (!fitsOctal(field, value)) throw new RangeError(`${value} does not fit a ${field.size}-byte octal field`);
  writeTarString(block, field, `${value.toString(8).padStart(field.size - 1, "0")}\0`);
}

/**
 * The header checksum: the unsigned sum of all 512 header bytes with the checksum field itself
 * counted as eight spaces.
 */
export function tarChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const inField = i >= USTAR.checksum.offset && i < USTAR.checksum.offset + USTAR.checksum.size;
    sum += inField ? 0x20 : (block[i] ?? 0);
  }
  return sum;
}

/** Fills the checksum field as GNU tar writes it: six octal digits, NUL, space. */
export function sealTarHeader(block: Uint8Array): void {
  block.set(encoder.encode(`${tarChecksum(block).toString(8).padStart(6, "0")}\0 `), USTAR.checksum.offset);
}

/**
 * PAX records: "<len> <key>=<value>\n", where <len> counts the whole record including itself
 * (POSIX pax "Extended header format").
 */
export function paxBody(records: Iterable<readonly [string, string]>): Uint8Array {
  let text = "";
  for (const [key, value] of records) {
    const rest = ` ${key}=${value}\n`;
    const restLength = encoder.encode(rest).byteLength;
    let len = restLength + 1;
    while (String(len).length + restLength > len) len++;
    text += `${len}${rest}`;
  }
  return encoder.encode(text);
}

interface UstarFields {
  readonly name: string;
  readonly prefix: string;
  readonly typeflag: string;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly linkname: string;
  readonly uname: string;
  readonly gname: string;
}

/** One 512-byte ustar header from fields that are known to fit. */
function ustarBlock(f: UstarFields): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  writeTarString(block, USTAR.name, f.name);
  writeTarOctal(block, USTAR.mode, f.mode & 0o7777);
  writeTarOctal(block, USTAR.uid, f.uid);
  writeTarOctal(block, USTAR.gid, f.gid);
  writeTarOctal(block, USTAR.size, f.size);
  writeTarOctal(block, USTAR.mtime, f.mtime);
  writeTarString(block, USTAR.typeflag, f.typeflag);
  writeTarString(block, USTAR.linkname, f.linkname);
  // "ustar\0" + "00": POSIX ustar, which PAX readers (GNU tar, Go, bsdtar) all accept.
  writeTarString(block, USTAR.magic, "ustar\0");
  writeTarString(block, USTAR.version, "00");
  writeTarString(block, USTAR.uname, f.uname);
  writeTarString(block, USTAR.gname, f.gname);
  writeTarOctal(block, USTAR.devmajor, 0);
  writeTarOctal(block, USTAR.devminor, 0);
  writeTarString(block, USTAR.prefix, f.prefix);
  sealTarHeader(block);
  return block;
}

const fitsString = (field: Field, value: string): boolean => encoder.encode(value).byteLength <= field.size;

/**
 * The header block(s) for `entry`: a PAX header and its padded body first when a field does not
 * fit ustar, then the ustar header (with what fits, as GNU tar does). The body and its padding
 * ({@link tarPaddingBytes}) are the caller's to write next.
 */
export function tarHeader(entry: TarWriteEntry): Uint8Array {
  const path = entry.type === "dir" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  const linkname = entry.linkname ?? "";
  const mtime = Math.max(0, Math.floor(entry.mtime));
  const records: [string, string][] = [];
  const split = splitUstarPath(path);
  if (split === undefined) records.push(["path", path]);
  if (!fitsString(USTAR.linkname, linkname)) records.push(["linkpath", linkname]);
  if (!fitsOctal(USTAR.size, entry.size)) records.push(["size", String(entry.size)]);
  if (!fitsOctal(USTAR.uid, entry.uid)) records.push(["uid", String(entry.uid)]);
  if (!fitsOctal(USTAR.gid, entry.gid)) records.push(["gid", String(entry.gid)]);
  if (!fitsString(USTAR.uname, entry.uname)) records.push(["uname", entry.uname]);
  if (!fitsString(USTAR.gname, entry.gname)) records.push(["gname", entry.gname]);
  if (!fitsOctal(USTAR.mtime, mtime)) records.push(["mtime", String(mtime)]);

  const [prefix, name] = split ?? ["", path.slice(-USTAR.name.size)];
  const main = ustarBlock({
    name,
    prefix,
    typeflag: WRITE_TYPEFLAG[entry.type],
    size: fitsOctal(USTAR.size, entry.size) ? entry.size : 0,
    mode: entry.mode,
    uid: fitsOctal(USTAR.uid, entry.uid) ? entry.uid : 0,
    gid: fitsOctal(USTAR.gid, entry.gid) ? entry.gid : 0,
    mtime: fitsOctal(USTAR.mtime, mtime) ? mtime : 0,
    linkname,
    uname: entry.uname,
    gname: entry.gname,
  });
  if (records.length === 0) return main;

  const body = paxBody(records);
  const paxName = `PaxHeaders/${name}`.slice(0, USTAR.name.size);
  const pax = ustarBlock({ name: paxName, prefix: "", typeflag: "x", size: body.byteLength, mode: 0o644, uid: 0, gid: 0, mtime: fitsOctal(USTAR.mtime, mtime) ? mtime : 0, linkname: "", uname: "", gname: "" });
  const out = new Uint8Array(BLOCK_SIZE + body.byteLength + tarPaddingBytes(body.byteLength) + BLOCK_SIZE);
  out.set(pax, 0);
  out.set(body, BLOCK_SIZE);
  out.set(main, out.length - BLOCK_SIZE);
  return out;
}
