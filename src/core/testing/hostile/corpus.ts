/**
 * Test-only: the hostile corpus for the layer pipeline (SECURITY T1–T13, D1–D3, D5), built in
 * code, one named case per input, with the right outcome as data (→ node-tar test/ghsa-*,
 * containerd pkg/archive/tartest). Image-level cases (D4, D5 on configs) are in ./images.ts.
 *
 * Conventions: a case's blob is what the registry serves; its job is what the manifest and
 * config claim. Unless a case says otherwise the manifest names the served bytes (an attacker
 * who builds the blob builds the manifest too), so the digest verifies and the fault must be
 * caught further in. Layers are gzip unless the case is about another format.
 */
import { createHasher, digestBytes } from "../../digest";
import type { LayerLimits } from "../../pipeline";
import { END, base256, body, concat, entry, gnuLong, header, pax } from "../../tar/testing";
import { gzip } from "../image";
import { buildTar, type TarEntry } from "../tar";
import { noiseBytes as noise } from "../noise";
import { GiB, MiB, gzipZerosBomb, zstdFrame, zstdRleBomb, zstdSkippableFrame } from "./bombs";
import { manyEntriesTar, manyEntryPath } from "./many";
import type { ExpectedOutcome, HostileCase, HostileLayer, RowId } from "./types";

export const OCI_TAR = "application/vnd.oci.image.layer.v1.tar";
export const OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

const enc = new TextEncoder();
const XSS = "<script>alert(1)</script>";

/** How a case's tar becomes a blob, and what the manifest and config say about it. */
export interface LayerOptions {
  /** Default "gzip" (CompressionStream, one member). "zstd" writes raw blocks (no encoder needed). */
  readonly compress?: "gzip" | "zstd" | "none" | ((tar: Uint8Array) => Promise<Uint8Array>);
  /** The tar the config's diff_id names (default: the tar itself); null: the config has none. */
  readonly diffIdOf?: Uint8Array | null;
  /** Bytes served instead of the blob the manifest names (a registry or network that damages it). */
  readonly serve?: (blob: Uint8Array) => Uint8Array;
  /** Algorithm of the digest and diff_id (default sha256). */
  readonly algorithm?: "sha256" | "sha512";
  /** Replace the digest / diff_id strings outright (unknown algorithms). */
  readonly digest?: string;
  readonly diffId?: string;
  readonly limits?: LayerLimits;
  readonly lower?: readonly (readonly TarEntry[])[];
  readonly annotations?: Readonly<Record<string, string>>;
}

const mediaTypeOf = (c: LayerOptions["compress"]): string => (c === "none" ? OCI_TAR : c === "zstd" ? OCI_ZSTD : OCI_GZIP);

