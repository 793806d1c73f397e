import { describe, expect, it } from "vitest";
import type { Descriptor, ImageIndex, Platform } from "./index";
import { DEFAULT_PLATFORM, choosePlatform, formatPlatform, isAttestation, parsePlatform, partitionIndex, OCI_INDEX, OCI_MANIFEST } from "./index";

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const entry = (c: string, platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: OCI_MANIFEST,
  digest: d(c),
  size: 100,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});
const index = (...manifests: Descriptor[]): ImageIndex => ({ kind: "index", schemaVersion: 2, mediaType: OCI_INDEX, manifests });

describe("formatPlatform", () => {
  it.each<[Platform | undefined, string]>([
    [{ os: "linux", architecture: "arm64", variant: "v8" }, "linux/arm64/v8"],
    [{ os: "linux", architecture: "amd64" }, "linux/amd64"],
    [{ os: "windows", architecture: "amd64", "os.version": "10.0.17763.1" }, "windows/amd64"],
    [{ os: "unknown", architecture: "unknown" }, "unknown/unknown"],
    [undefined, "unknown/unknown"],
    [DEFAULT_PLATFORM, "linux/amd64"],
  ])("%j → %s", (p, s) => expect(formatPlatform(p)).toBe(s));
});

describe("parsePlatform", () => {
  it.each<[string, Platform | undefined]>([
    ["linux/amd64", { os: "linux", architecture: "amd64" }],
    ["linux/arm64/v8", { os: "linux", architecture: "arm64", variant: "v8" }],
    [" Linux/ARM/v7 ", { os: "linux", architecture: "arm", variant: "v7" }],
    ["windows/amd64", { os: "windows", architecture: "amd64" }],
    ["linux", undefined],
    ["linux/", undefined],
    ["/amd64", undefined],
    ["linux/arm/v7/x", undefined],
    ["linux/am d64", undefined],
    ["", undefined],
  ])("%j", (s, want) => expect(parsePlatform(s)).toEqual(want));

  it("round-trips with formatPlatform", () => {
    for (const s of ["linux/amd64", "linux/arm/v6", "linux/s390x"]) expect(formatPlatform(parsePlatform(s))).toBe(s);
  });
});

describe("isAttestation / partitionIndex (SECURITY R8)", () => {
  const amd64 = entry("a", { os: "linux", architecture: "amd64" });
  const arm64 = entry("b", { os: "linux", architecture: "arm64", variant: "v8" });
  const att1 = entry("c", { os: "unknown", architecture: "unknown" }, { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": d("a") });
  const att2 = entry("e", { os: "unknown", architecture: "unknown" });
  const att3 = entry("f", { os: "linux", architecture: "amd64" }, { "vnd.docker.reference.type": "attestation-manifest" });
  const noPlatform = entry("9");

  it.each<[string, Descriptor, boolean]>([
    ["image", amd64, false],
    ["buildkit attestation", att1, true],
    ["unknown/unknown without annotation", att2, true],
    ["annotation with a real platform", att3, true],
    ["no platform at all (e.g. nested index)", noPlatform, false],
    ["unknown os only", entry("1", { os: "unknown", architecture: "amd64" }), false],
  ])("%s", (_n, desc, want) => expect(isAttestation(desc)).toBe(want));

  it("keeps index order in both groups", () => {
    expect(partitionIndex(index(amd64, att1, arm64, att2, noPlatform))).toEqual({
      images: [amd64, arm64, noPlatform],
      attestations: [att1, att2],
    });
  });
  it("empty index", () => expect(partitionIndex(index())).toEqual({ images: [], attestations: [] }));
});

describe("choosePlatform", () => {
  const amd64 = entry("a", { os: "linux", architecture: "amd64" });
  const arm64v8 = entry("b", { os: "linux", architecture: "arm64", variant: "v8" });
  const armv6 = entry("c", { os: "linux", architecture: "arm", variant: "v6" });
  const armv7 = entry("e", { os: "linux", architecture: "arm", variant: "v7" });
  const armNoVariant = entry("1", { os: "linux", architecture: "arm" });
  const arm64bare = entry("2", { os: "linux", architecture: "arm64" });
  const windows = entry("f", { os: "windows", architecture: "amd64", "os.version": "10.0.20348.2527" });
  const attAmd64 = entry("7", { os: "linux", architecture: "amd64" }, { "vnd.docker.reference.type": "attestation-manifest" });
  const amd64v3 = entry("3", { os: "linux", architecture: "amd64", variant: "v3" });
  const all = index(attAmd64, amd64, arm64v8, armv6, armv7, windows);

  it.each<[string, ImageIndex, string, Descriptor | undefined]>([
    ["exact os/arch", all, "linux/amd64", amd64],
    ["attestations are never chosen", index(attAmd64), "linux/amd64", undefined],
    ["arm64 finds arm64/v8 (containerd default variant)", all, "linux/arm64", arm64v8],
    ["arm64/v8 finds a bare arm64", index(arm64bare), "linux/arm64/v8", arm64bare],
    ["arm64/v8 exact", all, "linux/arm64/v8", arm64v8],
    ["arm means arm/v7", all, "linux/arm", armv7],
    ["arm/v7 finds a bare arm", index(armNoVariant), "linux/arm/v7", armNoVariant],
    ["arm/v6 exact, not v7", all, "linux/arm/v6", armv6],
    ["arm/v5 absent", all, "linux/arm/v5", undefined],
    ["windows", all, "windows/amd64", windows],
    ["aarch64 alias", all, "linux/aarch64", arm64v8],
    ["x86_64 alias", all, "linux/x86_64", amd64],
    ["amd64/v3 is not amd64", index(amd64v3), "linux/amd64", undefined],
    ["amd64/v1 is amd64", all, "linux/amd64/v1", amd64],
    ["missing platform", all, "linux/riscv64", undefined],
    ["empty index", index(), "linux/amd64", undefined],
    ["entries without platform are skipped", index(entry("9")), "linux/amd64", undefined],
  ])("%s", (_n, idx, wanted, want) => {
    const p = parsePlatform(wanted);
    if (!p) throw new Error(`bad platform ${wanted}`);
    expect(choosePlatform(idx, p)).toBe(want);
  });
});
