/**
 * Builds the offline sample image into public/sample/ as an OCI image layout (image-spec
 * image-layout.md): `oci-layout`, `index.json` (tag "latest" via org.opencontainers.image.ref.name)
 * and `blobs/sha256/<hex>`.
 *
 *   npx tsx scripts/make-sample.ts     (or: npm run sample)
 *
 * The image is made by the project's own test builders (src/core/testing), so it is exactly what
 * the code under test produces: an index for linux/amd64 and linux/arm64/v8 plus one BuildKit-style
 * attestation manifest per platform; three gzip layers (an arch-specific base, a shared COPY, a
 * shared RUN that deletes a file with a whiteout and overwrites another); a config with the usual
 * runtime defaults, labels and a history with empty layers.
 *
 * Deterministic: fixed mtimes and timestamps, no randomness, JSON in a fixed key order, gzip by
 * Node's bundled zlib (same Node → same bytes). Re-running rewrites identical files;
 * scripts/make-sample.test.ts fails when public/sample/ is stale.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildIndex, jsonBytes, type BuiltIndex, type ImageSpec, type LayerSpec } from "../src/core/testing/image";
import type { TarEntry } from "../src/core/testing/tar";

/** Where the layout is written, relative to the repository root. */
export const SAMPLE_DIR = "public/sample";

/** The tag the layout's index.json names (org.opencontainers.image.ref.name). */
export const SAMPLE_TAG = "latest";

// Every timestamp in the sample: 2024-01-01, with steps a minute apart for a readable history.
const T0 = Date.parse("2024-01-01T00:00:00Z") / 1000;
const at = (minutes: number): string => new Date((T0 + minutes * 60) * 1000).toISOString().replace(".000Z", "Z");
const MTIME = T0;

const dir = (path: string, extra: Partial<TarEntry> = {}): TarEntry => ({ path, type: "dir", mtime: MTIME, ...extra });
const file = (path: string, content: string, extra: Partial<TarEntry> = {}): TarEntry => ({ path, content, mtime: MTIME, ...extra });
const symlink = (path: string, linkname: string): TarEntry => ({ path, type: "symlink", linkname, mtime: MTIME });

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n";

/** The per-architecture base layer: a tiny rootfs (the "binaries" are shell-script stand-ins). */
function baseLayer(arch: string, machine: string): LayerSpec {
  return {
    entries: [
      dir("bin/"),
      file("bin/busybox", `#!/bin/sh\n# Stand-in for busybox (${machine}) in the Layerscope sample.\necho "busybox: $*"\n`, { mode: 0o755 }),
      symlink("bin/sh", "busybox"),
      symlink("bin/ls", "busybox"),
      dir("etc/"),
      dir("etc/apk/"),
      file("etc/apk/arch", `${machine}\n`),
      file("etc/group", "root:x:0:root\nnobody:x:65534:\n"),
      file("etc/hostname", "layerscope-sample\n"),
      file("etc/motd", "Welcome to the Layerscope sample image.\n"),
      file(
        "etc/os-release",
        [
          'NAME="Layerscope Sample Linux"',
          "ID=layerscope-sample",
          "VERSION_ID=1.0",
          `PRETTY_NAME="Layerscope Sample Linux 1.0 (${arch})"`,
          'HOME_URL="https://example.com/layerscope/sample"',
          "",
        ].join("\n"),
      ),
      file("etc/passwd", PASSWD),
      dir("root/", { mode: 0o700 }),
      dir("tmp/", { mode: 0o1777 }),
      dir("usr/"),
      dir("usr/bin/"),
      dir("usr/share/"),
    ],
    compression: "gzip",
  };
}

/** Shared by both platforms: same bytes, same digest, stored once. */
const copyLayer: LayerSpec = {
  entries: [
    dir("usr/share/layerscope/"),
    file("usr/share/layerscope/hello.txt", "Hello from inside a container image!\nEvery byte of this file was verified in your browser.\n"),
    symlink("usr/share/layerscope/greeting.txt", "hello.txt"),
    file("usr/bin/hello", '#!/bin/sh\necho "${GREETING:-hello}, $2"\ncat /usr/share/layerscope/hello.txt\n', { mode: 0o755 }),
  ],
};

/** Deletes /etc/motd (a whiteout), overwrites /etc/passwd and adds a home directory. */
const runLayer: LayerSpec = {
  entries: [
    dir("etc/"),
    file("etc/.wh.motd", ""),
    file("etc/passwd", `${PASSWD}app:x:1000:1000:app:/home/app:/bin/sh\n`),
    dir("home/"),
    dir("home/app/", { uid: 1000, gid: 1000, uname: "app", gname: "app" }),
  ],
};

