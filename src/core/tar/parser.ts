/**
 * A push-style streaming tar header parser. Bytes go in as they arrive, in chunks of any size;
 * headers are read, bodies are skipped by arithmetic (never copied or looked at), and at most
 * one 512-byte header plus one pending meta body (PAX or GNU long name, capped) is held.
 *
 * What it reads, and whose rules it follows where tars disagree:
 * - ustar (with the 155-byte prefix), star (131-byte prefix), old GNU and V7 headers; octal or
 *   base-256 numbers; signed or unsigned checksums; all as Go's archive/tar (reader.go,
 *   strconv.go, format.go). Go is the reference because Docker and containerd extract layers
 *   with it: what Go reads is what a container sees.
 * - PAX 'x' records (path, linkpath, size, uid, gid, uname, gname, mtime; the rest kept). A second
 *   'x' before the same entry replaces the first, an empty value keeps the header's value.
 * - GNU 'L' / 'K' long names. A PAX record set before an 'L' header still applies to the entry
 *   after it, not to the 'L' body: meta headers take their own size from their own header
 *   (Go reader.go `next`, GNU tar list.c `read_header`). When both a GNU long name and a PAX
 *   path are given, Go uses the GNU one (and GNU tar the PAX one); we follow Go and warn.
 * - PAX 'g' global headers are surfaced, not applied to later entries, as in Go (GNU tar would
 *   apply them): they are returned in `globalHeaders` with a warning.
 * - Links, directories, devices and FIFOs have no body whatever their size field says (Go
 *   `isHeaderOnlyType`); a non-zero size there is warned about.
 * - GNU sparse files ('S' with its extension blocks, and PAX GNU.sparse.* 0.0/0.1/1.0) are
 *   listed with their real size; their map is not decoded (the body is skipped anyway).
 *
 * Where Go is lenient and an explorer should not be, we are stricter and say so: the archive
 * must end with the two zero blocks (Go accepts a clean EOF), and a header that does not
 * checksum stops parsing with a hint that the stream may still be compressed.
 */
import {
  BLOCK_SIZE,
  GNU,
  GNU_SPARSE_EXTENSION,
  STAR,
  TYPEFLAG,
  USTAR,
  blockPadding,
  cStringLength,
  checksumMatches,
  headerFormat,
  isZeroBlock,
  parseNumeric,
  type Field,
  type HeaderFormat,
} from "./format";
import { classifyWhiteout, decodeName, linkUnsafe, normalisePath } from "./path";
import { PAX, PAX_GNU_SPARSE, parsePaxRecords, paxInteger, paxTime, type PaxRecords } from "./pax";
import {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_META_BYTES,
  DEFAULT_MAX_PATH_BYTES,
  type TarEntry,
  type TarEntryType,
  type TarError,
  type TarErrorCode,
  type TarGlobalHeader,
  type TarLimit,
  type TarParserOptions,
  type TarSummary,
  type TarWarning,
} from "./types";

/** The parser's handle: feed it chunks, then end it once the stream is done. */
export interface TarParser {
  /**
   * Parses the bytes of `chunk` (any size, including 0). The chunk is not kept: the caller may
   * reuse or transfer it as soon as this returns. After an error, further bytes are only
   * counted (the caller still hashes them), so pushing the whole stream is always safe.
   */
  push(chunk: Uint8Array): void;
  /** Ends the stream and returns what was found. Call once; pushing afterwards throws. */
  end(): TarSummary;
  /** Entries parsed so far (for progress). */
  readonly entryCount: number;
  /** Bytes pushed so far. */
  readonly bytesSeen: number;
  /** The error that stopped parsing, if any (so a caller can stop early if it does not need to drain). */
  readonly error: TarError | undefined;
  /**
   * Bytes of body and padding the parser would skip next without looking at them (0 when it
   * needs the next bytes: a header, a meta body, the end marker). A random-access reader (a
   * File, an archive on disk) calls {@link skip} instead of reading them.
   */
  readonly skippable: number;
  /** Advances over `n` ≤ {@link skippable} bytes as if they had been pushed, without reading them. */
  skip(n: number): void;
  /** True once the end marker has been read: the rest is trailing data. */
  readonly atEnd: boolean;
}

