import { describe, expect, it } from "vitest";
import { buildTar } from "../testing/tar";
import { createTarParser, parseTar, type TarParserOptions, type TarSummary } from "./index";
import { BLOCK_SIZE } from "./format";
import { CHUNKINGS, END, base256, body, concat, entry, gnuLong, header, pax, paxRecords, parseChunked } from "./testing";

/** Parses `bytes` whole and in every chunking (STYLE 13); all must agree exactly. */
function parse(bytes: Uint8Array, options: TarParserOptions = {}): TarSummary {
  const whole = parseChunked(bytes, "whole", options);
  for (const size of CHUNKINGS) expect(parseChunked(bytes, size, options), `chunks of ${size}`).toEqual(whole);
  return whole;
}

const enc = new TextEncoder();
const paths = (s: TarSummary): string[] => s.entries.map((e) => e.path);

describe("ustar, GNU, star and V7 headers", () => {
  it("reads a plain ustar archive: fields, offsets, end marker", () => {
    const tar = buildTar([
      { path: "etc/", type: "dir" },
      { path: "etc/hostname", content: "box\n", uid: 1000, gid: 100, uname: "u", gname: "g", mode: 0o640, mtime: 1700000000 },
      { path: "etc/link", type: "symlink", linkname: "hostname" },
      { path: "etc/hard", type: "hardlink", linkname: "etc/hostname" },
    ]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.partial).toBe(false);
    expect(s.entries.map((e) => [e.path, e.type, e.size, e.headerOffset, e.dataOffset])).toEqual([
      ["etc", "dir", 0, 0, 512],
      ["etc/hostname", "file", 4, 512, 1024],
      ["etc/link", "symlink", 0, 1536, 2048],
      ["etc/hard", "hardlink", 0, 2048, 2560],
    ]);
    const f = s.entries[1];
    expect(f).toMatchObject({ mode: 0o640, uid: 1000, gid: 100, uname: "u", gname: "g", mtime: 1700000000, typeflag: "0", whiteout: "none", unsafe: undefined });
    expect(f?.rawPath).toEqual(enc.encode("etc/hostname"));
    expect(s.entries[2]).toMatchObject({ linkname: "hostname", linknameInvalidUtf8: false });
    expect(s.entries[3]?.rawLinkname).toEqual(enc.encode("etc/hostname"));
    expect(s).toMatchObject({ endMarkerOffset: 2560, endOffset: 3584, totalBytes: 3584, trailingBytes: 0, trailingAllZero: true, entryCount: 4 });
  });

  it("joins the ustar prefix and name with a slash", () => {
    const tar = concat([entry({ prefix: "a/very/long/prefix", name: "name.txt" }, "x"), END]);
    expect(paths(parse(tar))).toEqual(["a/very/long/prefix/name.txt"]);
  });

  it("ignores the prefix bytes of GNU headers (they hold atime/ctime there) and of V7 headers", () => {
    const junk = "12345670123";
    const tar = concat([entry({ format: "gnu", name: "gnu.txt", prefix: junk }), entry({ format: "v7", name: "v7.txt", prefix: junk }), END]);
    const s = parse(tar);
    expect(paths(s)).toEqual(["gnu.txt", "v7.txt"]);
    expect(s.entries[1]).toMatchObject({ uname: "", gname: "" });
  });

  it("reads star's 131-byte prefix", () => {
    const tar = concat([entry({ format: "star", prefix: "star/prefix", name: "f" }), END]);
    expect(paths(parse(tar))).toEqual(["star/prefix/f"]);
  });

  it("reads a V7 NUL typeflag as a file, or a directory when the name ends in '/', with no body", () => {
    const tar = concat([entry({ format: "v7", typeflag: 0, name: "f" }, "abc"), header({ format: "v7", typeflag: 0, name: "d/", size: 0 }), END]);
    const s = parse(tar);
    expect(s.entries.map((e) => [e.path, e.type, e.typeflag, e.size])).toEqual([
      ["f", "file", "\u0000", 3],
      ["d", "dir", "\u0000", 0],
    ]);
  });

  it("labels every typeflag (T13): devices with numbers, FIFOs, contiguous, unknown", () => {
    const tar = concat([
      header({ typeflag: "3", name: "dev/null", devmajor: 1, devminor: 3 }),
      header({ typeflag: "4", name: "dev/sda", devmajor: 8, devminor: 0 }),
      header({ typeflag: "6", name: "run/fifo" }),
      entry({ typeflag: "7", name: "contig" }, "data"),
      entry({ typeflag: "Z", name: "weird" }, "body of an unknown type is skipped by its size"),
      entry({ typeflag: "D", name: "dumpdir", format: "gnu" }, "Yfile\0\0"),
      entry({ name: "after" }, "ok"),
      END,
    ]);
    const s = parse(tar);
    expect(s.entries.map((e) => [e.path, e.type, e.typeflag])).toEqual([
      ["dev/null", "char", "3"],
      ["dev/sda", "block", "4"],
      ["run/fifo", "fifo", "6"],
      ["contig", "contiguous", "7"],
      ["weird", "unknown", "Z"],
      ["dumpdir", "unknown", "D"],
      ["after", "file", "0"],
    ]);
    expect(s.entries[0]).toMatchObject({ devmajor: 1, devminor: 3 });
    expect(s.entries[1]).toMatchObject({ devmajor: 8, devminor: 0 });
    expect(s.entries[2]?.devmajor).toBeUndefined();
    expect(s.entries[4]?.size).toBe("body of an unknown type is skipped by its size".length);
  });

  it("reads no body for links, dirs, devices and FIFOs whatever their size says (Go isHeaderOnlyType), and warns", () => {
    const tar = concat([header({ typeflag: "2", name: "l", linkname: "t", size: 600 }), entry({ name: "next" }, "n"), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.size, e.dataSize])).toEqual([
      ["l", 0, 0],
      ["next", 1, 1],
    ]);
    expect(s.warnings.map((w) => w.code)).toEqual(["body-ignored"]);
  });

  it("keeps mode permission bits and drops file-type bits old tars add", () => {
    const tar = concat([header({ name: "a", mode: 0o104755 }), END]);
    expect(parse(tar).entries[0]?.mode).toBe(0o4755);
  });
});

