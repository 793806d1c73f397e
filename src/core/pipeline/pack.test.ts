/**
 * The packed form of a layer's entries: a round trip gives back equal entries (optional fields
 * present exactly when they were), numbers stay exact past 2^32, damage is detected.
 */
import { describe, expect, it } from "vitest";
import type { LayerEntry } from "./types";
import { checkPacked, packedBytes, packedFormOf, packEntries, unpackEntries, unpackSteps, SLICE, type PackedEntries } from "./pack";
import { runSteps } from "../steps";

const enc = new TextEncoder();

function entry(path: string, over: Partial<LayerEntry> = {}): LayerEntry {
  return {
    path,
    rawPath: enc.encode(path),
    type: "file",
    typeflag: "0",
    size: 12,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: "root",
    gname: "root",
    mtime: 1_700_000_000,
    whiteout: "none",
    headerOffset: 0,
    dataOffset: 512,
    ...over,
  };
}

/** Entries exercising every optional field and odd value the pipeline produces. */
const ODD: LayerEntry[] = [
  entry("etc", { type: "dir", typeflag: "5", size: 0, mode: 0o755 }),
  entry("etc/passwd", { headerOffset: 512, dataOffset: 1024 }),
  entry("bin/sh", { type: "symlink", typeflag: "2", size: 0, linkname: "busybox", mode: 0o777 }),
  entry("etc/.wh.old", { whiteout: "whiteout", whiteoutTarget: "etc/old", size: 0 }),
  entry("var/.wh..wh..opq", { whiteout: "opaque", whiteoutTarget: "var", size: 0 }),
  entry("x", { rawPath: new Uint8Array([0x2e, 0x2e, 0x2f, 0x78]), flags: ["unsafe-path"] }),
  entry("caf\ufffd", { rawPath: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), flags: ["invalid-utf8", "duplicate"] }),
  entry("big", { size: 9 * 2 ** 30, headerOffset: 5 * 2 ** 32, dataOffset: 5 * 2 ** 32 + 512, uid: 2 ** 33, gid: 70000 }),
  entry("frac", { mtime: 1_700_000_000.123456 }),
  entry("__proto__", { uname: "__proto__", gname: "constructor" }),
  entry("", { type: "dir", typeflag: "5", rawPath: enc.encode("./") }),
  entry("emoji/😀\u202e", { linkname: "", type: "hardlink", typeflag: "1" }),
];

