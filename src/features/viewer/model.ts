/**
 * The viewer's pure pieces: pages of text lines and of hex rows, and where a symlink points.
 * No React here.
 */
import { mergeLayers } from "../../core/filetree";
import type { LayerEntry } from "../../core/pipeline/types";

/** Bytes read for a preview; bigger files show their first part and say so (download gets all). */
export const PREVIEW_BYTES = 8 * 1024 * 1024;
/** Text lines per page. */
export const TEXT_PAGE_LINES = 1000;
/** Bytes per hex row and rows per page (4 KiB a page). */
export const HEX_ROW_BYTES = 16;
export const HEX_PAGE_ROWS = 256;

/** Lines of a text; a final newline does not start an empty last line. Handles CRLF and lone CR. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function pageCount(items: number, perPage: number): number {
  return Math.max(1, Math.ceil(items / perPage));
}

export interface HexRow {
  readonly offset: number;
  readonly hex: string;
  readonly ascii: string;
}

/** Rows of a classic hex dump (offset, 16 bytes in hex, printable ASCII or "."), for one page. */
export function hexRows(bytes: Uint8Array, page: number): HexRow[] {
  const rows: HexRow[] = [];
  const start = page * HEX_PAGE_ROWS * HEX_ROW_BYTES;
  const end = Math.min(bytes.length, start + HEX_PAGE_ROWS * HEX_ROW_BYTES);
  for (let at = start; at < end; at += HEX_ROW_BYTES) {
    let hex = "";
    let ascii = "";
    for (let i = 0; i < HEX_ROW_BYTES; i++) {
      const b = bytes[at + i];
      if (b === undefined) {
        hex += "   ";
      } else {
        hex += b.toString(16).padStart(2, "0") + " ";
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      }
      if (i === 7) hex += " ";
    }
    rows.push({ offset: at, hex: hex.trimEnd(), ascii });
  }
  return rows;
}

/**
 * The path a symlink at `linkPath` with target `linkname` names, resolved lexically inside the
 * image root as the kernel would inside a container (".." at the root stays at the root; an
 * absolute target starts at the image root). Symlinks in the middle are not followed here.
 */
export function symlinkTargetPath(linkPath: string, linkname: string): string {
  const base = linkname.startsWith("/") ? [] : linkPath.split("/").slice(0, -1);
  const out = [...base];
  for (const part of linkname.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/**
 * The layer (0-based) that provides `path` in the filesystem as of layer `upTo`, by the overlay
 * merge (whiteouts and opaque directories included), or undefined when no layer does.
 */
export function providerOf(layers: readonly (readonly LayerEntry[])[], upTo: number, path: string): number | undefined {
  const e = mergeLayers(layers, upTo).entries.get(path);
  return e && !e.implied ? e.version.layer : undefined;
}