describe("numeric fields", () => {
  // [field bytes, expected] for the size field, written raw.
  const sizes: Array<[label: string, raw: Uint8Array, want: number]> = [
    ["octal with NUL", enc.encode("00000000012\0"), 10],
    ["octal with leading spaces and trailing space", enc.encode("        12 \0"), 10],
    ["octal with leading NULs", concat([new Uint8Array(9), enc.encode("12\0")]), 10],
    ["all NULs", new Uint8Array(12), 0],
    ["all spaces", enc.encode(" ".repeat(12)), 0],
    ["12 octal digits, no terminator (up to 64 GiB)", enc.encode("000000000012"), 10],
    ["base-256", base256(10, 12), 10],
  ];
  it.each(sizes)("reads a size written as %s", (_label, raw, want) => {
    const tar = concat([header({ name: "f", size: raw }), body(new Uint8Array(want)), entry({ name: "g" }, "z"), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => e.size)).toEqual([want, 1]);
  });

  it("reads base-256 ids and negative base-256 times (GNU tar, pre-1970)", () => {
    const tar = concat([header({ name: "f", uid: base256(3_000_000, 8), gid: base256(2 ** 40, 8), mtime: base256(-86400, 12) }), END]);
    expect(parse(tar).entries[0]).toMatchObject({ uid: 3_000_000, gid: 2 ** 40, mtime: -86400 });
  });

  const badFields: Array<[label: string, spec: Parameters<typeof header>[0], code: string, reason: RegExp]> = [
    ["a size with a non-octal digit", { size: enc.encode("0000000009\0") }, "bad-field", /size field .* is not a number/],
    ["a size with an inner space", { size: enc.encode("0000 000012\0") }, "bad-field", /not a number/],
    ["a mode with letters", { mode: enc.encode("abc\0") }, "bad-field", /mode field/],
    ["a uid past 2^53", { uid: base256(2n ** 60n, 8) }, "bad-field", /uid field .* out of range/],
    ["a negative base-256 size", { size: base256(-1, 12) }, "bad-size", /negative/],
    ["a base-256 size past 2^53", { size: base256(2n ** 53n + 1n, 12) }, "bad-size", /more than 2\^53/],
    ["a garbage devmajor", { devmajor: enc.encode("zz\0") }, "bad-field", /devmajor/],
  ];
  it.each(badFields)("stops at %s", (_label, spec, code, reason) => {
    const tar = concat([entry({ name: "ok" }, "1"), header({ name: "bad", ...spec }), END]);
    const s = parse(tar);
    expect(s.error).toMatchObject({ kind: "corrupt-tar", code });
    expect(s.error?.kind === "corrupt-tar" && s.error.reason).toMatch(reason);
    expect(paths(s)).toEqual(["ok"]);
    expect(s.partial).toBe(true);
  });
});

