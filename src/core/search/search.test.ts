import { describe, expect, it } from "vitest";
import { mergeLayers } from "../filetree";
import { layerEntries } from "../filetree/testdata/layers";
import type { LayerEntry } from "../pipeline/types";
import { buildTar, type TarEntry } from "../testing/tar";
import { compileGlob } from "./glob";
import { resolveSymlink, type LinkNode } from "./links";
import { EMPTY_FORM, nestedQuantifier, parseIdSet, parseSearch, type SearchForm } from "./query";
import { runSearch, type SearchData } from "./run";
import { parseSize } from "./size";

describe("parseSize", () => {
  const good: [string, number][] = [
    ["0", 0],
    ["512", 512],
    ["10M", 10_000_000],
    ["10m", 10_000_000],
    ["1.5 KB", 1500],
    ["1.5kb", 1500],
    ["1MiB", 1_048_576],
    ["2 GiB", 2 * 2 ** 30],
    ["3k", 3000],
    [" 7 B ", 7],
    [".5K", 500],
  ];
  it.each(good)("%j is %d bytes", (text, bytes) => expect(parseSize(text)).toEqual({ ok: true, value: bytes }));
  it.each(["", "ten", "10 X", "1.2.3M", "-1", "1e3", "10 MiBB", "99999999999999999P"])("%j is refused with a hint", (text) => {
    const r = parseSize(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/size|unit|large/);
  });
});

describe("parseIdSet", () => {
  it.each([
    ["0", [[0, 0]]],
    ["0, 1000", [[0, 0], [1000, 1000]]],
    ["1000-1999", [[1000, 1999]]],
  ])("%j", (text, ranges) => expect(parseIdSet(text)).toEqual({ ok: true, value: ranges }));
  it.each(["root", "5-1", ",", "-3", "1.5"])("%j is refused", (text) => expect(parseIdSet(text).ok).toBe(false));
});

describe("compileGlob", () => {
  const table: [glob: string, path: string, matches: boolean][] = [
    ["*.so", "/usr/lib/libc.so", true],
    ["*.so", "/usr/lib/libc.so.6", false],
    ["libc.so*", "/usr/lib/libc.so.6", true],
    ["/usr/lib/*.so", "/usr/lib/libc.so", true],
    ["usr/lib/*.so", "/usr/lib/libc.so", true],
    ["/usr/*.so", "/usr/lib/libc.so", false], // * stays within a segment
    ["/usr/**/*.so", "/usr/lib/x86/libc.so", true],
    ["/usr/**/*.so", "/usr/libc.so", true], // **/ matches no directory too
    ["/**", "/anything/at/all", true],
    ["?.txt", "/a/b.txt", true],
    ["?.txt", "/a/bb.txt", false],
    ["[a-c]*", "/x/bin", true],
    ["[a-c]*", "/x/sbin", false],
    ["[!a-c]*", "/x/sbin", true],
    ["*.{png,jpg}", "/img/x.jpg", true],
    ["*.{png,jpg}", "/img/x.gif", false],
    ["\\*", "/a/*", true],
    ["\\*", "/a/b", false],
    ["a.b", "/axb", false], // "." is literal
    [".wh.*", "/etc/.wh.passwd", true], // dot files are not hidden
    ["(x)+", "/(x)+", true], // regex syntax is literal
  ];
  it.each(table)("%j on %j → %s", (glob, path, matches) => {
    const re = compileGlob(glob, true);
    expect(re.ok).toBe(true);
    if (re.ok) expect(re.value.test(path)).toBe(matches);
  });
  it("is case-insensitive unless asked", () => {
    const re = compileGlob("*.PNG", false);
    expect(re.ok && re.value.test("/a/b.png")).toBe(true);
  });
  it.each(["[abc", "{a,b", "{a,{b}}", "x\\"])("%j is refused with a reason", (glob) => expect(compileGlob(glob, true).ok).toBe(false));
});

