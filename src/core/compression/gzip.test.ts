import { describe, expect, it } from "vitest";
import { createDecoder } from "./index";
import { chooseGzipEngine, createGzipDecoder, ESTARGZ_TOC_DIGEST_ANNOTATION, type GzipEngine } from "./gzip";
import { createPakoGzipDecoder } from "./gzip-pako";
import { CHUNKINGS, concat, diffBytes, gzip, run, sampleBytes, utf8 } from "./testkit";

const A = sampleBytes(150_000, 1); // several 128 KiB output chunks
const B = utf8("second member\n");
const C = sampleBytes(3_000, 3);

const label = (n: number): string => (Number.isFinite(n) ? `${n}-byte chunks` : "whole");

describe.each(CHUNKINGS)("pako gzip, %s", (size) => {
  const name = label(size);

  it(`${name}: one member`, async () => {
    const r = await run(createPakoGzipDecoder(), await gzip(A), size);
    expect(diffBytes(r.ok && r.output, A)).toBe("equal");
    expect(r.ok && r.summary).toMatchObject({ engine: "pako", members: 1, trailingBytes: 0, warnings: [], uncompressedBytes: A.length });
  });

  it(`${name}: every member of a multi-member stream (eStargz, T9)`, async () => {
    const blob = concat(await gzip(A), await gzip(B), await gzip(new Uint8Array(0)), await gzip(C));
    const r = await run(createPakoGzipDecoder(), blob, size);
    expect(diffBytes(r.ok && r.output, concat(A, B, C))).toBe("equal");
    expect(r.ok && r.summary).toMatchObject({ members: 4, trailingBytes: 0, compressedBytes: blob.length });
  });

  it(`${name}: trailing garbage is reported, not decoded (T9)`, async () => {
    const junk = utf8("PK\x03\x04 not gzip at all");
    const r = await run(createPakoGzipDecoder(), concat(await gzip(A), await gzip(B), junk), size);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(diffBytes(r.output, concat(A, B))).toBe("equal");
    expect(r.summary.members).toBe(2);
    expect(r.summary.trailingBytes).toBe(junk.length);
    expect(r.summary.warnings).toEqual([expect.stringMatching(/^20 bytes of trailing data after the last gzip member \(starting 50 4b 03 04 20 6e 6f 74\): not decoded, but part of the layer digest$/)]);
  });

  it(`${name}: trailing zeros are called padding`, async () => {
    const r = await run(createPakoGzipDecoder(), concat(await gzip(B), new Uint8Array(1024)), size);
    expect(r.ok && r.summary.trailingBytes).toBe(1024);
    expect(r.ok && r.summary.warnings[0]).toMatch(/^1024 zero bytes after the last gzip member/);
  });

  it(`${name}: a lone 0x1f after the last member is trailing data`, async () => {
    const r = await run(createPakoGzipDecoder(), concat(await gzip(B), Uint8Array.of(0x1f)), size);
    expect(diffBytes(r.ok && r.output, B)).toBe("equal");
    expect(r.ok && r.summary.trailingBytes).toBe(1);
  });

  it(`${name}: corrupt deflate is a typed error (T9)`, async () => {
    const bad = await gzip(A);
    bad[bad.length >> 1]! ^= 0xff;
    const r = await run(createPakoGzipDecoder(), bad, size);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", format: "gzip" });
  });

  it(`${name}: a CRC mismatch is corrupt data`, async () => {
    const bad = await gzip(B);
    bad[bad.length - 6]! ^= 0x01; // inside CRC32 (the 8-byte trailer is CRC32, ISIZE)
    const r = await run(createPakoGzipDecoder(), bad, size);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", detail: "incorrect data check" });
  });

  it(`${name}: a cut stream is truncated, not silently short`, async () => {
    const blob = concat(await gzip(A), await gzip(B));
    const r = await run(createPakoGzipDecoder(), blob.subarray(0, blob.length - 5), size);
    expect(!r.ok && r.error).toMatchObject({ kind: "truncated-compressed-data", format: "gzip", compressedBytes: blob.length - 5 });
    expect(!r.ok && r.error.kind === "truncated-compressed-data" && r.error.detail).toMatch(/member 2 ends early/);
  });

  it(`${name}: what was decoded before a CRC mismatch or a cut is handed on before the error (nothing lost)`, async () => {
    // Found by the hostile corpus (src/core/testing/hostile): the output buffer (up to 128 KiB)
    // was dropped with the error, so the tar entries in it were never reported.
    const bad = await gzip(B);
    bad[bad.length - 6]! ^= 0x01;
    const crc = await run(createPakoGzipDecoder(), bad, size);
    expect(!crc.ok && crc.outputBytes).toBe(B.length);
    const whole = await gzip(B);
    const cut = await run(createPakoGzipDecoder(), whole.subarray(0, whole.length - 20), size);
    expect(!cut.ok && cut.error.kind).toBe("truncated-compressed-data");
    expect(!cut.ok && cut.outputBytes).toBeGreaterThan(0);
  });

  it(`${name}: not gzip at all`, async () => {
    const r = await run(createPakoGzipDecoder(), utf8("hello, this is not gzip"), size);
    expect(!r.ok && r.error).toMatchObject({ kind: "corrupt-compressed-data", detail: "incorrect header check" });
  });
});

