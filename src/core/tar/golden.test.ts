/**
 * Cross-checks against GNU tar 1.34: archives it wrote (testdata/*.tar), listed by it
 * (testdata/*.tar.tv.txt), must list the same through this parser. Our own full output is kept
 * beside them (testdata/*.tar.golden.json) so offsets and flags are reviewed in the diff;
 * refresh it with `UPDATE_GOLDEN=1 npx vitest run src/core/tar/golden.test.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TarEntry, TarSummary } from "./index";
import { CHUNKINGS, parseChunked } from "./testing";

const FIXTURES = ["gnu.tar", "pax.tar", "pax-sparse.tar", "ustar.tar", "v7.tar"] as const;
const dir = new URL("./testdata/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

const TYPE_CHAR: Record<TarEntry["type"], string> = {
  file: "-",
  hardlink: "h",
  symlink: "l",
  char: "c",
  block: "b",
  dir: "d",
  fifo: "p",
  contiguous: "C",
  sparse: "-", // GNU tar lists a sparse file as the regular file it expands to
  unknown: "?",
};

/** The permission string `ls -l` and `tar -tv` print. */
function modeString(mode: number): string {
  const bit = (b: number, c: string): string => (mode & b ? c : "-");
  const special = (exec: number, flag: number, on: string): string => (mode & flag ? (mode & exec ? on : on.toUpperCase()) : bit(exec, "x"));
  return (
    bit(0o400, "r") + bit(0o200, "w") + special(0o100, 0o4000, "s") +
    bit(0o040, "r") + bit(0o020, "w") + special(0o010, 0o2000, "s") +
    bit(0o004, "r") + bit(0o002, "w") + special(0o001, 0o1000, "t")
  );
}

/** One line as `TZ=UTC tar --utc -tvf` prints it, with runs of spaces collapsed. */
function tvLine(e: TarEntry): string {
  const owner = `${e.uname || e.uid}/${e.gname || e.gid}`;
  const size = e.type === "char" || e.type === "block" ? `${e.devmajor},${e.devminor}` : String(e.size);
  const date = new Date(Math.floor(e.mtime) * 1000).toISOString().slice(0, 16).replace("T", " ");
  const link = e.type === "symlink" ? ` -> ${e.linkname}` : e.type === "hardlink" ? ` link to ${e.linkname}` : "";
  return `${TYPE_CHAR[e.type]}${modeString(e.mode)} ${owner} ${size} ${date} ${e.originalPath}${link}`;
}

/** The summary as reviewable JSON: bytes as text, Maps as objects. */
function goldenJson(s: TarSummary): string {
  const entries = s.entries.map((e) => ({
    ...e,
    mode: `0o${e.mode.toString(8)}`,
    rawPath: undefined,
    rawLinkname: undefined,
    pax: e.pax === undefined ? undefined : Object.fromEntries(e.pax),
  }));
  const globalHeaders = s.globalHeaders.map((g) => ({ ...g, records: Object.fromEntries(g.records) }));
  return `${JSON.stringify({ ...s, entries, globalHeaders }, null, 1)}\n`;
}

describe.each(FIXTURES)("%s written by GNU tar", (name) => {
  const tar = read(name);
  const summary = parseChunked(tar, "whole");

  it("parses cleanly, whole and in every chunking", () => {
    expect(summary.error).toBeUndefined();
    for (const size of CHUNKINGS) expect(parseChunked(tar, size), `chunks of ${size}`).toEqual(summary);
  });

  it("lists what `tar -tv` lists", () => {
    const want = readFileSync(new URL(`${name}.tv.txt`, dir), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.replace(/ +/g, " "));
    expect(summary.entries.map(tvLine)).toEqual(want);
  });

  it("matches its reviewed golden output", () => {
    const file = new URL(`${name}.golden.json`, dir);
    const json = goldenJson(summary);
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, json);
    expect(json).toBe(readFileSync(file, "utf8"));
  });
});

describe("details GNU tar does not print", () => {
  it("gnu.tar: base-256 uid, negative base-256 mtime, 'K'/'L' long names, an old GNU sparse file", () => {
    const s = parseChunked(read("gnu.tar"), 1);
    const byPath = new Map(s.entries.map((e) => [e.path, e]));
    expect(byPath.get("dir/hard")).toMatchObject({ uid: 3_000_000, gid: 50, mtime: -86400 });
    expect(byPath.get("dir/longlink")?.linkname).toMatch(/^\.\.\/long-directory-name-.*\/file-with-a-rather-long-name-too\.txt$/);
    expect(byPath.get("sparse.bin")).toMatchObject({ type: "sparse", typeflag: "S", size: 1048576, dataSize: 4096 });
    expect(s).toMatchObject({ endMarkerOffset: 14848, endOffset: 15872, trailingBytes: 512, trailingAllZero: true });
  });

  it("pax.tar: the global header, fractional mtimes, PAX long paths and link paths", () => {
    const s = parseChunked(read("pax.tar"), 7);
    expect(s.globalHeaders).toEqual([{ headerOffset: 0, records: new Map([["comment", "layerscope-fixture"]]) }]);
    const hard = s.entries.find((e) => e.path === "dir/hard");
    expect(hard?.mtime).toBeCloseTo(1622550896.789, 3);
    expect(hard?.metaOffset).toBeLessThan(hard?.headerOffset ?? 0);
  });

  it("pax-sparse.tar: GNU sparse 1.0 takes its real name and size from the PAX records", () => {
    const s = parseChunked(read("pax-sparse.tar"), 511);
    expect(s.entries).toHaveLength(1);
    expect(s.entries[0]).toMatchObject({ path: "sparse.bin", type: "sparse", size: 1048576, dataSize: 4608 });
  });
});
