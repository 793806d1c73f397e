import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildTar } from "../testing/tar";
import { chooseCompression, compressionFromMediaType, detectCompression, type DetectedCompression } from "./detect";
import { concat, gzip, utf8 } from "./testkit";

const zst = new Uint8Array(readFileSync(new URL("./testdata/seq5000.l19.zst", import.meta.url)));
const tar = buildTar([{ path: "etc/hostname", content: "layerscope\n" }]);

/** A v7 tar header: no "ustar" magic, only a valid checksum (as very old tars write). */
function v7Header(): Uint8Array {
  const block = tar.slice(0, 512);
  block.fill(0, 257, 265); // erase magic and version
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  block.set(utf8(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return block;
}

describe("detectCompression: the magic bytes decide", async () => {
  const gz = await gzip(tar);
  const table: [string, Uint8Array, DetectedCompression][] = [
    ["gzip member", gz, "gzip"],
    ["gzip magic only", Uint8Array.of(0x1f, 0x8b, 0x08), "gzip"],
    ["gzip ID with an unknown method (CM 7)", Uint8Array.of(0x1f, 0x8b, 0x07, 0), "unknown"],
    ["zstd frame", zst, "zstd"],
    ["zstd skippable frame 0x184D2A50", Uint8Array.of(0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0), "zstd"],
    ["zstd skippable frame 0x184D2A5F", Uint8Array.of(0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0), "zstd"],
    ["almost-skippable 0x184D2A60", Uint8Array.of(0x60, 0x2a, 0x4d, 0x18, 0, 0, 0, 0), "unknown"],
    ["ustar tar", tar, "none"],
    ["ustar tar, first 300 bytes only", tar.subarray(0, 300), "none"],
    ["v7 tar (checksum, no magic)", v7Header(), "none"],
    ["empty tar (end marker only)", new Uint8Array(1024), "none"],
    ["v7-like header with a wrong checksum", (() => { const b = v7Header(); b[0]! ^= 1; return b; })(), "unknown"],
    ["zip", concat(utf8("PK\x03\x04"), new Uint8Array(600)), "unknown"],
    ["bzip2", concat(utf8("BZh9"), new Uint8Array(600)), "unknown"],
    ["xz", concat(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), new Uint8Array(600)), "unknown"],
    ["HTML error page", utf8("<!doctype html><title>404</title>"), "unknown"],
    ["nothing", new Uint8Array(0), "unknown"],
    ["one byte", Uint8Array.of(0x1f), "unknown"],
  ];
  it.each(table)("%s → %s", (_name, bytes, expected) => {
    expect(detectCompression(bytes)).toBe(expected);
  });
});

describe("compressionFromMediaType: only a hint", () => {
  it.each([
    ["application/vnd.oci.image.layer.v1.tar", "none"],
    ["application/vnd.oci.image.layer.v1.tar+gzip", "gzip"],
    ["application/vnd.oci.image.layer.v1.tar+zstd", "zstd"],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "gzip"],
    ["application/vnd.docker.image.rootfs.diff.tar.gzip", "gzip"],
    ["application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "gzip"],
    ["application/vnd.cncf.helm.chart.content.v1.tar+gzip", "gzip"],
    ["application/octet-stream", undefined],
  ] as const)("%s → %s", (mt, format) => {
    expect(compressionFromMediaType(mt)).toBe(format);
  });
});

describe("chooseCompression", () => {
  it("agreement: no warning", async () => {
    const r = chooseCompression(await gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip");
    expect(r).toEqual({ ok: true, value: { format: "gzip", hinted: "gzip", warnings: [] } });
  });

  it("a media type that lies is overruled by the bytes, with a warning", () => {
    const r = chooseCompression(zst, "application/vnd.oci.image.layer.v1.tar+gzip");
    expect(r).toEqual({
      ok: true,
      value: {
        format: "zstd",
        hinted: "gzip",
        warnings: ["media type application/vnd.oci.image.layer.v1.tar+gzip says gzip, but the bytes are zstd: decoding as zstd"],
      },
    });
  });

  it("an unhelpful media type is noted", () => {
    const r = chooseCompression(tar, "application/octet-stream");
    expect(r.ok && r.value.warnings).toEqual(["media type application/octet-stream names no layer compression; the bytes say none"]);
  });

  it("unknown bytes are an error naming them", () => {
    const r = chooseCompression(utf8("<html>nope</html>"), "application/vnd.oci.image.layer.v1.tar+gzip");
    expect(r).toEqual({
      ok: false,
      error: { kind: "unknown-compression", firstBytes: "3c 68 74 6d 6c 3e 6e 6f", mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" },
    });
  });
});