describe("pako gzip edge cases", () => {
  it("empty input is truncated with 'no gzip data'", async () => {
    const r = await run(createPakoGzipDecoder(), new Uint8Array(0), Infinity);
    expect(!r.ok && r.error).toMatchObject({ kind: "truncated-compressed-data", compressedBytes: 0, detail: "there is no gzip data at all" });
  });

  it("yielded chunks never share a buffer with later output (safe to transfer)", async () => {
    const decoder = createPakoGzipDecoder();
    const seen = new Set<ArrayBufferLike>();
    for (const out of decoder.push(await gzip(A))) {
      expect(seen.has(out.buffer)).toBe(false);
      seen.add(out.buffer);
    }
    decoder.dispose();
  });
});

/** The engines in Node: pako always, plus Node's own DecompressionStream. */
const ENGINES: readonly GzipEngine[] = ["pako", "native"];

describe.each(ENGINES)("gzip engine %s, shared behaviour", (engine) => {
  it.each(CHUNKINGS)("single member, %s", async (size) => {
    const data = size === 1 ? C : A; // 1-byte pushes through the async engine cost ~50 µs each
    const r = await run(createGzipDecoder({ prefer: engine }), await gzip(data), size);
    expect(diffBytes(r.ok && r.output, data)).toBe("equal");
    expect(r.ok && r.summary.engine).toBe(engine);
  });

  it.each([4093, Infinity])("gzip bomb stops at the cap with flat memory, %s (T10)", async (size) => {
    // 64 MiB of zeros is about 64 KB of gzip; the cap stops it at 10 MB.
    const bomb = await gzip(new Uint8Array(64 * 1024 * 1024));
    const cap = 10_000_000;
    const r = await run(createGzipDecoder({ prefer: engine, maxUncompressedBytes: cap }), bomb, size, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toEqual({ kind: "uncompressed-size-limit", limit: cap });
    expect(r.outputBytes).toBe(cap); // exactly up to the cap, then stopped
    // pako hands out 128 KiB buffers; the native engine writes 32 KiB slices (≤ ~34 MB each).
    expect(r.largestChunk).toBeLessThanOrEqual(engine === "pako" ? 128 * 1024 : 34 * 1024 * 1024);
  });

  it("multi-member: every member, or a native failure that means 'restart with pako' — never a short success", async () => {
    const r = await run(createGzipDecoder({ prefer: engine }), concat(await gzip(A), await gzip(B)), 4093);
    if (r.ok) expect(diffBytes(r.output, concat(A, B))).toBe("equal");
    else expect(r.error.kind).toBe("native-gzip-failed"); // Chromium, and Node ≥ 24.19
  });

  it("corrupt data fails (pako: corrupt; native: native-gzip-failed, to be retried with pako)", async () => {
    const bad = await gzip(A);
    bad[bad.length >> 1]! ^= 0xff;
    const r = await run(createGzipDecoder({ prefer: engine }), bad, 4093);
    expect(!r.ok && r.error.kind).toBe(engine === "pako" ? "corrupt-compressed-data" : "native-gzip-failed");
  });

  it("a cut stream fails", async () => {
    const blob = await gzip(A);
    const r = await run(createGzipDecoder({ prefer: engine }), blob.subarray(0, blob.length - 3), 7);
    expect(!r.ok && r.error.kind).toBe(engine === "pako" ? "truncated-compressed-data" : "native-gzip-failed");
  });
});

describe("native gzip in Node", () => {
  it.each(CHUNKINGS)("decodes with %s (the async path, including 1-byte pushes)", async (size) => {
    const small = sampleBytes(20_000, 9);
    const r = await run(createGzipDecoder({ prefer: "native" }), await gzip(small), size);
    expect(diffBytes(r.ok && r.output, small)).toBe("equal");
    expect(r.ok && r.summary).toMatchObject({ engine: "native", members: null, trailingBytes: null });
  });

  it("trailing junk fails natively, so the layer is retried with pako, which reports it", async () => {
    const blob = concat(await gzip(B), utf8("junk!"));
    const native = await run(createGzipDecoder({ prefer: "native" }), blob, Infinity);
    expect(!native.ok && native.error.kind).toBe("native-gzip-failed");
    const pako = await run(createGzipDecoder({ prefer: chooseGzipEngine({ nativeFailed: true }) }), blob, Infinity);
    expect(pako.ok && pako.summary.trailingBytes).toBe(5);
  });
});

describe("chooseGzipEngine", () => {
  it.each([
    [{}, "native"],
    [{ annotations: { "org.opencontainers.image.title": "x" } }, "native"],
    [{ annotations: { [ESTARGZ_TOC_DIGEST_ANNOTATION]: "sha256:" + "a".repeat(64) } }, "pako"],
    [{ nativeFailed: true }, "pako"],
    [{ nativeAvailable: false }, "pako"],
  ] as const)("%j → %s", (ctx, engine) => {
    expect(chooseGzipEngine(ctx)).toBe(engine);
  });
});

describe("createDecoder", () => {
  it("none passes the tar through, counted against the cap", async () => {
    const tar = sampleBytes(5000, 4);
    const r = await run(await createDecoder("none"), tar, 7);
    expect(diffBytes(r.ok && r.output, tar)).toBe("equal");
    const capped = await run(await createDecoder("none", { maxUncompressedBytes: 1000 }), tar, 7);
    expect(!capped.ok && capped.error).toEqual({ kind: "uncompressed-size-limit", limit: 1000 });
    expect(!capped.ok && capped.outputBytes).toBe(1000);
  });

  it("gzip defaults to pako", async () => {
    expect((await createDecoder("gzip")).engine).toBe("pako");
  });
});
