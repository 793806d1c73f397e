/**
 * Test images built in code and pushed with the plain distribution API.
 *
 * Nothing here comes from a real image: tars are written header by header (ustar), gzipped with
 * node:zlib and hashed with node:crypto, so every digest is reproducible run after run (fixed
 * mtimes, gzip header mtime 0). `digest` is always the sha256 of the bytes stored in the registry
 * (compressed for layers); `diffId` is the sha256 of the uncompressed tar. Layers are base first.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

// ── media types (distribution-spec / image-spec / Docker schema 2) ───────────────────────────────
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
export const IN_TOTO = "application/vnd.in-toto+json";

/** Bytes as stored in a registry, named by their sha256. */
export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Uint8Array;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export const sha256 = (bytes: Uint8Array): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

function blobOf(mediaType: string, bytes: Uint8Array): Blob {
  return { mediaType, digest: sha256(bytes), size: bytes.byteLength, bytes };
}

/** JSON documents are serialised compactly; the registry stores exactly these bytes. */
export const jsonBytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

export const descriptorOf = (b: Blob): Descriptor => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

// ── ustar ────────────────────────────────────────────────────────────────────────────────────────

export type TarEntry =
  | { type: "file"; path: string; content: string | Uint8Array; mode?: number }
  | { type: "dir"; path: string; mode?: number }
  | { type: "symlink"; path: string; target: string };

/** 2020-01-01T00:00:00Z: a fixed mtime keeps layer digests stable. */
const FIXED_MTIME = 1_577_836_800;
const BLOCK = 512;

