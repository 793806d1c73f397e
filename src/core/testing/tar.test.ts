import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BLOCK_SIZE, buildTar, DEFAULT_MTIME, paxBody, tarChecksum, USTAR, type TarEntry } from "./tar";

const decoder = new TextDecoder();

/** Reads a NUL-terminated string field of a header. */
function field(block: Uint8Array, f: { offset: number; size: number }): string {
  const raw = block.subarray(f.offset, f.offset + f.size);
  const end = raw.indexOf(0);
  return decoder.decode(end === -1 ? raw : raw.subarray(0, end));
}
const octal = (block: Uint8Array, f: { offset: number; size: number }): number => parseInt(field(block, f).trim(), 8);

/** Walks headers the simple way (ustar only) and returns them with their offsets. */
function walk(tar: Uint8Array): { offset: number; block: Uint8Array }[] {
  const out: { offset: number; block: Uint8Array }[] = [];
  let at = 0;
  while (at + BLOCK_SIZE <= tar.byteLength) {
    const block = tar.subarray(at, at + BLOCK_SIZE);
    if (block.every((b) => b === 0)) break;
    out.push({ offset: at, block });
    at += BLOCK_SIZE + Math.ceil(octal(block, USTAR.size) / BLOCK_SIZE) * BLOCK_SIZE;
  }
  return out;
}

const sample: TarEntry[] = [
  { path: "etc/", type: "dir" },
  { path: "etc/os-release", content: "NAME=Test\n", mode: 0o644, mtime: 1700000000 },
  { path: "bin/sh", type: "symlink", linkname: "busybox" },
  { path: "bin/busybox", content: new Uint8Array(1000).fill(7), mode: 0o755 },
  { path: "bin/ln", type: "hardlink", linkname: "bin/busybox" },
  { path: "empty", content: "" },
];

