/**
 * PAX extended header records (POSIX.1-2001 pax, "pax Extended Header"): a body of records
 * `"<length> <keyword>=<value>\n"`, where <length> counts the whole record, digits and newline
 * included. Parsed as Go's archive/tar does (strconv.go `parsePAXRecord`, reader.go `parsePAX`).
 */
import { err, ok, type Result } from "../result";

/** Keywords this parser applies to the entry; everything else is kept as an unknown record. */
export const PAX = {
  path: "path",
  linkpath: "linkpath",
  size: "size",
  uid: "uid",
  gid: "gid",
  uname: "uname",
  gname: "gname",
  mtime: "mtime",
  atime: "atime",
  ctime: "ctime",
} as const;

/**
 * GNU tar's sparse-file keywords (GNU tar manual, "Storing Sparse Files"). Format 0.0 repeats
 * `offset`/`numbytes` pairs; Go folds them into a synthetic `map` record, and so do we.
 */
export const PAX_GNU_SPARSE = {
  major: "GNU.sparse.major",
  minor: "GNU.sparse.minor",
  name: "GNU.sparse.name",
  map: "GNU.sparse.map",
  size: "GNU.sparse.size",
  realsize: "GNU.sparse.realsize",
  offset: "GNU.sparse.offset",
  numbytes: "GNU.sparse.numbytes",
} as const;

/** Keywords whose values are ustar string fields: a NUL in them is refused (Go `validPAXRecord`). */
const STRING_KEYS: ReadonlySet<string> = new Set([PAX.path, PAX.linkpath, PAX.uname, PAX.gname]);

/** Records by keyword (a later record with the same keyword wins). Values are views into `body`. */
export type PaxRecords = Map<string, Uint8Array>;

/** Why a PAX body did not parse, and where in the body. */
export interface PaxProblem {
  readonly reason: string;
  /** Offset of the bad record from the start of the body. */
  readonly at: number;
}

const keyDecoder = new TextDecoder("utf-8");
const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

/**
 * Parses a whole PAX body. Go accepts no padding inside the body (the body's size in its
 * header is exact), so a stray NUL or a short last record is an error, not ignored.
 */
export function parsePaxRecords(body: Uint8Array): Result<PaxRecords, PaxProblem> {
  const records: PaxRecords = new Map();
  const sparseMap: string[] = [];
  let at = 0;
  while (at < body.length) {
    // The length ends at the first space; it must be decimal digits (Go: ParseInt, and n >= 5).
    let sp = at;
    let length = 0;
    while (sp < body.length && body[sp] !== SPACE) {
      const c = body[sp] as number;
      if (c < 0x30 || c > 0x39 || sp - at > 15) return err({ reason: "record length is not a decimal number", at });
      length = length * 10 + (c - 0x30);
      sp++;
    }
    if (sp === at || sp >= body.length) return err({ reason: "record has no length", at });
    if (length < 5 || length > body.length - at) return err({ reason: `record length ${length} does not fit the header`, at });
    const end = at + length;
    if (body[end - 1] !== NEWLINE) return err({ reason: "record does not end with a newline", at });
    const eq = body.indexOf(EQUALS, sp + 1);
    if (eq < 0 || eq >= end - 1) return err({ reason: "record has no '='", at });
    const keyBytes = body.subarray(sp + 1, eq);
    if (keyBytes.includes(0)) return err({ reason: "record keyword contains NUL", at });
    const key = keyDecoder.decode(keyBytes);
    const value = body.subarray(eq + 1, end - 1);
    if (STRING_KEYS.has(key) && value.includes(0)) return err({ reason: `"${key}" value contains NUL`, at });
    if (key === PAX_GNU_SPARSE.offset || key === PAX_GNU_SPARSE.numbytes) {
      // GNU sparse 0.0: offset/numbytes must alternate, offset first (Go reader.go parsePAX).
      const wantOffset = sparseMap.length % 2 === 0;
      if (wantOffset !== (key === PAX_GNU_SPARSE.offset) || value.includes(0x2c)) {
        return err({ reason: "GNU sparse 0.0 records out of order", at });
      }
      sparseMap.push(keyDecoder.decode(value));
    } else {
      records.set(key, value);
    }
    at = end;
  }
  if (sparseMap.length > 0) records.set(PAX_GNU_SPARSE.map, new TextEncoder().encode(sparseMap.join(",")));
  return ok(records);
}

/** A PAX decimal integer record (uid, gid, size): optional '-', digits. NaN when not one. */
export function paxInteger(value: Uint8Array): number {
  let i = 0;
  let negative = false;
  if (value[0] === 0x2d || value[0] === 0x2b) {
    negative = value[0] === 0x2d;
    i = 1;
  }
  if (i >= value.length) return Number.NaN;
  let n = 0;
  for (; i < value.length; i++) {
    const c = value[i] as number;
    if (c < 0x30 || c > 0x39) return Number.NaN;
    n = n * 10 + (c - 0x30);
    if (n > Number.MAX_SAFE_INTEGER) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return negative ? -n : n;
}

/**
 * A PAX time ("mtime", "atime", "ctime"): seconds since the epoch with an optional fraction,
 * e.g. "1577836800.123456789" or "-1.5" (Go strconv.go `parsePAXTime`). Returns seconds as a
 * number (sub-microsecond digits are beyond a double's precision for current dates), NaN when
 * malformed.
 */
export function paxTime(value: Uint8Array): number {
  const dot = value.indexOf(0x2e);
  const whole = paxInteger(dot < 0 ? value : value.subarray(0, dot));
  if (!Number.isSafeInteger(whole)) return Number.NaN;
  if (dot < 0) return whole;
  const frac = value.subarray(dot + 1);
  let fraction = 0;
  let scale = 1;
  for (let i = 0; i < frac.length; i++) {
    const c = frac[i] as number;
    if (c < 0x30 || c > 0x39) return Number.NaN;
    if (i < 9) {
      // Go keeps nanoseconds and drops the rest; more would not change a double anyway.
      fraction = fraction * 10 + (c - 0x30);
      scale *= 10;
    }
  }
  const negative = value[0] === 0x2d;
  return negative ? whole - fraction / scale : whole + fraction / scale;
}
