/**
 * The command line against the third-party archives in the repo: dive's own figures for its test
 * image, every layer verified, the JSON valid against cli/schema/inspect.schema.json, and exit
 * codes (0 ok, 2 error, one line on stderr, nothing on stdout) through the real bin.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyse } from "./image";
import { inspectResult, type InspectResult } from "./inspect";
import { openImage, parseSource } from "./sources";
import { ROOT as root, readSchema, runBin, runCli, validatorFor } from "./testing";

const schema = readSchema("inspect.schema.json");
const checkSchema = validatorFor("inspect.schema.json");
const DIVE_IMAGE = "src/core/filetree/testdata/test-docker-image.tar";
const THIRD_PARTY = "e2e/fixtures/third-party";

async function inspect(source: string): Promise<InspectResult> {
  const src = parseSource(source);
  if (!src.ok) throw new Error(src.error.kind);
  if (src.value.kind === "registry") throw new Error("not a file");
  const opened = await openImage({ ...src.value, path: join(root, src.value.path) });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  try {
    return inspectResult(opened.value, await analyse(opened.value));
  } finally {
    await opened.value.close();
  }
}

describe("layerscope inspect", () => {
  it("agrees with dive on dive's test image, every layer verified", async () => {
    const r = await inspect(`docker-archive:${DIVE_IMAGE}`);
    expect(checkSchema(r)).toEqual([]);
    expect(r.source.format).toBe("docker-save");
    expect(r.image.manifestDigest).toBe("synthesized");
    expect(r.image.configVerdict.status).toBe("verified");
    expect(r.layers).toHaveLength(14);
    for (const l of r.layers) {
      expect(l.trusted, `layer ${l.index}`).toBe(true);
      expect(l.digestVerdict.status).toBe("verified");
      expect(l.diffIdVerdict.status).toBe("verified");
    }
    // dive's CI figures for this image (dive's own tests, dive/image/docker/testdata).
    expect(r.efficiency.dive.efficiency).toBeCloseTo(0.9844212134184309, 12);
    expect(r.efficiency.dive.wastedBytes).toBe(32025);
    expect(r.merged.length).toBeGreaterThan(0);
    expect(r.merged.every((e) => e.layer >= 0 && e.layer < 14)).toBe(true);
  });

  it.each([
    ["test-oci-gzip-image.tar", "gzip"],
    ["test-oci-zstd-image.tar", "zstd"],
    ["test-oci-uncompressed-image.tar", "none"],
    ["test-oci-estargz-image.tar", "gzip"],
  ] as const)("reads the OCI archive %s (%s layers), manifest verified", async (name, compression) => {
    const r = await inspect(`oci-archive:${THIRD_PARTY}/${name}`);
    expect(checkSchema(r)).toEqual([]);
    expect(r.source.format).toBe("oci-layout");
    expect(r.image.manifestVerdict?.status).toBe("verified");
    expect(r.image.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.layers.length).toBeGreaterThan(0);
    for (const l of r.layers) {
      expect(l.compression).toBe(compression);
      expect(l.trusted).toBe(true);
      expect(l.entries.length).toBeGreaterThan(0);
    }
  });

  it.each(["test-kaniko-image.tar", "hello-world-v25.tar", "test_link.tar:@1", "test_bundle.tar:@0"])("reads %s with every layer verified", async (name) => {
    const r = await inspect(`docker-archive:${THIRD_PARTY}/${name}`);
    expect(checkSchema(r)).toEqual([]);
    expect(r.layers.every((l) => l.trusted)).toBe(true);
  });

  it("the schema check rejects what the schema does not allow", async () => {
    const r = await inspect(`oci-archive:${THIRD_PARTY}/test-oci-gzip-image.tar`);
    const layer = { ...r.layers[0], digestVerdict: { status: "verified" }, extra: 1 };
    const broken = { ...r, version: 2, layers: [layer], merged: [{ ...r.merged[0], layer: -1 }] };
    const problems = checkSchema(broken);
    expect(problems).toContain("/version const: must be equal to constant");
    expect(problems).toContain("/layers/0 additionalProperties: must NOT have additional properties (extra)");
    expect(problems).toContain("/layers/0/digestVerdict oneOf: must match exactly one schema in oneOf");
    expect(problems).toContain("/merged/0/layer minimum: must be >= 0");
  });

  it("prints JSON on stdout only, and exits 0", async () => {
    const r = await runCli(["inspect", `docker-archive:${join(root, DIVE_IMAGE)}`, "--json"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(checkSchema(JSON.parse(r.out))).toEqual([]);
  });

  it("prints a short human form without --json", async () => {
    const r = await runCli(["inspect", `docker-archive:${join(root, DIVE_IMAGE)}`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("platform  linux/amd64");
    expect(r.out).toContain("efficiency 98.44%  wasted 32025 B (dive)");
  });

  it.each([
    [["inspect", `docker-archive:${join(root, THIRD_PARTY, "null_manifest.tar")}`, "--json"], "manifest.json is null"],
    [["inspect", "docker-archive:/no/such/file.tar"], "ENOENT"],
    [["inspect", `oci-archive:${join(root, "package.json")}`], "Cannot open this archive"],
    [["inspect", "docker-daemon:alpine"], "this transport is not supported yet"],
    [["inspect", "Team/App:v1"], "repository names must be lowercase"],
    // Refused before any socket opens (no network needed): the proxy's egress rules, and the way past them.
    [["inspect", "127.0.0.1:9/team/app:v1"], "127.0.0.1 is loopback. Loopback, private, link-local and metadata addresses are refused unless --allow-private is given."],
    [["inspect", "docker://[::1]:9/team/app@sha256:" + "a".repeat(64)], "Destination not allowed"],
    [["inspect"], "usage:"],
    [["frobnicate", "a"], "unknown command"],
    [["inspect", "docker-archive:x.tar", "--platform", "nonsense"], "--platform"],
  ])("exits 2 with the reason on stderr: %j", async (argv, reason) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(reason);
    expect(r.err.trim().split("\n")[0]).toMatch(/\S/);
  });

  it("the bin runs through tsx: exit codes from a real process", async () => {
    const good = await runBin(["inspect", `oci-archive:${THIRD_PARTY}/test-oci-gzip-image.tar`, "--json"]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out).schema).toBe(schema["$id"]);
    const bad = await runBin(["inspect", `docker-archive:${THIRD_PARTY}/null_manifest.tar`]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err.trim().split("\n")).toHaveLength(1);
    expect(bad.err).toContain("manifest.json is null");
  });
});
