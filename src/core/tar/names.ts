/**
 * Names from tar headers are bytes, not text: a layer may hold names that are not UTF-8 (T12).
 * Shown in the trees (src/features/layers/format.ts) and written by the exports (src/core/export)
 * from the same lossless decoding.
 */

/** A piece of a name: text, or one byte that is not part of a valid UTF-8 sequence. */
export type NamePart = { readonly text: string } | { readonly byte: number };

/**
 * Decodes UTF-8 without losing anything: valid sequences become text, every other byte is kept
 * as a byte (shown as ⟨\xNN⟩). Rejects overlong forms, surrogates and code points past U+10FFFF,
 * as the WHATWG decoder does, but never replaces a byte with U+FFFD.
 */
export function decodeLossless(bytes: Uint8Array): NamePart[] {
  const parts: NamePart[] = [];
  let text = "";
  let i = 0;
  const cont = (k: number): boolean => k < bytes.length && ((bytes[k] as number) & 0xc0) === 0x80;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let cp = -1;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) {
      cp = ((b & 0x1f) << 6) | ((bytes[i + 1] as number) & 0x3f);
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef && cont(i + 1) && cont(i + 2)) {
      const c = ((b & 0x0f) << 12) | (((bytes[i + 1] as number) & 0x3f) << 6) | ((bytes[i + 2] as number) & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
        cp = c;
        len = 3;
      }
    } else if (b >= 0xf0 && b <= 0xf4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const c =
        ((b & 0x07) << 18) | (((bytes[i + 1] as number) & 0x3f) << 12) | (((bytes[i + 2] as number) & 0x3f) << 6) | ((bytes[i + 3] as number) & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) {
        cp = c;
        len = 4;
      }
    }
    if (cp < 0) {
      if (text) parts.push({ text });
      text = "";
      parts.push({ byte: b });
      i++;
      continue;
    }
    text += String.fromCodePoint(cp);
    i += len;
  }
  if (text) parts.push({ text });
  return parts;
}

/**
 * A name's bytes as one string that loses nothing: valid UTF-8 decoded, every other byte 0xNN
 * as the lone low surrogate U+DC00+0xNN (Python's "surrogateescape", PEP 383). Valid UTF-8 never
 * decodes to a lone surrogate, so two names with different bytes always get different strings
 * (T12), and the display code marks the surrogates as visible escapes (SafeText).
 */
export function surrogateEscape(bytes: Uint8Array): string {
  let out = "";
  for (const p of decodeLossless(bytes)) out += "text" in p ? p.text : String.fromCharCode(0xdc00 + p.byte);
  return out;
}