describe("buildTar", () => {
  const tar = buildTar(sample);
  const headers = walk(tar);

  it("aligns everything to 512-byte blocks and ends with two zero blocks", () => {
    expect(tar.byteLength % BLOCK_SIZE).toBe(0);
    expect(tar.subarray(tar.byteLength - 2 * BLOCK_SIZE).every((b) => b === 0)).toBe(true);
    // 6 headers + bodies: 10 bytes → 1 block, 1000 bytes → 2 blocks; + end marker.
    expect(tar.byteLength).toBe((6 + 1 + 2 + 2) * BLOCK_SIZE);
  });

  it("writes a valid checksum in every header", () => {
    expect(headers).toHaveLength(sample.length);
    for (const { block } of headers) expect(octal(block, USTAR.checksum)).toBe(tarChecksum(block));
  });

  it.each([
    { i: 0, name: "etc/", type: "5", mode: 0o755, size: 0, link: "" },
    { i: 1, name: "etc/os-release", type: "0", mode: 0o644, size: 10, link: "" },
    { i: 2, name: "bin/sh", type: "2", mode: 0o777, size: 0, link: "busybox" },
    { i: 3, name: "bin/busybox", type: "0", mode: 0o755, size: 1000, link: "" },
    { i: 4, name: "bin/ln", type: "1", mode: 0o644, size: 0, link: "bin/busybox" },
    { i: 5, name: "empty", type: "0", mode: 0o644, size: 0, link: "" },
  ])("header $i: $name", ({ i, name, type, mode, size, link }) => {
    const block = headers[i]!.block;
    expect(field(block, USTAR.name)).toBe(name);
    expect(field(block, USTAR.typeflag)).toBe(type);
    expect(octal(block, USTAR.mode)).toBe(mode);
    expect(octal(block, USTAR.size)).toBe(size);
    expect(field(block, USTAR.linkname)).toBe(link);
    expect(field(block, USTAR.magic)).toBe("ustar");
    expect(field(block, USTAR.version)).toBe("00");
  });

  it("uses fixed mtimes unless given", () => {
    expect(octal(headers[0]!.block, USTAR.mtime)).toBe(DEFAULT_MTIME);
    expect(octal(headers[1]!.block, USTAR.mtime)).toBe(1700000000);
  });

  it("places bodies right after their header, zero-padded", () => {
    const { offset } = headers[1]!;
    const body = tar.subarray(offset + BLOCK_SIZE, offset + 2 * BLOCK_SIZE);
    expect(decoder.decode(body.subarray(0, 10))).toBe("NAME=Test\n");
    expect(body.subarray(10).every((b) => b === 0)).toBe(true);
  });

  it("is deterministic", () => {
    expect(buildTar(sample)).toEqual(tar);
  });

  it("splits long paths into prefix and name", () => {
    const long = `${"d".repeat(120)}/file.txt`;
    const [h] = walk(buildTar([{ path: long, content: "x" }]));
    expect(field(h!.block, USTAR.prefix)).toBe("d".repeat(120));
    expect(field(h!.block, USTAR.name)).toBe("file.txt");
  });

  it("refuses a path no ustar header can hold, unless a pax record carries it", () => {
    const long = "x".repeat(300);
    expect(() => buildTar([{ path: long }])).toThrow(/pax/);
    const tar2 = buildTar([{ path: long, pax: { path: long } }]);
    const hs = walk(tar2);
    expect(field(hs[0]!.block, USTAR.typeflag)).toBe("x");
    expect(hs).toHaveLength(2);
  });

  it("can omit the end marker and append trailing bytes", () => {
    const bare = buildTar([{ path: "a", content: "a" }], { endMarker: false });
    expect(bare.byteLength).toBe(2 * BLOCK_SIZE);
    const trailing = buildTar([{ path: "a", content: "a" }], { trailing: new Uint8Array([1, 2, 3]) });
    expect(trailing.byteLength).toBe(4 * BLOCK_SIZE + 3);
  });

  it("inserts raw blocks verbatim", () => {
    const raw = new Uint8Array(BLOCK_SIZE).fill(0xff);
    const t = buildTar([{ path: "a" }, { raw }, { path: "b" }], { endMarker: false });
    expect(t.subarray(BLOCK_SIZE, 2 * BLOCK_SIZE)).toEqual(raw);
  });
});

describe("paxBody", () => {
  it.each([
    ["path", "a"],
    ["path", "x".repeat(5)],
    ["path", "x".repeat(90)],
    ["linkpath", "é".repeat(40)],
  ])("record length counts itself: %s=%s", (key, value) => {
    const text = decoder.decode(paxBody([[key, value]]));
    const len = Number(text.split(" ")[0]);
    expect(new TextEncoder().encode(text).byteLength).toBe(len);
    expect(text.endsWith(`${key}=${value}\n`)).toBe(true);
  });
});

// GNU tar is the reference reader; this runs only where it is installed.
const hasTar = (() => {
  try {
    execFileSync("tar", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasTar)("GNU tar reads what buildTar writes", () => {
  it("lists entries, types and link targets", () => {
    const dir = mkdtempSync(join(tmpdir(), "layerscope-tar-"));
    try {
      const file = join(dir, "t.tar");
      writeFileSync(file, buildTar([...sample, { path: `${"p".repeat(150)}/n`, content: "n" }, { path: "q".repeat(200), pax: { path: "q".repeat(200) } }]));
      const listing = execFileSync("tar", ["-tvf", file, "--numeric-owner"], { encoding: "utf8" });
      expect(listing).toMatch(/^drwxr-xr-x 0\/0 +0 .* etc\/$/m);
      expect(listing).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
      expect(listing).toMatch(/^-rwxr-xr-x 0\/0 +1000 .* bin\/busybox$/m);
      expect(listing).toMatch(/^hrw-r--r-- .* bin\/ln link to bin\/busybox$/m);
      expect(listing).toContain(`${"p".repeat(150)}/n`);
      expect(listing).toContain("q".repeat(200));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