/** A layer from a tar: compressed, named by its digests, possibly served damaged. */
export async function layerOf(tar: Uint8Array, o: LayerOptions = {}): Promise<HostileLayer> {
  const compress = o.compress ?? "gzip";
  const named =
    typeof compress === "function" ? await compress(tar) : compress === "gzip" ? await gzip(tar) : compress === "zstd" ? zstdFrame(tar) : tar;
  const served = o.serve ? o.serve(named) : named;
  const algorithm = o.algorithm ?? "sha256";
  const diffIdOf = o.diffIdOf === undefined ? tar : o.diffIdOf;
  return {
    blob: served,
    job: {
      digest: o.digest ?? (await digestBytes(algorithm, named)),
      size: named.length,
      mediaType: typeof compress === "function" ? OCI_GZIP : mediaTypeOf(compress),
      diffId: o.diffId ?? (diffIdOf === null ? undefined : await digestBytes(algorithm, diffIdOf)),
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    ...(o.lower ? { lower: o.lower } : {}),
  };
}

/** A case: rows, what, the tar (or a full builder) and the expected outcome. */
function tarCase(name: string, rows: RowId[], what: string, tar: () => Uint8Array, expect: ExpectedOutcome, o: LayerOptions = {}): HostileCase {
  return { name, rows, what, build: () => layerOf(tar(), o), expect };
}

const OK = { digest: "verified", diffId: "verified" } as const;
/** A tar fault: the blob and the stream are what the manifest says, the tar inside is not. */
const TAR_FAULT = { digest: "verified", diffId: "verified" } as const;

// Entries a failing case writes before its fault: they must all still be reported (nothing lost).
const before = (): Uint8Array => concat([entry({ name: "pre/", typeflag: "5" }), entry({ name: "pre/kept" }, "kept\n")]);
const BEFORE = ["pre", "pre/kept"];


/** 40 files of 2 KiB of noise: a layer whose compressed stream is long enough to damage in the middle. */
const NOISY: TarEntry[] = Array.from({ length: 40 }, (_, i) => ({ path: `noise/f${String(i).padStart(2, "0")}`, content: noise(2048, i + 1) }));
const NOISY_PATHS = NOISY.map((e) => e.path);

const flipAt =
  (fraction: number) =>
  (b: Uint8Array): Uint8Array => {
    const out = b.slice();
    const i = Math.floor(b.length * fraction);
    out[i] = out[i]! ^ 0x01;
    return out;
  };

// ── T1 paths ──────────────────────────────────────────────────────────────────────────────────────

const T1: HostileCase[] = [
  tarCase("T1/dotdot-etc-passwd", ["T1"], '"../etc/passwd" beside a normal file', () => buildTar([{ path: "../etc/passwd", content: "root::0:0::/:/bin/sh\n" }, { path: "ok", content: "o" }]), {
    ...OK,
    paths: ["../etc/passwd", "ok"],
    entries: [
      [0, { flags: ["unsafe-path"] }],
      [1, { flags: undefined }],
    ],
    warnings: [/climbs above the layer root/],
    merge: { present: ["ok"], absent: ["../etc/passwd", "etc/passwd", "etc", ".."], warnings: ["unsafe-path ../etc/passwd"] },
  }),
  tarCase("T1/absolute", ["T1"], '"/abs/file": read relative to the root, as Docker does', () => buildTar([{ path: "/abs/file", content: "a" }]), {
    ...OK,
    paths: ["abs/file"],
    entries: [[0, { flags: ["absolute-path"] }]],
    merge: { present: ["abs", "abs/file"] },
  }),
  tarCase("T1/climb-after-descend", ["T1"], '"a/../../x"', () => buildTar([{ path: "a/../../x", content: "x" }]), {
    ...OK,
    paths: ["a/../../x"],
    entries: [[0, { flags: ["unsafe-path"] }]],
    merge: { absent: ["x", "a", "a/../../x"], warnings: ["unsafe-path a/../../x"] },
  }),
  tarCase("T1/dot-slash", ["T1"], '"./x"', () => buildTar([{ path: "./x", content: "x" }]), { ...OK, paths: ["x"], entries: [[0, { flags: undefined }]], merge: { present: ["x"] } }),
  tarCase("T1/double-slash", ["T1"], '"a//b"', () => buildTar([{ path: "a//b", content: "b" }]), { ...OK, paths: ["a/b"], entries: [[0, { flags: undefined }]], merge: { present: ["a", "a/b"] } }),
  tarCase("T1/dotdot-inside-root", ["T1"], '"a/../b": harmless, put where Go\'s Clean puts it', () => buildTar([{ path: "a/../b", content: "b" }]), {
    ...OK,
    paths: ["b"],
    entries: [[0, { flags: ["dotdot-path"] }]],
    merge: { present: ["b"], absent: ["a", "a/..", "a/../b"] },
  }),
  tarCase("T1/pax-path-escape", ["T1", "T6"], "an escape spelled in a PAX path record", () => concat([pax([["path", "../../pax-escape"]]), entry({ name: "innocent" }), END]), {
    ...OK,
    paths: ["../../pax-escape"],
    entries: [[0, { flags: ["unsafe-path"] }]],
    merge: { absent: ["innocent", "pax-escape"] },
  }),
  tarCase("T1/gnu-long-name-escape", ["T1", "T6"], "an escape spelled in a GNU 'L' long name", () => concat([gnuLong("L", "/gnu/../../escape"), header({ name: "innocent" }), END]), {
    ...OK,
    paths: ["gnu/../../escape"],
    entries: [[0, { flags: ["unsafe-path"] }]],
    merge: { absent: ["innocent", "escape", "gnu"] },
  }),
  tarCase(
    "T1/whiteout-escape",
    ["T1", "T4"],
    '"../.wh.etc": a whiteout that climbs out must hide nothing',
    () => buildTar([{ path: "../.wh.etc", content: "" }]),
    { ...OK, paths: ["../.wh.etc"], entries: [[0, { flags: ["unsafe-path"] }]], merge: { present: ["etc", "etc/passwd"] } },
    { lower: [[{ path: "etc/", type: "dir" }, { path: "etc/passwd", content: "root" }]] },
  ),
];

// ── T2, T3 links ──────────────────────────────────────────────────────────────────────────────────

const T2_T3: HostileCase[] = [
  tarCase(
    "T2/symlink-escape-then-through",
    ["T2"],
    '"x → ../victim", then "x/file"',
    () => buildTar([{ path: "x", type: "symlink", linkname: "../victim" }, { path: "x/file", content: "pwned" }]),
    {
      ...OK,
      paths: ["x", "x/file"],
      entries: [
        [0, { type: "symlink", linkname: "../victim", flags: ["unsafe-link"] }],
        [1, { type: "file", flags: undefined }],
      ],
      warnings: [/link points above the layer root/],
      merge: { present: ["x", "x/file"], absent: ["victim"], types: { x: "symlink" }, warnings: ["path-through-symlink x/file"] },
    },
  ),
  tarCase("T2/hardlink-escape", ["T2"], '"h" hardlinked to "../../etc/shadow"', () => buildTar([{ path: "h", type: "hardlink", linkname: "../../etc/shadow" }]), {
    ...OK,
    paths: ["h"],
    entries: [[0, { type: "hardlink", flags: ["unsafe-link"] }]],
    merge: { present: ["h"], absent: ["etc/shadow"], warnings: ["hardlink-to-missing-target h"] },
  }),
  tarCase(
    "T2/absolute-symlink-then-through",
    ["T2"],
    '"x → /etc" over a lower /etc, then "x/passwd": the lower file is untouched',
    () => buildTar([{ path: "x", type: "symlink", linkname: "/etc" }, { path: "x/passwd", content: "evil" }]),
    {
      ...OK,
      paths: ["x", "x/passwd"],
      entries: [[0, { flags: undefined }]],
      merge: { present: ["etc/passwd", "x", "x/passwd"], types: { "etc/passwd": "file", x: "symlink" }, warnings: ["path-through-symlink x/passwd"] },
    },
    { lower: [[{ path: "etc/", type: "dir" }, { path: "etc/passwd", content: "root" }]] },
  ),
  tarCase(
    "T3/loops-and-missing-target",
    ["T3"],
    "a → b → a, self → self, a hardlink to a missing path, a dangling symlink",
    () =>
      buildTar([
        { path: "a", type: "symlink", linkname: "b" },
        { path: "b", type: "symlink", linkname: "a" },
        { path: "self", type: "symlink", linkname: "self" },
        { path: "dir/up", type: "symlink", linkname: "../dir/up" },
        { path: "h", type: "hardlink", linkname: "missing" },
        { path: "dangling", type: "symlink", linkname: "nowhere" },
      ]),
    {
      ...OK,
      paths: ["a", "b", "self", "dir/up", "h", "dangling"],
      merge: { warnings: ["hardlink-to-missing-target h"] },
      follow: [
        ["a", "loop"],
        ["self", "loop"],
        ["dir/up", "loop"],
        ["dangling", "missing"],
      ],
    },
  ),
  tarCase(
    "T3/chain-of-42-symlinks",
    ["T3"],
    "l0 → l1 → … → l41 → target: more hops than Linux allows",
    () => buildTar([...Array.from({ length: 42 }, (_, i): TarEntry => ({ path: `l${i}`, type: "symlink", linkname: i === 41 ? "target" : `l${i + 1}` })), { path: "target", content: "t" }]),
    { ...OK, entryCount: 43, follow: [["l0", "too-many-hops"], ["l5", "ok"]] },
  ),
];

// ── T4 whiteouts, T5 duplicates ───────────────────────────────────────────────────────────────────

const T4_T5: HostileCase[] = [
  tarCase(
    "T4/whiteout-oddities",
    ["T4"],
    "opaque marker after new children, whiteout of a same-layer entry, .wh. / .wh.. / .wh..wh.plnk, whiteout of a missing path",
    () =>
      buildTar([
        { path: "d/new", content: "n" },
        { path: "d/.wh..wh..opq", content: "" },
        { path: "same", content: "s" },
        { path: ".wh.same", content: "" },
        { path: ".wh.", content: "" },
        { path: ".wh..", content: "" },
        { path: ".wh...", content: "" },
        { path: "x/.wh..wh.plnk", content: "" },
        { path: ".wh.missing", content: "" },
        { path: "e/.wh.keep", content: "" },
      ]),
    {
      ...OK,
      paths: ["d/new", "d/.wh..wh..opq", "same", ".wh.same", ".wh.", ".wh..", ".wh...", "x/.wh..wh.plnk", ".wh.missing", "e/.wh.keep"],
      entries: [
        [1, { whiteout: "opaque", whiteoutTarget: "d" }],
        [3, { whiteout: "whiteout", whiteoutTarget: "same" }],
        [4, { whiteout: "bad" }],
        [5, { whiteout: "bad" }],
        [6, { whiteout: "bad" }],
        [7, { whiteout: "bad" }],
        [8, { whiteout: "whiteout", whiteoutTarget: "missing" }],
      ],
      merge: {
        present: ["d", "d/new", "same", "e", "lower-only"],
        absent: ["d/old", "d/sub", "d/sub/deep", "e/keep", ".wh.", ".wh..", "x", "missing"],
        types: { same: "file" },
        warnings: [
          "opaque-after-children d/.wh..wh..opq",
          "whiteout-of-same-layer-entry .wh.same",
          "bad-whiteout-name .wh.",
          "bad-whiteout-name .wh..",
          "bad-whiteout-name .wh...",
          "bad-whiteout-name x/.wh..wh.plnk",
          "whiteout-of-missing-path .wh.missing",
        ],
      },
    },
    {
      lower: [
        [
          { path: "d/", type: "dir" },
          { path: "d/old", content: "o" },
          { path: "d/sub/", type: "dir" },
          { path: "d/sub/deep", content: "deep" },
          { path: "e/", type: "dir" },
          { path: "e/keep", content: "k" },
          { path: "lower-only", content: "l" },
        ],
      ],
    },
  ),
  tarCase(
    "T4/opaque-root-and-recreated-dir",
    ["T4"],
    "an opaque marker at the root, and a whiteout of a directory the same layer writes again",
    () => buildTar([{ path: ".wh..wh..opq", content: "" }, { path: ".wh.d", content: "" }, { path: "d/", type: "dir" }, { path: "d/new", content: "n" }, { path: "top", content: "t" }]),
    {
      ...OK,
      paths: [".wh..wh..opq", ".wh.d", "d", "d/new", "top"],
      entries: [
        [0, { whiteout: "opaque", whiteoutTarget: "" }],
        [1, { whiteout: "whiteout", whiteoutTarget: "d" }],
      ],
      merge: { present: ["d", "d/new", "top"], absent: ["d/old", "lower", "etc"], warnings: ["whiteout-of-same-layer-entry .wh.d"] },
    },
    { lower: [[{ path: "d/", type: "dir" }, { path: "d/old", content: "o" }, { path: "lower", content: "l" }, { path: "etc/", type: "dir" }]] },
  ),
  tarCase(
    "T4/whiteout-under-symlink",
    ["T4", "T2"],
    '"link/.wh.passwd" where a lower "link" is a symlink to /etc: nothing resolved, /etc/passwd untouched',
    () => buildTar([{ path: "link/.wh.passwd", content: "" }]),
    { ...OK, paths: ["link/.wh.passwd"], merge: { present: ["etc/passwd", "link"], types: { link: "symlink", "etc/passwd": "file" }, warnings: ["whiteout-of-missing-path link/.wh.passwd"] } },
    { lower: [[{ path: "etc/", type: "dir" }, { path: "etc/passwd", content: "root" }, { path: "link", type: "symlink", linkname: "/etc" }]] },
  ),
  tarCase(
    "T5/same-path-twice",
    ["T5"],
    '"f" then "./f"; "d/" then a file "d"',
    () => buildTar([{ path: "f", content: "1" }, { path: "./f", content: "22" }, { path: "d/", type: "dir" }, { path: "d", content: "now a file" }]),
    {
      ...OK,
      paths: ["f", "f", "d", "d"],
      entries: [
        [0, { flags: undefined, size: 1 }],
        [1, { flags: ["duplicate"], size: 2 }],
        [3, { flags: ["duplicate"], type: "file" }],
      ],
      warnings: [/2 paths appear more than once/],
      merge: { present: ["f", "d"], types: { d: "file" }, warnings: ["duplicate-in-layer f", "duplicate-in-layer d"] },
    },
  ),
  tarCase(
    "T5/file-then-hardlink-then-whiteout",
    ["T5", "T4"],
    'a file "f", then a hardlink "f" to "g", then ".wh.f", all in one layer: the last "f" wins, the whiteout hides only lower layers',
    () => buildTar([{ path: "g", content: "g" }, { path: "f", content: "first" }, { path: "f", type: "hardlink", linkname: "g" }, { path: ".wh.f", content: "" }]),
    {
      ...OK,
      paths: ["g", "f", "f", ".wh.f"],
      entries: [[2, { type: "hardlink", flags: ["duplicate"] }]],
      merge: { present: ["f", "g"], types: { f: "hardlink" }, warnings: ["duplicate-in-layer f", "whiteout-of-same-layer-entry .wh.f"] },
    },
    { lower: [[{ path: "f", content: "lower" }]] },
  ),
];

// ── T6 meta headers];

// ── T6 meta headers ───────────────────────────────────────────────────────────────────────────────

const LONG_NAME = "long/" + "n".repeat(195) + "/name.txt";
const LONG_TARGET = "target/" + "t".repeat(250);

const T6: HostileCase[] = [
  tarCase(
    "T6/pax-path-linkpath-size",
    ["T6"],
    "PAX path and linkpath of 200+ bytes, a PAX size that overrides the header's 0",
    () =>
      concat([
        pax([["path", LONG_NAME], ["linkpath", LONG_TARGET]]),
        header({ name: "short", typeflag: "2" }),
        pax([["size", "1024"]]),
        header({ name: "sized", size: 0 }),
        body(new Uint8Array(1024).fill(0x41)),
        entry({ name: "next" }, "x"),
        END,
      ]),
    { ...OK, paths: [LONG_NAME, "sized", "next"], entries: [[0, { type: "symlink", linkname: LONG_TARGET }], [1, { size: 1024 }], [2, { size: 1 }]] },
  ),
  tarCase(
    "T6/gnu-long-name-and-link",
    ["T6"],
    "GNU 'L' and 'K' records before a symlink",
    () => concat([gnuLong("L", LONG_NAME), gnuLong("K", LONG_TARGET), header({ name: "cut", typeflag: "2", format: "gnu" }), END]),
    { ...OK, paths: [LONG_NAME], entries: [[0, { type: "symlink", linkname: LONG_TARGET }]] },
  ),
  tarCase(
    "T6/pax-size-before-gnu-long-name",
    ["T6"],
    "a PAX size, then a GNU 'L' header: the size is the entry's, not the long name's",
    () => concat([pax([["size", "1024"]]), gnuLong("L", "real-name"), header({ name: "hdr", size: 0 }), new Uint8Array(1024).fill(0x41), entry({ name: "next" }, "x"), END]),
    { ...OK, paths: ["real-name", "next"], entries: [[0, { size: 1024 }]] },
  ),
  tarCase(
    "T6/gnu-name-overrides-pax",
    ["T6"],
    "both a PAX path and a GNU long name: Go's choice (GNU), with a warning",
    () => concat([pax([["path", "pax-name"]]), gnuLong("L", "gnu-name"), header({ name: "hdr" }), END]),
    { ...OK, paths: ["gnu-name"], warnings: [/both a GNU long name and a PAX path/] },
  ),
  tarCase(
    "T6/gnu-meta-over-1MiB",
    ["T6"],
    "a GNU long name of 1 MiB + 1 byte",
    () => concat([before(), gnuLong("L", "n".repeat(MiB + 1)), header({ name: "a" }), END]),
    { ...TAR_FAULT, error: { kind: "limit-exceeded", what: "tar meta entry size" }, paths: BEFORE },
  ),
  tarCase(
    "T6/pax-meta-over-1MiB",
    ["T6"],
    "a PAX header whose one record is 1 MiB",
    () => concat([before(), pax([["comment", "c".repeat(MiB)]]), header({ name: "a" }), END]),
    { ...TAR_FAULT, error: { kind: "limit-exceeded", what: "tar meta entry size" }, paths: BEFORE },
  ),
  tarCase(
    "T6/bad-pax-record",
    ["T6", "T8"],
    "a PAX body that is not records",
    () => concat([before(), entry({ name: "PaxHeaders/x", typeflag: "x" }, "not a record\n"), header({ name: "a" }), END]),
    { ...TAR_FAULT, error: { kind: "corrupt-tar", code: "bad-pax" }, paths: BEFORE },
  ),
  tarCase("T6/orphan-meta", ["T6"], "a PAX header with no entry after it, then the end marker", () => concat([before(), pax([["path", "ghost"]]), END]), {
    ...OK,
    paths: BEFORE,
    warnings: [/describes no entry/],
  }),
];

// ── T7 sizes ──────────────────────────────────────────────────────────────────────────────────────

const NINE_GIB = 9 * GiB;
const T7: HostileCase[] = [
  tarCase("T7/base256-small-valid", ["T7"], "a base-256 size field (1000) with its body", () => concat([header({ name: "b256", size: base256(1000, 12) }), body(new Uint8Array(1000).fill(0x42)), entry({ name: "next" }, "x"), END]), {
    ...OK,
    paths: ["b256", "next"],
    entries: [[0, { size: 1000 }]],
  }),
  tarCase(
    "T7/base256-9GiB-cut",
    ["T7", "T8"],
    "a base-256 size of 9 GiB, the stream ending after the header: the size is a number, the body truncated",
    () => concat([before(), header({ name: "big", size: base256(NINE_GIB, 12) }), new Uint8Array(4096)]),
    { ...TAR_FAULT, error: { kind: "corrupt-tar", code: "truncated-body" }, paths: [...BEFORE, "big"], entries: [[2, { size: NINE_GIB }]] },
  ),
  tarCase("T7/base256-negative", ["T7"], "a negative base-256 size", () => concat([before(), header({ name: "neg", size: base256(-512, 12) }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-size" },
    paths: BEFORE,
  }),
  tarCase("T7/base256-over-2^53", ["T7"], "a base-256 size of 2^80", () => concat([before(), header({ name: "huge", size: base256(2n ** 80n, 12) }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-size" },
    paths: BEFORE,
  }),
  tarCase("T7/pax-size-negative", ["T7"], 'PAX size "-1"', () => concat([before(), pax([["size", "-1"]]), header({ name: "a" }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-size" },
    paths: BEFORE,
  }),
  tarCase("T7/pax-size-over-2^53", ["T7"], 'PAX size "9007199254740993"', () => concat([before(), pax([["size", "9007199254740993"]]), header({ name: "a" }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-size" },
    paths: BEFORE,
  }),
  tarCase("T7/octal-garbage-size", ["T7", "T8"], 'size field "0000000x000"', () => concat([before(), header({ name: "a", size: enc.encode("0000000x000\0") }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-field" },
    paths: BEFORE,
  }),
];

// ── T8 malformed streams ──────────────────────────────────────────────────────────────────────────

const T8: HostileCase[] = [
  tarCase("T8/bad-checksum", ["T8"], "a header whose checksum is off by one", () => concat([before(), header({ name: "x", checksum: "wrong" }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-checksum" },
    paths: BEFORE,
  }),
  tarCase("T8/truncated-header", ["T8"], "the stream ends 100 bytes into a header", () => concat([before(), header({ name: "x" }).subarray(0, 100)]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "truncated-header" },
    paths: BEFORE,
  }),
  tarCase("T8/truncated-body", ["T8"], "a 5000-byte file whose body is cut at 1000", () => concat([before(), header({ name: "x", size: 5000 }), new Uint8Array(1000)]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "truncated-body" },
    paths: [...BEFORE, "x"],
  }),
  tarCase("T8/missing-end-marker", ["T8"], "entries, then the stream just ends", () => before(), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "missing-end-marker" },
    paths: BEFORE,
  }),
  tarCase("T8/one-zero-block", ["T8"], "entries, then one zero block of the two", () => concat([before(), new Uint8Array(512)]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "missing-end-marker" },
    paths: BEFORE,
  }),
  tarCase("T8/lone-zero-block-then-data", ["T8"], "a zero block, then another header", () => concat([before(), new Uint8Array(512), header({ name: "after" }), END]), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "lone-zero-block" },
    paths: BEFORE,
  }),
  tarCase("T8/garbage-after-end-marker", ["T8", "D3"], "text after the end marker: hashed, flagged, not an error", () => concat([before(), END, enc.encode("garbage after the end".repeat(30))]), {
    ...OK,
    paths: BEFORE,
    warnings: [/630 bytes after the tar end marker/],
  }),
  tarCase("T8/empty-tar-stream", ["T8"], "gzip of nothing: not even an end marker", () => new Uint8Array(0), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "missing-end-marker" },
    paths: [],
  }),
  tarCase("T8/html-not-a-tar", ["T8"], "an HTML page where a tar should be (gzip-wrapped)", () => enc.encode("<html><script>alert(1)</script></html>".repeat(20)), {
    ...TAR_FAULT,
    error: { kind: "corrupt-tar", code: "bad-checksum" },
    paths: [],
  }),
];

// ── T9 compressed streams ─────────────────────────────────────────────────────────────────────────

const members =
  (cuts: number[], tail: Uint8Array = new Uint8Array()) =>
  async (tar: Uint8Array): Promise<Uint8Array> => {
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const c of [...cuts, tar.length]) {
      parts.push(await gzip(tar.subarray(at, c)));
      at = c;
    }
    parts.push(await gzip(new Uint8Array(0))); // an empty member, as some writers add
    parts.push(tail);
    return concat(parts);
  };

const zstdFrames =
  (cuts: number[], tail: Uint8Array = new Uint8Array(), windowLogs: number[] = []) =>
  async (tar: Uint8Array): Promise<Uint8Array> => {
    const parts: Uint8Array[] = [];
    let at = 0;
    [...cuts, tar.length].forEach((c, i) => {
      parts.push(zstdFrame(tar.subarray(at, c), { windowLog: windowLogs[i] ?? 17 }));
      at = c;
    });
    parts.push(tail);
    return concat(parts);
  };

const cutTo =
  (fraction: number) =>
  (b: Uint8Array): Uint8Array =>
    b.slice(0, Math.floor(b.length * fraction));

const T9: HostileCase[] = [
  tarCase("T9/multi-member-gzip", ["T9"], "three gzip members and an empty one (eStargz-like)", () => buildTar(NOISY), { ...OK, paths: NOISY_PATHS }, { compress: members([5000, 50_000]) }),
  tarCase("T9/gzip-trailing-garbage", ["T9"], "two members, then text after the last one", () => buildTar(NOISY), { ...OK, paths: NOISY_PATHS, warnings: [/bytes of trailing data after the last gzip member/] }, {
    compress: members([30_000], enc.encode("TRAILING GARBAGE")),
  }),
  tarCase("T9/gzip-trailing-zeros", ["T9"], "1024 zero bytes after the last member", () => buildTar(NOISY), { ...OK, paths: NOISY_PATHS, warningsWithPako: [/1024 zero bytes after the last gzip member/] }, {
    compress: members([], new Uint8Array(1024)),
  }),
  tarCase("T9/gzip-trailing-lone-1f", ["T9"], "one 0x1f byte after the last member (half a magic)", () => buildTar(NOISY), { ...OK, paths: NOISY_PATHS, warnings: [/1 bytes of trailing data/] }, {
    compress: members([], Uint8Array.of(0x1f)),
  }),
  tarCase(
    "T9/corrupt-deflate",
    ["T9"],
    "bytes 70–80 % into the deflate stream overwritten (the manifest names the damaged blob)",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", error: { kind: "corrupt-compression", format: "gzip" }, paths: NOISY_PATHS, prefixOf: true, minEntries: 20 },
    {
      compress: async (tar) => {
        const b = await gzip(tar);
        for (let i = Math.floor(b.length * 0.7); i < Math.floor(b.length * 0.8); i++) b[i] = 0xff;
        return b;
      },
    },
  ),
  tarCase(
    "T9/gzip-bad-crc",
    ["T9"],
    "a member whose CRC-32 is wrong: every entry was decoded, then the check fails",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", error: { kind: "corrupt-compression", format: "gzip" }, paths: NOISY_PATHS },
    {
      compress: async (tar) => {
        const b = await gzip(tar);
        b[b.length - 8] = b[b.length - 8]! ^ 0xff;
        return b;
      },
    },
  ),
  tarCase(
    "T9/gzip-reserved-flags",
    ["T9"],
    "a gzip header with reserved flag bits set",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", error: { kind: "corrupt-compression", format: "gzip" }, paths: [] },
    {
      compress: async (tar) => {
        const b = await gzip(tar);
        b[3] = 0xe0;
        return b;
      },
    },
  ),
  tarCase(
    "T9/gzip-cut-mid-member",
    ["T9", "D2"],
    "a gzip member cut at 60 % (the manifest names the cut blob)",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", error: { kind: "corrupt-compression", format: "gzip" }, paths: NOISY_PATHS, prefixOf: true, minEntries: 20 },
    { compress: async (tar) => cutTo(0.6)(await gzip(tar)) },
  ),
  tarCase("T9/zstd-frames-trailing-garbage", ["T9"], "two zstd frames, then text", () => buildTar(NOISY), { ...OK, compression: "zstd", paths: NOISY_PATHS, warnings: [/bytes of trailing data after the last zstd frame/] }, {
    compress: zstdFrames([40_000], enc.encode("TRAILING")),
  }),
  tarCase(
    "T9/zstd-skippable-frame",
    ["T9"],
    "a skippable frame (zstd:chunked metadata) before the data frame",
    () => buildTar(NOISY),
    { ...OK, compression: "zstd", paths: NOISY_PATHS, warnings: [/1 skippable zstd frame/] },
    { compress: async (tar) => concat([zstdSkippableFrame(enc.encode('{"toc":"<script>alert(1)</script>"}')), zstdFrame(tar)]) },
  ),
  tarCase(
    "T9/zstd-cut-mid-frame",
    ["T9", "D2"],
    "a zstd frame cut at 60 %",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "corrupt-compression", format: "zstd" }, paths: NOISY_PATHS, prefixOf: true, minEntries: 20 },
    { compress: async (tar) => cutTo(0.6)(zstdFrame(tar)) },
  ),
  tarCase(
    "T9/zstd-reserved-block-type",
    ["T9"],
    "a frame, then a frame whose block has the reserved type 3",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "corrupt-compression", format: "zstd" }, paths: NOISY_PATHS, prefixOf: true, minEntries: 16 },
    { compress: async (tar) => concat([zstdFrame(tar.subarray(0, 40_960)), Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, 0x07 | (10 << 3), 0, 0), new Uint8Array(10)]) },
  ),
];

