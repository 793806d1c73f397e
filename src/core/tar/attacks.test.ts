/**
 * Attack regressions, kept by name (→ node-tar test/ghsa-*): one block per row of
 * ../shared/SECURITY.md that concerns tar headers and names. Every case runs whole and in
 * 1-byte and odd-sized chunks.
 */
import { describe, expect, it } from "vitest";
import { buildTar } from "../testing/tar";
import { DEFAULT_MAX_ENTRIES, type TarParserOptions, type TarSummary } from "./index";
import { CHUNKINGS, END, base256, concat, entry, gnuLong, header, pax, parseChunked } from "./testing";

function parse(bytes: Uint8Array, options: TarParserOptions = {}): TarSummary {
  const whole = parseChunked(bytes, "whole", options);
  for (const size of CHUNKINGS) expect(parseChunked(bytes, size, options), `chunks of ${size}`).toEqual(whole);
  return whole;
}

const enc = new TextEncoder();

describe("T1: path escapes are normalised where harmless and flagged otherwise", () => {
  it("T1 ../etc/passwd, /abs/file, a/../../x, ./x, a//b", () => {
    const s = parse(buildTar(["../etc/passwd", "/abs/file", "a/../../x", "./x", "a//b"].map((path) => ({ path, content: "p" }))));
    expect(s.entries.map((e) => [e.originalPath, e.path, e.unsafe])).toEqual([
      ["../etc/passwd", "../etc/passwd", "escapes-root"],
      ["/abs/file", "abs/file", "absolute"],
      ["a/../../x", "a/../../x", "escapes-root"],
      ["./x", "x", undefined],
      ["a//b", "a/b", undefined],
    ]);
  });

  it("T1 an escape spelled through PAX and GNU long names is judged on the final name", () => {
    const tar = concat([pax([["path", "../../pax-escape"]]), entry({ name: "innocent" }), gnuLong("L", "/gnu/../../escape"), header({ name: "innocent2" }), END]);
    expect(parse(tar).entries.map((e) => [e.path, e.unsafe])).toEqual([
      ["../../pax-escape", "escapes-root"],
      ["gnu/../../escape", "escapes-root"],
    ]);
  });
});

describe("T2: link escapes are flagged, never resolved", () => {
  it("T2 x → ../victim, then x/file: both at their literal paths", () => {
    const s = parse(buildTar([{ path: "x", type: "symlink", linkname: "../victim" }, { path: "x/file", content: "pwned" }]));
    expect(s.entries.map((e) => [e.path, e.type, e.linkname, e.linkUnsafe, e.unsafe])).toEqual([
      ["x", "symlink", "../victim", "escapes-root", undefined],
      ["x/file", "file", undefined, undefined, undefined],
    ]);
  });

  it("T2 a hardlink to a path outside the root", () => {
    const s = parse(buildTar([{ path: "h", type: "hardlink", linkname: "../../etc/shadow" }]));
    expect(s.entries[0]).toMatchObject({ type: "hardlink", linkname: "../../etc/shadow", linkUnsafe: "escapes-root" });
  });
});

describe("T3: loops and dangling links are listed, not followed", () => {
  it("T3 a symlink loop and a hardlink to a missing target", () => {
    const s = parse(
      buildTar([
        { path: "a", type: "symlink", linkname: "b" },
        { path: "b", type: "symlink", linkname: "a" },
        { path: "self", type: "symlink", linkname: "self" },
        { path: "h", type: "hardlink", linkname: "missing" },
      ]),
    );
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.linkname])).toEqual([
      ["a", "b"],
      ["b", "a"],
      ["self", "self"],
      ["h", "missing"],
    ]);
  });
});

describe("T4: whiteout names are classified (the merge applies them)", () => {
  it("T4 .wh. names, opaque marker after new children, whiteout of a same-layer entry", () => {
    const s = parse(
      buildTar([
        { path: "d/", type: "dir" },
        { path: "d/new", content: "n" },
        { path: "d/.wh..wh..opq" },
        { path: "d/gone" },
        { path: "d/.wh.gone" },
        { path: ".wh." },
        { path: ".wh.." },
        { path: "x/.wh..wh.plnk" },
        { path: ".wh.missing" },
      ]),
    );
    expect(s.entries.map((e) => [e.path, e.whiteout, e.whiteoutTarget])).toEqual([
      ["d", "none", undefined],
      ["d/new", "none", undefined],
      ["d/.wh..wh..opq", "opaque", "d"],
      ["d/gone", "none", undefined],
      ["d/.wh.gone", "whiteout", "d/gone"],
      [".wh.", "bad", undefined],
      [".wh..", "bad", undefined],
      ["x/.wh..wh.plnk", "bad", undefined],
      [".wh.missing", "whiteout", "missing"],
    ]);
  });
});

