import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { digestBytes } from "../digest/digest";
import { createZstdDecoder } from "./zstd";
import { parseZstdFrameHeader, zstdHeaderSize, ZstdFrameScanner } from "./zstd-frames";
import { CHUNKINGS, concat, diffBytes, run, utf8 } from "./testkit";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
/** What `seq 1 n` prints. */
const seq = (n: number): Uint8Array => utf8(Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(""));

const SEQ5000 = seq(5000);
const L19 = fixture("seq5000.l19.zst");
const SINGLE = fixture("seq5000.single-segment.zst");
const WINDOW_256M = fixture("seq1000.window256m.zst");
const ZEROS = fixture("zeros300k.zst");
const RAND = fixture("rand20k.zst");
const RAND_SHA256 = "sha256:f6f48e1d5356f242cc6cec0796728e292f35bd92e072e252cfe5cbcd49678aad";

const MiB = 1024 * 1024;
const FRAME_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A skippable frame (RFC 8878 3.1.2) with magic 0x184D2A53 and `data`. */
const skippable = (data: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(0x53, 0x2a, 0x4d, 0x18, data.length & 0xff, (data.length >> 8) & 0xff, 0, 0), data);
/** A 3-byte block header: Last_Block, Block_Type (0 raw, 1 RLE, 2 compressed), Block_Size. */
const blockHeader = (last: boolean, type: number, size: number): number[] => {
  const v = (size << 3) | (type << 1) | (last ? 1 : 0);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
};
/** A frame of `count` RLE blocks of 128 KiB of `byte`: 4 bytes per 128 KiB, a zstd bomb. */
function rleBomb(count: number, byte = 0x41): Uint8Array {
  const parts: number[] = [...FRAME_MAGIC, 0x00, 0x58]; // no FCS, not single-segment, 2 MiB window
  for (let i = 0; i < count; i++) parts.push(...blockHeader(i === count - 1, 1, 128 * 1024), byte);
  return Uint8Array.from(parts);
}

const label = (n: number): string => (Number.isFinite(n) ? `${n}-byte chunks` : "whole");

describe.each(CHUNKINGS)("zstd, %s", (size) => {
  const name = label(size);

  it(`${name}: zstd -19 --check from stdin (8 MiB window, checksum)`, async () => {
    const r = await run(await createZstdDecoder(), L19, size);
    expect(diffBytes(r.ok && r.output, SEQ5000)).toBe("equal");
    expect(r.ok && r.summary).toMatchObject({ format: "zstd", engine: "zstddec", members: 1, trailingBytes: 0, warnings: [] });
  });

  it(`${name}: single-segment frame`, async () => {
    const r = await run(await createZstdDecoder(), SINGLE, size);
    expect(diffBytes(r.ok && r.output, SEQ5000)).toBe("equal");
  });

  it(`${name}: compressed and RLE blocks`, async () => {
    const r = await run(await createZstdDecoder(), ZEROS, size);
    expect(diffBytes(r.ok && r.output, new Uint8Array(300_000))).toBe("equal");
  });

  it(`${name}: a raw block`, async () => {
    const r = await run(await createZstdDecoder(), RAND, size);
    expect(r.ok && r.output.length).toBe(20_000);
    expect(r.ok && (await digestBytes("sha256", r.output))).toBe(RAND_SHA256);
  });

  it(`${name}: several frames with a skippable frame between them (zstd:chunked style)`, async () => {
    const blob = concat(L19, skippable(utf8("metadata")), SINGLE, ZEROS);
    const r = await run(await createZstdDecoder(), blob, size);
    expect(diffBytes(r.ok && r.output, concat(SEQ5000, SEQ5000, new Uint8Array(300_000)))).toBe("equal");
    expect(r.ok && r.summary.members).toBe(3);
    expect(r.ok && r.summary.warnings).toEqual(["1 skippable zstd frame(s) (metadata, e.g. zstd:chunked) were skipped"]);
  });

  it(`${name}: trailing garbage is reported, not decoded (T9)`, async () => {
    const r = await run(await createZstdDecoder(), concat(L19, utf8("junk after the frame")), size);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(diffBytes(r.output, SEQ5000)).toBe("equal");
    expect(r.summary.trailingBytes).toBe(20);
    expect(r.summary.warnings).toEqual(["20 bytes of trailing data after the last zstd frame: not decoded, but part of the layer digest"]);
  });

  it(`${name}: 1 to 3 trailing zero bytes (shorter than a magic) are padding`, async () => {
    const r = await run(await createZstdDecoder(), concat(SINGLE, new Uint8Array(3)), size);
    expect(r.ok && r.summary.trailingBytes).toBe(3);
    expect(r.ok && r.summary.warnings[0]).toMatch(/^3 zero bytes after the last zstd frame/);
  });

  it(`${name}: a frame asking for a 256 MiB window is refused before decoding (T10)`, async () => {
    const r = await run(await createZstdDecoder(), WINDOW_256M, size);
    expect(!r.ok && r.error).toEqual({ kind: "zstd-window-too-large", windowSize: 256 * MiB, limit: 128 * MiB, frameIndex: 1 });
    expect(!r.ok && r.outputBytes).toBe(0);
  });

  it(`${name}: a frame over the cap later in the stream is refused too`, async () => {
    const r = await run(await createZstdDecoder({ maxWindowBytes: 1 * MiB }), concat(SINGLE, L19), size);
    expect(!r.ok && r.error).toEqual({ kind: "zstd-window-too-large", windowSize: 8 * MiB, limit: 1 * MiB, frameIndex: 2 });
    // Nothing before the refused frame is lost, even when both frames arrive in one chunk (found by
    // the hostile corpus, src/core/testing/hostile: the first frame's output used to go with the error).
    expect(!r.ok && r.outputBytes).toBe(SEQ5000.length);
  });

  it(`${name}: a cut stream is truncated`, async () => {
    const r = await run(await createZstdDecoder(), L19.subarray(0, L19.length - 10), size);
    expect(!r.ok && r.error).toMatchObject({ kind: "truncated-compressed-data", format: "zstd", compressedBytes: L19.length - 10 });
  });

  it(`${name}: a stream cut inside the content checksum is truncated`, async () => {
    const r = await run(await createZstdDecoder(), L19.subarray(0, L19.length - 2), size);
    expect(!r.ok && r.error.kind).toBe("truncated-compressed-data");
  });

  it(`${name}: a flipped byte is corrupt data`, async () => {
    const bad = L19.slice();
    bad[2000]! ^= 0x5a;
    const r = await run(await createZstdDecoder(), bad, size);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", format: "zstd" });
  });
});

