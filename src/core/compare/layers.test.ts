import { describe, expect, it } from "vitest";
import { chainIds } from "../oci";
import { compareConfigs, compareLayers, type ImageInput, type LayerRowKind } from "./layers";
import type { ImageConfig } from "../oci";

const OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const OCI_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
const DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** A digest that reads well in a test: "sha256:000…<label>". Labels are hex ("d1" diff, "b1" blob). */
const sha = (label: string): string => `sha256:${label.padStart(64, "0")}`;

interface L {
  /** diff_id label ("1" → sha256:…d1). */
  readonly diff: string;
  /** blob label; defaults to the diff label (so the same tar gzipped the same way). */
  readonly blob?: string;
  readonly mt?: string;
  readonly size?: number;
}

/** An image from a list of layers, base first. `extraDiffIds` / `dropDiffIds` break the counts on purpose. */
function image(layers: readonly L[], opts: { extraDiffIds?: string[]; dropDiffIds?: number; dockerTypes?: boolean; config?: Partial<ImageConfig> } = {}): ImageInput {
  const diffIds = layers.map((l) => sha(`d${l.diff}`)).concat(opts.extraDiffIds ?? []);
  return {
    manifest: {
      kind: "manifest",
      schemaVersion: 2,
      mediaType: opts.dockerTypes ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("c0"), size: 100 },
      layers: layers.map((l) => ({ mediaType: l.mt ?? (opts.dockerTypes ? DOCKER_GZIP : OCI_GZIP), digest: sha(`b${l.blob ?? l.diff}`), size: l.size ?? 100 })),
    },
    config: {
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: diffIds.slice(0, diffIds.length - (opts.dropDiffIds ?? 0)) },
      ...opts.config,
    },
  };
}

const A64 = `sha256:${"a".repeat(64)}`;
const B64 = `sha256:${"b".repeat(64)}`;
const C64 = `sha256:${"c".repeat(64)}`;

describe("chainIds", () => {
  // Expected values computed outside the code under test:
  //   printf '%s %s' sha256:aaa…a sha256:bbb…b | sha256sum
  //   printf '%s %s' sha256:ccd7…146c sha256:ccc…c | sha256sum
  const cases: { name: string; diffIds: string[]; want: string[] }[] = [
    { name: "no layers", diffIds: [], want: [] },
    { name: "the base layer's chain ID is its diff_id", diffIds: [A64], want: [A64] },
    {
      name: "two layers",
      diffIds: [A64, B64],
      want: [A64, "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c"],
    },
    {
      name: "three layers chain on the previous chain ID, not the previous diff_id",
      diffIds: [A64, B64, C64],
      want: [
        A64,
        "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c",
        "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588",
      ],
    },
  ];
  for (const c of cases) it(c.name, async () => expect(await chainIds(c.diffIds)).toEqual(c.want));

  it("the same diff_id on another parent has another chain ID", async () => {
    const [, onA] = await chainIds([A64, C64]);
    const [, onB] = await chainIds([B64, C64]);
    expect(onA).not.toBe(onB);
  });
});