/** Writes `value` as zero-padded octal filling `width - 1` digits plus a NUL (POSIX ustar numeric field). */
function octal(header: Uint8Array, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, "0");
  if (text.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width} bytes`);
  header.set(new TextEncoder().encode(text), offset);
  header[offset + width - 1] = 0;
}

function ascii(header: Uint8Array, offset: number, width: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > width) throw new Error(`tar: "${value}" longer than ${width} bytes`);
  header.set(bytes, offset);
}

/** One 512-byte ustar header; field offsets from POSIX.1-1988 (name 0, mode 100, … prefix 345). */
function ustarHeader(name: string, typeflag: string, size: number, mode: number, linkname = ""): Uint8Array {
  const h = new Uint8Array(BLOCK);
  ascii(h, 0, 100, name);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, FIXED_MTIME);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  ascii(h, 156, 1, typeflag);
  ascii(h, 157, 100, linkname);
  ascii(h, 257, 6, "ustar\0");
  ascii(h, 263, 2, "00");
  ascii(h, 265, 32, "root");
  ascii(h, 297, 32, "root");
  let sum = 0;
  for (const b of h) sum += b;
  // Six octal digits, NUL, space: the form GNU tar and Go's archive/tar write.
  ascii(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** An uncompressed ustar archive: entries in order, bodies padded to 512, two zero blocks at the end. */
export function makeTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.type === "dir") {
      parts.push(ustarHeader(e.path.endsWith("/") ? e.path : `${e.path}/`, "5", 0, e.mode ?? 0o755));
    } else if (e.type === "symlink") {
      parts.push(ustarHeader(e.path, "2", 0, 0o777, e.target));
    } else {
      const body = typeof e.content === "string" ? new TextEncoder().encode(e.content) : e.content;
      parts.push(ustarHeader(e.path, "0", body.length, e.mode ?? 0o644), body);
      const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return Buffer.concat(parts);
}

export interface Layer extends Blob {
  /** sha256 of the uncompressed tar (config rootfs.diff_ids). */
  readonly diffId: string;
}

export function makeLayer(mediaType: string, entries: readonly TarEntry[]): Layer {
  const tar = makeTar(entries);
  return { ...blobOf(mediaType, gzipSync(tar)), diffId: sha256(tar) };
}

// ── images ───────────────────────────────────────────────────────────────────────────────────────

export interface HistoryItem {
  created_by: string;
  empty_layer?: boolean;
}

export interface BuiltImage {
  readonly manifest: Blob;
  readonly config: Blob;
  readonly layers: readonly Layer[];
  readonly history: readonly HistoryItem[];
  readonly platform: { os: string; architecture: string; variant?: string };
}

export interface ImageSpec {
  flavour: "docker" | "oci";
  architecture: string;
  variant?: string;
  layers: readonly (readonly TarEntry[])[];
  history: readonly HistoryItem[];
  env?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  /** Overrides the diff_ids written to the config (to build inconsistent images). */
  diffIds?: string[];
  /** Extra config fields (e.g. os "unknown" for attestation manifests). */
  os?: string;
  layerMediaType?: string;
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const docker = spec.flavour === "docker";
  const layerType = spec.layerMediaType ?? (docker ? DOCKER_LAYER : OCI_LAYER);
  const layers = spec.layers.map((entries) => makeLayer(layerType, entries));
  const os = spec.os ?? "linux";
  const created = "2020-01-01T00:00:00Z";
  const configDoc = {
    architecture: spec.architecture,
    ...(spec.variant ? { variant: spec.variant } : {}),
    os,
    created,
    config: {
      ...(spec.env ? { Env: spec.env } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      WorkingDir: "/",
      ...(spec.labels ? { Labels: spec.labels } : {}),
    },
    rootfs: { type: "layers", diff_ids: spec.diffIds ?? layers.map((l) => l.diffId) },
    history: spec.history.map((h) => ({ created, ...h })),
  };
  const config = blobOf(docker ? DOCKER_CONFIG : OCI_CONFIG, jsonBytes(configDoc));
  const manifestType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: descriptorOf(config),
    layers: layers.map(descriptorOf),
  };
  return {
    manifest: blobOf(manifestType, jsonBytes(manifestDoc)),
    config,
    layers,
    history: spec.history,
    platform: { os, architecture: spec.architecture, ...(spec.variant ? { variant: spec.variant } : {}) },
  };
}

export interface BuiltIndex {
  readonly index: Blob;
  readonly images: readonly BuiltImage[];
  /** Buildkit-style attestation manifest (platform unknown/unknown), listed in the index after the images. */
  readonly attestation: { manifest: Blob; config: Blob; layers: readonly Blob[]; describes: string };
}

/** Base layer shared by the fixture images: a tiny root filesystem with a symlink. */
const baseRootfs: TarEntry[] = [
  { type: "dir", path: "bin" },
  { type: "file", path: "bin/hello", content: "#!/bin/sh\necho hello from layerscope e2e\n", mode: 0o755 },
  { type: "symlink", path: "bin/sh", target: "hello" },
  { type: "dir", path: "etc" },
  { type: "file", path: "etc/os-release", content: 'NAME="Layerscope e2e"\nID=layerscope\n' },
];

const appLayer = (arch: string): TarEntry[] => [
  { type: "dir", path: "app" },
  { type: "file", path: "app/README.txt", content: `built for ${arch}\n` },
  { type: "file", path: "app/config.json", content: '{"greeting":"hello"}\n' },
  // A whiteout removing a file of the base layer (image-spec layer.md "Whiteouts").
  { type: "file", path: "etc/.wh.os-release", content: "" },
];

/** Four history entries, two of them empty layers (ENV, CMD), as `docker build` writes them. */
const standardHistory: HistoryItem[] = [
  { created_by: "/bin/sh -c #(nop) ADD file:rootfs in / " },
  { created_by: "/bin/sh -c #(nop)  ENV PATH=/bin", empty_layer: true },
  { created_by: "COPY app /app # buildkit" },
  { created_by: '/bin/sh -c #(nop)  CMD ["/bin/hello"]', empty_layer: true },
];

export function dockerImage(): BuiltImage {
  return buildImage({
    flavour: "docker",
    architecture: "amd64",
    layers: [baseRootfs, appLayer("amd64")],
    history: standardHistory,
    env: ["PATH=/bin"],
    cmd: ["/bin/hello"],
    labels: {
      "org.opencontainers.image.source": "https://example.com/layerscope/e2e",
      "org.opencontainers.image.title": "layerscope docker fixture",
      // SECURITY.md U1: must be shown as plain text, never a link.
      "e2e.not-a-link": "javascript:alert(1)",
    },
  });
}

export function ociImage(arch = "amd64", variant?: string): BuiltImage {
  return buildImage({
    flavour: "oci",
    architecture: arch,
    ...(variant ? { variant } : {}),
    layers: [baseRootfs, appLayer(variant ? `${arch}/${variant}` : arch)],
    history: standardHistory,
    env: ["PATH=/bin", `E2E_ARCH=${arch}`],
    cmd: ["/bin/hello"],
    labels: { "org.opencontainers.image.title": `layerscope oci fixture ${arch}` },
  });
}

/** History lists three layer-creating steps but the image has two layers: counts disagree (SECURITY.md D4). */
export function mismatchImage(): BuiltImage {
  return buildImage({
    flavour: "oci",
    architecture: "amd64",
    layers: [baseRootfs, appLayer("amd64")],
    history: [
      { created_by: "ADD rootfs /" },
      { created_by: "RUN make" },
      { created_by: "ENV A=1", empty_layer: true },
      { created_by: "COPY app /app" },
    ],
  });
}

/** An OCI index: linux/amd64, linux/arm64/v8 and one attestation manifest for amd64. */
export function multiPlatformIndex(): BuiltIndex {
  const amd64 = ociImage("amd64");
  const arm64 = ociImage("arm64", "v8");
  const statement = blobOf(
    IN_TOTO,
    jsonBytes({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://spdx.dev/Document",
      subject: [{ name: "e2e/multi", digest: { sha256: amd64.manifest.digest.slice(7) } }],
      predicate: { spdxVersion: "SPDX-2.3", name: "layerscope-e2e" },
    }),
  );
  const attConfig = blobOf(
    OCI_CONFIG,
    jsonBytes({ architecture: "unknown", os: "unknown", config: {}, rootfs: { type: "layers", diff_ids: [statement.digest] } }),
  );
  const attManifest = blobOf(
    OCI_MANIFEST,
    jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptorOf(attConfig),
      layers: [{ ...descriptorOf(statement), annotations: { "in-toto.io/predicate-type": "https://spdx.dev/Document" } }],
    }),
  );
  const index = blobOf(
    OCI_INDEX,
    jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { ...descriptorOf(amd64.manifest), platform: amd64.platform },
        { ...descriptorOf(arm64.manifest), platform: arm64.platform },
        {
          ...descriptorOf(attManifest),
          platform: { architecture: "unknown", os: "unknown" },
          annotations: {
            "vnd.docker.reference.digest": amd64.manifest.digest,
            "vnd.docker.reference.type": "attestation-manifest",
          },
        },
      ],
    }),
  );
  return {
    index,
    images: [amd64, arm64],
    attestation: { manifest: attManifest, config: attConfig, layers: [statement], describes: amd64.manifest.digest },
  };
}

// ── pushing (distribution-spec "push": monolithic POST + PUT, then the manifest) ─────────────────

export interface Credentials {
  username: string;
  password: string;
}

/**
 * A registry to push to. `credentials` are used only after a challenge: Basic directly, or Bearer
 * through the realm named in `WWW-Authenticate` (scope `repository:NAME:pull,push`).
 */
export interface PushTarget {
  base: string; // http://127.0.0.1:PORT
  credentials?: Credentials;
}

const basic = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values only, as distribution writes them). */
export function parseChallenge(header: string): { scheme: string; params: Map<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params = new Map<string, string>();
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) params.set(m[1].toLowerCase(), m[2]);
  }
  return { scheme, params };
}

export class Pusher {
  private readonly authByRepo = new Map<string, string>();
  constructor(private readonly target: PushTarget) {}

  private async authorize(repo: string, res: Response): Promise<string | undefined> {
    const creds = this.target.credentials;
    const header = res.headers.get("www-authenticate");
    if (!header) return undefined;
    const { scheme, params } = parseChallenge(header);
    if (scheme === "basic") return creds ? basic(creds) : undefined;
    if (scheme !== "bearer") return undefined;
    const realm = params.get("realm");
    if (!realm) return undefined;
    const url = new URL(realm);
    const service = params.get("service");
    if (service) url.searchParams.set("service", service);
    url.searchParams.set("scope", `repository:${repo}:pull,push`);
    const tokenRes = await fetch(url, { headers: creds ? { authorization: basic(creds) } : {} });
    if (!tokenRes.ok) throw new Error(`token request to ${url.origin} failed: ${tokenRes.status}`);
    const body = (await tokenRes.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : undefined;
  }

  /** One request, retried once after a 401 with the answer to the challenge. */
  async request(repo: string, url: string, init: { method: string; body?: Uint8Array; headers?: Record<string, string> }): Promise<Response> {
    const send = (auth?: string): Promise<Response> =>
      fetch(url, {
        method: init.method,
        headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
        ...(init.body ? { body: init.body as unknown as BodyInit } : {}),
        redirect: "manual",
      });
    let res = await send(this.authByRepo.get(repo));
    if (res.status === 401) {
      await res.arrayBuffer();
      const auth = await this.authorize(repo, res);
      if (auth) {
        this.authByRepo.set(repo, auth);
        res = await send(auth);
      }
    }
    return res;
  }

  async pushBlob(repo: string, blob: Blob): Promise<void> {
    const head = await this.request(repo, `${this.target.base}/v2/${repo}/blobs/${blob.digest}`, { method: "HEAD" });
    if (head.ok) return;
    const start = await this.request(repo, `${this.target.base}/v2/${repo}/blobs/uploads/`, { method: "POST" });
    await start.arrayBuffer();
    const location = start.headers.get("location");
    if (start.status !== 202 || !location) throw new Error(`upload start for ${repo}: HTTP ${start.status}`);
    const url = new URL(location, this.target.base);
    url.searchParams.set("digest", blob.digest);
    const put = await this.request(repo, url.toString(), {
      method: "PUT",
      body: blob.bytes,
      headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
    });
    const text = await put.text();
    if (put.status !== 201) throw new Error(`blob ${blob.digest} to ${repo}: HTTP ${put.status} ${text}`);
  }

  async pushManifest(repo: string, reference: string, manifest: Blob): Promise<void> {
    const res = await this.request(repo, `${this.target.base}/v2/${repo}/manifests/${reference}`, {
      method: "PUT",
      body: manifest.bytes,
      headers: { "content-type": manifest.mediaType },
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`manifest ${repo}:${reference}: HTTP ${res.status} ${text}`);
    const stored = res.headers.get("docker-content-digest");
    if (stored && stored !== manifest.digest) throw new Error(`registry stored ${repo}:${reference} as ${stored}, expected ${manifest.digest}`);
  }
}

export async function pushImage(target: PushTarget, repo: string, tag: string, image: BuiltImage): Promise<void> {
  const p = new Pusher(target);
  for (const layer of image.layers) await p.pushBlob(repo, layer);
  await p.pushBlob(repo, image.config);
  await p.pushManifest(repo, tag, image.manifest);
}

/** Children first (by digest), then the index under `tag`: a registry checks that referenced manifests exist. */
export async function pushIndex(target: PushTarget, repo: string, tag: string, built: BuiltIndex): Promise<void> {
  const p = new Pusher(target);
  for (const image of built.images) {
    for (const layer of image.layers) await p.pushBlob(repo, layer);
    await p.pushBlob(repo, image.config);
    await p.pushManifest(repo, image.manifest.digest, image.manifest);
  }
  for (const layer of built.attestation.layers) await p.pushBlob(repo, layer);
  await p.pushBlob(repo, built.attestation.config);
  await p.pushManifest(repo, built.attestation.manifest.digest, built.attestation.manifest);
  await p.pushManifest(repo, tag, built.index);
}