// ── T10 bombs and windows ─────────────────────────────────────────────────────────────────────────

/** The cap the bomb cases set (the default, 16 GiB, is above a 10 GiB bomb; see ROWS.md). */
export const BOMB_CAP = 512 * MiB;
export const BOMB_BYTES = 10 * GiB;

async function streamedLayer(stream: () => AsyncIterable<Uint8Array>, mediaType: string, limits: LayerLimits, diffId?: string): Promise<HostileLayer> {
  // Hash the stream once to name it (the bomb's compressed bytes: ~10 MB for gzip, 320 KiB for zstd).
  const h = await createHasher("sha256");
  let size = 0;
  for await (const c of stream()) {
    h.update(c);
    size += c.length;
  }
  return { blob: stream, job: { digest: h.digest(), size, mediaType, diffId, limits } };
}

const T10: HostileCase[] = [
  {
    name: "T10/gzip-bomb-10GiB",
    rows: ["T10"],
    what: "one gzip member of 10 GiB of zeros (10.6 MB), streamed, against a 512 MiB cap",
    large: true,
    build: () => streamedLayer(() => gzipZerosBomb(BOMB_BYTES), OCI_GZIP, { maxUncompressedBytes: BOMB_CAP }, "sha256:" + "0".repeat(64)),
    expect: { digest: "verified", diffId: "unverifiable", compression: "gzip", error: { kind: "limit-exceeded", what: "uncompressed size" }, uncompressedSize: BOMB_CAP, entryCount: 0 },
  },
  {
    name: "T10/zstd-rle-bomb-10GiB",
    rows: ["T10"],
    what: "one zstd frame of 81 920 RLE blocks (10 GiB of zeros in 320 KiB), streamed, against a 512 MiB cap",
    large: true,
    build: () => streamedLayer(() => zstdRleBomb(BOMB_BYTES), OCI_ZSTD, { maxUncompressedBytes: BOMB_CAP }, "sha256:" + "0".repeat(64)),
    expect: { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "limit-exceeded", what: "uncompressed size" }, uncompressedSize: BOMB_CAP, entryCount: 0 },
  },
  tarCase(
    "T10/zstd-window-2GiB",
    ["T10"],
    "a zstd frame asking for a 2 GiB window",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "limit-exceeded", what: "zstd window" }, paths: [] },
    { compress: async (tar) => zstdFrame(tar, { windowLog: 31 }) },
  ),
  tarCase(
    "T10/zstd-single-segment-1TiB",
    ["T10"],
    "a single-segment zstd frame claiming 1 TiB of content (window = content size)",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "limit-exceeded", what: "zstd window" }, paths: [] },
    { compress: async (tar) => zstdFrame(tar, { singleSegment: 2 ** 40 }) },
  ),
  tarCase(
    "T10/zstd-second-frame-256MiB-window",
    ["T10"],
    "a good frame, then one asking for 256 MiB: refused there, the first frame's entries kept",
    () => buildTar(NOISY),
    { digest: "verified", diffId: "unverifiable", compression: "zstd", error: { kind: "limit-exceeded", what: "zstd window" }, paths: NOISY_PATHS, prefixOf: true, minEntries: 19 },
    { compress: zstdFrames([49_152], new Uint8Array(), [17, 28]) },
  ),
];

