/**
 * What a file's bytes are, for the viewer: an image format recognised by its magic bytes (never
 * by its name), text in a guessed encoding, or binary. Only the raster formats below are ever
 * shown as images: SVG, HTML and XML are text here whatever they are called, so nothing a layer
 * contains can run on the app's origin (SECURITY U4).
 */

/** Raster image formats the viewer shows as images, by MIME type. */
export type ImageMime = "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp" | "image/x-icon";

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/**
 * The image format of `bytes` by magic number (PNG, JPEG, GIF, WebP, BMP, ICO), or undefined.
 * Signatures: PNG spec §5.2; JFIF/EXIF SOI + marker; GIF87a/GIF89a; RIFF….WEBP; "BM" with a
 * plausible header size; ICO reserved 0 + type 1 + a non-zero image count.
 */
export function sniffImage(bytes: Uint8Array): ImageMime | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  // BMP: "BM", then the DIB header size at offset 14 is one of the known ones (12, 40, 52, 56, 64, 108, 124).
  if (startsWith(bytes, ascii("BM")) && bytes.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(bytes[14]! | (bytes[15]! << 8))) return "image/bmp";
  if (startsWith(bytes, [0, 0, 1, 0]) && bytes.length >= 6 && (bytes[4]! | (bytes[5]! << 8)) > 0) return "image/x-icon";
  return undefined;
}

/** Text encodings the viewer decodes. "latin-1" is decoded as windows-1252, as browsers do. */
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "latin-1";

export interface TextGuess {
  readonly encoding: TextEncodingName;
  /** Bytes of byte-order mark to skip. */
  readonly bom: number;
}

/** How much of a file the guess looks at. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Guesses how to read `bytes` as text, or undefined when they look binary:
 * a BOM decides (UTF-8, UTF-16 LE/BE); else a NUL byte, or more than one byte in ten being a
 * control character, means binary; else valid UTF-8 is UTF-8 (a multi-byte sequence cut by the
 * sample's end is allowed), and anything else Latin-1.
 */
export function guessText(bytes: Uint8Array): TextGuess | undefined {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { encoding: "utf-8", bom: 3 };
  if (startsWith(bytes, [0xff, 0xfe])) return { encoding: "utf-16le", bom: 2 };
  if (startsWith(bytes, [0xfe, 0xff])) return { encoding: "utf-16be", bom: 2 };
  const sample = bytes.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) return undefined;
  let controls = 0;
  for (const b of sample) {
    // C0 controls other than tab, LF, VT, FF, CR and ESC; and DEL.
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) controls++;
  }
  if (controls * 10 > sample.length) return undefined;
  return isUtf8(sample, bytes.length > sample.length) ? { encoding: "utf-8", bom: 0 } : { encoding: "latin-1", bom: 0 };
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Valid UTF-8; with `cut`, up to 3 trailing bytes of an unfinished sequence are allowed. */
function isUtf8(sample: Uint8Array, cut: boolean): boolean {
  const tries = cut ? 4 : 1;
  for (let drop = 0; drop < tries && drop <= sample.length; drop++) {
    try {
      fatalUtf8.decode(sample.subarray(0, sample.length - drop));
      return true;
    } catch {
      // try a shorter sample: the last sequence may be cut
    }
  }
  return false;
}

/** Decodes `bytes` with a guess (invalid sequences become U+FFFD). A cut last sequence shows as U+FFFD too. */
export function decodeText(bytes: Uint8Array, guess: TextGuess): string {
  const label = guess.encoding === "latin-1" ? "windows-1252" : guess.encoding;
  return new TextDecoder(label).decode(bytes.subarray(guess.bom));
}

/**
 * Names whose content a browser would run or render actively (markup, scripts, stylesheets).
 * Informational: the viewer renders only sniffed raster images, whatever the name, so these are
 * shown as text with a note.
 */
export function isActiveContentName(path: string): boolean {
  return /\.(html?|xhtml|shtml|svgz?|xml|xsl|xslt|js|mjs|css|pdf)$/i.test(path);
}
