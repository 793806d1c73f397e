import { describe, expect, it } from "vitest";
import type { Descriptor, ImageIndex } from "../../core/oci";
import { OCI_INDEX, OCI_MANIFEST } from "../../core/oci";
import { fakeDescriptor, fakeDiffId, fakeEntry, fakeResult, fakeState } from "../layers/testing";
import { combineStates, pickChild, platformOptions, readiness, reuseFromA } from "./model";

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const entry = (c: string, platform?: Descriptor["platform"], annotations?: Record<string, string>): Descriptor => ({
  mediaType: OCI_MANIFEST,
  digest: digest(c),
  size: 100,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

const index: ImageIndex = {
  kind: "index",
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    entry("1", { os: "linux", architecture: "arm64", variant: "v8" }),
    entry("2", { os: "linux", architecture: "amd64" }),
    entry("3", { os: "unknown", architecture: "unknown" }, { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": digest("2") }),
  ],
};

describe("pickChild", () => {
  it.each([
    ["the URL's platform wins", "linux/arm64", "linux/amd64", "1"],
    ["B follows A's platform", undefined, "linux/arm64/v8", "1"],
    ["else linux/amd64", undefined, undefined, "2"],
    ["an unknown fallback falls through to linux/amd64", undefined, "windows/amd64", "2"],
  ] as const)("%s", (_name, wanted, fallback, expected) => {
    expect(pickChild(index, wanted, fallback)?.digest).toBe(digest(expected));
  });

  it("a platform the index lacks is not silently replaced", () => {
    expect(pickChild(index, "linux/s390x", "linux/amd64")).toBeUndefined();
  });

  it("lists the platforms without the attestation", () => {
    expect(platformOptions(index)).toEqual(["linux/arm64/v8", "linux/amd64"]);
  });
});

describe("reuseFromA and combineStates", () => {
  // A: layers 0 1 2; B: layers 0 1 (same blobs), then 3, then A's 2 on another base.
  const a = { layers: [0, 1, 2].map((i) => fakeDescriptor(i)), diffIds: [0, 1, 2].map(fakeDiffId) };
  const b = { layers: [0, 1, 3, 2].map((i) => fakeDescriptor(i)), diffIds: [0, 1, 3, 2].map(fakeDiffId) };

  it("takes B's layers with the same blob digest and diff_id from A, wherever they sit", () => {
    expect(reuseFromA(a, b)).toEqual([0, 1, undefined, 2]);
  });

  it("does not reuse a blob whose diff_id differs (the config claims another tar)", () => {
    expect(reuseFromA(a, { layers: [fakeDescriptor(0)], diffIds: [fakeDiffId(5)] })).toEqual([undefined]);
  });

  it("puts B's states together in B's order, renumbered", () => {
    const statesA = [0, 1, 2].map((i) => fakeState(i, { result: fakeResult(i, [fakeEntry(`a${i}`)]) }));
    const own = [fakeState(0, { descriptor: fakeDescriptor(3) })];
    const states = combineStates(reuseFromA(a, b), statesA, own);
    expect(states.map((s) => s.layerIndex)).toEqual([0, 1, 2, 3]);
    expect(states.map((s) => s.descriptor.digest)).toEqual([0, 1, 3, 2].map((i) => fakeDescriptor(i).digest));
    expect(states[3]?.result?.entries[0]?.path).toBe("a2");
    const r = readiness(states);
    expect(r).toMatchObject({ total: 4, done: 3, running: 1, missing: [], untrusted: [] });
  });
});

describe("readiness", () => {
  it("counts failed layers as missing and a digest mismatch as untrusted", () => {
    const ok = fakeState(0, { result: fakeResult(0, []) });
    const bad = fakeState(1, {
      result: fakeResult(1, [], { digestVerdict: { status: "mismatch", expected: fakeDescriptor(1).digest, actual: digest("f") } }),
    });
    const failed = fakeState(2, { progress: { ...fakeState(2).progress, stage: "failed" }, error: { kind: "unreachable", registry: "r", detail: "x" } });
    const r = readiness([ok, bad, failed]);
    expect(r.done).toBe(2);
    expect(r.missing).toEqual([2]);
    expect(r.untrusted.map((u) => u.layer)).toEqual([1]);
    expect(r.untrusted[0]?.reason).toMatch(/digest/);
  });
});
