/**
 * The contents of two versions of a file compared: a bounded line diff for text, sizes and
 * SHA-256 for binary ("Binary files differ", as diff and git say). The bytes come from the
 * file reader, which may have cut a large file at its byte limit: a cut is always reported.
 */
import { sha256Hex } from "../digest";
import { diffLines, looksBinary, splitLines, type DiffOptions, type LineDiff } from "./lineDiff";

/** One version's bytes as the reader gave them. */
export interface VersionBytes {
  readonly bytes: Uint8Array;
  /** The file's whole size (from the tar header), which may exceed `bytes.length`. */
  readonly size: number;
  /** True when `bytes` is only the start of the file. */
  readonly truncated: boolean;
}

export interface BinarySide {
  readonly size: number;
  /** Hex SHA-256 of the bytes read: of the whole file unless `truncated`. */
  readonly sha256: string;
  readonly hashedBytes: number;
  readonly truncated: boolean;
}

export type ContentDiff =
  | { readonly kind: "text"; readonly diff: LineDiff; readonly cut: readonly string[] }
  | { readonly kind: "binary"; readonly old: BinarySide; readonly new: BinarySide; readonly identical: boolean | undefined };

const decoder = new TextDecoder("utf-8");

async function binarySide(v: VersionBytes): Promise<BinarySide> {
  return { size: v.size, sha256: await sha256Hex(v.bytes), hashedBytes: v.bytes.length, truncated: v.truncated };
}

/**
 * Compares two versions' contents. Either side binary (a NUL in its first 8000 bytes) gives
 * the binary answer; otherwise both are decoded as UTF-8 (invalid bytes become U+FFFD) and
 * line-diffed within `options`' bounds. `identical` for binary is undefined when a side was cut
 * (equal prefixes prove nothing).
 */
export async function diffContents(oldV: VersionBytes, newV: VersionBytes, options: DiffOptions = {}): Promise<ContentDiff> {
  if (looksBinary(oldV.bytes) || looksBinary(newV.bytes)) {
    const [a, b] = await Promise.all([binarySide(oldV), binarySide(newV)]);
    const whole = !a.truncated && !b.truncated;
    return { kind: "binary", old: a, new: b, identical: whole ? a.sha256 === b.sha256 : a.sha256 !== b.sha256 ? false : undefined };
  }
  const cut: string[] = [];
  const note = (v: VersionBytes, which: string): void => {
    if (v.truncated) cut.push(`the ${which} version is ${v.size.toLocaleString("en-US")} bytes; only its first ${v.bytes.length.toLocaleString("en-US")} bytes are compared`);
  };
  note(oldV, "old");
  note(newV, "new");
  const diff = diffLines(splitLines(decoder.decode(oldV.bytes)), splitLines(decoder.decode(newV.bytes)), options);
  return { kind: "text", diff, cut: [...cut, ...diff.cut] };
}