/** The config, manifest and layers for one platform. History is base first, as in config.md. */
function imageSpec(platform: { architecture: string; variant?: string }, machine: string): ImageSpec {
  return {
    platform: { os: "linux", ...platform },
    created: at(9),
    config: {
      User: "app",
      ExposedPorts: { "8080/tcp": {} },
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"],
      Entrypoint: ["/usr/bin/hello"],
      Cmd: ["--greet", "world"],
      WorkingDir: "/usr/share/layerscope",
      Labels: {
        "org.opencontainers.image.title": "Layerscope sample",
        "org.opencontainers.image.description": "A tiny multi-platform image built by scripts/make-sample.ts",
        "org.opencontainers.image.source": "https://example.com/layerscope/sample",
        "org.opencontainers.image.version": "1.0.0",
        "org.opencontainers.image.created": at(0),
      },
    },
    layers: [baseLayer(platform.architecture, machine), copyLayer, runLayer],
    history: [
      { created: at(0), created_by: `/bin/sh -c #(nop) ADD file:rootfs-${machine}.tar in / ` },
      { created: at(0), created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
      { created: at(1), created_by: "LABEL org.opencontainers.image.source=https://example.com/layerscope/sample", comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(2), created_by: "ENV GREETING=hello", comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(3), created_by: "COPY hello.txt hello /usr/share/layerscope/ # buildkit", comment: "buildkit.dockerfile.v0" },
      { created: at(4), created_by: "RUN /bin/sh -c rm /etc/motd && adduser -D app # buildkit", comment: "buildkit.dockerfile.v0" },
      { created: at(5), created_by: "WORKDIR /usr/share/layerscope", comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(6), created_by: "USER app", comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(7), created_by: "EXPOSE map[8080/tcp:{}]", comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(8), created_by: 'ENTRYPOINT ["/usr/bin/hello"]', comment: "buildkit.dockerfile.v0", empty_layer: true },
      { created: at(9), created_by: 'CMD ["--greet" "world"]', comment: "buildkit.dockerfile.v0", empty_layer: true },
    ],
  };
}

/** Builds the sample index (OCI, two platforms, attestations). */
export async function buildSample(): Promise<BuiltIndex> {
  return buildIndex({
    format: "oci",
    attestations: true,
    images: [imageSpec({ architecture: "amd64" }, "x86_64"), imageSpec({ architecture: "arm64", variant: "v8" }, "aarch64")],
  });
}

/** The layout's files: path relative to the layout root → bytes. Blobs include every manifest. */
export async function buildSampleLayout(): Promise<{ files: Map<string, Uint8Array>; sample: BuiltIndex }> {
  const sample = await buildSample();
  const files = new Map<string, Uint8Array>();
  const addBlob = (digest: string, bytes: Uint8Array): void => {
    files.set(`blobs/sha256/${digest.slice("sha256:".length)}`, bytes);
  };
  addBlob(sample.index.digest, sample.index.bytes);
  for (const image of [...sample.images, ...sample.attestations]) {
    addBlob(image.manifest.digest, image.manifest.bytes);
    addBlob(image.config.digest, image.config.bytes);
    for (const layer of image.layers) addBlob(layer.digest, layer.bytes);
  }
  files.set("oci-layout", jsonBytes({ imageLayoutVersion: "1.0.0" }));
  files.set(
    "index.json",
    jsonBytes({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: sample.index.mediaType,
          digest: sample.index.digest,
          size: sample.index.size,
          annotations: { "org.opencontainers.image.ref.name": SAMPLE_TAG },
        },
      ],
    }),
  );
  return { files, sample };
}

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", SAMPLE_DIR);
  const { files, sample } = await buildSampleLayout();
  // Start clean so blobs of an older sample do not linger.
  rmSync(root, { recursive: true, force: true });
  let total = 0;
  for (const [path, bytes] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    total += bytes.byteLength;
  }
  console.log(`wrote ${files.size} files (${total} bytes) to ${SAMPLE_DIR}/`);
  console.log(`index ${sample.index.digest}`);
  for (const image of sample.images) console.log(`  ${image.platform.os}/${image.platform.architecture}${image.platform.variant ? `/${image.platform.variant}` : ""} ${image.manifest.digest}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