describe("compareLayers", () => {
  const cases: {
    name: string;
    a: ImageInput;
    b: ImageInput;
    shared: number;
    kinds: LayerRowKind[];
    bytesToPull: number;
    bytesIfBlobsOnly: number;
    bytesWithContentStore: number;
    bytesDockerClassic: number;
    problems?: number;
  }[] = [
    {
      name: "the same image: everything is shared, nothing to pull",
      a: image([{ diff: "1" }, { diff: "2" }]),
      b: image([{ diff: "1" }, { diff: "2" }]),
      shared: 2,
      kinds: ["shared", "shared"],
      bytesToPull: 0,
      bytesIfBlobsOnly: 0,
      bytesWithContentStore: 0,
      bytesDockerClassic: 0,
    },
    {
      name: "B = A + 1 layer: only the new layer is pulled",
      a: image([{ diff: "1" }, { diff: "2" }]),
      b: image([{ diff: "1" }, { diff: "2" }, { diff: "3", size: 700 }]),
      shared: 2,
      kinds: ["shared", "shared", "only-b"],
      bytesToPull: 700,
      bytesIfBlobsOnly: 700,
      bytesWithContentStore: 700,
      bytesDockerClassic: 700,
    },
    {
      name: "sharing a base, then diverging",
      a: image([{ diff: "1" }, { diff: "2" }, { diff: "3", size: 30 }]),
      b: image([{ diff: "1" }, { diff: "2" }, { diff: "4", size: 40 }, { diff: "5", size: 50 }]),
      shared: 2,
      kinds: ["shared", "shared", "only-a", "only-b", "only-b"],
      bytesToPull: 90,
      bytesIfBlobsOnly: 90,
      bytesWithContentStore: 90,
      bytesDockerClassic: 90,
    },
    {
      name: "an equal diff_id at the same position after a difference is not shared base",
      a: image([{ diff: "1" }, { diff: "2" }, { diff: "3", size: 30 }]),
      b: image([{ diff: "1" }, { diff: "5", size: 50 }, { diff: "3", size: 30 }]),
      shared: 1,
      kinds: ["shared", "only-a", "only-a", "only-b", "only-b"],
      // By chain ID the top layer is new (another parent); its blob is one A already holds.
      bytesToPull: 80,
      bytesIfBlobsOnly: 50,
      bytesWithContentStore: 50,
      bytesDockerClassic: 80,
    },
    {
      name: "B rebased on another base with the same top layer: nothing shared by chain ID",
      a: image([{ diff: "1", size: 1000 }, { diff: "9", size: 10 }]),
      b: image([{ diff: "2", size: 2000 }, { diff: "9", size: 10 }]),
      shared: 0,
      kinds: ["only-a", "only-a", "only-b", "only-b"],
      bytesToPull: 2010,
      bytesIfBlobsOnly: 2000,
      bytesWithContentStore: 2000,
      bytesDockerClassic: 2010,
    },
    {
      name: "same diff_id recompressed (gzip → zstd): snapshot shared, blob not",
      a: image([{ diff: "1", size: 100 }, { diff: "2", size: 200 }]),
      b: image([{ diff: "1", size: 100 }, { diff: "2", blob: "2f", mt: OCI_ZSTD, size: 150 }]),
      shared: 2,
      kinds: ["shared", "recompressed"],
      bytesToPull: 0,
      bytesIfBlobsOnly: 150,
      bytesWithContentStore: 0,
      bytesDockerClassic: 150,
    },
    {
      name: "a recompressed middle layer: Docker's classic store downloads it and everything above",
      a: image([{ diff: "1", size: 100 }, { diff: "2", size: 200 }, { diff: "3", size: 300 }]),
      b: image([{ diff: "1", size: 100 }, { diff: "2", blob: "2f", mt: OCI_ZSTD, size: 150 }, { diff: "3", size: 300 }]),
      shared: 3,
      kinds: ["shared", "recompressed", "shared"],
      bytesToPull: 0,
      bytesIfBlobsOnly: 150,
      bytesWithContentStore: 0,
      bytesDockerClassic: 450,
    },
    {
      name: "Docker vs OCI media types for the same blobs: recompressed by media type only",
      a: image([{ diff: "1" }, { diff: "2" }], { dockerTypes: true }),
      b: image([{ diff: "1" }, { diff: "2" }]),
      shared: 2,
      kinds: ["recompressed", "recompressed"],
      bytesToPull: 0,
      bytesIfBlobsOnly: 0,
      bytesWithContentStore: 0,
      bytesDockerClassic: 0,
    },
    {
      name: "a blob listed twice in B is fetched once",
      a: image([{ diff: "1" }]),
      b: image([{ diff: "1" }, { diff: "e", size: 32 }, { diff: "3", size: 300 }, { diff: "e", size: 32 }]),
      shared: 1,
      kinds: ["shared", "only-b", "only-b", "only-b"],
      bytesToPull: 332,
      bytesIfBlobsOnly: 332,
      bytesWithContentStore: 332,
      bytesDockerClassic: 332,
    },
    {
      name: "A's manifest has more layers than diff_ids: the extra layer is never shared",
      a: image([{ diff: "1" }, { diff: "2" }, { diff: "3" }], { dropDiffIds: 1 }),
      b: image([{ diff: "1" }, { diff: "2" }, { diff: "3", size: 30 }]),
      shared: 2,
      kinds: ["shared", "shared", "only-a", "only-b"],
      // B's top has A's blob, so only the chain-ID model pulls it.
      bytesToPull: 30,
      bytesIfBlobsOnly: 0,
      bytesWithContentStore: 0,
      bytesDockerClassic: 30,
      problems: 1,
    },
    {
      name: "B's config has more diff_ids than the manifest has layers: a diff_id alone is not a layer",
      a: image([{ diff: "1" }, { diff: "2" }]),
      b: image([{ diff: "1" }], { extraDiffIds: [sha("d2")] }),
      shared: 1,
      kinds: ["shared", "only-a", "only-b"],
      bytesToPull: 0,
      bytesIfBlobsOnly: 0,
      bytesWithContentStore: 0,
      bytesDockerClassic: 0,
      problems: 1,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const got = await compareLayers(c.a, c.b);
      expect(got.sharedBase.layers).toBe(c.shared);
      expect(got.rows.map((r) => r.kind)).toEqual(c.kinds);
      expect({ pull: got.bytesToPull, blobs: got.bytesIfBlobsOnly, store: got.bytesWithContentStore, docker: got.bytesDockerClassic }).toEqual({
        pull: c.bytesToPull,
        blobs: c.bytesIfBlobsOnly,
        store: c.bytesWithContentStore,
        docker: c.bytesDockerClassic,
      });
      expect(got.problems).toHaveLength(c.problems ?? 0);
      // Never more than a cold pull, and the content-store figure never exceeds either model.
      expect(got.bytesToPull).toBeLessThanOrEqual(got.bytesB);
      expect(got.bytesWithContentStore).toBeLessThanOrEqual(Math.min(got.bytesToPull, got.bytesIfBlobsOnly));
      expect(got.bytesDockerClassic).toBeGreaterThanOrEqual(got.bytesToPull);
      expect(got.bytesDockerClassic).toBeLessThanOrEqual(got.bytesB);
    });
  }

  it("names the shared base by its top chain ID and sums its bytes on each side", async () => {
    const a = image([{ diff: "1", size: 10 }, { diff: "2", size: 20 }, { diff: "3" }]);
    const b = image([{ diff: "1", size: 10 }, { diff: "2", blob: "2f", mt: OCI_ZSTD, size: 15 }, { diff: "4" }]);
    const got = await compareLayers(a, b);
    const [, top] = await chainIds([sha("d1"), sha("d2")]);
    expect(got.sharedBase).toEqual({ layers: 2, chainId: top, bytesA: 30, bytesB: 25 });
  });

  it("marks a rebased layer with the position of the same diff_id in the other image", async () => {
    const got = await compareLayers(image([{ diff: "1" }, { diff: "9" }]), image([{ diff: "2" }, { diff: "9" }]));
    const topB = got.rows.find((r) => r.kind === "only-b" && r.b?.index === 1);
    expect(topB?.sameDiffIdIn).toEqual([1]);
    expect(topB?.pull).toMatchObject({ snapshotPresent: false, blobPresent: true, fetchedByChainId: true, fetchedWithContentStore: false });
  });

  it("says what was recompressed and what each side's compression is", async () => {
    const got = await compareLayers(image([{ diff: "1" }]), image([{ diff: "1", blob: "1f", mt: OCI_ZSTD }]));
    const [row] = got.rows;
    expect(row?.recompressed).toEqual({ digest: true, mediaType: true });
    expect(row?.a?.compression).toBe("gzip");
    expect(row?.b?.compression).toBe("zstd");
    expect(row?.a?.chainId).toBe(row?.b?.chainId);
  });

  it("compares across platforms of one index", async () => {
    const arm = image([{ diff: "1" }], { config: { architecture: "arm64", variant: "v8" } });
    const got = await compareLayers(image([{ diff: "1" }]), arm);
    expect(got.a.platform).toBe("linux/amd64");
    expect(got.b.platform).toBe("linux/arm64/v8");
    expect(got.config).toContainEqual({ field: "platform", change: "changed", a: "linux/amd64", b: "linux/arm64/v8" });
  });
});

