/**
 * Test-only: block-level tar builders for what src/core/testing/tar.ts deliberately does not
 * write: GNU and V7 headers, GNU 'L'/'K' long names, base-256 numbers, raw PAX bodies, sparse
 * headers, wrong checksums. Each function returns bytes; tests concatenate them, so an archive's
 * exact layout is visible in the test (→ node-tar test/fixtures/make-tar, containerd tartest).
 * Also the chunking helper every parser test runs through.
 */
import { BLOCK_SIZE, USTAR, blockPadding, type Field } from "./format";
import { createTarParser } from "./parser";
import type { TarParserOptions, TarSummary } from "./types";

const encoder = new TextEncoder();

export type Bytes = Uint8Array | string;
const bytesOf = (b: Bytes): Uint8Array => (typeof b === "string" ? encoder.encode(b) : b);

/** A numeric field value: a number (written in octal), or explicit raw bytes (base-256, junk…). */
export type NumericValue = number | Uint8Array;

export interface HeaderSpec {
  readonly name?: Bytes;
  /** ustar/star prefix bytes (ignored by readers for GNU and V7 headers, but written as given). */
  readonly prefix?: Bytes;
  /** Typeflag as a one-character string ("0", "x", "L") or a byte. Default "0". */
  readonly typeflag?: string | number;
  readonly size?: NumericValue;
  readonly mode?: NumericValue;
  readonly uid?: NumericValue;
  readonly gid?: NumericValue;
  readonly mtime?: NumericValue;
  readonly linkname?: Bytes;
  readonly uname?: Bytes;
  readonly gname?: Bytes;
  readonly devmajor?: NumericValue;
  readonly devminor?: NumericValue;
  /** Header layout: "ustar" (default; "ustar\0" "00"), "gnu" ("ustar " " \0"), "v7" (no magic), "star". */
  readonly format?: "ustar" | "gnu" | "v7" | "star";
  /** Raw bytes written at offsets after everything else, before the checksum (sparse fields…). */
  readonly patch?: ReadonlyArray<readonly [offset: number, bytes: Uint8Array]>;
  /** "unsigned" (default), "signed" (old Sun tar), "wrong" (off by one), or a literal field. */
  readonly checksum?: "unsigned" | "signed" | "wrong" | Uint8Array;
}