describe("checksums", () => {
  it("accepts the signed checksum old tars wrote (Go, GNU tar)", () => {
    const tar = concat([header({ name: "caf\u00e9-\u00ff", checksum: "signed" }), END]);
    expect(parse(tar).entries[0]?.path).toBe("caf\u00e9-\u00ff");
  });

  it("accepts a checksum field with leading spaces", () => {
    const h = header({ name: "x" });
    const sum = Number.parseInt(new TextDecoder().decode(h.subarray(148, 154)), 8);
    const tar = concat([header({ name: "x", checksum: enc.encode(`  ${sum.toString(8)}\0`) }), END]);
    expect(paths(parse(tar))).toEqual(["x"]);
  });

  it("stops at a bad checksum with the offset and a hint", () => {
    const tar = concat([entry({ name: "a" }, "aa"), header({ name: "b", checksum: "wrong" }), END]);
    const s = parse(tar);
    expect(s.error).toEqual({
      kind: "corrupt-tar",
      code: "bad-checksum",
      offset: 1024,
      reason: "bad header checksum at offset 1024 (is this a tar? is it still compressed?)",
    });
    expect(paths(s)).toEqual(["a"]);
  });

  it("says so when the input is gzip, not tar", () => {
    const gz = concat([new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), new Uint8Array(2000).fill(0x5a)]);
    expect(parse(gz).error).toMatchObject({ code: "bad-checksum", offset: 0, reason: expect.stringMatching(/still compressed/) });
  });
});