describe("nestedQuantifier", () => {
  it.each([
    ["(a+)+$", "(a+)+"],
    ["^(\\w+\\s?)*$", "(\\w+\\s?)*"],
    ["(.*)*", "(.*)*"],
    ["((ab)+)+", "((ab)+)+"],
    ["(x{2,})+", "(x{2,})+"],
  ])("%j is flagged", (src, group) => expect(nestedQuantifier(src)).toBe(group));
  it.each(["a+b+", "(abc)+", "(a|b)*", "[(a+)+]", "\\(a+\\)+", "(a{2})+", "^/usr/(lib|bin)/.*\\.so$"])("%j passes", (src) => expect(nestedQuantifier(src)).toBeUndefined());
});

describe("parseSearch", () => {
  const form = (patch: Partial<SearchForm>): SearchForm => ({ ...EMPTY_FORM, ...patch });
  it("parses a full form into a typed query", () => {
    const r = parseSearch(form({ text: "Bin", mode: "substring", kinds: ["file"], sizeMin: "1k", sizeMax: "1MiB", uid: "0", gid: "10-20", setuid: true }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.matcher).toEqual({ mode: "substring", needle: "bin", caseSensitive: false });
    expect([...(r.value.kinds ?? [])]).toEqual(["file"]);
    expect(r.value.sizeMin).toBe(1000);
    expect(r.value.sizeMax).toBe(1_048_576);
    expect(r.value.uid).toEqual([[0, 0]]);
    expect(r.value.gid).toEqual([[10, 20]]);
  });
  const bad: [string, Partial<SearchForm>, string, RegExp][] = [
    ["unterminated group", { text: "(abc", mode: "regex" }, "text", /Invalid regular expression: .*(terminated|group)/i],
    ["nothing to repeat", { text: "*abc", mode: "regex" }, "text", /Invalid regular expression/],
    ["catastrophic", { text: "(a+)+$", mode: "regex" }, "text", /exponential/],
    ["bad glob", { text: "[abc", mode: "glob" }, "text", /Invalid glob/],
    ["bad size", { sizeMin: "lots" }, "sizeMin", /not a size/],
    ["inverted sizes", { sizeMin: "2M", sizeMax: "1M" }, "sizeMax", /below/],
    ["bad uid", { uid: "root" }, "uid", /uid: .*not an id/],
    ["long pattern", { text: "x".repeat(2000) }, "text", /longer than/],
  ];
  it.each(bad)("%s → an error on %s", (_, patch, field, message) => {
    const r = parseSearch(form(patch));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.error.find((x) => x.field === field);
    expect(e?.message).toMatch(message);
  });
  it("reports every bad field at once", () => {
    const r = parseSearch(form({ text: "(", mode: "regex", sizeMin: "x", gid: "y" }));
    expect(r.ok ? [] : r.error.map((e) => e.field)).toEqual(["text", "sizeMin", "gid"]);
  });
});

describe("resolveSymlink", () => {
  const fs = (entries: Record<string, LinkNode>) => (p: string) => (p === "" ? { type: "dir" as const } : entries[p]);
  const tree = fs({
    etc: { type: "dir" },
    "etc/passwd": { type: "file" },
    usr: { type: "dir" },
    "usr/lib": { type: "dir" },
    "usr/lib/libc.so.6": { type: "file" },
    lib: { type: "symlink", linkname: "usr/lib" },
    "usr/lib/libc.so": { type: "symlink", linkname: "libc.so.6" },
    "usr/lib/abs": { type: "symlink", linkname: "/etc/passwd" },
    "usr/lib/up": { type: "symlink", linkname: "../../../../etc/passwd" },
    "usr/lib/via": { type: "symlink", linkname: "/lib/libc.so" },
    "usr/lib/dangling": { type: "symlink", linkname: "gone" },
    "usr/lib/through-file": { type: "symlink", linkname: "/etc/passwd/x" },
    "loop/a": { type: "symlink", linkname: "b" },
    "loop/b": { type: "symlink", linkname: "a" },
    loop: { type: "dir" },
    "loop/self": { type: "symlink", linkname: "self" },
    "loop/dir": { type: "symlink", linkname: "." },
    "loop/into": { type: "symlink", linkname: "dir/dir/dir/a" },
    "loop/empty": { type: "symlink", linkname: "" },
  });
  const table: [path: string, expected: string][] = [
    ["usr/lib/libc.so", "ok usr/lib/libc.so.6"],
    ["usr/lib/abs", "ok etc/passwd"],
    ["usr/lib/up", "ok etc/passwd"], // ".." stops at the root
    ["usr/lib/via", "ok usr/lib/libc.so.6"], // through an intermediate symlink (lib → usr/lib)
    ["usr/lib/dangling", "missing usr/lib/gone"],
    ["usr/lib/through-file", "not-a-directory etc/passwd"],
    ["loop/a", "loop loop/b"],
    ["loop/self", "loop loop/self"],
    ["loop/dir", "ok loop"],
    ["loop/into", "loop loop/a"],
    ["loop/empty", "no-target loop/empty"],
  ];
  it.each(table)("%s → %s", (path, expected) => {
    const linkname = (tree(path) as LinkNode).linkname;
    const r = resolveSymlink(tree, path, linkname);
    expect(r.ok ? `ok ${r.path}` : `${r.reason} ${r.at}`).toBe(expected);
  });
  it("a long chain stops after the hop limit with its reason", () => {
    const chain: Record<string, LinkNode> = { end: { type: "file" } };
    for (let i = 0; i < 60; i++) chain[`l${i}`] = { type: "symlink", linkname: i === 59 ? "end" : `l${i + 1}` };
    const r = resolveSymlink(fs(chain), "l0", "l1");
    expect(r.ok ? "ok" : r.reason).toBe("too-many-hops");
    expect(resolveSymlink(fs(chain), "l30", "l31").ok).toBe(true);
  });
});

describe("runSearch", () => {
  const dir = (path: string, extra: Partial<TarEntry> = {}): TarEntry => ({ path, type: "dir", ...extra });
  const file = (path: string, extra: Partial<TarEntry> = {}): TarEntry => ({ path, content: "x", ...extra });
  const base: TarEntry[] = [
    dir("bin/"),
    file("bin/su", { mode: 0o4755 }),
    file("bin/wall", { mode: 0o2755, gid: 5 }),
    file("bin/busybox", { content: "b".repeat(3000) }),
    { path: "bin/sh", type: "symlink", linkname: "busybox" },
    { path: "bin/dangling", type: "symlink", linkname: "/nowhere" },
    { path: "bin/loop1", type: "symlink", linkname: "loop2" },
    { path: "bin/loop2", type: "symlink", linkname: "loop1" },
    { path: "bin/ash", type: "hardlink", linkname: "bin/busybox" },
    { path: "bin/gone-hl", type: "hardlink", linkname: "bin/removed" },
    dir("tmp/", { mode: 0o1777 }),
    dir("home/user/", { uid: 1000, gid: 1000 }),
    file("home/user/notes.txt", { uid: 1000, gid: 1000 }),
    file("bin/removed"),
    { path: "dev/null", type: "char" },
    { path: "run/fifo", type: "fifo" },
  ];
  const top: TarEntry[] = [file("bin/.wh.removed", { content: "" }), dir("home/user/"), file("home/user/.wh..wh..opq", { content: "" }), file("home/user/new.txt", { content: "nn" })];
  const layers: LayerEntry[][] = [layerEntries(buildTar(base)), layerEntries(buildTar(top))];
  const data: SearchData = { layers, merged: mergeLayers(layers) };
  const search = (patch: Partial<SearchForm>) => {
    const q = parseSearch({ ...EMPTY_FORM, ...patch });
    if (!q.ok) throw new Error(JSON.stringify(q.error));
    return runSearch(data, q.value);
  };
  const paths = (patch: Partial<SearchForm>): string[] =>
    search(patch)
      .hits.map((h) => (h.scope === "merged" ? h.path : `${h.path}@${h.scope}`))
      .sort();

  const table: [name: string, form: Partial<SearchForm>, expected: string[]][] = [
    ["substring", { text: "new" }, ["home/user/new.txt"]],
    ["the opaque marker hid notes.txt from the merged view", { text: "notes" }, []],
    ["substring is case-insensitive by default", { text: "NEW.TXT" }, ["home/user/new.txt"]],
    ["case-sensitive substring", { text: "NEW", caseSensitive: true }, []],
    ["substring with a leading slash", { text: "/bin/s" }, ["bin/sh", "bin/su"]],
    ["glob on names", { text: "loop?", mode: "glob" }, ["bin/loop1", "bin/loop2"]],
    ["glob on paths", { text: "/home/**/*.txt", mode: "glob" }, ["home/user/new.txt"]],
    ["regex", { text: "^/bin/(su|sh)$", mode: "regex" }, ["bin/sh", "bin/su"]],
    ["setuid", { setuid: true }, ["bin/su"]],
    ["setgid", { setgid: true }, ["bin/wall"]],
    ["world-writable (symlinks' 0777 does not count)", { worldWritable: true }, ["tmp"]],
    ["uid, in the layers", { uid: "1000", scope: "layers" }, ["home/user/notes.txt@0", "home/user@0"]],
    ["uid, merged: layer 2 rewrote home/user as root's", { uid: "1000" }, []],
    ["gid range", { gid: "1-10" }, ["bin/wall"]],
    ["size range", { sizeMin: "2", sizeMax: "1MB", kinds: ["file"] }, ["bin/busybox", "home/user/new.txt"]],
    ["type fifo and char", { kinds: ["fifo", "char"] }, ["dev/null", "run/fifo"]],
    ["broken symlinks, loops included", { links: "broken-symlinks" }, ["bin/dangling", "bin/loop1", "bin/loop2"]],
    ["all hardlinks", { links: "hardlinks" }, ["bin/ash", "bin/gone-hl"]],
    ["hardlinks to a missing target", { links: "hardlinks-missing-target" }, ["bin/gone-hl"]],
    ["whiteouts in all layers", { scope: "layers", kinds: ["whiteout"] }, ["bin/.wh.removed@1"]],
    ["opaque markers in layer 2", { scope: 1, kinds: ["opaque"] }, ["home/user/.wh..wh..opq@1"]],
    ["all layers see deleted versions", { scope: "layers", text: "removed" }, ["bin/.wh.removed@1", "bin/removed@0"]],
    ["the merged view does not", { text: "removed" }, []],
  ];
  it.each(table)("%s", (_, form, expected) => expect(paths(form)).toEqual(expected));

  it("uid 0 in the merged view", () => {
    expect(paths({ uid: "0", text: "home" })).toEqual(["home", "home/user", "home/user/new.txt"]);
  });

  it("says why a link is broken", () => {
    const hits = search({ links: "broken-symlinks" }).hits;
    expect(hits.find((h) => h.path === "bin/dangling")?.problem).toBe("/nowhere does not exist");
    expect(hits.find((h) => h.path === "bin/loop1")?.problem).toMatch(/^symlink loop/);
  });

  it("ranks a name equal to the text first, then matches in the name, then shorter paths", () => {
    const many: LayerEntry[][] = [
      layerEntries(buildTar([file("a/sh-tools/x"), file("sh"), file("usr/bin/sh"), file("bin/bash"), file("zsh")])),
    ];
    const q = parseSearch({ ...EMPTY_FORM, text: "sh" });
    if (!q.ok) throw new Error("parse");
    const r = runSearch({ layers: many, merged: mergeLayers(many) }, q.value);
    expect(r.hits.map((h) => h.path)).toEqual(["sh", "usr/bin/sh", "zsh", "bin/bash", "a/sh-tools", "a/sh-tools/x"]);
  });

  it("keeps the best `limit` hits and counts them all", () => {
    const q = parseSearch({ ...EMPTY_FORM, text: "/" });
    if (!q.ok) throw new Error("parse");
    const r = runSearch(data, q.value, { limit: 3 });
    expect(r.hits).toHaveLength(3);
    expect(r.total).toBe(r.inScope);
    expect(r.hits.map((h) => h.path)).toEqual(["bin", "dev", "run"]);
  });

  it("stops at its time budget and says so", () => {
    const big: LayerEntry[][] = [layerEntries(buildTar(Array.from({ length: 10_000 }, (_, i) => file(`f${i}`))))];
    let t = 0;
    const q = parseSearch({ ...EMPTY_FORM, text: "f" });
    if (!q.ok) throw new Error("parse");
    const r = runSearch({ layers: big, merged: mergeLayers(big) }, q.value, { budgetMs: 10, now: () => (t += 100) });
    expect(r.cut).toEqual({ reason: "time", budgetMs: 10 });
    expect(r.examined).toBeLessThan(10_000);
    expect(r.inScope).toBe(10_000);
  });

  it("does not test a pattern on very long paths, and counts them", () => {
    const long = `${"x".repeat(200)}target`;
    const big: LayerEntry[][] = [layerEntries(buildTar([file(long, { pax: { path: long } }), file("target")]))];
    const q = parseSearch({ ...EMPTY_FORM, text: "target$", mode: "regex" });
    if (!q.ok) throw new Error("parse");
    const r = runSearch({ layers: big, merged: mergeLayers(big) }, q.value, { maxPatternPath: 100 });
    expect(r.hits.map((h) => h.path)).toEqual(["target"]);
    expect(r.skippedLong).toBe(1);
  });
});

describe("200 000 entries (measured; figures in the commit and the report)", () => {
  // Synthetic layers shaped like a distro: 2 000 directories × 50 files over 2 layers.
  const make = (layer: number): LayerEntry[] => {
    const out: LayerEntry[] = [];
    for (let d = 0; d < 2000; d++) {
      for (let f = 0; f < 50; f++) {
        const path = `usr/share/pkg${d}/l${layer}/file-${f}.${f % 3 === 0 ? "so" : "txt"}`;
        out.push({ path, rawPath: new Uint8Array(0), type: "file", typeflag: "0", size: f * 100, mode: 0o644, uid: 0, gid: 0, uname: "", gname: "", mtime: 0, whiteout: "none", headerOffset: 0, dataOffset: 0 });
      }
    }
    return out;
  };
  const layers = [make(0), make(1)];
  const merged = mergeLayers(layers);
  const time = (form: Partial<SearchForm>, scope: SearchForm["scope"]): { ms: number; total: number } => {
    const q = parseSearch({ ...EMPTY_FORM, ...form, scope });
    if (!q.ok) throw new Error("parse");
    const t0 = performance.now();
    const r = runSearch({ layers, merged }, q.value);
    return { ms: performance.now() - t0, total: r.total };
  };
  it("substring and regex over the merged view (~200 000 paths) and all layers (200 000 entries)", () => {
    const figures = {
      substringMerged: time({ text: "file-7" }, "merged"),
      regexMerged: time({ text: "pkg1\\d+/l1/.*\\.so$", mode: "regex" }, "merged"),
      substringLayers: time({ text: "file-7" }, "layers"),
      regexLayers: time({ text: "pkg1\\d+/l1/.*\\.so$", mode: "regex" }, "layers"),
    };
    console.log("search 200k:", JSON.stringify(figures));
    expect(figures.substringLayers.total).toBe(2 * 2000 * 1);
  });
});