const enum State {
  /** Filling the 512-byte header buffer. */
  Header,
  /** Skipping `skip` bytes of body and padding. */
  Skip,
  /** Filling a PAX or GNU long-name body. */
  Meta,
  /** Reading GNU sparse extension blocks between an 'S' header and its body. */
  SparseExtension,
  /** Read one zero block; reading the second. */
  EndMarker,
  /** Past the end marker: only counting. */
  Trailing,
  /** Stopped by an error: only counting. */
  Failed,
}

/** Typeflags whose entries never have a body, whatever their size field says (Go `isHeaderOnlyType`). */
const HEADER_ONLY: ReadonlySet<number> = new Set([TYPEFLAG.hardlink, TYPEFLAG.symlink, TYPEFLAG.char, TYPEFLAG.block, TYPEFLAG.dir, TYPEFLAG.fifo]);

const ENTRY_TYPES: ReadonlyMap<number, TarEntryType> = new Map([
  [TYPEFLAG.file, "file"],
  [TYPEFLAG.fileV7, "file"],
  [TYPEFLAG.hardlink, "hardlink"],
  [TYPEFLAG.symlink, "symlink"],
  [TYPEFLAG.char, "char"],
  [TYPEFLAG.block, "block"],
  [TYPEFLAG.dir, "dir"],
  [TYPEFLAG.fifo, "fifo"],
  [TYPEFLAG.contiguous, "contiguous"],
  [TYPEFLAG.gnuSparse, "sparse"],
]);

const HINT = "(is this a tar? is it still compressed?)";
const SLASH = 0x2f;
const utf8 = new TextDecoder("utf-8");

/** The last bytes of a name field and their decoded text. */
interface FieldCache {
  readonly bytes: Uint8Array;
  length: number;
  text: string;
}

/** The parser fills an entry in place before handing it out read-only. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Meta headers seen since the last entry, waiting for the entry they describe. */
interface Pending {
  pax: PaxRecords | undefined;
  longName: Uint8Array | undefined;
  longLink: Uint8Array | undefined;
  /** Offset of the first meta header in this group. */
  offset: number | undefined;
}

/** An entry built from its header, waiting for GNU sparse extension blocks before its body. */
interface Unfinished {
  entry: Mutable<TarEntry>;
  extensionBytes: number;
}

/**
 * Creates a parser. Entries are collected into the summary (unless `collect: false`) and also
 * given to `onEntry` as soon as each header is parsed, in tar order.
 */