describe("PAX extended headers", () => {
  it("applies path, linkpath, size, uid, gid, uname, gname and fractional mtime, and keeps the other records", () => {
    const records: Array<[string, string]> = [
      ["path", "pax/long/" + "p".repeat(200)],
      ["linkpath", "target/" + "t".repeat(150)],
      ["size", "5"],
      ["uid", "4000000000"],
      ["gid", "70000"],
      ["uname", "dörte"],
      ["gname", "grüppe"],
      ["mtime", "1577836800.123456789"],
      ["atime", "1.5"],
      ["SCHILY.xattr.user.k", "v"],
      ["LIBARCHIVE.creationtime", "0"],
    ];
    const meta = pax(records);
    expect(meta.length).toBe(1536); // a header and two blocks of records
    const tar = concat([meta, entry({ name: "short", linkname: "l", size: 0 }), body("12345"), entry({ name: "next" }, "n"), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    const e = s.entries[0];
    expect(e).toMatchObject({
      path: "pax/long/" + "p".repeat(200),
      linkname: "target/" + "t".repeat(150),
      size: 5,
      dataSize: 5,
      uid: 4000000000,
      gid: 70000,
      uname: "dörte",
      gname: "grüppe",
      headerOffset: 1536,
      metaOffset: 0,
      dataOffset: 2048,
    });
    expect(e?.mtime).toBeCloseTo(1577836800.123457, 6);
    expect(e?.pax).toEqual(new Map([["atime", "1.5"], ["SCHILY.xattr.user.k", "v"], ["LIBARCHIVE.creationtime", "0"]]));
    expect(s.entries[1]).toMatchObject({ path: "next", headerOffset: 2560 });
  });

  it("keeps the header's value when a PAX value is empty (Go mergePAX)", () => {
    const tar = concat([pax([["path", ""], ["uname", ""]]), entry({ name: "kept", uname: "hdr" }), END]);
    expect(parse(tar).entries[0]).toMatchObject({ path: "kept", uname: "hdr" });
  });

  it("lets a second 'x' header replace the first, as Go does", () => {
    const tar = concat([pax([["path", "first"], ["uid", "7"]]), pax([["path", "second"]]), entry({ name: "hdr" }), END]);
    expect(parse(tar).entries[0]).toMatchObject({ path: "second", uid: 0, metaOffset: 0 });
  });

  it("applies PAX records to one entry only", () => {
    const tar = concat([pax([["path", "renamed"]]), entry({ name: "a" }), entry({ name: "b" }), END]);
    const s = parse(tar);
    expect(paths(s)).toEqual(["renamed", "b"]);
    expect(s.entries[1]?.metaOffset).toBeUndefined();
  });

  it("reads negative and short fractional PAX times", () => {
    const tar = concat([pax([["mtime", "-1.5"]]), entry({ name: "a" }), pax([["mtime", "10.03"]]), entry({ name: "b" }), END]);
    expect(parse(tar).entries.map((e) => e.mtime)).toEqual([-1.5, 10.03]);
  });

  const badPax: Array<[label: string, bodyBytes: Uint8Array, reason: RegExp]> = [
    ["a length that is not a number", enc.encode("x7 a=b\n"), /not a decimal/],
    ["a length past the body", enc.encode("99 a=b\n"), /does not fit/],
    ["a length under 5", enc.encode("4 a\n"), /does not fit/],
    ["a record without newline", enc.encode("7 a=bc "), /newline/],
    ["a record without '='", enc.encode("6 abc\n"), /no '='/],
    ["a NUL in a path value", paxRecords([["path", "a\0b"]]), /contains NUL/],
    ["a NUL in a keyword", enc.encode("8 a\0b=c\n"), /keyword contains NUL/],
    ["padding NULs after the records", concat([paxRecords([["path", "a"]]), new Uint8Array(3)]), /record has no length|not a decimal/],
    ["a uid that is not a number", paxRecords([["uid", "12a"]]), /"uid" is not a valid number/],
    ["an mtime that is not a number", paxRecords([["mtime", "1.2.3"]]), /"mtime" is not a valid number/],
  ];
  it.each(badPax)("stops at %s", (_label, bodyBytes, reason) => {
    const tar = concat([entry({ name: "ok" }), entry({ name: "PaxHeaders/x", typeflag: "x" }, bodyBytes), entry({ name: "f" }), END]);
    const s = parse(tar);
    expect(s.error).toMatchObject({ kind: "corrupt-tar", code: "bad-pax", reason: expect.stringMatching(reason) });
    expect(paths(s)).toEqual(["ok"]);
  });

  it("refuses a negative or > 2^53 PAX size", () => {
    for (const size of ["-1", "9007199254740993"]) {
      const tar = concat([pax([["size", size]]), entry({ name: "f" }), END]);
      expect(parse(tar).error).toMatchObject({ code: "bad-size", offset: 0 });
    }
  });

  it("surfaces a global header (T13) without applying it or listing it as an entry", () => {
    const tar = concat([pax([["comment", "hi"], ["path", "ignored"]], { global: true }), entry({ name: "a" }), END]);
    const s = parse(tar);
    expect(paths(s)).toEqual(["a"]);
    expect(s.globalHeaders).toEqual([{ headerOffset: 0, records: new Map([["comment", "hi"], ["path", "ignored"]]) }]);
    expect(s.warnings.map((w) => w.code)).toEqual(["global-header"]);
  });

  it("drops an 'x' read before a global header, as Go does", () => {
    const tar = concat([pax([["path", "lost"]]), pax([["comment", "g"]], { global: true }), entry({ name: "a" }), END]);
    const e = parse(tar).entries[0];
    expect(e?.path).toBe("a");
    expect(e?.metaOffset).toBeUndefined();
  });

  it("warns about a meta header that no entry follows", () => {
    const tar = concat([entry({ name: "a" }), pax([["path", "orphan"]]), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.warnings).toEqual([expect.objectContaining({ code: "orphan-meta", offset: 512 })]);
  });
});

describe("GNU long names and links", () => {
  it("applies 'L' and 'K' to the next entry", () => {
    const name = "gnu/" + "n".repeat(300);
    const link = "../" + "k".repeat(250);
    const tar = concat([gnuLong("L", name), gnuLong("K", link), header({ format: "gnu", typeflag: "2", name: name.slice(0, 100), linkname: link.slice(0, 100) }), END]);
    const s = parse(tar);
    expect(s.entries).toHaveLength(1);
    expect(s.entries[0]).toMatchObject({ path: name, linkname: link, type: "symlink", metaOffset: 0, headerOffset: 2048 });
  });

  it("applies a PAX size read before an 'L' header to the real entry, not to the 'L' body (Go, GNU tar)", () => {
    // x{size=700}, then 'L' whose own header says 9 bytes, then the entry whose header says 0.
    // A reader that applied the PAX size to the 'L' body would swallow the entry header.
    const content = new Uint8Array(700).fill(0x61);
    const tar = concat([pax([["size", "700"], ["uid", "42"]]), gnuLong("L", "long/name"), header({ name: "short", size: 0 }), body(content), entry({ name: "after" }, "x"), END]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.size, e.uid, e.dataOffset])).toEqual([
      ["long/name", 700, 42, 2560],
      ["after", 1, 0, 4096],
    ]);
    expect(s.entries[0]?.metaOffset).toBe(0);
  });

  it("prefers the GNU long name over a PAX path, as Go does, and warns", () => {
    const tar = concat([pax([["path", "from-pax"]]), gnuLong("L", "from-gnu"), header({ name: "hdr" }), END]);
    const s = parse(tar);
    expect(paths(s)).toEqual(["from-gnu"]);
    expect(s.warnings.map((w) => w.code)).toEqual(["gnu-name-overrides-pax"]);
  });

  it("ignores an empty GNU long name and cuts one at its first NUL", () => {
    const tar = concat([gnuLong("L", ""), header({ name: "hdr-name" }), gnuLong("L", "cut\0rest"), header({ name: "other" }), END]);
    expect(paths(parse(tar))).toEqual(["hdr-name", "cut"]);
  });
});

describe("GNU sparse files", () => {
  it("reads an old GNU 'S' header with extension blocks and skips its body", () => {
    const ext = new Uint8Array(BLOCK_SIZE);
    ext[504] = 1; // another extension block follows
    const ext2 = new Uint8Array(BLOCK_SIZE);
    const tar = concat([
      header({ format: "gnu", typeflag: "S", name: "sparse.img", size: 1024, patch: [[482, new Uint8Array([1])], [483, enc.encode("00010000000\0")]] }),
      ext,
      ext2,
      body(new Uint8Array(1024).fill(1)),
      entry({ name: "after" }, "a"),
      END,
    ]);
    const s = parse(tar);
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.type, e.size, e.dataSize, e.headerOffset, e.dataOffset])).toEqual([
      ["sparse.img", "sparse", 0o10000000, 1024, 0, 1536],
      ["after", "file", 1, 1, 2560, 3072],
    ]);
  });

  it("refuses an 'S' header that is not GNU (star's sparse layout differs; Go refuses it too)", () => {
    const tar = concat([header({ typeflag: "S", name: "s" }), END]);
    expect(parse(tar).error).toMatchObject({ code: "bad-sparse" });
  });

  it("reads PAX GNU sparse 1.0: real name and real size, body length from the header", () => {
    const tar = concat([
      pax([["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"], ["GNU.sparse.name", "real/name.bin"], ["GNU.sparse.realsize", "1048576"]]),
      entry({ name: "GNUSparseFile.1/name.bin" }, new Uint8Array(600)),
      END,
    ]);
    const s = parse(tar);
    expect(s.entries[0]).toMatchObject({ path: "real/name.bin", type: "sparse", typeflag: "0", size: 1048576, dataSize: 600 });
  });

  it("reads PAX GNU sparse 0.0 (offset/numbytes pairs) and refuses them out of order", () => {
    const good = concat([pax([["GNU.sparse.size", "4096"], ["GNU.sparse.offset", "0"], ["GNU.sparse.numbytes", "1"]]), entry({ name: "s" }, "a"), END]);
    expect(parse(good).entries[0]).toMatchObject({ type: "sparse", size: 4096, dataSize: 1 });
    const bad = concat([pax([["GNU.sparse.numbytes", "1"]]), entry({ name: "s" }, "a"), END]);
    expect(parse(bad).error).toMatchObject({ code: "bad-pax" });
  });

  it("reads an unknown GNU sparse version as a plain file, with a warning", () => {
    const tar = concat([pax([["GNU.sparse.major", "9"], ["GNU.sparse.minor", "9"]]), entry({ name: "f" }, "a"), END]);
    const s = parse(tar);
    expect(s.entries[0]?.type).toBe("file");
    expect(s.warnings.map((w) => w.code)).toEqual(["unknown-sparse-format"]);
  });
});