describe("T5: the same path twice", () => {
  it("T5 both entries are listed in order (last wins in the merge)", () => {
    const s = parse(buildTar([{ path: "f", content: "1" }, { path: "./f", content: "22" }]));
    expect(s.entries.map((e) => [e.path, e.size])).toEqual([
      ["f", 1],
      ["f", 2],
    ]);
  });
});

describe("T6: PAX and GNU meta entries as Go and GNU tar read them", () => {
  it("T6 a PAX size before a GNU long-name header sizes the entry, not the long name", () => {
    const tar = concat([pax([["size", "1024"]]), gnuLong("L", "real-name"), header({ name: "hdr", size: 0 }), new Uint8Array(1024).fill(0x41), entry({ name: "next" }, "x"), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.size])).toEqual([
      ["real-name", 1024],
      ["next", 1],
    ]);
  });

  it("T6 a meta entry over 1 MiB is an error, read no further", () => {
    const tar = concat([gnuLong("L", "n".repeat((1 << 20) + 1)), header({ name: "a" }), END]);
    expect(parse(tar).error).toMatchObject({ kind: "limit-exceeded", what: "tar meta entry size", detail: expect.stringMatching(/meta entry too large/) });
  });

  it("T6 a long chain of meta headers keeps only the last (memory stays one meta body)", () => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) parts.push(pax([["path", `p${i}`]]));
    parts.push(header({ name: "a" }), END);
    const s = parse(concat(parts));
    expect(s.entries.map((e) => e.path)).toEqual(["p1999"]);
  });
});

describe("T7: sizes", () => {
  it("T7 a negative base-256 size is an error", () => {
    expect(parse(concat([header({ name: "neg", size: base256(-512, 12) }), END])).error).toMatchObject({ code: "bad-size" });
  });
  it("T7 a base-256 size past 2^53 is an error", () => {
    expect(parse(concat([header({ name: "big", size: base256(2n ** 80n, 12) }), END])).error).toMatchObject({ code: "bad-size" });
  });
  it("T7 a 9 GiB base-256 size is a number (the body is streamed, see parser.test.ts)", () => {
    const s = parse(concat([header({ name: "big", size: base256(9 * 2 ** 30, 12) })]));
    expect(s.entries[0]?.size).toBe(9 * 2 ** 30);
    expect(s.error).toMatchObject({ code: "truncated-body" });
  });
});

describe("T8: malformed streams stop with a clear error; entries before are kept", () => {
  const good = buildTar([{ path: "kept", content: "k" }], { endMarker: false });
  // A truncated body keeps its entry too: its header was whole.
  const cases: Array<[name: string, tail: Uint8Array, code: string, kept: string[]]> = [
    ["bad header checksum", header({ name: "x", checksum: "wrong" }), "bad-checksum", ["kept"]],
    ["truncated header", header({ name: "x" }).subarray(0, 100), "truncated-header", ["kept"]],
    ["truncated body", header({ name: "x", size: 5000 }), "truncated-body", ["kept", "x"]],
    ["missing end marker", new Uint8Array(), "missing-end-marker", ["kept"]],
  ];
  it.each(cases)("T8 %s", (_name, tail, code, kept) => {
    const s = parse(concat([good, tail]));
    expect(s.error).toMatchObject({ kind: "corrupt-tar", code });
    expect(s.entries.map((e) => e.path)).toEqual(kept);
    expect(s.partial).toBe(true);
  });

  it("T8 garbage after the end marker is counted and flagged", () => {
    const s = parse(concat([good, END, enc.encode("garbage")]));
    expect(s).toMatchObject({ error: undefined, trailingBytes: 7, trailingAllZero: false });
    expect(s.warnings.map((w) => w.code)).toEqual(["trailing-data"]);
  });
});

