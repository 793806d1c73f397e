/**
 * `oci:DIR` and choosing one image, against the third-party fixtures: dive's OCI tars extracted
 * with `tar -x` into layout directories must give what the tars give; ggcr's two-image archives
 * must be refused without a choice and answer `:@N` and `:NAME`; broken and hostile directories
 * (a missing blob, a symlink out) fail with exit 2 and a line naming what is wrong. Through
 * cli/main.ts `run` with a captured Io, and --json validated with ajv against the schema.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyse } from "./image";
import { inspectResult, type InspectResult } from "./inspect";
import { directoryFiles } from "./layout";
import { run } from "./main";
import { openImage, type Source } from "./sources";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const THIRD_PARTY = join(root, "e2e/fixtures/third-party");
const DIVE_IMAGE = join(root, "src/core/filetree/testdata/test-docker-image.tar");
const OCI_TARS = ["test-oci-gzip-image.tar", "test-oci-zstd-image.tar", "test-oci-uncompressed-image.tar", "test-oci-estargz-image.tar"] as const;
const GZIP = { manifest: "7d255e9e3d216a9a92a5c1ce0563a5ddd92f28a34a9df025d3cf8dfa5ea08366", config: "3eaccc100f866490f00ae82727b459a737af031dcf44c791d8aa714a70f24959", layer: "9aef42427209c9a180c61bb36b0b09681cbe3d3ff6409408bde0eb17ec1ba0cc" };

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(root, "cli/schema/inspect.schema.json"), "utf8")) as object);
const schemaErrors = (value: unknown): unknown => (validate(value) ? [] : validate.errors);

let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "layerscope-layout-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
/** A fresh directory under the test's temp dir. */
function freshDir(name = "dir"): string {
  const dir = join(tmp, `${dirs++}`, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `tar -x` of a fixture into a fresh directory: the layout as skopeo copy … oci:DIR leaves it. */
async function extract(tar: string, into = freshDir()): Promise<string> {
  await promisify(execFile)("tar", ["-xf", tar, "-C", into]);
  return into;
}

async function inspect(source: Source): Promise<InspectResult> {
  const opened = await openImage(source);
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  try {
    return inspectResult(opened.value, await analyse(opened.value));
  } finally {
    await opened.value.close();
  }
}

/** Runs `run` in-process, capturing stdout and stderr. */
async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** Runs `inspect SOURCE --json`, expecting exit 0 and a result the schema accepts. */
async function inspectJson(source: string): Promise<InspectResult> {
  const r = await runCli("inspect", source, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const result = JSON.parse(r.out) as InspectResult;
  expect(schemaErrors(result)).toEqual([]);
  return result;
}

/** Runs `inspect SOURCE`, expecting exit 2 and one line on stderr, which it returns. */
async function refused(source: string): Promise<string> {
  const r = await runCli("inspect", source);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  return r.err;
}

const withoutSource = (r: InspectResult): Omit<InspectResult, "source"> => {
  const { source: _source, ...rest } = r;
  return rest;
};

describe("oci:DIR, a layout directory", () => {
  it.each(OCI_TARS)("%s extracted gives what the tar gives: layers, verdicts, merged tree, efficiency", async (name) => {
    const tar = join(THIRD_PARTY, name);
    const dir = await extract(tar);
    const fromTar = await inspect({ kind: "oci-archive", path: tar });
    const fromDir = await inspect({ kind: "oci", path: dir });
    expect(fromDir.source).toEqual({ transport: "oci", location: dir, format: "oci-layout", images: 1 });
    expect(withoutSource(fromDir)).toEqual(withoutSource(fromTar));
    expect(fromDir.layers.every((l) => l.trusted && l.digestVerdict.status === "verified" && l.diffIdVerdict.status === "verified")).toBe(true);
    expect(fromDir.image.manifestVerdict?.status).toBe("verified");
    expect(schemaErrors(fromDir)).toEqual([]);
  });

  it("through run: --json on stdout, valid against the schema, exit 0; the short form names the transport", async () => {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    const r = await inspectJson(`oci:${dir}`);
    expect(r.source).toEqual({ transport: "oci", location: dir, format: "oci-layout", images: 1 });
    expect(r.image.manifestDigest).toBe(`sha256:${GZIP.manifest}`);
    const human = await runCli("inspect", `oci:${dir}`);
    expect(human.code).toBe(0);
    expect(human.out).toContain("[oci, oci-layout]");
  });

  it("follows a symlink that stays inside DIR", async () => {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    mkdirSync(join(dir, "store"));
    copyFileSync(join(dir, "blobs/sha256", GZIP.layer), join(dir, "store/layer"));
    unlinkSync(join(dir, "blobs/sha256", GZIP.layer));
    symlinkSync("../../store/layer", join(dir, "blobs/sha256", GZIP.layer));
    const r = await inspectJson(`oci:${dir}`);
    expect(r.layers.map((l) => l.trusted)).toEqual([true]);
  });

  /** Each broken or hostile directory (from the gzip layout), and the words its line must hold. */
  const BROKEN: readonly { name: string; edit: (dir: string, outside: string) => void; says: RegExp }[] = [
    { name: "no oci-layout", edit: (d) => unlinkSync(join(d, "oci-layout")), says: /the oci-layout file is missing: .* has no oci-layout\. oci:DIR reads an OCI image layout directory/i },
    { name: "no index.json", edit: (d) => unlinkSync(join(d, "index.json")), says: /index\.json is missing: .* has no index\.json/i },
    {
      name: "no manifest blob",
      edit: (d) => unlinkSync(join(d, "blobs/sha256", GZIP.manifest)),
      says: new RegExp(`image 1 of index\\.json \\(sha256:${GZIP.manifest}\\) is missing: .* has no blobs/sha256/${GZIP.manifest}`, "i"),
    },
    {
      name: "no config blob",
      edit: (d) => unlinkSync(join(d, "blobs/sha256", GZIP.config)),
      says: new RegExp(`the config of image 1 of index\\.json \\(sha256:${GZIP.config}\\) is missing: .* has no blobs/sha256/${GZIP.config}`, "i"),
    },
    {
      name: "no layer blob",
      edit: (d) => unlinkSync(join(d, "blobs/sha256", GZIP.layer)),
      says: new RegExp(`layer 1 of image 1 of index\\.json \\(sha256:${GZIP.layer}\\) is missing: .* has no blobs/sha256/${GZIP.layer}`, "i"),
    },
    {
      name: "a layer blob that is a symlink out of DIR (to a faithful copy)",
      edit: (d, outside) => {
        copyFileSync(join(d, "blobs/sha256", GZIP.layer), join(outside, "layer"));
        unlinkSync(join(d, "blobs/sha256", GZIP.layer));
        symlinkSync(join(outside, "layer"), join(d, "blobs/sha256", GZIP.layer));
      },
      says: /layer 1 of image 1 of index\.json \(sha256:9aef[0-9a-f]+\) is a symbolic link out of .*\/dir \(blobs\/sha256\/9aef[0-9a-f]+ → .*\/outside\/layer\); only files inside the layout are read/i,
    },
    {
      name: "a relative symlink that climbs out of DIR",
      edit: (d, outside) => {
        copyFileSync(join(d, "blobs/sha256", GZIP.config), join(outside, "config"));
        unlinkSync(join(d, "blobs/sha256", GZIP.config));
        symlinkSync(`../../../outside/config`, join(d, "blobs/sha256", GZIP.config));
      },
      says: /the config of image 1 .* is a symbolic link out of/i,
    },
    {
      name: "blobs/ itself a symlink out of DIR",
      edit: (d, outside) => {
        for (const f of readdirSync(join(d, "blobs/sha256"))) copyFileSync(join(d, "blobs/sha256", f), join(outside, f));
        rmSync(join(d, "blobs"), { recursive: true, force: true });
        mkdirSync(join(d, "blobs"));
        symlinkSync(outside, join(d, "blobs/sha256"));
      },
      says: /image 1 of index\.json .* is a symbolic link out of/i,
    },
    {
      name: "index.json a symlink to a file outside",
      edit: (d, outside) => {
        copyFileSync(join(d, "index.json"), join(outside, "index.json"));
        unlinkSync(join(d, "index.json"));
        symlinkSync(join(outside, "index.json"), join(d, "index.json"));
      },
      says: /index\.json is a symbolic link out of .* \(index\.json → .*\/outside\/index\.json\)/i,
    },
    {
      name: "a dangling symlink",
      edit: (d) => {
        unlinkSync(join(d, "blobs/sha256", GZIP.layer));
        symlinkSync("nowhere", join(d, "blobs/sha256", GZIP.layer));
      },
      says: /layer 1 .* is a symbolic link to nothing \(blobs\/sha256\/9aef[0-9a-f]+ in /i,
    },
    {
      name: "a blob that is a directory",
      edit: (d) => {
        unlinkSync(join(d, "blobs/sha256", GZIP.layer));
        mkdirSync(join(d, "blobs/sha256", GZIP.layer));
      },
      says: /layer 1 .* is a directory, not a regular file/i,
    },
    {
      name: "a manifest blob whose bytes are not its digest",
      edit: (d) => {
        const path = join(d, "blobs/sha256", GZIP.manifest);
        const text = readFileSync(path, "utf8");
        unlinkSync(path);
        writeFileSync(path, `${text.trimEnd()} `);
      },
      says: new RegExp(`Manifest digest mismatch: .*expected sha256:${GZIP.manifest}, got sha256:`),
    },
  ];

  it.each(BROKEN)("$name: exit 2, the line names it", async ({ edit, says }) => {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    const outside = join(dirname(dir), "outside");
    mkdirSync(outside);
    edit(dir, outside);
    expect(await refused(`oci:${dir}`)).toMatch(says);
  });

  it("a layer blob changed on disk is streamed, checked and shown untrusted (exit 0: a verdict, not an error)", async () => {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    const path = join(dir, "blobs/sha256", GZIP.layer);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    unlinkSync(path);
    writeFileSync(path, bytes);
    const r = await inspectJson(`oci:${dir}`);
    expect(r.layers[0]?.trusted).toBe(false);
    expect(r.layers[0]?.digestVerdict).toMatchObject({ status: "mismatch", expected: `sha256:${GZIP.layer}` });
  });

  it.each([
    ["hello-world-v25.tar (Docker 25: index.json lists manifests: null)", "hello-world-v25.tar", /index\.json is not a valid image index: .*manifests must be an array/],
    ["null_manifest.tar (a docker save: no layout at all)", "null_manifest.tar", /the oci-layout file is missing/i],
  ])("%s extracted is refused cleanly", async (_name, tar, says) => {
    const dir = await extract(join(THIRD_PARTY, tar));
    expect(await refused(`oci:${dir}`)).toMatch(says);
  });

  it("dive's docker save extracted is not a layout; as docker-archive it is", async () => {
    const dir = await extract(DIVE_IMAGE);
    expect(await refused(`oci:${dir}`)).toMatch(/the oci-layout file is missing.*oci:DIR reads an OCI image layout directory/i);
  });

  it.each([
    ["oci:", () => join(THIRD_PARTY, "test-oci-gzip-image.tar"), /is a file, not a directory\. .*a tar of one is oci-archive:/],
    ["oci:", () => join(tmp, "no-such-dir"), /cannot read .*no-such-dir \(ENOENT/i],
    ["oci-archive:", () => freshDir(), /EISDIR.*An OCI image layout directory is read as oci:/],
  ] as const)("%s on the wrong kind of path says which transport fits", async (transport, path, says) => {
    expect(await refused(`${transport}${path()}`)).toMatch(says);
  });

  it("never reads a path with '..' or outside the layout", async () => {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    const files = directoryFiles(dir, dir);
    for (const path of ["../index.json", "blobs/../index.json", "/etc/passwd", "blobs//sha256", "./index.json", ""]) {
      expect(await files.has(path), path).toBe(false);
      const r = await files.resolve(path, "the file");
      expect(!r.ok && r.error.kind === "bad-archive" && r.error.reason, path).toMatch(/a path outside/);
    }
    expect(await files.has("index.json")).toBe(true);
  });
});

describe("choosing one image of a source that holds several", () => {
  const bundle = join(THIRD_PARTY, "test_bundle.tar");

  it("test_bundle without a choice: exit 2, both images listed, and how to choose", async () => {
    const line = await refused(`docker-archive:${bundle}`);
    expect(line).toContain(`The archive ${bundle} holds 2 images: @0 test_image_2 (linux/amd64); @1 test_image_1 (linux/amd64)`);
    expect(line).toContain(`docker-archive:${bundle}:@1 or docker-archive:${bundle}:test_image_1`);
  });

  it("test_bundle :@1, :test_image_1 and its normalised forms are the same image", async () => {
    const byIndex = await inspectJson(`docker-archive:${bundle}:@1`);
    expect(byIndex.image.names).toEqual(["test_image_1"]);
    expect(byIndex.source.images).toBe(2);
    for (const name of ["test_image_1", "test_image_1:latest", "docker.io/library/test_image_1:latest"]) {
      expect(await inspectJson(`docker-archive:${bundle}:${name}`), name).toEqual(byIndex);
    }
    const other = await inspectJson(`docker-archive:${bundle}:@0`);
    expect(other.image.names).toEqual(["test_image_2"]);
    expect(other.image.configDigest).not.toBe(byIndex.image.configDigest);
  });

  it("test_link: a RepoTag with a registry path and a tag", async () => {
    const r = await inspectJson(`docker-archive:${join(THIRD_PARTY, "test_link.tar")}:bazel/v1/tarball:test_image_3`);
    expect(r.image.names).toEqual(["bazel/v1/tarball:test_image_3"]);
    expect(r.layers.every((l) => l.trusted)).toBe(true);
  });

  it.each([
    [":@2", /There is no image @2: the archive .* holds 2 images: @0 test_image_2 \(linux\/amd64\); @1 test_image_1/],
    [":test_image_3", /No image is named "test_image_3": the archive .* holds 2 images: @0 test_image_2/],
    [":test_image_1:v2", /No image is named "test_image_1:v2": .*@1 test_image_1/],
  ])("test_bundle%s: exit 2, listing what exists", async (selector, says) => {
    expect(await refused(`docker-archive:${bundle}${selector}`)).toMatch(says);
  });

  it.each([
    [":@x", /"@x" is not an image number/],
    [":@-1", /"@-1" is not an image number/],
    [":", /nothing follows the ':'/],
    [":Test_Image_1", /"Test_Image_1" is not an image name/],
  ])("test_bundle%s: a malformed selector is exit 2, saying how to write one", async (selector, says) => {
    const line = await refused(`docker-archive:${bundle}${selector}`);
    expect(line).toMatch(says);
    expect(line).toMatch(/:@N .* or :NAME/);
  });

  it("dive's image holds one: no choice needed, and every way of naming it is the same image", async () => {
    const plain = await inspectJson(`docker-archive:${DIVE_IMAGE}`);
    expect(plain.image.names).toEqual(["dive-test:latest"]);
    for (const s of [":@0", ":dive-test", ":dive-test:latest", ":docker.io/library/dive-test:latest"]) expect(await inspectJson(`docker-archive:${DIVE_IMAGE}${s}`), s).toEqual(plain);
    expect(await refused(`docker-archive:${DIVE_IMAGE}:@1`)).toMatch(/There is no image @1: .* holds 1 image: @0 dive-test:latest \(linux\/amd64\)/);
  });

  it("a path that holds ':' is read whole, or up to the selector", async () => {
    const dir = freshDir("with:colon");
    const path = join(dir, "bundle:copy.tar");
    copyFileSync(bundle, path);
    expect(await refused(`docker-archive:${path}`)).toContain(`The archive ${path} holds 2 images`);
    expect((await inspectJson(`docker-archive:${path}:@1`)).image.names).toEqual(["test_image_1"]);
    expect((await inspectJson(`docker-archive:${path}:test_image_2`)).source.location).toBe(path);
  });

  /**
   * dive's gzip and zstd layouts in one directory, named by ref.name (and the zstd one by
   * io.containerd.image.name too), as `skopeo copy … oci:DIR:gzip` twice would leave them.
   */
  async function twoImageLayout(): Promise<string> {
    const dir = await extract(join(THIRD_PARTY, "test-oci-gzip-image.tar"));
    const zstd = await extract(join(THIRD_PARTY, "test-oci-zstd-image.tar"));
    for (const f of readdirSync(join(zstd, "blobs/sha256"))) if (f !== GZIP.config) copyFileSync(join(zstd, "blobs/sha256", f), join(dir, "blobs/sha256", f));
    type Index = { manifests: { annotations?: Record<string, string> }[] };
    const gz = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Index;
    const zs = JSON.parse(readFileSync(join(zstd, "index.json"), "utf8")) as Index;
    const index = {
      ...gz,
      manifests: [
        { ...gz.manifests[0], annotations: { ...gz.manifests[0]?.annotations, "org.opencontainers.image.ref.name": "gzip" } },
        { ...zs.manifests[0], annotations: { ...zs.manifests[0]?.annotations, "org.opencontainers.image.ref.name": "zstd", "io.containerd.image.name": "docker.io/library/sample:zstd" } },
      ],
    };
    writeFileSync(join(dir, "index.json"), JSON.stringify(index));
    return dir;
  }

  it("an oci: directory with two images: refused without a choice, chosen by :@N, ref.name or the containerd name", async () => {
    const dir = await twoImageLayout();
    const line = await refused(`oci:${dir}`);
    expect(line).toContain(`The layout directory ${dir} holds 2 images: @0 gzip (linux/arm64); @1 docker.io/library/sample:zstd, zstd (linux/arm64)`);
    expect(line).toContain(`oci:${dir}:@1 or oci:${dir}:docker.io/library/sample:zstd`);
    const zstd = await inspectJson(`oci:${dir}:zstd`);
    expect(zstd.layers.map((l) => l.compression)).toEqual(["zstd"]);
    expect(zstd.source).toEqual({ transport: "oci", location: dir, format: "oci-layout", images: 2 });
    expect(await inspectJson(`oci:${dir}:@1`)).toEqual(zstd);
    expect(await inspectJson(`oci:${dir}:docker.io/library/sample:zstd`)).toEqual(zstd);
    expect((await inspectJson(`oci:${dir}:gzip`)).layers.map((l) => l.compression)).toEqual(["gzip"]);
    // OCI names are matched as written: "sample:zstd" is not the ref.name.
    expect(await refused(`oci:${dir}:sample:zstd`)).toMatch(/No image is named "sample:zstd": the layout directory .* holds 2 images: @0 gzip/);
  });

  it("the same two-image layout as an oci-archive: tar answers the same selectors", async () => {
    const dir = await twoImageLayout();
    const tar = join(dirname(dir), "two.tar");
    await promisify(execFile)("tar", ["-cf", tar, "-C", dir, "."]);
    expect(await refused(`oci-archive:${tar}`)).toContain(`The archive ${tar} holds 2 images: @0 gzip (linux/arm64); @1 docker.io/library/sample:zstd, zstd (linux/arm64)`);
    const fromTar = await inspectJson(`oci-archive:${tar}:zstd`);
    const fromDir = await inspectJson(`oci:${dir}:zstd`);
    expect(withoutSource(fromTar)).toEqual(withoutSource(fromDir));
    expect(fromTar.source).toEqual({ transport: "oci-archive", location: tar, format: "oci-layout", images: 2 });
  });
});
