/**
 * Hostile images for the hardening specs (issue 8): the byte-level rows in Chromium
 * (e2e/hardening-bytes.spec.ts) and the page rows (e2e/hardening-page.spec.ts).
 *
 * - `hostileGzipImage`, `hostileTarImage`: layers taken from the core's hostile corpus
 *   (src/core/testing/hostile), the same bytes the Vitest suite runs through `runLayer`, pushed
 *   by global-setup.
 * - `pushBombImage`, `pushMillionImage`: a 10 GiB gzip bomb, a 10 GiB zstd bomb and a zstd frame
 *   asking for a 2 GiB window; one layer of 1 000 001 empty files. Pushed by the spec that needs
 *   them (only it pays for them), once per registry: a present tag is not pushed again.
 * - `hostilePageImage`: labels, history, author and file names written to attack the page
 *   (SECURITY U1–U3), plus an HTML and an SVG file with script for the viewer (U4).
 * - `startHostileFront`: a registry whose errors carry HTML, `</script>`, bidi and zero-width
 *   characters in their messages (U2), for repositories under `u2/`.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { createGzip, gzipSync } from "node:zlib";
import { hostileCase, type HostileLayer } from "../../src/core/testing/hostile";
import { gzipZerosBomb, zstdFrame, zstdRleBomb, GiB } from "../../src/core/testing/hostile/bombs";
import { manyEntriesTar } from "../../src/core/testing/hostile/many";
import { buildTar, type TarEntry } from "../../src/core/testing/tar";
import { descriptorOf, jsonBytes, OCI_CONFIG, OCI_MANIFEST, pushImage, sha256, type BuiltImage, type Layer, type PushTarget } from "./fixtures";
import { OCI_LAYER_GZIP, OCI_LAYER_ZSTD, imageOf } from "./layer-fixtures";
import { LOOPBACK, type Processes } from "./services";

/** A corpus layer as a registry layer (the blob it serves is the blob its manifest names). */
async function corpusLayer(name: string): Promise<Layer> {
  const built: HostileLayer = await hostileCase(name).build();
  if (!(built.blob instanceof Uint8Array)) throw new Error(`${name} is streamed; push it from its own stream`);
  if (sha256(built.blob) !== built.job.digest) throw new Error(`${name} serves other bytes than it names; a registry would refuse the push`);
  return { mediaType: built.job.mediaType, digest: built.job.digest, size: built.blob.length, bytes: built.blob, diffId: built.job.diffId ?? `sha256:${"0".repeat(64)}` };
}

/** Layers, base first, of `e2e/hostile-gzip:v1`: T9 in Chromium. */
export const GZIP_LAYERS = ["T9/multi-member-gzip", "T9/gzip-trailing-garbage", "T9/gzip-trailing-zeros", "T9/corrupt-deflate"] as const;
/** Layers, base first, of `e2e/hostile-tar:v1`. */
export const TAR_LAYERS = ["T1/dotdot-etc-passwd", "T2/symlink-escape-then-through", "T13/odd-types", "T8/bad-checksum"] as const;

export async function hostileGzipImage(): Promise<BuiltImage> {
  const layers = await Promise.all(GZIP_LAYERS.map(corpusLayer));
  return imageOf(layers, GZIP_LAYERS.map((n) => `ADD corpus / # ${n}`));
}

export async function hostileTarImage(): Promise<BuiltImage> {
  const layers = await Promise.all(TAR_LAYERS.map(corpusLayer));
  return imageOf(layers, TAR_LAYERS.map((n) => `ADD corpus / # ${n}`));
}

/** Hashes and collects a stream (its bytes are small: the compressed bombs are ~10 MB and 320 KiB). */
async function collectHashed(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: Uint8Array; digest: string }> {
  const h = createHash("sha256");
  const parts: Uint8Array[] = [];
  for await (const c of stream) {
    h.update(c);
    parts.push(c);
  }
  return { bytes: Buffer.concat(parts), digest: `sha256:${h.digest("hex")}` };
}