describe("compareConfigs", () => {
  const base: ImageConfig = { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } };
  const cases: { name: string; a: Partial<ImageConfig>; b: Partial<ImageConfig>; want: unknown[] }[] = [
    { name: "no changes", a: {}, b: {}, want: [] },
    {
      name: "created changed",
      a: { created: "2024-01-01T00:00:00Z" },
      b: { created: "2024-02-01T00:00:00Z" },
      want: [{ field: "created", change: "changed", a: "2024-01-01T00:00:00Z", b: "2024-02-01T00:00:00Z" }],
    },
    {
      name: "env by variable name: changed, added, removed; the last duplicate wins",
      a: { config: { Env: ["PATH=/bin", "OLD=1", "X=1", "X=2"] } },
      b: { config: { Env: ["PATH=/usr/bin:/bin", "NEW=a=b", "X=2"] } },
      want: [
        { field: "env", key: "PATH", change: "changed", a: "/bin", b: "/usr/bin:/bin" },
        { field: "env", key: "OLD", change: "removed", a: "1" },
        { field: "env", key: "NEW", change: "added", b: "a=b" },
      ],
    },
    {
      name: "entrypoint and cmd as whole argv lists; null and [] mean unset",
      a: { config: { Entrypoint: null, Cmd: ["nginx", "-g", "daemon off;"] } },
      b: { config: { Entrypoint: ["/docker-entrypoint.sh"], Cmd: [] } },
      want: [
        { field: "entrypoint", change: "added", b: '["/docker-entrypoint.sh"]' },
        { field: "cmd", change: "removed", a: '["nginx","-g","daemon off;"]' },
      ],
    },
    {
      name: "labels by key, including one named __proto__",
      a: { config: { Labels: JSON.parse('{"__proto__":"x","version":"1"}') as Record<string, string> } },
      b: { config: { Labels: { version: "2" } } },
      want: [
        { field: "labels", key: "__proto__", change: "removed", a: "x" },
        { field: "labels", key: "version", change: "changed", a: "1", b: "2" },
      ],
    },
    {
      name: "user, workdir, ports and volumes",
      a: { config: { User: "", ExposedPorts: { "80/tcp": {} }, Volumes: { "/data": {} } } },
      b: { config: { User: "nginx", WorkingDir: "/app", ExposedPorts: { "80/tcp": {}, "443/tcp": {} } } },
      want: [
        { field: "user", change: "added", b: "nginx" },
        { field: "workdir", change: "added", b: "/app" },
        { field: "exposedPorts", key: "443/tcp", change: "added", b: "" },
        { field: "volumes", key: "/data", change: "removed", a: "" },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(compareConfigs({ ...base, ...c.a }, { ...base, ...c.b })).toEqual(c.want));
  }
});
