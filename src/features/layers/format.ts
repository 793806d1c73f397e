/**
 * Display helpers for layer entries: `ls -l` mode strings, owners, rates, and names whose bytes
 * are not valid UTF-8. Pure functions, for display only.
 */
import type { EntryType, LayerEntry } from "../../core/pipeline/types";
import { decodeLossless, type NamePart } from "../../core/tar/names";

/** The first character of `ls -l`: d, l, c, b, p, - (hard links are regular files to ls), ? for unknown. */
const TYPE_CHAR: Readonly<Record<EntryType, string>> = {
  file: "-",
  hardlink: "-",
  contiguous: "-",
  sparse: "-",
  dir: "d",
  symlink: "l",
  char: "c",
  block: "b",
  fifo: "p",
  unknown: "?",
};

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/**
 * `ls -l` style: "drwxr-xr-x", with setuid/setgid as s (S without execute) in the owner/group
 * execute slot and sticky as t (T) in the other execute slot.
 */
export function modeString(type: EntryType, mode: number): string {
  const bit = (mask: number, ch: string): string => (mode & mask ? ch : "-");
  const exec = (x: number, special: number, on: string, off: string): string =>
    mode & special ? (mode & x ? on : off) : mode & x ? "x" : "-";
  return (
    TYPE_CHAR[type] +
    bit(0o400, "r") +
    bit(0o200, "w") +
    exec(0o100, S_ISUID, "s", "S") +
    bit(0o040, "r") +
    bit(0o020, "w") +
    exec(0o010, S_ISGID, "s", "S") +
    bit(0o004, "r") +
    bit(0o002, "w") +
    exec(0o001, S_ISVTX, "t", "T")
  );
}

/** "uid:gid", or "uname:gname" when the tar names them (PAX / ustar), with the numbers in `title`. */
export function ownerLabel(e: Pick<LayerEntry, "uid" | "gid" | "uname" | "gname">): { text: string; title: string } {
  const numeric = `${e.uid}:${e.gid}`;
  if (e.uname === "" && e.gname === "") return { text: numeric, title: `uid ${e.uid}, gid ${e.gid}` };
  return {
    text: `${e.uname || e.uid}:${e.gname || e.gid}`,
    title: `uid ${e.uid}${e.uname ? ` (${e.uname})` : ""}, gid ${e.gid}${e.gname ? ` (${e.gname})` : ""}`,
  };
}

/** "12.3 MB/s" (decimal, like formatBytes), or "—" before a rate is known. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  const mb = bytesPerSecond / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : mb.toFixed(0)} MB/s`;
}

// Lossless decoding lives in the core, shared with the exports (src/core/export).
export { decodeLossless, type NamePart } from "../../core/tar/names";

/** The last component of a raw path (trailing slashes ignored), as bytes. */
export function rawBaseName(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0x2f) end--;
  let start = end;
  while (start > 0 && raw[start - 1] !== 0x2f) start--;
  return raw.subarray(start, end);
}

const WH_PREFIX = [0x2e, 0x77, 0x68, 0x2e]; // ".wh."

/**
 * The name to show for a node, as parts: from the raw bytes when the entry's path is not valid
 * UTF-8 (flag "invalid-utf8"), so bytes are shown escaped rather than replaced; else `name`.
 * For a whiteout the ".wh." prefix is dropped: the row names what it hides.
 */
export function nameParts(name: string, entry: Pick<LayerEntry, "rawPath" | "flags" | "whiteout"> | undefined): NamePart[] {
  if (!entry || entry.flags?.includes("invalid-utf8") !== true) return [{ text: name }];
  let base = rawBaseName(entry.rawPath);
  if (entry.whiteout === "whiteout" && WH_PREFIX.every((b, i) => base[i] === b)) base = base.subarray(4);
  return decodeLossless(base);
}

/** The same parts as one string with ⟨\xNN⟩ for raw bytes, for titles and copying. */
export function partsToString(parts: readonly NamePart[]): string {
  return parts.map((p) => ("text" in p ? p.text : `⟨\\x${p.byte.toString(16).toUpperCase().padStart(2, "0")}⟩`)).join("");
}

/** At most `max` UTF-16 units of `text`, not splitting a surrogate pair, with "…" when cut. */
export function clip(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: `${text.slice(0, end)}…`, cut: true };
}