async function tagExists(target: PushTarget, repo: string, tag: string): Promise<boolean> {
  const res = await fetch(`${target.base}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { accept: OCI_MANIFEST } });
  return res.ok;
}

/** The bombs' real size, and the cap the spec sets in localStorage (SECURITY T10). */
export const BOMB_BYTES = 10 * GiB;
export const BOMB_REPO = "e2e/hostile-bomb";

/** Pushes `e2e/hostile-bomb:v1` unless it is there: gzip bomb, zstd bomb, zstd 2 GiB window. */
export async function pushBombImage(target: PushTarget): Promise<void> {
  if (await tagExists(target, BOMB_REPO, "v1")) return;
  const unknownDiffId = `sha256:${"0".repeat(64)}`; // no one hashes 10 GiB to name it; the cap stops first
  const gz = await collectHashed(gzipZerosBomb(BOMB_BYTES));
  const zs = await collectHashed(zstdRleBomb(BOMB_BYTES));
  const windowTar = buildTar([{ path: "window/file", content: "behind a 2 GiB window" }]);
  const window = zstdFrame(windowTar, { windowLog: 31 });
  const layers: Layer[] = [
    { mediaType: OCI_LAYER_GZIP, digest: gz.digest, size: gz.bytes.length, bytes: gz.bytes, diffId: unknownDiffId },
    { mediaType: OCI_LAYER_ZSTD, digest: zs.digest, size: zs.bytes.length, bytes: zs.bytes, diffId: unknownDiffId },
    { mediaType: OCI_LAYER_ZSTD, digest: sha256(window), size: window.length, bytes: window, diffId: sha256(windowTar) },
  ];
  await pushImage(target, BOMB_REPO, "v1", imageOf(layers, ["ADD zeros / # 10 GiB of zeros, gzip", "ADD zeros / # 10 GiB of zeros, zstd RLE", "ADD window / # zstd, 2 GiB window"]));
}

export const MILLION_REPO = "e2e/hostile-million";
export const MILLION_ENTRIES = 1_000_001;

/** Pushes `e2e/hostile-million:v1` unless it is there: one gzip layer of 1 000 001 empty files. */
export async function pushMillionImage(target: PushTarget): Promise<void> {
  if (await tagExists(target, MILLION_REPO, "v1")) return;
  const diff = createHash("sha256");
  const gz = createGzip({ level: 1 });
  const out: Buffer[] = [];
  const blobHash = createHash("sha256");
  gz.on("data", (c: Buffer) => {
    out.push(c);
    blobHash.update(c);
  });
  const done = new Promise<void>((resolve, reject) => {
    gz.on("end", resolve);
    gz.on("error", reject);
  });
  for await (const chunk of manyEntriesTar(MILLION_ENTRIES, 4096)) {
    diff.update(chunk);
    if (!gz.write(chunk)) await new Promise((r) => gz.once("drain", r));
  }
  gz.end();
  await done;
  const bytes = Buffer.concat(out);
  const layer: Layer = { mediaType: OCI_LAYER_GZIP, digest: `sha256:${blobHash.digest("hex")}`, size: bytes.length, bytes, diffId: `sha256:${diff.digest("hex")}` };
  await pushImage(target, MILLION_REPO, "v1", imageOf([layer], ["ADD many / # 1 000 001 empty files"]));
}

// ── the page (U1–U4) ──────────────────────────────────────────────────────────────────────────────

/** 100 000 characters of one letter: a value no layout may let through unwrapped (U3). */
export const LONG_100K = "W".repeat(100_000);
/** A name under the 64 KiB path budget that still dwarfs any screen (U3). */
export const LONG_NAME = "N".repeat(60_000);
export const BIDI = "invoice\u202Egpj.exe";
export const ZERO_WIDTH = "zero\u200Bwidth\u200Dname";
export const XSS_IMG = '<img src=x onerror="alert(1)">';
export const XSS_SCRIPT = "</script><script>alert(2)</script>";

/** Labels (U1): only the two http(s) ones may become links. */
export const U1_LABELS: Readonly<Record<string, string>> = {
  "u1.javascript": "javascript:alert(1)",
  "u1.javascript-case-space": "  JaVaScRiPt:alert(1)",
  "u1.javascript-tab": "java\tscript:alert(1)",
  "u1.data-html": "data:text/html,<script>alert(1)</script>",
  "u1.data-space": " data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  "u1.vbscript": "vbscript:msgbox(1)",
  "u1.protocol-relative": "//evil.example/x",
  "u1.https": "https://example.com/layerscope/https",
  "u1.http-leading-space": " http://example.com/layerscope/http",
  "u2.html": XSS_IMG,
  "u2.script": XSS_SCRIPT,
  "u3.bidi": BIDI,
  "u3.zero-width": ZERO_WIDTH,
  "u3.newlines": "line one\nline two\r\nline three",
  "u3.long": LONG_100K,
  [XSS_IMG]: "a label key with HTML",
};
/** The two label values that are links, as their href. */
export const U1_LINKS = ["https://example.com/layerscope/https", "http://example.com/layerscope/http"];

/** created_by of each history entry (U2, U3); the first two make layers. */
export const U2_HISTORY = [
  `/bin/sh -c echo ${XSS_SCRIPT} ${XSS_IMG}`,
  `COPY ${BIDI} ${ZERO_WIDTH} /`,
  "RUN printf 'multi\\nline'\n  && echo second line\r\n  && echo third",
  `LABEL long=${LONG_100K}`,
];

/** File names in the page image's layer (U2, U3) and the files the viewer must show as text (U4). */
export const U_FILES = {
  xssImg: `u2/${XSS_IMG}.txt`,
  /** "/" splits it: directories "<" and "script><script>alert(2)<", then a file "script>". */
  xssScript: `u2/${XSS_SCRIPT}`,
  bidi: `u3/${BIDI}`,
  zeroWidth: `u3/${ZERO_WIDTH}`,
  newline: "u3/new\nline",
  long: `u3/${LONG_NAME}`,
  html: "u4/page.html",
  svg: "u4/logo.svg",
} as const;

export const U4_HTML = `<!doctype html><title>x</title><script>alert("html")</script><img src=x onerror="alert('img')"><iframe src="javascript:alert('iframe')"></iframe>\n`;
export const U4_SVG = `<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg')"><script>alert("svg script")</script><circle r="7"/></svg>\n`;

export const PAGE_REPO = "e2e/hostile-page";

export function hostilePageImage(): BuiltImage {
  const entries: TarEntry[] = [
    { path: "u2/", type: "dir" },
    { path: U_FILES.xssImg, content: "an HTML name\n" },
    { path: U_FILES.xssScript, content: "a script name\n" },
    { path: "u3/", type: "dir" },
    { path: U_FILES.bidi, content: "right-to-left override\n" },
    { path: U_FILES.zeroWidth, content: "zero-width\n" },
    { path: U_FILES.newline, content: "newline\n" },
    { path: U_FILES.long, content: "long\n", pax: { path: U_FILES.long } },
    { path: "u4/", type: "dir" },
    { path: U_FILES.html, content: U4_HTML },
    { path: U_FILES.svg, content: U4_SVG },
    { path: "u4/link-to-html", type: "symlink", linkname: "page.html" },
  ];
  const tar = buildTar(entries);
  const base = buildTar([{ path: "etc/", type: "dir" }, { path: "etc/motd", content: `${XSS_IMG}\n` }]);
  const layers: Layer[] = [base, tar].map((t) => {
    const bytes = new Uint8Array(gzipSync(t));
    return { mediaType: OCI_LAYER_GZIP, digest: sha256(bytes), size: bytes.length, bytes, diffId: sha256(t) };
  });
  const created = "2020-01-01T00:00:00Z";
  const configDoc = {
    architecture: "amd64",
    os: "linux",
    created,
    author: `${XSS_IMG} ${BIDI}`,
    config: {
      Env: [`XSS=${XSS_SCRIPT}`, `BIDI=${BIDI}`, `LONG=${LONG_100K}`],
      Cmd: ["/bin/sh", "-c", XSS_IMG],
      WorkingDir: "/",
      Labels: U1_LABELS,
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: U2_HISTORY.map((c, i) => ({ created, created_by: c, ...(i >= 2 ? { empty_layer: true } : {}) })),
  };
  const configBytes = jsonBytes(configDoc);
  const config = { mediaType: OCI_CONFIG, digest: sha256(configBytes), size: configBytes.length, bytes: configBytes };
  const manifestBytes = jsonBytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptorOf(config), layers: layers.map(descriptorOf) });
  return {
    manifest: { mediaType: OCI_MANIFEST, digest: sha256(manifestBytes), size: manifestBytes.length, bytes: manifestBytes },
    config,
    layers,
    history: U2_HISTORY.map((c, i) => ({ created_by: c, ...(i >= 2 ? { empty_layer: true } : {}) })),
    platform: { os: "linux", architecture: "amd64" },
  };
}

/** The message the hostile registry puts in its errors (U2). */
export const HOSTILE_ERROR_MESSAGE = `${XSS_SCRIPT}${XSS_IMG} ${BIDI} ${ZERO_WIDTH}\nsecond line`;

/**
 * A registry front whose answers are errors with hostile messages: `/v2/` is 200; manifests of
 * `u2/error-html` answer 400 NAME_INVALID, of `u2/error-denied` 403 DENIED, both with
 * {@link HOSTILE_ERROR_MESSAGE}; anything else 404 with it.
 */
export async function startHostileFront(procs: Processes, port: number): Promise<void> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
    const send = (status: number, code: string): void => {
      const body = Buffer.from(JSON.stringify({ errors: [{ code, message: HOSTILE_ERROR_MESSAGE, detail: XSS_IMG }] }));
      res.writeHead(status, { "content-type": "application/json", "content-length": String(body.length), "docker-distribution-api-version": "registry/2.0" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
      res.end("{}");
      return;
    }
    if (url.pathname.startsWith("/v2/u2/error-html/")) return send(400, "NAME_INVALID");
    if (url.pathname.startsWith("/v2/u2/error-denied/")) return send(403, "DENIED");
    send(404, "NAME_UNKNOWN");
  });
  procs.track(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
}
