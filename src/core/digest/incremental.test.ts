import { describe, expect, it } from "vitest";
import { digestBytes } from "./digest";
import { createBlobVerifier, createHasher, describeSizeError, isSizeError } from "./incremental";
import { noiseBytes } from "../testing/noise";


function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  if (bytes.length === 0) yield bytes;
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const DATA = noiseBytes(300_000, 0x9e3779b9);
// Sizes around the SHA block sizes (64 and 128 bytes) and hash-wasm's internal buffer, plus odd ones.
const CHUNK_SIZES = [1, 7, 63, 64, 65, 127, 128, 129, 4093, 16_384, 65_536, DATA.length];

describe("createHasher matches the one-shot WebCrypto digest", () => {
  for (const alg of ["sha256", "sha512"] as const) {
    it.each(CHUNK_SIZES)(`${alg}, chunks of %i bytes`, async (size) => {
      const data = size === 1 ? DATA.subarray(0, 20_000) : DATA;
      const hasher = await createHasher(alg);
      for (const c of chunks(data, size)) hasher.update(c);
      expect(hasher.digest()).toBe(await digestBytes(alg, data));
    });

    it(`${alg} of nothing`, async () => {
      const hasher = await createHasher(alg);
      expect(hasher.digest()).toBe(await digestBytes(alg, new Uint8Array(0)));
    });
  }

  it("hashes the view, not the whole underlying buffer", async () => {
    const view = DATA.subarray(1000, 5000);
    const hasher = await createHasher("sha256");
    hasher.update(view);
    expect(hasher.digest()).toBe(await digestBytes("sha256", view.slice()));
  });

  it("is spent after digest()", async () => {
    const hasher = await createHasher("sha256");
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => hasher.digest()).toThrow(/twice/);
  });

  it("keeps independent state per hasher", async () => {
    const [a, b] = await Promise.all([createHasher("sha256"), createHasher("sha256")]);
    a.update(DATA.subarray(0, 100));
    b.update(DATA.subarray(0, 50));
    b.update(DATA.subarray(50, 100));
    expect(a.digest()).toBe(b.digest());
  });
});

describe("createBlobVerifier (SECURITY D1, D2, D5)", () => {
  const blob = DATA.subarray(0, 10_000);

  for (const alg of ["sha256", "sha512"] as const) {
    it.each([1, 7, 4093, blob.length])(`${alg}: verified with chunks of %i`, async (size) => {
      const expected = await digestBytes(alg, blob);
      const v = await createBlobVerifier(expected, blob.length);
      for (const c of chunks(blob, size)) expect(v.update(c)).toBeUndefined();
      expect(v.finish()).toEqual({ status: "verified", digest: expected });
    });
  }

  it("one flipped byte is a mismatch with both digests (D1)", async () => {
    const expected = await digestBytes("sha256", blob);
    const flipped = blob.slice();
    flipped[4321]! ^= 0x01;
    const v = await createBlobVerifier(expected, blob.length);
    for (const c of chunks(flipped, 4093)) v.update(c);
    expect(v.finish()).toEqual({ status: "mismatch", expected, actual: await digestBytes("sha256", flipped) });
  });

  it.each([1, 7, 4093, 10_001])("an overrun fails at the first byte too many, chunks of %i (D2)", async (size) => {
    const expected = await digestBytes("sha256", blob);
    const longer = DATA.subarray(0, 10_001 + 5000);
    const v = await createBlobVerifier(expected, 10_000);
    let failedAt: number | undefined;
    let seen = 0;
    for (const c of chunks(longer, size)) {
      seen += c.length;
      const e = v.update(c);
      if (e) {
        failedAt = seen;
        expect(e.kind).toBe("blob-too-large");
        expect(describeSizeError(e)).toBe("blob larger than its descriptor: more than 10000 bytes");
        break;
      }
    }
    // It fails in the very chunk that carries byte 10 001.
    expect(failedAt).toBe(Math.ceil(10_001 / size) * size);
    expect(v.update(new Uint8Array(1))).toMatchObject({ kind: "blob-too-large" });
    expect(v.finish()).toMatchObject({ kind: "blob-too-large", expectedSize: 10_000 });
  });

  it("an underrun says truncated: got N of M bytes (D2)", async () => {
    const expected = await digestBytes("sha256", blob);
    const v = await createBlobVerifier(expected, blob.length);
    v.update(blob.subarray(0, 6000));
    const r = v.finish();
    expect(isSizeError(r)).toBe(true);
    if (!isSizeError(r)) throw new Error("unreachable");
    expect(r).toEqual({ kind: "blob-truncated", expectedSize: 10_000, received: 6000 });
    expect(describeSizeError(r)).toBe("truncated: got 6000 of 10000 bytes");
  });

  it("without an expected size only the digest is checked (diff_id)", async () => {
    const expected = await digestBytes("sha256", blob);
    const v = await createBlobVerifier(expected);
    for (const c of chunks(blob, 999)) expect(v.update(c)).toBeUndefined();
    expect(v.finish()).toEqual({ status: "verified", digest: expected });
  });

  it.each([
    ["blake3:" + "a".repeat(64), /blake3 is not an algorithm Layerscope can compute/],
    ["md5:d41d8cd98f00b204e9800998ecf8427e", /md5/],
    ["sha256:ABC", /64 lowercase hex/],
    ["nonsense", /no ':'/],
  ])("%s is unverifiable, never verified (D5)", async (digest, reason) => {
    const v = await createBlobVerifier(digest, blob.length);
    for (const c of chunks(blob, 4093)) v.update(c);
    const r = v.finish();
    expect(r).toMatchObject({ status: "unverifiable", digest });
    expect((r as { reason: string }).reason).toMatch(reason);
  });

  it("an unknown algorithm still gets its size checked", async () => {
    const v = await createBlobVerifier("blake3:" + "a".repeat(64), 5);
    expect(v.update(new Uint8Array(6))).toMatchObject({ kind: "blob-too-large" });
  });

  it("rejects a nonsense expected size", async () => {
    await expect(createBlobVerifier("sha256:" + "a".repeat(64), -1)).rejects.toThrow(RangeError);
    await expect(createBlobVerifier("sha256:" + "a".repeat(64), 1.5)).rejects.toThrow(RangeError);
  });
});
