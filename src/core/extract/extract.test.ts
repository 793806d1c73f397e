/**
 * Reading file bodies by their indexed offsets: every case runs over gzip, zstd (when the zstd
 * binary is here) and uncompressed layers, with the blob cut into 1-byte, odd-sized and whole
 * chunks (STYLE 13). Offsets come from the real pipeline's index of the same layer.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { digestBytes } from "../digest";
import { describeError } from "../errors";
import { runLayer, type BlobOpener, type LayerJob } from "../pipeline";
import type { LayerEntry, LayerIndex } from "../pipeline/types";
import { buildTar, concatBytes, gzip, noiseBytes as noise, type TarEntry } from "../testing";
import { createEntryExtractor, type ExtractTarget } from "./extractor";
import { extractEntries, streamLayerTar } from "./run";

const CHUNKINGS = [1, 7, 4093, Infinity] as const;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  const step = Number.isFinite(size) ? size : Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += step) yield bytes.slice(at, at + step);
}

/** An opener that counts the bytes it handed out and whether the consumer let go early. */
function counting(bytes: Uint8Array, size: number) {
  const stats = { read: 0, closedEarly: false, opens: 0 };
  const open: BlobOpener = async () => {
    stats.opens++;
    return (async function* () {
      let done = false;
      try {
        for (const c of chunked(bytes, size)) {
          stats.read += c.length;
          yield c;
        }
        done = true;
      } finally {
        if (!done) stats.closedEarly = true;
      }
    })();
  };
  return { open, stats };
}


const longName = `deep/${"d".repeat(120)}/${"n".repeat(110)}.txt`;
const entries: TarEntry[] = [
  { path: "first.txt", content: "at the very start\n" },
  { path: "etc/", type: "dir" },
  { path: "etc/hosts", content: "127.0.0.1 localhost\n" },
  { path: "etc/empty", content: "" },
  { path: "etc/link", type: "hardlink", linkname: "etc/hosts" },
  { path: "etc/sym", type: "symlink", linkname: "hosts" },
  { path: longName, content: "long name body\n", pax: { path: longName } },
  { path: "big.bin", content: noise(20_000, 7) },
  { path: "last.txt", content: "at the very end\n" },
];
const tar = buildTar(entries);
const body = (path: string): Uint8Array => {
  const e = entries.find((x) => x.path === path)!;
  return typeof e.content === "string" ? utf8(e.content) : (e.content ?? new Uint8Array());
};

type Format = "gzip" | "zstd" | "none";
const MEDIA: Record<Format, string> = {
  gzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  none: "application/vnd.oci.image.layer.v1.tar",
};
let hasZstd = true;
try {
  execFileSync("zstd", ["--version"], { stdio: "ignore" });
} catch {
  hasZstd = false;
}
const FORMATS: Format[] = hasZstd ? ["gzip", "zstd", "none"] : ["gzip", "none"];

async function layer(format: Format, t: Uint8Array = tar): Promise<{ blob: Uint8Array; job: LayerJob; index: LayerIndex }> {
  const blob = format === "gzip" ? await gzip(t) : format === "zstd" ? new Uint8Array(execFileSync("zstd", ["-q", "-c", "-3"], { input: t, maxBuffer: 64 << 20 })) : t;
  const job: LayerJob = { layerIndex: 0, digest: await digestBytes("sha256", blob), size: blob.length, mediaType: MEDIA[format], diffId: await digestBytes("sha256", t) };
  const index = await runLayer(job, async () => (async function* () { yield blob; })(), { nativeAvailable: false });
  expect(index.error).toBeUndefined();
  return { blob, job, index };
}

const target = (e: LayerEntry): ExtractTarget => ({ path: e.path, size: e.size, headerOffset: e.headerOffset, dataOffset: e.dataOffset });
const entryOf = (index: LayerIndex, path: string): LayerEntry => index.entries.find((e) => e.path === path)!;