describe("end of archive", () => {
  it("counts zeros after the end marker (GNU tar pads to 10 KiB records)", () => {
    const tar = concat([entry({ name: "a" }, "x"), END, new Uint8Array(8192)]);
    const s = parse(tar);
    expect(s).toMatchObject({ error: undefined, endOffset: 2048, trailingBytes: 8192, trailingAllZero: true, warnings: [] });
  });

  it("reports garbage after the end marker as a warning with its first non-zero byte", () => {
    const tar = concat([entry({ name: "a" }, "x"), END, new Uint8Array(100), enc.encode("hidden"), new Uint8Array(10)]);
    const s = parse(tar);
    expect(s).toMatchObject({ error: undefined, partial: false, endOffset: 2048, trailingBytes: 116, trailingAllZero: false });
    expect(s.warnings).toEqual([expect.objectContaining({ code: "trailing-data", offset: 2148 })]);
  });

  const ends: Array<[label: string, tar: Uint8Array, code: string, offset: number, reason: RegExp]> = [
    ["no end marker", concat([entry({ name: "a" }, "x")]), "missing-end-marker", 1024, /without the two zero blocks/],
    ["one zero block", concat([entry({ name: "a" }, "x"), new Uint8Array(512)]), "missing-end-marker", 1536, /one zero block/],
    ["part of the second zero block", concat([entry({ name: "a" }, "x"), new Uint8Array(700)]), "missing-end-marker", 1724, /one zero block/],
    ["an empty stream", new Uint8Array(), "missing-end-marker", 0, /empty/],
    ["a truncated header", concat([entry({ name: "a" }, "x"), header({ name: "b" }).subarray(0, 300)]), "truncated-header", 1024, /got 300 of 512/],
    ["a truncated body", concat([header({ name: "a", size: 2000 }), new Uint8Array(1500)]), "truncated-body", 2012, /got 1500 of 2000 bytes/],
    ["a truncated padding", concat([header({ name: "a", size: 10 }), new Uint8Array(100)]), "missing-end-marker", 612, /padding/],
    ["a truncated PAX body", concat([header({ name: "p", typeflag: "x", size: 100 }), new Uint8Array(50)]), "truncated-body", 562, /got 50 of 100/],
    ["a zero block then data", concat([new Uint8Array(512), entry({ name: "a" }, "x"), END]), "lone-zero-block", 512, /followed by data/],
  ];
  it.each(ends)("stops at %s, keeping the entries before", (_label, tar, code, offset, reason) => {
    const s = parse(tar);
    expect(s.error).toMatchObject({ kind: "corrupt-tar", code, offset, reason: expect.stringMatching(reason) });
    expect(s.partial).toBe(true);
    expect(s.totalBytes).toBe(tar.length);
    if (code !== "lone-zero-block" && tar.length > 600) expect(paths(s)).toEqual(["a"]);
  });

  it("keeps counting every byte after an error, so the caller's hash covers the stream", () => {
    const tar = concat([entry({ name: "a" }, "x"), header({ name: "b", checksum: "wrong" }), new Uint8Array(5000).fill(7)]);
    const s = parse(tar);
    expect(s.totalBytes).toBe(tar.length);
    expect(s.endOffset).toBeUndefined();
  });
});