describe("packEntries / unpackEntries", () => {
  it("round-trips every field exactly, optional fields present only when they were", async () => {
    const packed = await packEntries(ODD);
    expect(checkPacked(packed)).toBeUndefined();
    const back = await unpackEntries(packed);
    expect(back).toStrictEqual(ODD);
    for (const [i, e] of back.entries()) expect(Object.keys(e).sort()).toEqual(Object.keys(ODD[i]!).sort());
  });

  it("unpacked entries remember their packed form (sent on without packing again); others have none", async () => {
    const entries = [entry("a"), entry("a/b")];
    const packed = await packEntries(entries);
    const back = await unpackEntries(packed);
    expect(packedFormOf(back)).toBe(packed);
    expect(runSteps(unpackSteps(packed))).toEqual(back);
    expect(packedFormOf(entries)).toBeUndefined();
  });

  it("narrows numeric columns only when every value fits", async () => {
    const small = await packEntries([entry("a"), entry("b")]);
    expect(small.size).toBeInstanceOf(Uint32Array);
    expect(small.mtime).toBeInstanceOf(Uint32Array);
    const packed = await packEntries(ODD);
    expect(packed.size).toBeInstanceOf(Float64Array);
    expect(packed.mtime).toBeInstanceOf(Float64Array);
    expect(packed.mode).toBeInstanceOf(Uint32Array);
  });

  it("more than 65 536 distinct owner names widen the name column without losing any", async () => {
    const many = Array.from({ length: 70_000 }, (_, i) => entry(`f${i}`, { uname: `user${i}` }));
    const packed = await packEntries(many);
    expect(packed.names).toBeInstanceOf(Uint32Array);
    expect(checkPacked(packed)).toBeUndefined();
    const back = await unpackEntries(packed);
    expect(back[0]!.uname).toBe("user0");
    expect(back[69_999]!.uname).toBe("user69999");
  });

  it("an empty layer", async () => {
    const packed = await packEntries([]);
    expect(checkPacked(packed)).toBeUndefined();
    expect(await unpackEntries(packed)).toEqual([]);
  });

  it("slices across several yields give the same result, and yield between slices", async () => {
    const many = Array.from({ length: SLICE * 2 + 7 }, (_, i) => entry(`d${i % 50}/f${i}`, { headerOffset: i * 1024, flags: i % 9999 === 0 ? ["duplicate"] : undefined }));
    for (const e of many) if (e.flags === undefined) delete (e as { flags?: unknown }).flags;
    let yields = 0;
    const y = (): Promise<void> => {
      yields++;
      return Promise.resolve();
    };
    const packed = await packEntries(many, y);
    expect(yields).toBe(2);
    expect(await unpackEntries(packed, y)).toStrictEqual(many);
  });

  it("the size estimate counts typed arrays by length and strings at 2 bytes per code unit", async () => {
    const packed = await packEntries([entry("abc")]);
    const bytes = packedBytes(packed);
    expect(bytes).toBeGreaterThanOrEqual(packed.text.length * 2 + packed.raw.byteLength);
    expect(bytes).toBeLessThan(400);
  });

  it("200 000 entries: packs and unpacks quickly, about 54 bytes per entry beyond the names", async () => {
    const n = 200_000;
    const many = Array.from({ length: n }, (_, i) => entry(`usr/lib/python3/site-packages/pkg${i % 997}/module_${i}.py`, { headerOffset: i * 1536, dataOffset: i * 1536 + 512, size: i % 5000 }));
    const t0 = performance.now();
    const packed = await packEntries(many);
    const t1 = performance.now();
    const back = await unpackEntries(packed);
    const t2 = performance.now();
    expect(back).toHaveLength(n);
    expect(back[n - 1]).toStrictEqual(many[n - 1]);
    const names = packed.text.length * 2 + packed.raw.byteLength;
    expect((packedBytes(packed) - names) / n).toBeLessThan(60);
    // Generous bounds for a loaded CI machine; typical figures are in README.md.
    expect(t1 - t0).toBeLessThan(3000);
    expect(t2 - t1).toBeLessThan(3000);
  });
});

describe("checkPacked", () => {
  const good = async (): Promise<Record<string, unknown>> => ({ ...(await packEntries(ODD)) }) as unknown as Record<string, unknown>;
  const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    ["not an object", () => undefined, /./],
    ["a negative count", (p) => (p["n"] = -1), /count/],
    ["a column of the wrong length", (p) => (p["pathLen"] = new Uint32Array(1)), /pathLen/],
    ["a column of the wrong type", (p) => (p["size"] = Array.from(p["size"] as Uint32Array)), /size/],
    ["text lengths that do not add up", (p) => (p["text"] = `${p["text"] as string}x`), /text/],
    ["raw lengths that do not add up", (p) => (p["raw"] = new Uint8Array(1)), /raw/],
    ["a dictionary index out of range", (p) => ((p["names"] as Uint32Array)[0] = 9999), /dictionary/],
    ["a dictionary of non-strings", (p) => (p["dict"] = [1, 2]), /dictionary/],
  ];
  it.each(cases)("rejects %s", async (name, damage, reason) => {
    if (name === "not an object") {
      expect(checkPacked(null)).toMatch(reason);
      expect(checkPacked("x")).toMatch(reason);
      return;
    }
    const p = await good();
    damage(p);
    expect(checkPacked(p as unknown as PackedEntries)).toMatch(reason);
  });
});