// ── T11 scale ─────────────────────────────────────────────────────────────────────────────────────

const DEEP_5000 = "d/".repeat(5000) + "leaf";
const DEEP_64K = "a/".repeat(32_767) + "b"; // 65 535 bytes: under the 64 KiB path budget, 32 768 levels
export const MILLION = 1_000_000;

const T11: HostileCase[] = [
  {
    name: "T11/million-and-one-entries",
    rows: ["T11"],
    what: "1 000 001 empty files (512 MB of tar), streamed, uncompressed: the default entry budget stops indexing",
    large: true,
    build: async () => {
      const l = await streamedLayer(() => manyEntriesTar(MILLION + 1, 2048), OCI_TAR, {});
      return { ...l, job: { ...l.job, diffId: l.job.digest, limits: undefined } };
    },
    expect: {
      digest: "verified",
      diffId: "verified",
      compression: "none",
      error: { kind: "limit-exceeded", what: "tar entries" },
      entryCount: MILLION,
      entries: [
        [0, { path: manyEntryPath(0) }],
        [MILLION - 1, { path: manyEntryPath(MILLION - 1) }],
      ],
    },
  },
  tarCase("T11/entry-budget", ["T11"], "ten entries against a budget of three", () => buildTar(Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, content: "" }))), {
    ...OK,
    error: { kind: "limit-exceeded", what: "tar entries" },
    paths: ["f0", "f1", "f2"],
  }, { limits: { maxEntries: 3 } }),
  tarCase("T11/5000-deep-path", ["T11"], "a PAX path 5 000 directories deep", () => concat([pax([["path", DEEP_5000]]), header({ name: "x" }), END]), {
    ...OK,
    paths: [DEEP_5000],
    merge: { present: [DEEP_5000, "d", "d/d"] },
  }),
  tarCase("T11/32768-deep-path", ["T11"], "a 65 535-byte PAX path, 32 768 levels deep (the merge used to overflow the stack)", () => concat([pax([["path", DEEP_64K]]), header({ name: "x" }), END]), {
    ...OK,
    paths: [DEEP_64K],
    merge: { present: [DEEP_64K, "a"] },
  }),
  tarCase("T11/100KB-name", ["T11"], "a 100 000-byte name: over the 64 KiB path budget", () => concat([before(), pax([["path", "n".repeat(100_000)]]), header({ name: "a" }), END]), {
    ...TAR_FAULT,
    error: { kind: "limit-exceeded", what: "tar path length" },
    paths: BEFORE,
  }),
  tarCase(
    "T11/100KB-name-budget-raised",
    ["T11"],
    "the same name and a 100 KB GNU long link with the path budget raised to 128 KiB",
    () => concat([pax([["path", "n".repeat(100_000)]]), header({ name: "a" }), gnuLong("K", "k".repeat(100_000)), header({ name: "l", typeflag: "2" }), END]),
    { ...OK, paths: ["n".repeat(100_000), "l"], entries: [[1, { linkname: "k".repeat(100_000) }]] },
    { limits: { maxPathBytes: 128 * 1024 } },
  ),
];

