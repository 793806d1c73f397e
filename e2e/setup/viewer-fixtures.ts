/**
 * The file viewer's image (e2e/viewer.spec.ts, issue 5 point 1), built in code with the
 * existing builders (src/core/testing's buildTar for hardlinks and symlinks, layer-fixtures'
 * imageOf) and pushed to OPEN as `e2e/viewer:v1`:
 *
 * - layer 1 (gzip): `big/first.txt`, a small text file at the very start, then 12 MiB of random
 *   bytes (`big/random.bin`): opening the first file must read far fewer bytes than the layer.
 * - layer 2 (gzip): text (UTF-8 with line numbers, UTF-16 LE with a BOM, 5 000 lines), binary,
 *   a PNG, HTML and SVG with script, a hardlink, a symlink, and a directory `tree/`.
 * - layer 3 (uncompressed tar): a new `tree/a.txt`, so the merged `tree/` mixes layers 2 and 3.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync, gzipSync } from "node:zlib";
import { buildTar, type TarEntry } from "../../src/core/testing/tar";
import { sha256, type BuiltImage, type Layer } from "./fixtures";
import { imageOf, OCI_LAYER_GZIP, OCI_LAYER_TAR } from "./layer-fixtures";

const utf16le = (s: string): Uint8Array => {
  const body = Buffer.from(s, "utf16le");
  return Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
};

/** CRC-32 (ISO-HDLC), as PNG chunks use it. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A real `w`×`h` RGB PNG: a red/blue checkerboard (PNG spec: IHDR, IDAT of filtered scanlines, IEND). */
export function checkerPng(w: number, h: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const rows: number[] = [];
  for (let y = 0; y < h; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < w; x++) rows.push(...(((x >> 3) + (y >> 3)) % 2 ? [220, 38, 38] : [37, 99, 235]));
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(Buffer.from(rows))), pngChunk("IEND", new Uint8Array())]);
}

export const VIEWER = {
  repository: "e2e/viewer",
  tag: "v1",
  bigFirst: { path: "big/first.txt", content: "a small file at the very start of a 12 MiB layer\n" },
  bigSize: 12 * 1024 * 1024,
  hello: { path: "text/hello.txt", lines: ["Hello from layer 2", "  indented line two", "café — UTF-8 ✓", "last line"] },
  utf16: { path: "text/utf16.txt", text: "Grüße aus UTF-16\nzweite Zeile\n" },
  large: { path: "text/large.txt", lines: 5000 },
  binary: { path: "bin/data.bin" },
  png: { path: "img/checker.png", width: 48, height: 32 },
  html: { path: "web/index.html", content: '<!doctype html><h1 id="pwned">x</h1><script>alert(1); document.title = "pwned"</script><img src=x onerror="alert(2)">\n' },
  svg: { path: "web/logo.svg", content: '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(3)"><script>alert(4)</script><circle r="5"/></svg>\n' },
  hardlink: { path: "text/hello-hardlink.txt", target: "text/hello.txt" },
  symlink: { path: "text/hello-symlink", target: "hello.txt" },
  tree: {
    dir: "tree",
    /** Paths under tree/ in the merged view, with the layer (0-based) that provides each and its bytes. */
    files: { "tree/a.txt": { layer: 2, content: "a, rewritten by layer 3\n" }, "tree/sub/b.bin": { layer: 1, content: "binary\u0000\u0001\u0002 b\n" } },
    symlink: { path: "tree/sub/link", target: "../a.txt" },
  },
} as const;

export const largeLine = (i: number): string => `line ${i + 1} of the large file: ${"lorem ipsum ".repeat(3)}`;
export const binaryBytes = (): Uint8Array => Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff);

const layer = (mediaType: string, bytes: Uint8Array, tar: Uint8Array): Layer => ({ mediaType, digest: sha256(bytes), size: bytes.byteLength, bytes, diffId: sha256(tar) });

export function viewerImage(): BuiltImage {
  const big: TarEntry[] = [
    { path: "big/", type: "dir" },
    { path: VIEWER.bigFirst.path, content: VIEWER.bigFirst.content },
    { path: "big/random.bin", content: randomBytes(VIEWER.bigSize) },
  ];
  const files: TarEntry[] = [
    { path: "text/", type: "dir" },
    { path: VIEWER.hello.path, content: VIEWER.hello.lines.join("\n") + "\n" },
    { path: VIEWER.utf16.path, content: utf16le(VIEWER.utf16.text) },
    { path: VIEWER.large.path, content: Array.from({ length: VIEWER.large.lines }, (_, i) => largeLine(i)).join("\n") + "\n" },
    { path: VIEWER.hardlink.path, type: "hardlink", linkname: VIEWER.hardlink.target },
    { path: VIEWER.symlink.path, type: "symlink", linkname: VIEWER.symlink.target },
    { path: "bin/", type: "dir" },
    { path: VIEWER.binary.path, content: binaryBytes() },
    { path: "img/", type: "dir" },
    { path: VIEWER.png.path, content: checkerPng(VIEWER.png.width, VIEWER.png.height) },
    { path: "web/", type: "dir" },
    { path: VIEWER.html.path, content: VIEWER.html.content },
    { path: VIEWER.svg.path, content: VIEWER.svg.content },
    { path: "tree/", type: "dir" },
    { path: "tree/a.txt", content: "a, as layer 2 wrote it\n" },
    { path: "tree/sub/", type: "dir" },
    { path: "tree/sub/b.bin", content: VIEWER.tree.files["tree/sub/b.bin"].content },
    { path: VIEWER.tree.symlink.path, type: "symlink", linkname: VIEWER.tree.symlink.target },
  ];
  const top: TarEntry[] = [{ path: "tree/a.txt", content: VIEWER.tree.files["tree/a.txt"].content }];
  const [t0, t1, t2] = [buildTar(big), buildTar(files), buildTar(top)];
  return imageOf(
    [layer(OCI_LAYER_GZIP, gzipSync(t0), t0), layer(OCI_LAYER_GZIP, gzipSync(t1), t1), layer(OCI_LAYER_TAR, t2, t2)],
    ["COPY big / # 12 MiB, a small file first", "COPY files / # text, binary, image, active content, links", "COPY tree/a.txt / # rewrites a file"],
  );
}

/**
 * `e2e/viewer-flipped:v1`: one uncompressed layer whose stored blob gets one byte flipped inside
 * the body of `flipped/damaged.txt` after the push. Unlike the gzip flipped fixture (which
 * cannot be decompressed, so it has no entries), this one indexes completely: every entry is
 * listed, and both the digest and the diff_id mismatch. Opening a file there must be refused.
 */
export const FLIPPED = { repository: "e2e/viewer-flipped", tag: "v1", path: "flipped/damaged.txt", content: "this body has one byte flipped in the registry's storage\n".repeat(20) };

export function viewerFlippedImage(): BuiltImage {
  const tar = buildTar([
    { path: "flipped/", type: "dir" },
    { path: FLIPPED.path, content: FLIPPED.content },
  ]);
  return imageOf([layer(OCI_LAYER_TAR, tar, tar)], ["COPY flipped / # a byte of a body flipped in storage"]);
}

/** Flips one byte of the flipped image's file body in OPEN's storage (`storage` is its root directory). */
export function damageViewerFlipped(storage: string, image: BuiltImage): void {
  const hex = image.layers[0]!.digest.slice("sha256:".length);
  const data = join(storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  const bytes = readFileSync(data);
  // The body starts after the directory's header and the file's header (two 512-byte blocks).
  bytes[2 * 512 + 10]! ^= 0x01;
  writeFileSync(data, bytes);
}
