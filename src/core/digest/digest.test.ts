import { describe, expect, it } from "vitest";
import { digestBytes, isVerifiableAlgorithm, parseDigest, sha256Hex, verifyBytes } from "./index";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// FIPS 180-2 test vectors.
const SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const SHA512_ABC =
  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
const SHA512_EMPTY =
  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

describe("parseDigest: good", () => {
  it.each([
    [`sha256:${SHA256_ABC}`, "sha256", SHA256_ABC],
    [`sha512:${SHA512_ABC}`, "sha512", SHA512_ABC],
    [`blake3:${SHA256_ABC}`, "blake3", SHA256_ABC],
    // Unregistered but well-formed: parses (verification will say "unverifiable").
    ["md5:d41d8cd98f00b204e9800998ecf8427e", "md5", "d41d8cd98f00b204e9800998ecf8427e"],
    ["multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "multihash+base58", "QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"],
    ["sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "sha256+b64u", "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"],
    ["a.b_c-d:x=", "a.b_c-d", "x="],
  ])("%s", (s, algorithm, encoded) => {
    const r = parseDigest(s);
    expect(r).toEqual({ ok: true, value: { algorithm, encoded, string: s } });
  });
});

describe("parseDigest: bad", () => {
  it.each([
    ["", /empty/],
    ["sha256", /no ':'/],
    [`:${SHA256_ABC}`, /no algorithm/],
    ["sha256:", /nothing after/],
    [`SHA256:${SHA256_ABC}`, /not a valid digest algorithm/],
    [`sha256:${SHA256_ABC.toUpperCase()}`, /64 lowercase hex digits.*uppercase/],
    [`sha256:${SHA256_ABC.slice(1)}`, /64 lowercase hex digits, got 63/],
    [`sha256:${SHA256_ABC}0`, /got 65/],
    [`sha256:${SHA256_ABC.slice(1)}g`, /64 lowercase hex/],
    [`sha512:${SHA256_ABC}`, /128 lowercase hex digits/],
    ["sha256+:abc", /not a valid digest algorithm/],
    ["+sha:abc", /not a valid digest algorithm/],
    ["sha--256:abc", /not a valid digest algorithm/],
    ["md5:abc def", /characters outside/],
    ["md5:abc/def", /characters outside/],
    [` sha256:${SHA256_ABC}`, /not a valid digest algorithm/],
    [`sha256:${SHA256_ABC} `, /characters outside/],
  ])("%j", (s, reason) => {
    const r = parseDigest(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });
});

describe("hashing", () => {
  it("sha256 known vectors", async () => {
    expect(await sha256Hex(new Uint8Array())).toBe(SHA256_EMPTY);
    expect(await sha256Hex(utf8("abc"))).toBe(SHA256_ABC);
    expect(await digestBytes("sha256", utf8("abc"))).toBe(`sha256:${SHA256_ABC}`);
  });
  it("sha512 known vectors", async () => {
    expect(await digestBytes("sha512", utf8("abc"))).toBe(`sha512:${SHA512_ABC}`);
    expect(await digestBytes("sha512", new Uint8Array())).toBe(`sha512:${SHA512_EMPTY}`);
  });
  it("hashes only the view, not the whole underlying buffer", async () => {
    const buffer = utf8("xxabcxx");
    expect(await sha256Hex(buffer.subarray(2, 5))).toBe(SHA256_ABC);
  });
  it("accepts views over a SharedArrayBuffer", async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set(utf8("abc"));
    expect(await sha256Hex(shared)).toBe(SHA256_ABC);
  });
  it("isVerifiableAlgorithm", () => {
    expect(["sha256", "sha512", "blake3", "md5", "SHA256"].map(isVerifiableAlgorithm)).toEqual([true, true, false, false, false]);
  });
});

describe("verifyBytes", () => {
  it.each([
    ["sha256 of empty", `sha256:${SHA256_EMPTY}`, "", { status: "verified", digest: `sha256:${SHA256_EMPTY}` }],
    ["sha256 of abc", `sha256:${SHA256_ABC}`, "abc", { status: "verified", digest: `sha256:${SHA256_ABC}` }],
    ["sha512 of abc (D5)", `sha512:${SHA512_ABC}`, "abc", { status: "verified", digest: `sha512:${SHA512_ABC}` }],
    ["one byte differs", `sha256:${SHA256_ABC}`, "abd", { status: "mismatch", expected: `sha256:${SHA256_ABC}` }],
    ["sha512 mismatch", `sha512:${SHA512_ABC}`, "", { status: "mismatch", actual: `sha512:${SHA512_EMPTY}` }],
  ])("%s", async (_name, expected, input, want) => {
    expect(await verifyBytes(expected, utf8(input))).toMatchObject(want);
  });

  it("reports the actual digest on mismatch", async () => {
    expect(await verifyBytes(`sha256:${SHA256_ABC}`, new Uint8Array())).toEqual({
      status: "mismatch",
      expected: `sha256:${SHA256_ABC}`,
      actual: `sha256:${SHA256_EMPTY}`,
    });
  });

  // SECURITY D5: an algorithm we cannot compute is never "verified", whatever the bytes.
  it.each([
    ["unknown algorithm", "md5:900150983cd24fb0d6963f7d28e17f72", /md5 is not an algorithm Layerscope can compute/],
    ["registered but not in WebCrypto", `blake3:${SHA256_ABC}`, /blake3/],
    ["malformed digest", "sha256:abc", /64 lowercase hex/],
    ["uppercase hex of the right bytes", `sha256:${SHA256_ABC.toUpperCase()}`, /uppercase/],
  ])("unverifiable: %s", async (_name, expected, reason) => {
    const v = await verifyBytes(expected, utf8("abc"));
    expect(v.status).toBe("unverifiable");
    if (v.status === "unverifiable") {
      expect(v.digest).toBe(expected);
      expect(v.reason).toMatch(reason);
    }
  });
});
