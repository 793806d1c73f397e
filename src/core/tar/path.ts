/**
 * Entry names: display decoding, lexical normalisation (SECURITY T1) and whiteout
 * classification (OCI image-spec layer.md, "Whiteouts"). Nothing here touches the filesystem or
 * follows links (T2): a name is judged by its own bytes only.
 */

import { surrogateEscape } from "./names";

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A name's bytes as text, and whether they were valid UTF-8. Invalid bytes become lone
 * surrogates U+DC80–U+DCFF ({@link surrogateEscape}), not U+FFFD: "a\xff" and "a\xfe" stay two
 * names everywhere a path is a key (the merged view, search, comparisons), as they are two files
 * in a container (T12).
 */
export interface DecodedName {
  readonly text: string;
  readonly invalidUtf8: boolean;
}

/**
 * Decodes a name. ASCII (nearly every real name) takes a fast path; otherwise a strict decode
 * tells whether the bytes were valid UTF-8, and a lossless one escapes what is not. Unicode is
 * never normalised: NFC and NFD spellings of a name stay distinct (T12).
 */
export function decodeName(bytes: Uint8Array): DecodedName {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: asciiString(bytes), invalidUtf8: false };
  try {
    return { text: strictDecoder.decode(bytes), invalidUtf8: false };
  } catch {
    return { text: surrogateEscape(bytes), invalidUtf8: true };
  }
}

/** ASCII bytes to a string, in slices small enough for `apply` on any engine. */
function asciiString(bytes: Uint8Array): string {
  if (bytes.length <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return out;
}

/** Why a name is unsafe to place in a merged view (SECURITY T1). */
export type UnsafeReason =
  /** Written as an absolute path ("/etc/passwd"). Docker and containerd read it relative to the root. */
  | "absolute"
  /** Has a ".." component that stays inside the root ("a/../b"): harmless lexically, not as written. */
  | "dotdot"
  /** Has ".." components that climb above the root ("../etc/passwd", "a/../../x"). */
  | "escapes-root";

export interface NormalisedPath {
  /**
   * The path for display and lookup: no leading "./" or "/", no empty or "." components, no
   * trailing "/". ".." components that stay inside the root are resolved lexically ("a/../b" is
   * "b", where Go's filepath.Clean and so containerd and Docker put it); a path that climbs above
   * the root keeps its ".." as written ("../etc/passwd"), to be shown and kept out of the merged
   * view. "" is the root itself.
   */
  readonly path: string;
  readonly unsafe: UnsafeReason | undefined;
}

/**
 * Normalises a decoded name lexically, in one pass (a 5 000-deep path costs no more than its
 * length). Only harmless rewrites are made; anything that could reach outside the layer's
 * root is flagged, and the most serious reason wins.
 */
export function normalisePath(name: string): NormalisedPath {
  if (isClean(name)) return { path: name, unsafe: undefined };
  const absolute = name.startsWith("/");
  const parts = name.split("/");
  /** The components as written (minus "" and "."): what an escaping path is shown as. */
  const kept: string[] = [];
  /** The components with each ".." applied: what a harmless path is shown as. */
  const resolved: string[] = [];
  let dotdot = false;
  let escapes = false;
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    kept.push(part);
    if (part === "..") {
      dotdot = true;
      if (resolved.pop() === undefined) escapes = true;
    } else {
      resolved.push(part);
    }
  }
  const unsafe: UnsafeReason | undefined = escapes ? "escapes-root" : dotdot ? "dotdot" : absolute ? "absolute" : undefined;
  return { path: (escapes ? kept : resolved).join("/"), unsafe };
}

/**
 * The common case, checked without splitting: no leading "/" or ".", no trailing "/", no "//",
 * and no component starting with "." (so no "." or ".."; hidden files take the slow path).
 */
function isClean(name: string): boolean {
  if (name.length === 0) return false;
  const first = name.charCodeAt(0);
  const last = name.charCodeAt(name.length - 1);
  if (first === 0x2f || first === 0x2e || last === 0x2f) return false;
  return !name.includes("//") && !name.includes("/.");
}

/** How an entry's basename relates to OCI whiteouts. Same words as src/core/pipeline/types.ts. */
export type WhiteoutKind = "none" | "whiteout" | "opaque" | "bad";

export interface WhiteoutClass {
  readonly kind: WhiteoutKind;
  /** For "whiteout", the path it hides; for "opaque", the directory whose lower contents it hides ("" = root). */
  readonly target?: string;
}

/** The whiteout prefix (image-spec layer.md, from AUFS). */
export const WHITEOUT_PREFIX = ".wh.";
/** Names starting with this are AUFS metadata (".wh..wh.plnk", ".wh..wh.aufs"), never files. */
export const WHITEOUT_META_PREFIX = ".wh..wh.";
/** The opaque-directory marker. */
export const WHITEOUT_OPAQUE = ".wh..wh..opq";

const NOT_WHITEOUT: WhiteoutClass = { kind: "none" };

/**
 * Classifies a normalised path by its basename. Only names are read here; whether the target
 * exists, or whether a whiteout shares its layer with its target, is the merge's business.
 * "bad" covers ".wh." with nothing after it, ".wh.." / ".wh..." (targets "." and ".."), and
 * every other ".wh..wh." name: none of them hides anything meaningful.
 */
export function classifyWhiteout(path: string): WhiteoutClass {
  const slash = path.lastIndexOf("/");
  const base = slash < 0 ? path : path.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return NOT_WHITEOUT;
  const dir = slash < 0 ? "" : path.slice(0, slash);
  if (base === WHITEOUT_OPAQUE) return { kind: "opaque", target: dir };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: "bad" };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === "" || name === "." || name === "..") return { kind: "bad" };
  return { kind: "whiteout", target: dir === "" ? name : `${dir}/${name}` };
}

/**
 * Whether a link's target, read lexically and without following any other link (T2), reaches
 * outside the layer root. A hardlink target is an archive path, judged like an entry path. A
 * symlink target is relative to the link's directory; absolute targets are the normal way to
 * point inside an image (a container resolves them against its own root), so only relative
 * targets that climb above the root are flagged ("x → ../victim" at the top level).
 */
export function linkUnsafe(type: "symlink" | "hardlink", entryPath: string, target: string): UnsafeReason | undefined {
  if (type === "hardlink") return normalisePath(target).unsafe;
  if (target.startsWith("/")) return undefined;
  let depth = 0;
  const dirEnd = entryPath.lastIndexOf("/");
  if (dirEnd > 0) {
    for (const part of entryPath.slice(0, dirEnd).split("/")) depth += part === ".." ? -1 : 1;
  }
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    depth += part === ".." ? -1 : 1;
    if (depth < 0) return "escapes-root";
  }
  return undefined;
}