// ── T12 names, T13 types ──────────────────────────────────────────────────────────────────────────

const T12_T13: HostileCase[] = [
  tarCase(
    "T12/invalid-utf8-names",
    ["T12"],
    'names "a\\xff" and "a\\xfe": two files, in the layer and in the merged view (the merge used to keep one)',
    () => concat([header({ name: new Uint8Array([0x61, 0xff]) }), header({ name: new Uint8Array([0x61, 0xfe]) }), END]),
    {
      ...OK,
      paths: ["a\udcff", "a\udcfe"],
      merge: { present: ["a\udcff", "a\udcfe"] },
      entries: [
        [0, { flags: ["invalid-utf8"], rawPath: new Uint8Array([0x61, 0xff]) }],
        [1, { flags: ["invalid-utf8"], rawPath: new Uint8Array([0x61, 0xfe]) }],
      ],
      warnings: [/2 names are not valid UTF-8/],
    },
  ),
  tarCase("T12/nfc-vs-nfd", ["T12"], '"café" in NFC and in NFD: two entries', () => buildTar([{ path: "caf\u00e9" }, { path: "cafe\u0301" }]), {
    ...OK,
    paths: ["caf\u00e9", "cafe\u0301"],
    entries: [[1, { flags: undefined }]],
    merge: { present: ["caf\u00e9", "cafe\u0301"] },
  }),
  tarCase(
    "T12/prototype-names",
    ["T12"],
    "__proto__, constructor, prototype, hasOwnProperty as names and PAX keywords",
    () =>
      concat([
        pax([["__proto__", "polluted"], ["constructor", "x"], ["SCHILY.xattr.__proto__", "y"]]),
        entry({ name: "__proto__/" , typeflag: "5" }),
        entry({ name: "__proto__/polluted" }, "p"),
        entry({ name: "constructor" }, "c"),
        entry({ name: "prototype" }),
        entry({ name: "hasOwnProperty" }),
        pax([["__proto__", "g"]], { global: true }),
        entry({ name: "toString/valueOf" }),
        END,
      ]),
    {
      ...OK,
      paths: ["__proto__", "__proto__/polluted", "constructor", "prototype", "hasOwnProperty", "toString/valueOf"],
      entries: [[2, { flags: undefined }]],
      merge: { present: ["__proto__", "__proto__/polluted", "constructor", "prototype", "hasOwnProperty", "toString", "toString/valueOf"] },
    },
  ),
  tarCase(
    "T12/invisible-and-control-names",
    ["T12"],
    "U+202E, zero-width space, newline, tab and NUL-free C0 controls in names: kept as written",
    () => buildTar([{ path: "bidi\u202Egpj.exe" }, { path: "zw\u200Bsp" }, { path: "new\nline" }, { path: "tab\there\u0007" }]),
    { ...OK, paths: ["bidi\u202Egpj.exe", "zw\u200Bsp", "new\nline", "tab\there\u0007"], merge: { present: ["bidi\u202Egpj.exe", "new\nline"] } },
  ),
  tarCase(
    "T13/odd-types",
    ["T13"],
    "global PAX header, unknown typeflag, GNU and PAX sparse files, devices, FIFO, contiguous file, V7 directory",
    () =>
      concat([
        pax([["comment", "global"]], { global: true }),
        entry({ name: "mystery", typeflag: "?" }, "skipped"),
        header({ format: "gnu", typeflag: "S", name: "sparse-gnu", patch: [[483, enc.encode("00000001000\0")]] }),
        pax([["GNU.sparse.major", "1"], ["GNU.sparse.minor", "0"], ["GNU.sparse.name", "sparse-pax"], ["GNU.sparse.realsize", "1048576"]]),
        entry({ name: "GNUSparseFile.0/sparse-pax" }, new Uint8Array(600)),
        header({ name: "tty", typeflag: "3", devmajor: 5, devminor: 0 }),
        header({ name: "disk", typeflag: "4", devmajor: 8, devminor: 1 }),
        header({ name: "pipe", typeflag: "6" }),
        entry({ name: "contig", typeflag: "7" }, "c"),
        header({ name: "v7dir/", typeflag: 0, format: "v7" }),
        header({ name: "dir-with-size", typeflag: "5", size: 1024 }),
        END,
      ]),
    {
      ...OK,
      paths: ["mystery", "sparse-gnu", "sparse-pax", "tty", "disk", "pipe", "contig", "v7dir", "dir-with-size"],
      entries: [
        [0, { type: "unknown", typeflag: "?" }],
        [1, { type: "sparse", typeflag: "S", size: 0o1000 }],
        [2, { type: "sparse", size: 1048576 }],
        [3, { type: "char", typeflag: "3" }],
        [4, { type: "block", typeflag: "4" }],
        [5, { type: "fifo", typeflag: "6" }],
        [6, { type: "contiguous", typeflag: "7" }],
        [7, { type: "dir" }],
        [8, { type: "dir", size: 0 }],
      ],
      warnings: [/global/i, /declares 1024 bytes of body/],
      merge: { types: { mystery: "unknown", tty: "char", pipe: "fifo" } },
    },
  ),
  tarCase(
    "T13/global-pax-path-not-applied",
    ["T13", "T6"],
    'a global PAX header with path "evil" and uid 0: shown, never applied to the entries after it (Go\'s rule)',
    () => concat([pax([["path", "evil"], ["uid", "0"], ["comment", XSS]], { global: true }), entry({ name: "own-name", uid: 1000 }, "x"), END]),
    { ...OK, paths: ["own-name"], entries: [[0, { uid: 1000 }]], warnings: [/global/i] },
  ),
  tarCase(
    "T13/sparse-unknown-format-and-extended",
    ["T13"],
    "a PAX GNU sparse format 2.0 (unknown: read as a plain file), and a GNU 'S' header with an extension block",
    () =>
      concat([
        pax([["GNU.sparse.major", "2"], ["GNU.sparse.minor", "0"]]),
        entry({ name: "sparse-v2" }, "abc"),
        header({ format: "gnu", typeflag: "S", name: "sparse-ext", size: 512, patch: [[482, Uint8Array.of(1)], [483, enc.encode("00000010000\0")]] }),
        new Uint8Array(512), // the extension block: no map entries, not extended further
        new Uint8Array(512), // the stored data
        END,
      ]),
    {
      ...OK,
      paths: ["sparse-v2", "sparse-ext"],
      entries: [
        [0, { type: "file", size: 3 }],
        [1, { type: "sparse", size: 0o10000 }],
      ],
      warnings: [/sparse format 2\.0, which is unknown/],
    },
  ),
  tarCase("T13/link-declaring-a-body", ["T13", "T8"], "a symlink whose header claims 1024 bytes of body (none is read, as Go)", () => concat([header({ name: "l", typeflag: "2", linkname: "t", size: 1024 }), entry({ name: "after" }, "a"), END]), {
    ...OK,
    paths: ["l", "after"],
    entries: [[0, { size: 0, linkname: "t" }]],
    warnings: [/declares 1024 bytes of body/],
  }),
];

