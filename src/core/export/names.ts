/**
 * Names and file names in exports.
 *
 * A path that is not valid UTF-8 (flag "invalid-utf8", T12) is written from its raw bytes:
 * valid sequences as text, each other byte as `\xNN`, and every backslash as `\\`, so the
 * escaped form reads back to the exact bytes and never collides with another name. Such paths
 * are marked `"pathEncoding": "escaped"` (JSON) / `escaped` (CSV); every other path is the
 * UTF-8 name as it is (`utf-8`), backslashes included.
 */
import { decodeLossless } from "../tar/names";

export type PathEncoding = "utf-8" | "escaped";

/** The escaped form of raw name bytes (see the module comment). */
export function escapeRawPath(raw: Uint8Array): string {
  return decodeLossless(raw)
    .map((p) => ("text" in p ? p.text.replace(/\\/g, "\\\\") : `\\x${p.byte.toString(16).padStart(2, "0")}`))
    .join("");
}

/** Raw bytes of paths that are not valid UTF-8, by their display path (the only ones escaped). */
export type RawPaths = ReadonlyMap<string, Uint8Array>;

/** A path as exported, with its encoding. */
export function exportPath(path: string, raw: RawPaths | undefined): { readonly path: string; readonly encoding: PathEncoding } {
  const bytes = raw?.get(path);
  return bytes ? { path: escapeRawPath(bytes), encoding: "escaped" } : { path, encoding: "utf-8" };
}

/** Longest download name we make (file systems allow 255 bytes; leave room for " (1)"). */
const MAX_FILE_NAME = 160;

/**
 * A download file name from parts (image reference, layer, what): characters other than
 * ASCII letters, digits, ".", "_" and "-" become "_", runs collapse, no leading dot, and the
 * stem is cut so the name stays short. `ext` is "json" or "csv".
 */
export function safeFileName(parts: readonly string[], ext: string): string {
  const stem = parts
    .map((p) =>
      p
        .replace(/[^A-Za-z0-9._-]+/g, "_")
        .replace(/_+/g, "_")
        .replace(/^[._]+|_+$/g, ""),
    )
    .filter((p) => p !== "")
    .join("-")
    .slice(0, MAX_FILE_NAME - ext.length - 1);
  return `${stem || "layerscope"}.${ext}`;
}

/** Octal mode with setuid/setgid/sticky: "0755", "4755", "1777". */
export const octalMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, "0");
