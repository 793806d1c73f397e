/** What a file's bytes are: images by magic bytes only, text encodings guessed, binary refused as text. */
import { describe, expect, it } from "vitest";
import { decodeText, guessText, isActiveContentName, sniffImage } from "./content";
import { readTrust } from "./trust";

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("sniffImage", () => {
  const bmpHeader = [...ascii("BM"), ...new Array<number>(12).fill(0), 40, 0, 0, 0];
  it.each([
    ["PNG", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), "image/png"],
    ["JPEG", bytes(0xff, 0xd8, 0xff, 0xe0), "image/jpeg"],
    ["GIF89a", bytes(...ascii("GIF89a"), 1, 0), "image/gif"],
    ["GIF87a", bytes(...ascii("GIF87a")), "image/gif"],
    ["WebP", bytes(...ascii("RIFF"), 0, 0, 0, 0, ...ascii("WEBPVP8 ")), "image/webp"],
    ["BMP", bytes(...bmpHeader), "image/bmp"],
    ["ICO", bytes(0, 0, 1, 0, 1, 0, 16, 16), "image/x-icon"],
  ] as const)("%s by its magic bytes", (_n, b, mime) => expect(sniffImage(b)).toBe(mime));

  it.each([
    ["SVG, whatever its name", utf8('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ["HTML", utf8("<!doctype html><script>alert(1)</script>")],
    ["a RIFF that is not WebP", bytes(...ascii("RIFF"), 0, 0, 0, 0, ...ascii("WAVE"))],
    ["\"BM\" text", utf8("BMW is a car maker")],
    ["ICO with no images", bytes(0, 0, 1, 0, 0, 0)],
    ["nothing", bytes()],
  ])("%s is not an image", (_n, b) => expect(sniffImage(b)).toBeUndefined());
});

describe("guessText", () => {
  it.each([
    ["ASCII", utf8("hello\nworld\n"), { encoding: "utf-8", bom: 0 }],
    ["UTF-8", utf8("café ✓\n"), { encoding: "utf-8", bom: 0 }],
    ["UTF-8 with BOM", bytes(0xef, 0xbb, 0xbf, ...utf8("x")), { encoding: "utf-8", bom: 3 }],
    ["UTF-16 LE with BOM", bytes(0xff, 0xfe, 0x68, 0, 0x69, 0), { encoding: "utf-16le", bom: 2 }],
    ["UTF-16 BE with BOM", bytes(0xfe, 0xff, 0, 0x68, 0, 0x69), { encoding: "utf-16be", bom: 2 }],
    ["Latin-1", bytes(...ascii("caf"), 0xe9, 0x0a), { encoding: "latin-1", bom: 0 }],
    ["empty", bytes(), { encoding: "utf-8", bom: 0 }],
  ] as const)("%s", (_n, b, guess) => expect(guessText(b)).toEqual(guess));

  it.each([
    ["a NUL byte", bytes(...ascii("ab"), 0, ...ascii("cd"))],
    ["control characters", bytes(1, 2, 3, 4, 5, 6, 7, 8, 0x41)],
    ["UTF-16 without a BOM", bytes(0x68, 0, 0x69, 0)],
  ])("%s is binary", (_n, b) => expect(guessText(b)).toBeUndefined());

  it("a multi-byte character cut by the end of a preview is still UTF-8", () => {
    const big = utf8("é".repeat(40_000)); // 80 000 bytes: past the 64 KiB sample, cut mid-character there
    expect(guessText(big.subarray(0, 65_537))).toEqual({ encoding: "utf-8", bom: 0 });
  });

  it("decodes with the guess, skipping the BOM", () => {
    const b = bytes(0xff, 0xfe, ...[..."Grüße"].flatMap((c) => [c.charCodeAt(0), 0]));
    expect(decodeText(b, guessText(b)!)).toBe("Grüße");
    expect(decodeText(bytes(0x63, 0x61, 0x66, 0xe9), { encoding: "latin-1", bom: 0 })).toBe("café");
  });
});

it.each([
  ["index.html", true],
  ["a/b/logo.SVG", true],
  ["feed.xml", true],
  ["notes.txt", false],
  ["image.png", false],
])("isActiveContentName(%s) = %s", (name, active) => expect(isActiveContentName(name)).toBe(active));

describe("readTrust", () => {
  const verified = { status: "verified", digest: "sha256:a" } as const;
  const mismatch = { status: "mismatch", expected: "sha256:a", actual: "sha256:b" } as const;
  const unverifiable = { status: "unverifiable", digest: "", reason: "the image config has no diff_id for this layer" } as const;
  it.each([
    ["both verified", { digestVerdict: verified, diffIdVerdict: verified }, { allowed: true, trusted: true }],
    ["digest mismatch: refused", { digestVerdict: mismatch, diffIdVerdict: verified }, { allowed: false }],
    ["diff_id mismatch: refused", { digestVerdict: verified, diffIdVerdict: mismatch }, { allowed: false }],
    ["corrupt tar: refused", { digestVerdict: verified, diffIdVerdict: verified, error: { kind: "corrupt-tar", reason: "x", offset: 0 } }, { allowed: false }],
    ["no diff_id: shown, unverified", { digestVerdict: verified, diffIdVerdict: unverifiable }, { allowed: true, trusted: false }],
    ["entry limit: shown, unverified", { digestVerdict: verified, diffIdVerdict: verified, error: { kind: "limit-exceeded", what: "tar entries", limit: 1, detail: "x" } }, { allowed: true, trusted: false }],
  ] as const)("%s", (_n, layer, expected) => expect(readTrust(layer)).toMatchObject(expected));
});