/** One 512-byte header block. Fields are written as given: nothing is validated or split. */
export function header(spec: HeaderSpec): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const put = (field: Field, value: Bytes | undefined): void => {
    if (value === undefined) return;
    const bytes = bytesOf(value);
    if (bytes.length > field.size) throw new Error(`header(): ${bytes.length} bytes do not fit a ${field.size}-byte field`);
    b.set(bytes, field.offset);
  };
  const num = (field: Field, value: NumericValue | undefined): void => {
    if (value === undefined) return;
    if (value instanceof Uint8Array) put(field, value);
    else put(field, `${value.toString(8).padStart(field.size - 1, "0")}\0`);
  };
  const format = spec.format ?? "ustar";
  put(USTAR.name, spec.name ?? "file");
  num(USTAR.mode, spec.mode ?? 0o644);
  num(USTAR.uid, spec.uid ?? 0);
  num(USTAR.gid, spec.gid ?? 0);
  num(USTAR.size, spec.size ?? 0);
  num(USTAR.mtime, spec.mtime ?? 1577836800);
  const flag = spec.typeflag ?? "0";
  b[USTAR.typeflag.offset] = typeof flag === "number" ? flag : flag.charCodeAt(0);
  put(USTAR.linkname, spec.linkname);
  if (format === "ustar" || format === "star") {
    put(USTAR.magic, "ustar\0");
    put(USTAR.version, "00");
  } else if (format === "gnu") {
    put(USTAR.magic, "ustar ");
    put(USTAR.version, " \0");
  }
  if (format !== "v7") {
    put(USTAR.uname, spec.uname ?? "root");
    put(USTAR.gname, spec.gname ?? "root");
    num(USTAR.devmajor, spec.devmajor ?? 0);
    num(USTAR.devminor, spec.devminor ?? 0);
  }
  if (format === "star") b.set(encoder.encode("tar\0"), 508);
  if (spec.prefix !== undefined) b.set(bytesOf(spec.prefix), USTAR.prefix.offset);
  for (const [offset, bytes] of spec.patch ?? []) b.set(bytes, offset);
  const c = spec.checksum ?? "unsigned";
  if (c instanceof Uint8Array) {
    b.set(c, USTAR.checksum.offset);
  } else {
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK_SIZE; i++) {
      const v = i >= USTAR.checksum.offset && i < USTAR.checksum.offset + USTAR.checksum.size ? 0x20 : (b[i] as number);
      unsigned += v;
      signed += v < 0x80 ? v : v - 0x100;
    }
    const sum = c === "signed" ? signed : c === "wrong" ? unsigned + 1 : unsigned;
    // Six octal digits, NUL, space: what GNU tar writes. A negative signed sum cannot be octal.
    if (sum < 0) throw new Error("header(): the signed checksum is negative; use more ASCII");
    b.set(encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `), USTAR.checksum.offset);
  }
  return b;
}

/** A body padded with zeros to whole blocks. */
export function body(content: Bytes): Uint8Array {
  const bytes = bytesOf(content);
  const out = new Uint8Array(bytes.length + blockPadding(bytes.length));
  out.set(bytes);
  return out;
}

/** A header followed by its body; `size` defaults to the body's length. */
export function entry(spec: HeaderSpec, content: Bytes = new Uint8Array()): Uint8Array {
  const bytes = bytesOf(content);
  return concat([header({ size: bytes.length, ...spec }), body(bytes)]);
}

/**
 * PAX records "<len> <key>=<value>\n" with the self-counting length (POSIX pax). Values may be
 * raw bytes (invalid UTF-8, NULs) to test what readers refuse.
 */
export function paxRecords(records: ReadonlyArray<readonly [string, Bytes]>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of records) {
    const rest = concat([encoder.encode(` ${key}=`), bytesOf(value), encoder.encode("\n")]);
    let len = rest.length + 1;
    while (String(len).length + rest.length > len) len++;
    parts.push(encoder.encode(String(len)), rest);
  }
  return concat(parts);
}

/** A PAX extended header ('x', or 'g' for global) with its records as the body. */
export function pax(records: ReadonlyArray<readonly [string, Bytes]>, spec: HeaderSpec & { global?: boolean } = {}): Uint8Array {
  const { global, ...rest } = spec;
  return entry({ name: "PaxHeaders/x", typeflag: global === true ? "g" : "x", ...rest }, paxRecords(records));
}

/**
 * A GNU long name ('L') or long link ('K') meta entry, as GNU tar writes it: name
 * "././@LongLink", GNU magic, body = the name and a NUL (the size counts the NUL).
 */
export function gnuLong(kind: "L" | "K", name: Bytes, spec: HeaderSpec = {}): Uint8Array {
  const bytes = concat([bytesOf(name), new Uint8Array(1)]);
  return entry({ name: "././@LongLink", typeflag: kind, format: "gnu", ...spec }, bytes);
}

/**
 * Base-256 (GNU binary) encoding of `value` in a `width`-byte field: big-endian two's
 * complement with the top bit of the first byte set as the marker (Go strconv.go formatNumeric).
 */
export function base256(value: bigint | number, width: number): Uint8Array {
  let v = BigInt(value);
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  out[0] = (out[0] as number) | 0x80;
  return out;
}

/** The end-of-archive marker: two zero blocks. */
export const END = new Uint8Array(2 * BLOCK_SIZE);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Chunk sizes every parser test runs with: whole, 1 byte, and sizes that straddle blocks. */
export const CHUNKINGS: readonly (number | "whole")[] = ["whole", 1, 7, 511, 513, 4093];

/** Cuts `bytes` into chunks of `size` (copies, so the parser cannot rely on sharing a buffer). */
export function* chunks(bytes: Uint8Array, size: number | "whole"): Generator<Uint8Array> {
  if (size === "whole") {
    yield bytes.slice();
    return;
  }
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** Parses `bytes` pushed in chunks of `size`. */
export function parseChunked(bytes: Uint8Array, size: number | "whole", options: TarParserOptions = {}): TarSummary {
  const parser = createTarParser(options);
  for (const c of chunks(bytes, size)) {
    parser.push(c);
    // Reuse the chunk's memory as a caller that recycles buffers would: the parser must not keep it.
    c.fill(0xee);
  }
  return parser.end();
}