describe("limits", () => {
  it("stops at the entry budget with a clear error, keeping the entries read", () => {
    const tar = buildTar(Array.from({ length: 5 }, (_, i) => ({ path: `f${i}` })));
    const s = parse(tar, { maxEntries: 3 });
    expect(paths(s)).toEqual(["f0", "f1", "f2"]);
    expect(s.error).toEqual({ kind: "limit-exceeded", what: "tar entries", limit: 3, offset: 1536, detail: "more than 3 entries; stopped at the header at offset 1536" });
  });

  it("stops at a meta entry over the limit before reading it: 'meta entry too large'", () => {
    const tar = concat([header({ name: "p", typeflag: "x", size: 2 * 1024 * 1024 }), END]);
    const s = parse(tar);
    expect(s.error).toMatchObject({ kind: "limit-exceeded", what: "tar meta entry size", limit: 1 << 20, offset: 0, detail: expect.stringMatching(/^meta entry too large/) });
  });

  it("takes the meta limit as an option, for GNU long names too", () => {
    const tar = concat([gnuLong("L", "x".repeat(100)), header({ name: "a" }), END]);
    expect(parse(tar, { maxMetaBytes: 64 }).error).toMatchObject({ what: "tar meta entry size", limit: 64 });
    expect(parse(tar, { maxMetaBytes: 101 }).error).toBeUndefined();
  });

  it("stops at a path over the path budget, and accepts it when the budget allows", () => {
    const long = "d/".repeat(50_000) + "f"; // 100 001 bytes
    const tar = concat([pax([["path", long]]), header({ name: "a" }), END]);
    expect(parse(tar).error).toMatchObject({ kind: "limit-exceeded", what: "tar path length", limit: 65536 });
    expect(parse(tar, { maxPathBytes: 200_000 }).entries[0]?.path).toBe(long);
  });
});

