/** The tar writer, read back by the parser: ustar where it fits, PAX where it does not (long names, big ids). */
import { describe, expect, it } from "vitest";
import { concatBytes } from "../testing/tar";
import { parseTar } from "./parser";
import { TAR_END_MARKER_BYTES, tarHeader, tarPaddingBytes, type TarWriteEntry } from "./writer";

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

const base = { mode: 0o644, uid: 0, gid: 0, uname: "root", gname: "root", mtime: 1_700_000_000 } as const;

function archive(entries: readonly { entry: TarWriteEntry; body?: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { entry, body } of entries) {
    parts.push(tarHeader(entry));
    if (body) parts.push(body, new Uint8Array(tarPaddingBytes(body.length)));
  }
  parts.push(new Uint8Array(TAR_END_MARKER_BYTES));
  return concatBytes(parts);
}

describe("tarHeader", () => {
  const longPath = `${"d".repeat(160)}/${"f".repeat(120)}.txt`;
  const body = new TextEncoder().encode("hello\n");
  const cases: [string, TarWriteEntry, Partial<Record<string, unknown>>][] = [
    ["a plain file", { ...base, path: "a/b.txt", type: "file", size: body.length }, { path: "a/b.txt", type: "file", size: body.length, mode: 0o644 }],
    ["a directory (trailing slash added)", { ...base, path: "a", type: "dir", size: 0, mode: 0o755 }, { path: "a", type: "dir", mode: 0o755 }],
    ["a symlink", { ...base, path: "a/l", type: "symlink", size: 0, linkname: "../b" }, { type: "symlink", linkname: "../b" }],
    ["a path split into ustar prefix and name", { ...base, path: `${"p".repeat(120)}/name.txt`, type: "file", size: body.length }, { path: `${"p".repeat(120)}/name.txt` }],
    ["a path too long for ustar (PAX path)", { ...base, path: longPath, type: "file", size: body.length }, { path: longPath, size: body.length }],
    ["a long link target (PAX linkpath)", { ...base, path: "l", type: "symlink", size: 0, linkname: "t".repeat(300) }, { linkname: "t".repeat(300) }],
    ["a uid past 7 octal digits (PAX uid)", { ...base, path: "u", type: "file", size: body.length, uid: 3_000_000 }, { uid: 3_000_000 }],
    ["a non-ASCII owner name that is too long (PAX uname)", { ...base, path: "o", type: "file", size: body.length, uname: "ü".repeat(20) }, { uname: "ü".repeat(20) }],
  ];
  it.each(cases)("%s reads back", async (_n, entry, expected) => {
    const withBody = entry.type === "file";
    const tar = archive([{ entry, ...(withBody ? { body } : {}) }]);
    expect(tar.length % 512).toBe(0);
    const s = await parseTar(once(tar));
    expect(s.error).toBeUndefined();
    expect(s.entries).toHaveLength(1);
    expect(s.entries[0]).toMatchObject(expected);
    if (withBody) expect(tar.subarray(s.entries[0]!.dataOffset, s.entries[0]!.dataOffset + body.length)).toEqual(body);
  });

  it("several entries, bodies padded, end marker", async () => {
    const tar = archive([
      { entry: { ...base, path: "d", type: "dir", size: 0 } },
      { entry: { ...base, path: "d/x", type: "file", size: 513 }, body: new Uint8Array(513).fill(7) },
      { entry: { ...base, path: "d/y", type: "file", size: 0 } },
    ]);
    const s = await parseTar(once(tar));
    expect(s.error).toBeUndefined();
    expect(s.entries.map((e) => [e.path, e.size])).toEqual([["d", 0], ["d/x", 513], ["d/y", 0]]);
    expect(s.endOffset).toBe(tar.length);
  });
});