describe("T11: many entries, deep paths, long names", () => {
  it("T11 the entry budget defaults to a million and stops with a clear message", () => {
    expect(DEFAULT_MAX_ENTRIES).toBe(1_000_000);
    const s = parse(buildTar(Array.from({ length: 101 }, (_, i) => ({ path: `f${i}` }))), { maxEntries: 100 });
    expect(s.entries).toHaveLength(100);
    expect(s.error).toMatchObject({ kind: "limit-exceeded", what: "tar entries", detail: "more than 100 entries; stopped at the header at offset 51200" });
  });

  it("T11 a 5 000-deep path", () => {
    const deep = "d/".repeat(5000) + "leaf";
    const s = parse(concat([pax([["path", deep]]), header({ name: "x" }), END]));
    expect(s.entries[0]?.path).toBe(deep);
  });

  it("T11 a 100 KB name through PAX and through GNU 'L' (path budget raised)", () => {
    const name = "n".repeat(100_000);
    const tar = concat([pax([["path", name]]), header({ name: "a" }), gnuLong("L", name + "2"), header({ name: "b" }), END]);
    const s = parse(tar, { maxPathBytes: 128 * 1024 });
    expect(s.entries.map((e) => e.path.length)).toEqual([100_000, 100_001]);
    expect(parse(tar).error).toMatchObject({ kind: "limit-exceeded", what: "tar path length" });
  });
});

describe("T12: odd names stay distinct and are only data", () => {
  it("T12 invalid UTF-8 names: flagged, escaped for display, distinct raw bytes", () => {
    const tar = concat([header({ name: new Uint8Array([0x61, 0xff]) }), header({ name: new Uint8Array([0x61, 0xfe]) }), END]);
    const s = parse(tar);
    expect(s.entries.map((e) => [e.path, e.pathInvalidUtf8, [...e.rawPath]])).toEqual([
      ["a\udcff", true, [0x61, 0xff]],
      ["a\udcfe", true, [0x61, 0xfe]],
    ]);
  });

  it("T12 NFC and NFD spellings are two entries", () => {
    const s = parse(buildTar([{ path: "caf\u00e9" }, { path: "cafe\u0301" }]));
    expect(s.entries.map((e) => e.path)).toEqual(["caf\u00e9", "cafe\u0301"]);
    expect(s.entries[0]?.path).not.toBe(s.entries[1]?.path);
  });

  it("T12 __proto__ and constructor as names and PAX keywords pollute nothing", () => {
    const tar = concat([
      pax([["__proto__", "polluted"], ["constructor", "x"], ["SCHILY.xattr.__proto__", "y"]]),
      entry({ name: "__proto__" }),
      entry({ name: "constructor" }),
      pax([["__proto__", "g"]], { global: true }),
      entry({ name: "__proto__/hasOwnProperty" }),
      END,
    ]);
    const s = parse(tar);
    expect(s.entries.map((e) => e.path)).toEqual(["__proto__", "constructor", "__proto__/hasOwnProperty"]);
    expect(s.entries[0]?.pax?.get("__proto__")).toBe("polluted");
    expect(s.globalHeaders[0]?.records.get("__proto__")).toBe("g");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

describe("T13: unusual types are shown and labelled", () => {
  it("T13 unknown typeflag, global header, sparse, devices, FIFO", () => {
    const tar = concat([
      pax([["comment", "global"]], { global: true }),
      entry({ name: "mystery", typeflag: "?" }, "skipped"),
      header({ format: "gnu", typeflag: "S", name: "sparse", patch: [[483, enc.encode("00000001000\0")]] }),
      header({ name: "tty", typeflag: "3", devmajor: 5, devminor: 0 }),
      header({ name: "disk", typeflag: "4", devmajor: 8, devminor: 1 }),
      header({ name: "pipe", typeflag: "6" }),
      END,
    ]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.type, e.typeflag])).toEqual([
      ["mystery", "unknown", "?"],
      ["sparse", "sparse", "S"],
      ["tty", "char", "3"],
      ["disk", "block", "4"],
      ["pipe", "fifo", "6"],
    ]);
    expect(s.globalHeaders).toHaveLength(1);
    expect(s.warnings.map((w) => w.code)).toEqual(["global-header"]);
  });
});