// ── D1, D2, D3, D5 digests of one layer];

// ── D1, D2, D3, D5 digests of one layer ───────────────────────────────────────────────────────────

const SMALL: TarEntry[] = [
  { path: "bin/", type: "dir" },
  { path: "bin/hello", content: "#!/bin/sh\necho hello\n".repeat(40), mode: 0o755 },
  { path: "etc/os-release", content: 'NAME="hostile"\n' },
];
const SMALL_PATHS = ["bin", "bin/hello", "etc/os-release"];

/** The tar with one byte of bin/hello's body different: same headers, another diff_id. */
function smallOtherBody(): Uint8Array {
  const t = buildTar(SMALL);
  t[1024 + 5] = t[1024 + 5]! ^ 0x20;
  return t;
}

/** A source that delivers `keep` bytes of the blob, then fails like a reset connection. */
function cutConnection(tar: Uint8Array, keep: number): () => AsyncIterable<Uint8Array> {
  return async function* () {
    yield tar.slice(0, keep);
    throw new TypeError("network error: connection reset");
  };
}

const D: HostileCase[] = [
  tarCase("D1/flipped-byte-gzip", ["D1"], "one byte flipped in the middle of a gzip blob", () => buildTar(NOISY), {
    digest: "mismatch",
    diffId: "unverifiable",
    error: { kind: "corrupt-compression", format: "gzip" },
    paths: NOISY_PATHS,
    prefixOf: true,
    minEntries: 10,
  }, { serve: flipAt(0.5) }),
  tarCase("D1/flipped-byte-uncompressed", ["D1"], "one byte flipped in a file body of an uncompressed layer", () => buildTar(SMALL), {
    digest: "mismatch",
    diffId: "mismatch",
    paths: SMALL_PATHS,
  }, { compress: "none", serve: (b) => { const o = b.slice(); o[1024 + 10] = o[1024 + 10]! ^ 0x01; return o; } }),
  tarCase("D1/flipped-byte-zstd-raw", ["D1"], "one byte flipped in a zstd raw block (no checksum in the frame)", () => buildTar(SMALL), {
    digest: "mismatch",
    diffId: "mismatch",
    compression: "zstd",
    paths: SMALL_PATHS,
  }, { compress: "zstd", serve: (b) => { const o = b.slice(); o[9 + 1024 + 10] = o[9 + 1024 + 10]! ^ 0x01; return o; } }),
  tarCase("D2/longer-than-descriptor", ["D2"], "5000 bytes more than the descriptor's size", () => buildTar(SMALL), {
    digest: "unverifiable",
    diffId: "unverifiable",
    error: { kind: "size-mismatch", direction: "overrun" },
    paths: SMALL_PATHS,
    prefixOf: true,
  }, { serve: (b) => concat([b, new Uint8Array(5000)]) }),
  tarCase("D2/shorter-than-descriptor", ["D2"], "the blob served 100 bytes short", () => buildTar(NOISY), {
    digest: "unverifiable",
    diffId: "unverifiable",
    error: { kind: "size-mismatch", direction: "truncated" },
    paths: NOISY_PATHS,
    prefixOf: true,
  }, { serve: (b) => b.slice(0, b.length - 100) }),
  {
    name: "D2/connection-reset",
    rows: ["D2"],
    what: "an uncompressed layer whose connection resets after 3000 of its bytes",
    build: async () => {
      const tar = buildTar(SMALL);
      const l = await layerOf(tar, { compress: "none" });
      return { ...l, blob: cutConnection(tar, 3000) };
    },
    expect: { digest: "unverifiable", diffId: "unverifiable", error: { kind: "size-mismatch", direction: "truncated" }, paths: SMALL_PATHS, prefixOf: true },
  },
  tarCase("D3/bytes-after-end-marker", ["D3"], "the config's diff_id is of the tar without the 512 bytes after its end marker", () => buildTar(SMALL, { trailing: enc.encode("appended".padEnd(512, "!")) }), {
    digest: "verified",
    diffId: "mismatch",
    paths: SMALL_PATHS,
    warnings: [/after the tar end marker/],
  }, { diffIdOf: buildTar(SMALL) }),
  tarCase("D3/zero-padding-after-end-marker", ["D3"], "10 KiB of zero padding after the end marker, diff_id without it", () => buildTar(SMALL, { trailing: new Uint8Array(10_240) }), {
    digest: "verified",
    diffId: "mismatch",
    paths: SMALL_PATHS,
  }, { diffIdOf: buildTar(SMALL) }),
  tarCase("D3/other-tar-same-names", ["D3"], "a valid gzip of a tar that differs from the diff_id's in one body byte", () => smallOtherBody(), {
    digest: "verified",
    diffId: "mismatch",
    paths: SMALL_PATHS,
  }, { diffIdOf: buildTar(SMALL) }),
  tarCase("D5/sha512", ["D5"], "digest and diff_id in sha512", () => buildTar(SMALL), { ...OK, paths: SMALL_PATHS }, { algorithm: "sha512" }),
  tarCase("D5/sha512-flipped", ["D5", "D1"], "a sha512-named blob with one byte flipped", () => buildTar(SMALL), { digest: "mismatch", diffId: "mismatch", paths: SMALL_PATHS }, {
    algorithm: "sha512",
    compress: "none",
    serve: (b) => { const o = b.slice(); o[1024 + 3] = o[1024 + 3]! ^ 0x01; return o; },
  }),
  tarCase("D5/unknown-algorithm", ["D5"], 'digest "blake3:…" and diff_id "foo:bar"', () => buildTar(SMALL), {
    digest: "unverifiable",
    diffId: "unverifiable",
    paths: SMALL_PATHS,
  }, { digest: "blake3:" + "ab".repeat(32), diffId: "foo:bar" }),
  tarCase("D5/malformed-digest", ["D5"], 'digest "sha256:XYZ" (not hex)', () => buildTar(SMALL), { digest: "unverifiable", diffId: "verified", paths: SMALL_PATHS }, { digest: "sha256:XYZ" }),
  tarCase("D5/no-diff-id", ["D5", "D4"], "the config has no diff_id for this layer", () => buildTar(SMALL), { digest: "verified", diffId: "unverifiable", paths: SMALL_PATHS }, { diffIdOf: null }),
];

/** Every layer case, in row order. */
export const HOSTILE_LAYERS: readonly HostileCase[] = [...T1, ...T2_T3, ...T4_T5, ...T6, ...T7, ...T8, ...T9, ...T10, ...T11, ...T12_T13, ...D];

/** A case by name (throws when there is none: a typo in a test must not pass silently). */
export function hostileCase(name: string): HostileCase {
  const c = HOSTILE_LAYERS.find((x) => x.name === name);
  if (!c) throw new Error(`no hostile case named ${name}`);
  return c;
}
