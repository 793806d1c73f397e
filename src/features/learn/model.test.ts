import { describe, expect, it } from "vitest";
import type { HistoryEntry, ImageConfig, ImageManifest } from "../../core/oci";
import type { RequestRecord } from "../../lib/requestLog";
import { fakeDescriptor, fakeDiffId, fakeResult, fakeState } from "../layers/testing";
import { countVerdicts, historyStory, layerVerdicts, lowerDirs, overlayCommand, pullRequests, shortHex } from "./model";

const IMAGE_ID = "sha256:" + "1234567890ab".padEnd(64, "f");
const hex = (c: string): string => c.repeat(64);

function image(layers: number, history: HistoryEntry[] | undefined, diffIds = layers): { manifest: ImageManifest; config: ImageConfig } {
  return {
    manifest: {
      kind: "manifest",
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: IMAGE_ID, size: 100 },
      layers: Array.from({ length: layers }, (_, i) => fakeDescriptor(i)),
    },
    config: {
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: Array.from({ length: diffIds }, (_, i) => fakeDiffId(i)) },
      ...(history !== undefined ? { history } : {}),
    },
  };
}

const step = (created_by: string, empty = false, comment?: string): HistoryEntry => ({
  created_by,
  ...(empty ? { empty_layer: true } : {}),
  ...(comment !== undefined ? { comment } : {}),
});

describe("historyStory", () => {
  it("counts empty_layer steps, lines up the rest, and shows <missing> below the top row (newest first)", () => {
    const { manifest, config } = image(2, [step("ADD rootfs"), step("ENV A=1", true), step("RUN make"), step("CMD [\"x\"]", true)]);
    const s = historyStory(manifest, config, IMAGE_ID);
    expect(s).toMatchObject({ steps: 4, empty: 2, made: 2, layers: 2, diffIds: 2, quirks: [] });
    expect(s.lines.map((l) => [l.createdBy, l.empty, l.layerIndex, l.dockerHistoryImage])).toEqual([
      ['CMD ["x"]', true, undefined, "1234567890ab"],
      ["RUN make", false, 1, "<missing>"],
      ["ENV A=1", true, undefined, "<missing>"],
      ["ADD rootfs", false, 0, "<missing>"],
    ]);
  });

  it.each([
    { name: "no history", img: image(2, undefined), kinds: ["no-history"] },
    { name: "more steps than layers", img: image(2, [step("a"), step("b"), step("c")]), kinds: ["more-steps"] },
    { name: "more layers than steps", img: image(3, [step("a")]), kinds: ["more-layers"] },
    { name: "layers vs diff_ids", img: image(2, [step("a"), step("b")], 3), kinds: ["layers-vs-diffids"] },
    { name: "squashed: one layer, many steps", img: image(1, [step("a"), step("b"), step("c")]), kinds: ["more-steps", "squashed"] },
    {
      name: "squashed by docker build --squash (merge comment)",
      img: image(1, [step("a", true), step("b", false, "merge sha256:aa to sha256:bb")]),
      kinds: ["squashed"],
    },
    { name: "a single honest layer", img: image(1, [step("COPY app /")]), kinds: ["single-layer"] },
    { name: "no layers", img: image(0, [step("CMD x", true)]), kinds: ["no-layers"] },
  ])("$name", ({ img, kinds }) => {
    expect(historyStory(img.manifest, img.config, IMAGE_ID).quirks.map((q) => q.kind)).toEqual(kinds);
  });
});

describe("overlay", () => {
  const chains = [`sha256:${hex("a")}`, `sha256:${hex("b")}`, `sha256:${hex("c")}`];

  it("lists the TOP layer first and the base last", () => {
    expect(lowerDirs(chains)).toEqual([`/var/lib/layers/sha256/${hex("c")}/diff`, `/var/lib/layers/sha256/${hex("b")}/diff`, `/var/lib/layers/sha256/${hex("a")}/diff`]);
  });

  it("is a valid shell command once backslash-newlines are joined", () => {
    const cmd = overlayCommand(chains)!;
    const joined = cmd.replace(/\\\n/g, "");
    expect(joined).toMatch(/^mount -t overlay overlay {3}-o lowerdir=\S+,upperdir=\S+,workdir=\S+ {3}\S+merged$/);
    const lower = /lowerdir=([^,]+)/.exec(joined)![1]!.split(":");
    expect(lower).toEqual(lowerDirs(chains));
  });

  it("has nothing to mount without layers", () => {
    expect(overlayCommand([])).toBeUndefined();
  });
});

describe("layerVerdicts", () => {
  it("pending until a result, then the result's verdicts; an error without result names the failed check", () => {
    expect(layerVerdicts(undefined)).toEqual({ digest: "pending", diffId: "pending" });
    expect(layerVerdicts(fakeState(0))).toEqual({ digest: "pending", diffId: "pending" });
    expect(layerVerdicts(fakeState(0, { result: fakeResult(0, []) }))).toEqual({ digest: "verified", diffId: "verified" });
    const bad = fakeState(0, {
      progress: { stage: "failed", compressedBytes: 0, compressedTotal: 1, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 },
      error: { kind: "digest-mismatch", what: "blob", expected: "sha256:a", actual: "sha256:b" },
    });
    expect(layerVerdicts(bad)).toEqual({ digest: "mismatch", diffId: "failed" });
    expect(countVerdicts(["verified", "verified", "pending"])).toMatchObject({ verified: 2, pending: 1, mismatch: 0 });
  });
});

describe("pullRequests", () => {
  const rec = (id: number, over: Partial<RequestRecord>): RequestRecord => ({ id, method: "GET", path: "/p", kind: "other", startedAt: 0, done: true, ...over });
  it("keeps this image's manifests (by tag and digest) and its config, not other repositories' or layers'", () => {
    const records = [
      rec(1, { kind: "manifest", registry: "r.io", repository: "app", reference: "v1", status: 200 }),
      rec(2, { kind: "manifest", registry: "r.io", repository: "app", reference: "sha256:child", status: 200 }),
      rec(3, { kind: "manifest", registry: "r.io", repository: "other", reference: "v1", status: 200 }),
      rec(4, { kind: "blob", registry: "r.io", repository: "app", reference: IMAGE_ID, status: 200 }),
      rec(5, { kind: "blob", registry: "r.io", repository: "app", reference: "sha256:layer", status: 200 }),
      rec(6, { kind: "manifest", registry: "r.io", repository: "app", reference: "v1", status: 401, challenge: 'Bearer realm="x"' }),
    ];
    const got = pullRequests(records, { apiHost: "r.io", repository: "app", manifestRefs: ["v1", "sha256:child"], configDigest: IMAGE_ID });
    expect(got.manifest.map((r) => r.id)).toEqual([1, 2, 6]);
    expect(got.config.map((r) => r.id)).toEqual([4]);
    expect(got.challenge).toBe('Bearer realm="x"');
  });
});

it("shortHex is Docker's 12-hex short ID", () => {
  expect(shortHex(IMAGE_ID)).toBe("1234567890ab");
});