export function createTarParser(options: TarParserOptions = {}): TarParser {
  const maxMeta = options.maxMetaBytes ?? DEFAULT_MAX_META_BYTES;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxPath = options.maxPathBytes ?? DEFAULT_MAX_PATH_BYTES;
  const collect = options.collect ?? true;
  const onEntry = options.onEntry;

  const entries: TarEntry[] = [];
  const globalHeaders: TarGlobalHeader[] = [];
  const warnings: TarWarning[] = [];
  let entryCount = 0;

  /** Absolute offset of the next byte (= bytes pushed so far, once a push returns). */
  let pos = 0;
  let state: State = State.Header;
  let failure: TarError | undefined;
  let ended = false;

  // Header state: one reusable block.
  const block = new Uint8Array(BLOCK_SIZE);
  let blockFill = 0;
  let blockOffset = 0;

  // Skip state: bytes left to skip, where the body's data ends (to tell a truncated body from a
  // truncated padding), and what the body belongs to (for messages).
  let skip = 0;
  let dataEnd = 0;
  let skipOwner: TarEntry | undefined;

  // Meta state: the body being filled, its typeflag and header offset.
  let meta = new Uint8Array(0);
  let metaFill = 0;
  let metaType = 0;
  let metaHeaderOffset = 0;

  const pending: Pending = { pax: undefined, longName: undefined, longLink: undefined, offset: undefined };
  let unfinished: Unfinished | undefined;

  let endMarkerOffset: number | undefined;
  let endOffset: number | undefined;
  let trailingAllZero = true;
  let firstTrailingNonZero: number | undefined;

  function fail(code: TarErrorCode, reason: string, offset: number): void {
    failure = { kind: "corrupt-tar", code, reason, offset };
    state = State.Failed;
  }

  function limit(what: TarLimit, max: number, detail: string, offset: number): void {
    failure = { kind: "limit-exceeded", what, limit: max, detail, offset };
    state = State.Failed;
  }

  function resetPending(): void {
    pending.pax = undefined;
    pending.longName = undefined;
    pending.longLink = undefined;
    pending.offset = undefined;
  }

  /** Skips `dataSize` bytes of body from `pos`, and the padding after them. */
  function startSkip(dataSize: number, owner: TarEntry | undefined): void {
    skip = dataSize + blockPadding(dataSize);
    dataEnd = pos + dataSize;
    skipOwner = owner;
    state = skip === 0 ? State.Header : State.Skip;
  }

  /** Reads a numeric header field; on a malformed or out-of-range value, fails and returns undefined. */
  function numeric(field: Field, name: string): number | undefined {
    const v = parseNumeric(block, field);
    if (Number.isSafeInteger(v)) return v;
    fail("bad-field", `the ${name} field of the header at offset ${blockOffset} is ${Number.isNaN(v) ? "not a number" : "out of range"}`, blockOffset + field.offset);
    return undefined;
  }

  // Owner names repeat on nearly every header ("root"): decode each distinct spelling once.
  const unameCache: FieldCache = { bytes: new Uint8Array(USTAR.uname.size), length: -1, text: "" };
  const gnameCache: FieldCache = { bytes: new Uint8Array(USTAR.gname.size), length: -1, text: "" };

  function fieldText(field: Field, cache: FieldCache): string {
    const length = cStringLength(block, field.offset, field.size);
    if (length === cache.length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cache.bytes[i] !== block[field.offset + i]) {
          same = false;
          break;
        }
      }
      if (same) return cache.text;
    }
    const bytes = block.subarray(field.offset, field.offset + length);
    cache.bytes.set(bytes);
    cache.length = length;
    cache.text = decodeName(bytes).text;
    return cache.text;
  }

  /** The name as the header writes it: prefix "/" name for ustar and star, name alone otherwise. */
  function headerName(format: HeaderFormat): Uint8Array {
    const nameLength = cStringLength(block, USTAR.name.offset, USTAR.name.size);
    const prefixField = format === "ustar" ? USTAR.prefix : format === "star" ? STAR.prefix : undefined;
    const prefixLength = prefixField === undefined ? 0 : cStringLength(block, prefixField.offset, prefixField.size);
    if (prefixField === undefined || prefixLength === 0) return block.slice(USTAR.name.offset, USTAR.name.offset + nameLength);
    const out = new Uint8Array(prefixLength + 1 + nameLength);
    out.set(block.subarray(prefixField.offset, prefixField.offset + prefixLength));
    out[prefixLength] = SLASH;
    out.set(block.subarray(USTAR.name.offset, USTAR.name.offset + nameLength), prefixLength + 1);
    return out;
  }

  /** A whole header block is in `block` (read at `blockOffset`; `pos` is just past it). */
  function onHeader(): void {
    if (isZeroBlock(block)) {
      endMarkerOffset = blockOffset;
      state = State.EndMarker;
      return;
    }
    if (!checksumMatches(block)) {
      fail("bad-checksum", `bad header checksum at offset ${blockOffset} ${HINT}`, blockOffset);
      return;
    }
    const typeflag = block[USTAR.typeflag.offset] as number;
    const size = parseNumeric(block, USTAR.size);
    if (Number.isNaN(size)) {
      fail("bad-field", `the size field of the header at offset ${blockOffset} is not a number`, blockOffset + USTAR.size.offset);
      return;
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      fail("bad-size", `the header at offset ${blockOffset} gives a size of ${describeSize(size)}`, blockOffset + USTAR.size.offset);
      return;
    }
    switch (typeflag) {
      case TYPEFLAG.paxHeader:
      case TYPEFLAG.paxGlobal:
      case TYPEFLAG.gnuLongName:
      case TYPEFLAG.gnuLongLink:
        startMeta(typeflag, size);
        return;
      default:
        onEntryHeader(typeflag, size);
    }
  }

  function startMeta(typeflag: number, size: number): void {
    if (size > maxMeta) {
      const what = typeflag === TYPEFLAG.gnuLongName || typeflag === TYPEFLAG.gnuLongLink ? "GNU long name" : "PAX header";
      limit("tar meta entry size", maxMeta, `meta entry too large: the ${what} at offset ${blockOffset} is ${size} bytes (limit ${maxMeta})`, blockOffset);
      return;
    }
    if (typeflag !== TYPEFLAG.paxGlobal) pending.offset ??= blockOffset;
    meta = new Uint8Array(size);
    metaFill = 0;
    metaType = typeflag;
    metaHeaderOffset = blockOffset;
    if (size === 0) onMeta();
    else state = State.Meta;
  }

  /** A whole meta body is in `meta` (`pos` is just past it, before its padding). */
  function onMeta(): void {
    const bodyOffset = metaHeaderOffset + BLOCK_SIZE;
    if (metaType === TYPEFLAG.paxHeader || metaType === TYPEFLAG.paxGlobal) {
      const parsed = parsePaxRecords(meta);
      if (!parsed.ok) {
        fail("bad-pax", `bad PAX header at offset ${metaHeaderOffset}: ${parsed.error.reason}`, bodyOffset + parsed.error.at);
        return;
      }
      if (metaType === TYPEFLAG.paxGlobal) {
        // Go returns a global header as its own Header and forgets any meta read before it.
        resetPending();
        globalHeaders.push({ headerOffset: metaHeaderOffset, records: decodeRecords(parsed.value) });
        warnings.push({
          code: "global-header",
          offset: metaHeaderOffset,
          message: `PAX global header at offset ${metaHeaderOffset} (${[...parsed.value.keys()].join(", ") || "empty"}): shown, not applied to later entries, as Docker and containerd do`,
        });
      } else {
        pending.pax = parsed.value;
      }
    } else {
      // GNU 'L'/'K': the name is the body up to its first NUL; an empty one is ignored (Go).
      const name = meta.slice(0, cStringLength(meta, 0, meta.length));
      if (metaType === TYPEFLAG.gnuLongName) pending.longName = name.length > 0 ? name : undefined;
      else pending.longLink = name.length > 0 ? name : undefined;
    }
    const size = meta.length;
    meta = new Uint8Array(0);
    // The body is read; only its padding is left.
    startSkip(0, undefined);
    skip = blockPadding(size);
    if (skip > 0) state = State.Skip;
  }

  /** A header that describes an entry (not a meta header). */
  function onEntryHeader(typeflag: number, headerSize: number): void {
    const headerOffset = blockOffset;
    if (entryCount >= maxEntries) {
      limit("tar entries", maxEntries, `more than ${maxEntries} entries; stopped at the header at offset ${headerOffset}`, headerOffset);
      return;
    }
    const format = headerFormat(block);
    const modeField = numeric(USTAR.mode, "mode");
    const uidField = numeric(USTAR.uid, "uid");
    const gidField = numeric(USTAR.gid, "gid");
    const mtimeField = numeric(USTAR.mtime, "mtime");
    let devmajor: number | undefined;
    let devminor: number | undefined;
    if (format !== "v7") {
      devmajor = numeric(USTAR.devmajor, "devmajor");
      devminor = numeric(USTAR.devminor, "devminor");
    }
    if (modeField === undefined || uidField === undefined || gidField === undefined || mtimeField === undefined || failure !== undefined) return;

    let rawPath = headerName(format);
    const headerLinkLength = cStringLength(block, USTAR.linkname.offset, USTAR.linkname.size);
    let rawLink: Uint8Array | undefined = headerLinkLength > 0 ? block.slice(USTAR.linkname.offset, USTAR.linkname.offset + headerLinkLength) : undefined;
    let uid = uidField;
    let gid = gidField;
    let mtime = mtimeField;
    let uname = format === "v7" ? "" : fieldText(USTAR.uname, unameCache);
    let gname = format === "v7" ? "" : fieldText(USTAR.gname, gnameCache);
    let size = headerSize;
    let unknown: Map<string, string> | undefined;

    // PAX records override the header (Go reader.go `mergePAX`); an empty value keeps it.
    const pax = pending.pax;
    if (pax !== undefined) {
      for (const [key, value] of pax) {
        if (value.length === 0) continue;
        let bad = false;
        switch (key) {
          case PAX.path:
            rawPath = value.slice();
            break;
          case PAX.linkpath:
            rawLink = value.slice();
            break;
          case PAX.uname:
            uname = decodeName(value).text;
            break;
          case PAX.gname:
            gname = decodeName(value).text;
            break;
          case PAX.uid:
            uid = paxInteger(value);
            bad = !Number.isSafeInteger(uid);
            break;
          case PAX.gid:
            gid = paxInteger(value);
            bad = !Number.isSafeInteger(gid);
            break;
          case PAX.mtime:
            mtime = paxTime(value);
            bad = Number.isNaN(mtime);
            break;
          case PAX.size:
            size = paxInteger(value);
            if (!Number.isNaN(size) && (!Number.isSafeInteger(size) || size < 0)) {
              fail("bad-size", `the PAX header at offset ${pending.offset ?? headerOffset} gives a size of ${describeSize(size)}`, pending.offset ?? headerOffset);
              return;
            }
            bad = Number.isNaN(size);
            break;
          default:
            // atime/ctime are validated as Go does, then kept with the records we do not apply.
            if ((key === PAX.atime || key === PAX.ctime) && Number.isNaN(paxTime(value))) bad = true;
            unknown ??= new Map();
            unknown.set(key, utf8.decode(value));
        }
        if (bad) {
          fail("bad-pax", `bad PAX header at offset ${pending.offset ?? headerOffset}: "${key}" is not a valid number`, pending.offset ?? headerOffset);
          return;
        }
      }
    }
    // GNU long names win over PAX paths (Go applies them after mergePAX).
    if (pending.longName !== undefined) {
      if (pax?.has(PAX.path) === true && !sameBytes(pax.get(PAX.path) as Uint8Array, pending.longName)) {
        warnings.push({
          code: "gnu-name-overrides-pax",
          offset: headerOffset,
          message: `the entry at offset ${headerOffset} has both a GNU long name and a PAX path; using the GNU name as Go does (GNU tar would use the PAX path)`,
        });
      }
      rawPath = pending.longName;
    }
    if (pending.longLink !== undefined) rawLink = pending.longLink;

    let type: TarEntryType = ENTRY_TYPES.get(typeflag) ?? "unknown";
    // V7 archives mark directories by a trailing slash on a NUL-typeflag entry (Go reader.go).
    if (typeflag === TYPEFLAG.fileV7 && rawPath[rawPath.length - 1] === SLASH) type = "dir";

    let dataSize = size;
    let logicalSize = size;
    // Go decides "no body" after the V7 directory rewrite, so a V7 "dir/" has none either.
    if (HEADER_ONLY.has(type === "dir" ? TYPEFLAG.dir : typeflag)) {
      if (size > 0) {
        warnings.push({
          code: "body-ignored",
          offset: headerOffset,
          message: `the ${type} at offset ${headerOffset} declares ${size} bytes of body; like Go's archive/tar, no body is read for this type`,
        });
      }
      dataSize = 0;
      logicalSize = 0;
    }

    // GNU sparse files: 'S' headers (with extension blocks) and PAX GNU.sparse.* records.
    let extended = false;
    if (typeflag === TYPEFLAG.gnuSparse) {
      if (format !== "gnu") {
        fail("bad-sparse", `the sparse entry at offset ${headerOffset} is not in a GNU header`, headerOffset);
        return;
      }
      const real = numeric(GNU.realSize, "sparse real size");
      if (real === undefined) return;
      logicalSize = real;
      extended = (block[GNU.isExtended.offset] as number) !== 0;
    } else if (pax !== undefined) {
      const sparse = paxSparse(pax, headerOffset);
      if (sparse === null) return;
      if (sparse !== undefined) {
        type = "sparse";
        if (sparse.name !== undefined) rawPath = sparse.name;
        if (sparse.size !== undefined) logicalSize = sparse.size;
      }
    }

    if (rawPath.length > maxPath) {
      limit("tar path length", maxPath, `the path of the entry at offset ${headerOffset} is ${rawPath.length} bytes (limit ${maxPath})`, headerOffset);
      return;
    }
    if (rawLink !== undefined && rawLink.length > maxPath) {
      limit("tar path length", maxPath, `the link target of the entry at offset ${headerOffset} is ${rawLink.length} bytes (limit ${maxPath})`, headerOffset);
      return;
    }

    const decoded = decodeName(rawPath);
    const normal = normalisePath(decoded.text);
    const whiteout = classifyWhiteout(normal.path);
    const link = rawLink === undefined ? undefined : decodeName(rawLink);
    const device = type === "char" || type === "block";
    // Every key is always present (undefined when it does not apply): one object shape for
    // every entry keeps property access monomorphic where the page walks 100 000 of them.
    const entry: Mutable<TarEntry> = {
      path: normal.path,
      rawPath,
      originalPath: decoded.text,
      pathInvalidUtf8: decoded.invalidUtf8,
      unsafe: normal.unsafe,
      type,
      typeflag: String.fromCharCode(typeflag),
      size: logicalSize,
      dataSize,
      mode: modeField & 0o7777,
      uid,
      gid,
      uname,
      gname,
      mtime,
      linkname: link?.text,
      rawLinkname: rawLink,
      linknameInvalidUtf8: link?.invalidUtf8,
      linkUnsafe: link !== undefined && (type === "symlink" || type === "hardlink") ? linkUnsafe(type, normal.path, link.text) : undefined,
      devmajor: device ? (devmajor ?? 0) : undefined,
      devminor: device ? (devminor ?? 0) : undefined,
      whiteout: whiteout.kind,
      whiteoutTarget: whiteout.target,
      headerOffset,
      metaOffset: pending.offset,
      dataOffset: 0, // set by emit(), once any sparse extension blocks are read
      pax: unknown,
    };
    resetPending();
    entryCount++;
    if (extended) {
      unfinished = { entry, extensionBytes: 0 };
      blockFill = 0;
      state = State.SparseExtension;
      return;
    }
    emit(entry);
  }

  /** Reads the GNU sparse PAX records (Go reader.go `readGNUSparsePAXHeaders`). null = failed. */
  function paxSparse(pax: PaxRecords, headerOffset: number): { name?: Uint8Array; size?: number } | undefined | null {
    const text = (key: string): string => {
      const v = pax.get(key);
      return v === undefined ? "" : utf8.decode(v);
    };
    const major = text(PAX_GNU_SPARSE.major);
    const minor = text(PAX_GNU_SPARSE.minor);
    const known = (major === "0" && (minor === "0" || minor === "1")) || (major === "1" && minor === "0");
    if (!known) {
      if (major !== "" || minor !== "") {
        warnings.push({
          code: "unknown-sparse-format",
          offset: headerOffset,
          message: `the entry at offset ${headerOffset} uses GNU sparse format ${major}.${minor}, which is unknown: read as a plain file, as Go does`,
        });
        return undefined;
      }
      if (text(PAX_GNU_SPARSE.map) === "") return undefined;
    }
    const out: { name?: Uint8Array; size?: number } = {};
    const name = pax.get(PAX_GNU_SPARSE.name);
    if (name !== undefined && name.length > 0) out.name = name.slice();
    const sizeText = pax.get(PAX_GNU_SPARSE.size) ?? pax.get(PAX_GNU_SPARSE.realsize);
    if (sizeText !== undefined && sizeText.length > 0) {
      const n = paxInteger(sizeText);
      if (!Number.isSafeInteger(n) || n < 0) {
        fail("bad-sparse", `the GNU sparse size of the entry at offset ${headerOffset} is not a valid size`, headerOffset);
        return null;
      }
      out.size = n;
    }
    return out;
  }

  /** A GNU sparse extension block is in `block`. */
  function onSparseExtension(): void {
    const u = unfinished as Unfinished;
    u.extensionBytes += BLOCK_SIZE;
    if (u.extensionBytes > maxMeta) {
      limit("tar meta entry size", maxMeta, `meta entry too large: the sparse map of the entry at offset ${u.entry.headerOffset} passes ${maxMeta} bytes`, blockOffset);
      return;
    }
    if ((block[GNU_SPARSE_EXTENSION.isExtended.offset] as number) !== 0) return; // another block follows
    unfinished = undefined;
    emit(u.entry);
  }

  function emit(entry: Mutable<TarEntry>): void {
    entry.dataOffset = pos;
    if (collect) entries.push(entry);
    startSkip(entry.dataSize, entry);
    onEntry?.(entry); // last: a callback that throws leaves the parser in a consistent state
  }

  function push(chunk: Uint8Array): void {
    if (ended) throw new Error("createTarParser: push after end()");
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (state) {
        case State.Skip: {
          // The hot path for bodies: arithmetic only.
          const take = Math.min(skip, n - i);
          skip -= take;
          i += take;
          pos += take;
          if (skip === 0) state = State.Header;
          break;
        }
        case State.Header:
        case State.SparseExtension:
        case State.EndMarker: {
          if (blockFill === 0) blockOffset = pos;
          const take = Math.min(BLOCK_SIZE - blockFill, n - i);
          block.set(chunk.subarray(i, i + take), blockFill);
          blockFill += take;
          i += take;
          pos += take;
          if (blockFill < BLOCK_SIZE) break;
          blockFill = 0;
          if (state === State.Header) onHeader();
          else if (state === State.SparseExtension) onSparseExtension();
          else if (isZeroBlock(block)) {
            endOffset = pos;
            state = State.Trailing;
          } else {
            fail(
              "lone-zero-block",
              `a zero block at offset ${endMarkerOffset ?? 0} is followed by data, not by the second zero block of the end marker ${HINT}`,
              blockOffset,
            );
          }
          break;
        }
        case State.Meta: {
          const take = Math.min(meta.length - metaFill, n - i);
          meta.set(chunk.subarray(i, i + take), metaFill);
          metaFill += take;
          i += take;
          pos += take;
          if (metaFill === meta.length) onMeta();
          break;
        }
        case State.Trailing: {
          if (trailingAllZero) {
            for (let k = i; k < n; k++) {
              if (chunk[k] !== 0) {
                trailingAllZero = false;
                firstTrailingNonZero = pos + (k - i);
                break;
              }
            }
          }
          pos += n - i;
          i = n;
          break;
        }
        case State.Failed:
          pos += n - i;
          i = n;
          break;
      }
    }
  }

  function end(): TarSummary {
    if (ended) throw new Error("createTarParser: end() called twice");
    ended = true;
    if (failure === undefined) {
      switch (state) {
        case State.Header:
          if (blockFill > 0) fail("truncated-header", `the stream ends inside a header: got ${blockFill} of ${BLOCK_SIZE} bytes at offset ${blockOffset}`, blockOffset);
          else if (pos === 0) fail("missing-end-marker", "the stream is empty: not even a tar end marker", 0);
          else fail("missing-end-marker", `the stream ends at offset ${pos} without the two zero blocks that end a tar${danglingMeta()}`, pos);
          break;
        case State.Skip:
          if (pos < dataEnd && skipOwner !== undefined) {
            const got = pos - skipOwner.dataOffset;
            fail("truncated-body", `the stream ends inside the body of "${skipOwner.originalPath}" (header at offset ${skipOwner.headerOffset}): got ${got} of ${skipOwner.dataSize} bytes`, pos);
          } else {
            fail("missing-end-marker", `the stream ends at offset ${pos}, inside the padding of the last entry, without the end marker`, pos);
          }
          break;
        case State.Meta:
          fail("truncated-body", `the stream ends inside the meta header at offset ${metaHeaderOffset}: got ${metaFill} of ${meta.length} bytes`, pos);
          break;
        case State.SparseExtension:
          fail("truncated-header", `the stream ends inside the sparse map of the entry at offset ${unfinished?.entry.headerOffset ?? blockOffset}`, blockOffset);
          break;
        case State.EndMarker:
          fail("missing-end-marker", `the stream ends after one zero block at offset ${endMarkerOffset ?? pos}; a tar ends with two`, pos);
          break;
        case State.Trailing:
        case State.Failed:
          break;
      }
    }
    if (endOffset !== undefined && pending.offset !== undefined) {
      warnings.push({ code: "orphan-meta", offset: pending.offset, message: `meta header at offset ${pending.offset} describes no entry: the archive ends after it` });
    }
    const trailingBytes = endOffset === undefined ? 0 : pos - endOffset;
    if (!trailingAllZero && endOffset !== undefined) {
      warnings.push({
        code: "trailing-data",
        offset: firstTrailingNonZero ?? endOffset,
        message: `${trailingBytes} bytes after the tar end marker at offset ${endOffset}, not all zeros (first non-zero byte at ${firstTrailingNonZero ?? endOffset}): they are part of the diff_id but no tool reads them`,
      });
    }
    return {
      entries,
      entryCount,
      globalHeaders,
      warnings,
      totalBytes: pos,
      endMarkerOffset: endOffset === undefined ? undefined : endMarkerOffset,
      endOffset,
      trailingBytes,
      trailingAllZero: trailingBytes === 0 || trailingAllZero,
      error: failure,
      partial: failure !== undefined,
    };
  }

  function danglingMeta(): string {
    return pending.offset === undefined ? "" : ` (a meta header at offset ${pending.offset} waits for its entry)`;
  }

  return {
    push,
    end,
    get entryCount() {
      return entryCount;
    },
    get bytesSeen() {
      return pos;
    },
    get error() {
      return failure;
    },
    get skippable() {
      return state === State.Skip ? skip : 0;
    },
    skip(n: number) {
      if (ended) throw new Error("createTarParser: skip after end()");
      if (!Number.isSafeInteger(n) || n < 0 || n > (state === State.Skip ? skip : 0)) throw new Error(`createTarParser: cannot skip ${n} bytes here`);
      // Exactly what push() does in the Skip state, minus the bytes.
      skip -= n;
      pos += n;
      if (skip === 0 && state === State.Skip) state = State.Header;
    },
    get atEnd() {
      return state === State.Trailing;
    },
  };
}

/**
 * Parses a whole stream (e.g. a decompressed layer) and returns the summary. Reads the source to
 * its end even after a parse error, so a caller that hashes the same stream sees every byte.
 */
export async function parseTar(source: AsyncIterable<Uint8Array>, options: TarParserOptions = {}): Promise<TarSummary> {
  const parser = createTarParser(options);
  for await (const chunk of source) parser.push(chunk);
  return parser.end();
}

function describeSize(size: number): string {
  if (Number.isNaN(size)) return "that is not a number";
  if (size === Number.POSITIVE_INFINITY) return "more than 2^53 bytes (no real layer is that large)";
  if (size === Number.NEGATIVE_INFINITY) return "a negative size";
  return size < 0 ? `${size} (negative)` : `${size}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Record values as display text, in a Map so a `__proto__` keyword stays data. */
function decodeRecords(records: PaxRecords): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of records) out.set(k, utf8.decode(v));
  return out;
}