/** Runs an extraction and collects each target's bytes. */
async function extract(job: LayerJob, open: BlobOpener, targets: readonly ExtractTarget[], maxBytes?: number) {
  const got = targets.map(() => [] as Uint8Array[]);
  const result = await extractEntries(job, open, targets, (i, c) => void got[i]!.push(c), { nativeAvailable: false, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  return { result, bytes: got.map((parts) => concatBytes(parts)) };
}

describe.each(FORMATS)("%s layers", (format) => {
  describe.each(CHUNKINGS)("chunks of %s bytes", (size) => {
    it.each(["first.txt", "etc/hosts", "etc/empty", longName, "big.bin", "last.txt"])("reads %s exactly", async (path) => {
      const { blob, job, index } = await layer(format);
      const { open } = counting(blob, size);
      const { result, bytes } = await extract(job, open, [target(entryOf(index, path))]);
      expect(result.ok ? result.value.bodies : describeError(result.error)).toEqual([{ delivered: body(path).length, truncated: false }]);
      expect(bytes[0]).toEqual(body(path));
    });
  });

  it("stops reading after the file: a small file at the start reads far less than the layer", async () => {
    // Decoders hand out output in blocks of up to 128 KiB, so the layer must be large beside that.
    const { blob, job, index } = await layer(format, buildTar([...entries, { path: "huge.bin", content: noise(3_000_000, 3) }]));
    const { open, stats } = counting(blob, 4093);
    const { result, bytes } = await extract(job, open, [target(entryOf(index, "first.txt"))]);
    expect(result.ok).toBe(true);
    expect(bytes[0]).toEqual(body("first.txt"));
    expect(stats.closedEarly).toBe(true);
    expect(stats.read).toBeLessThan(blob.length / 4);
  });

  it("several targets in one pass, in any order", async () => {
    const { blob, job, index } = await layer(format);
    const paths = ["last.txt", "etc/hosts", "first.txt"];
    const { open, stats } = counting(blob, 7);
    const { result, bytes } = await extract(job, open, paths.map((p) => target(entryOf(index, p))));
    expect(result.ok).toBe(true);
    expect(stats.opens).toBe(1);
    paths.forEach((p, i) => expect(bytes[i]).toEqual(body(p)));
  });

  it("truncates at maxBytes and says so", async () => {
    const { blob, job, index } = await layer(format);
    const { open } = counting(blob, 4093);
    const { result, bytes } = await extract(job, open, [target(entryOf(index, "big.bin"))], 1000);
    expect(result.ok && result.value.bodies[0]).toEqual({ delivered: 1000, truncated: true });
    expect(bytes[0]).toEqual(body("big.bin").subarray(0, 1000));
  });
});

describe("header checks", () => {
  const cases: [string, (t: ExtractTarget) => ExtractTarget, RegExp][] = [
    ["another path", (t) => ({ ...t, path: "etc/passwd" }), /names "etc\/hosts"/],
    ["another size", (t) => ({ ...t, size: t.size + 1 }), /gives 20 bytes, the index 21/],
    ["an offset with no header", (t) => ({ ...t, headerOffset: t.headerOffset + 512, dataOffset: t.dataOffset + 512 }), /no entry header was found/],
  ];
  it.each(cases)("a target with %s is refused with extract-mismatch", async (_name, change, detail) => {
    const { blob, job, index } = await layer("gzip");
    const t = change(target(entryOf(index, "etc/hosts")));
    const { result } = await extract(job, counting(blob, 7).open, [t]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe("extract-mismatch");
      if (result.error.kind === "extract-mismatch") expect(result.error.detail).toMatch(detail);
      expect(describeError(result.error).title).toMatch(/does not match its index/);
    }
  });

  it("a hardlink's own header is not a body to read", async () => {
    const { blob, job, index } = await layer("none");
    const { result } = await extract(job, counting(blob, 7).open, [target(entryOf(index, "etc/link"))]);
    expect(!result.ok && result.error.kind === "extract-mismatch" && result.error.detail).toMatch(/hardlink, not a regular file/);
  });

  it("a tar that ends before the file is a clear error, not a hang", async () => {
    const { index } = await layer("none");
    const cut = tar.subarray(0, entryOf(index, "last.txt").dataOffset + 3);
    const job: LayerJob = { layerIndex: 0, digest: await digestBytes("sha256", cut), size: cut.length, mediaType: MEDIA.none, diffId: undefined };
    const { result } = await extract(job, counting(cut, 4093).open, [target(entryOf(index, "last.txt"))]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(describeError(result.error).detail).toMatch(/last\.txt|ends/);
  });
});

describe("restarts", () => {
  it("an extractor made after a restart skips what was already delivered", async () => {
    const { index } = await layer("none");
    const t = target(entryOf(index, "etc/hosts"));
    const first: Uint8Array[] = [];
    const a = createEntryExtractor([t], { onBody: (_i, c) => void first.push(c) });
    await a.push(tar.subarray(0, t.dataOffset + 5));
    expect(a.delivered).toEqual([5]);
    const second: Uint8Array[] = [];
    const b = createEntryExtractor([t], { onBody: (_i, c) => void second.push(c), alreadyDelivered: a.delivered });
    for (const c of chunked(tar, 7)) if (await b.push(c)) break;
    expect(concatBytes([...first, ...second])).toEqual(body("etc/hosts"));
  });
});

describe("the whole layer tar", () => {
  it.each(FORMATS)("%s: streams the uncompressed tar with both verdicts", async (format) => {
    const { blob, job } = await layer(format);
    const parts: Uint8Array[] = [];
    const out = await streamLayerTar(job, counting(blob, 4093).open, { write: (c) => void parts.push(c.slice()), restart: () => void (parts.length = 0) }, { nativeAvailable: false });
    expect(concatBytes(parts)).toEqual(tar);
    expect(out.digestVerdict.status).toBe("verified");
    expect(out.diffIdVerdict.status).toBe("verified");
    expect(out.bytes).toBe(tar.length);
  });

  it("a flipped byte is a mismatch", async () => {
    const { blob, job } = await layer("none");
    const bad = blob.slice();
    bad[100] = bad[100]! ^ 1;
    const out = await streamLayerTar(job, counting(bad, 4093).open, { write: () => undefined, restart: () => undefined }, { nativeAvailable: false });
    expect(out.digestVerdict.status).toBe("mismatch");
  });
});