describe("zstd hostile input (T10)", () => {
  it.each(CHUNKINGS)("an RLE bomb stops at the cap with output in 128 KiB pieces, %s", async (size) => {
    const bomb = rleBomb(400); // 1600 bytes → 50 MiB
    const r = await run(await createZstdDecoder({ maxUncompressedBytes: 10_000_000 }), bomb, size, false);
    expect(!r.ok && r.error).toEqual({ kind: "uncompressed-size-limit", limit: 10_000_000 });
    expect(!r.ok && r.outputBytes).toBe(10_000_000);
    expect(r.largestChunk).toBeLessThanOrEqual(128 * 1024);
  });

  it("an RLE frame under the cap decodes in full", async () => {
    const r = await run(await createZstdDecoder(), rleBomb(3, 0x7a), 7);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.ok && r.output.length).toBe(3 * 128 * 1024);
    expect(r.ok && r.output.every((b) => b === 0x7a)).toBe(true);
  });

  it.each([
    // Window_Descriptor 0xA8: exponent 21 → 2^31 = 2 GiB.
    ["a 2 GiB Window_Descriptor", [...FRAME_MAGIC, 0x00, 0xa8, ...blockHeader(true, 1, 1), 0x00], 2 * 1024 * MiB],
    // Single segment, 8-byte Frame_Content_Size of 10 GiB: the window is the whole content.
    [
      "a single-segment frame claiming 10 GiB",
      [...FRAME_MAGIC, 0xe0, 0, 0, 0, 0x80, 0x02, 0, 0, 0, ...blockHeader(true, 1, 1), 0x00],
      10 * 1024 * MiB,
    ],
    // Window_Descriptor 0xFF: the largest expressible, 2^41 * 15/8 = 3.75 TiB.
    ["the largest window the format allows", [...FRAME_MAGIC, 0x00, 0xff], 2 ** 41 * 1.875],
  ] as const)("%s is refused by name, before libzstd sees it", async (_name, bytes, windowSize) => {
    for (const size of CHUNKINGS) {
      const r = await run(await createZstdDecoder(), Uint8Array.from(bytes), size);
      expect(!r.ok && r.error).toEqual({ kind: "zstd-window-too-large", windowSize, limit: 128 * MiB, frameIndex: 1 });
    }
  });

  it("with our cap raised past libzstd's own 128 MiB, libzstd still refuses, with the same kind", async () => {
    const r = await run(await createZstdDecoder({ maxWindowBytes: 1024 * MiB }), WINDOW_256M, 4093);
    expect(!r.ok && r.error).toEqual({ kind: "zstd-window-too-large", windowSize: 256 * MiB, limit: 128 * MiB, frameIndex: 1 });
  });

  it("the reserved frame-header bit is corrupt data", async () => {
    const r = await run(await createZstdDecoder(), Uint8Array.from([...FRAME_MAGIC, 0x08, 0x58, ...blockHeader(true, 1, 1), 0]), 1);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", detail: "the reserved bit of the frame header is set" });
  });

  it("the reserved block type is corrupt data", async () => {
    const r = await run(await createZstdDecoder(), Uint8Array.from([...FRAME_MAGIC, 0x00, 0x58, ...blockHeader(true, 3, 1), 0]), 7);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", detail: "a block uses the reserved block type" });
  });

  it("empty input has no frame", async () => {
    const r = await run(await createZstdDecoder(), new Uint8Array(0), Infinity);
    expect(!r.ok && r.error).toMatchObject({ kind: "truncated-compressed-data", detail: "there is no zstd frame at all" });
  });

  it("input that does not start with a frame is corrupt", async () => {
    const r = await run(await createZstdDecoder(), utf8("definitely not zstd"), 7);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", detail: "the stream does not start with a zstd frame magic" });
  });

  it("two decoders interleaved in one worker keep their own state", async () => {
    const [a, b] = await Promise.all([createZstdDecoder(), createZstdDecoder()]);
    const outA: Uint8Array[] = [];
    const outB: Uint8Array[] = [];
    const n = Math.max(L19.length, RAND.length);
    for (let at = 0; at < n; at += 500) {
      for (const o of a.push(L19.subarray(at, at + 500))) outA.push(o);
      for (const o of b.push(RAND.subarray(at, at + 500))) outB.push(o);
    }
    for (const o of a.end()) outA.push(o);
    for (const o of b.end()) outB.push(o);
    a.dispose();
    b.dispose();
    expect(diffBytes(concat(...outA), SEQ5000)).toBe("equal");
    expect(await digestBytes("sha256", concat(...outB))).toBe(RAND_SHA256);
  });
});