describe("API", () => {
  it("calls onEntry in order and can skip collecting", () => {
    const seen: string[] = [];
    const parser = createTarParser({ collect: false, onEntry: (e) => seen.push(e.path) });
    parser.push(buildTar([{ path: "a" }, { path: "b" }]));
    expect(parser.entryCount).toBe(2);
    const s = parser.end();
    expect(seen).toEqual(["a", "b"]);
    expect(s.entries).toEqual([]);
    expect(s.entryCount).toBe(2);
  });

  it("parses an async iterable", async () => {
    const tar = buildTar([{ path: "x", content: "1" }]);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < tar.length; i += 100) yield tar.subarray(i, i + 100);
    }
    const s = await parseTar(source());
    expect(paths(s)).toEqual(["x"]);
  });

  it("exposes an error as soon as it happens, and refuses pushes after end()", () => {
    const parser = createTarParser();
    parser.push(header({ name: "a", checksum: "wrong" }));
    expect(parser.error?.kind).toBe("corrupt-tar");
    parser.end();
    expect(() => parser.push(new Uint8Array(1))).toThrow(/after end/);
  });

  it("produces plain data that survives structured clone (worker boundary)", () => {
    const tar = concat([pax([["SCHILY.xattr.a", "b"]]), entry({ name: "a" }, "x"), pax([["comment", "g"]], { global: true }), END, enc.encode("junk")]);
    const s = parse(tar);
    expect(structuredClone(s)).toEqual(s);
  });

  it("streams a base-256 size over 8 GiB without holding it (T7)", () => {
    const size = 2 ** 33 + 5;
    const parser = createTarParser();
    parser.push(header({ name: "huge", size: base256(size, 12) }));
    const zeros = new Uint8Array(1 << 22);
    let left = size + (512 - (size % 512));
    while (left > 0) {
      const n = Math.min(left, zeros.length);
      parser.push(n === zeros.length ? zeros : zeros.subarray(0, n));
      left -= n;
    }
    parser.push(entry({ name: "after" }, "z"));
    parser.push(END);
    const s = parser.end();
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.size, e.dataOffset])).toEqual([
      ["huge", size, 512],
      ["after", 1, 512 + size + 507 + 512],
    ]);
  });
});

describe("skip: random-access readers jump over bodies", () => {
  it("gives the same summary as pushing every byte, having read only headers", () => {
    const tar = buildTar([
      { path: "a", content: "x".repeat(5000) },
      { path: "b/", type: "dir" },
      { path: "b/x", pax: { path: "b/" + "long".repeat(40) }, content: "y".repeat(700) },
      { path: "c", type: "symlink", linkname: "a" },
    ]);
    const whole = parse(tar);
    const p = createTarParser();
    let pos = 0;
    let read = 0;
    while (pos < tar.length && !p.atEnd) {
      if (p.skippable > 0) {
        pos += p.skippable;
        p.skip(p.skippable);
        continue;
      }
      p.push(tar.subarray(pos, pos + BLOCK_SIZE));
      pos += BLOCK_SIZE;
      read += BLOCK_SIZE;
    }
    const s = p.end();
    expect({ ...s, totalBytes: 0, trailingBytes: 0 }).toEqual({ ...whole, totalBytes: 0, trailingBytes: 0 });
    expect(read).toBeLessThan(tar.length - 5000);
    expect(() => createTarParser().skip(1)).toThrow(/cannot skip 1 bytes here/);
  });
});