describe("zstd frame header parsing (RFC 8878 3.1.1.1)", () => {
  it.each([
    // [descriptor + rest, windowSize, contentSize, headerSize]
    [[0x04, 0x68], 8 * MiB, undefined, 2], // seq5000.l19.zst
    [[0x60, 0x55, 0x5c], 23_893, 23_893, 3], // seq5000.single-segment.zst: 2-byte FCS is + 256
    [[0x00, 0x00], 1024, undefined, 2], // smallest window: 1 KiB
    [[0x00, 0x1b], 8192 + 3 * 1024, undefined, 2], // exponent 3, mantissa 3: 2^13 + 3/8 of it
    [[0x20, 0x07], 7, 7, 2], // single segment, 1-byte FCS
    [[0x83, 0x58, 1, 2, 3, 4, 0x10, 0, 0, 0], 2 * MiB, 16, 10], // 4-byte dictionary id, 4-byte FCS
  ] as const)("%j", (bytes, windowSize, contentSize, headerSize) => {
    expect(zstdHeaderSize(bytes[0])).toBe(headerSize);
    const h = parseZstdFrameHeader(Uint8Array.from(bytes));
    if (typeof h === "string") throw new Error(h);
    expect(h.windowSize).toBe(windowSize);
    expect(h.contentSize).toBe(contentSize);
    expect(h.headerSize).toBe(headerSize);
  });

  it("the scanner passes on exactly the frame bytes, holding a split magic", () => {
    const blob = concat(SINGLE, L19, utf8("tail"));
    for (const size of [1, 2, 3, 5, 4093]) {
      const scanner = new ZstdFrameScanner();
      const passed: Uint8Array[] = [];
      for (let at = 0; at < blob.length; at += size) passed.push(...scanner.scan(blob.subarray(at, at + size)));
      scanner.finish();
      expect(diffBytes(concat(...passed), concat(SINGLE, L19))).toBe("equal");
      expect(scanner.frames).toBe(2);
      expect(scanner.trailingBytes).toBe(4);
    }
  });
});
