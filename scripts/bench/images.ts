/**
 * The bench's layers, made from this machine's real files (GNU tar of /usr and /etc subtrees) or
 * in code (the million-entry layer, the whiteout layer), compressed with gzip or zstd, and cached
 * in .tmp/bench/layers/ under a key of what went in: the spec and a listing (path, size, mtime)
 * of every input file, so a changed machine builds them again and an unchanged one never does.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { buildTar, type TarEntry } from "../../src/core/testing/tar";
import { MB, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, WORK, log, sha256File, type LayerBlob } from "./common";

const LAYERS = join(WORK, "layers");
/** Bumped when the way layers are made changes, so old cached ones are not reused. */
const RECIPE_VERSION = 2;

export type Compression = { readonly kind: "gzip"; readonly level: number } | { readonly kind: "zstd"; readonly level: number };

function keyOf(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify([RECIPE_VERSION, ...parts])).digest("hex").slice(0, 12);
}

/**
 * Left out of the layers: Python's byte-code caches appear and change whenever some program on
 * the machine runs Python, which would make every run build its layers again.
 */
const EXCLUDED = "__pycache__";

/** A listing of what is under `dirs` (path, size, mtime), for the cache key. */
function listing(dirs: readonly string[]): string {
  const h = createHash("sha256");
  h.update(execFileSync("find", [...dirs, "-name", EXCLUDED, "-prune", "-o", "-printf", "%p %s %T@\n"], { maxBuffer: 512 * MB, stdio: ["ignore", "pipe", "ignore"] }));
  return h.digest("hex");
}

function cached(name: string, key: string): LayerBlob | undefined {
  const meta = join(LAYERS, `${name}-${key}.json`);
  if (!existsSync(meta)) return undefined;
  const blob = JSON.parse(readFileSync(meta, "utf8")) as LayerBlob;
  return existsSync(blob.file) ? blob : undefined;
}

/** Drops older builds of `name` (other keys): the big ones weigh a gigabyte. */
function dropStale(name: string, key: string): void {
  for (const f of readdirSync(LAYERS)) if (f.startsWith(`${name}-`) && !f.startsWith(`${name}-${key}`)) rmSync(join(LAYERS, f), { force: true });
}

function countEntries(tar: string): number {
  return Number(execFileSync("/bin/bash", ["-o", "pipefail", "-c", `tar -tf '${tar}' | wc -l`], { encoding: "utf8" }).trim());
}

/** Compresses `tar` (kept) into a layer blob. */
async function compressTar(name: string, key: string, tar: string, c: Compression, createdBy: string, entries: number): Promise<LayerBlob> {
  const ext = c.kind === "gzip" ? "gz" : "zst";
  const file = join(LAYERS, `${name}-${key}.tar.${ext}`);
  log(`${c.kind} -${c.level} ${name} (${(statSync(tar).size / MB).toFixed(0)} MB of tar)`);
  if (c.kind === "gzip") execFileSync("/bin/bash", ["-c", `gzip -${c.level} -n -c '${tar}' > '${file}'`]);
  else execFileSync("zstd", [`-${c.level}`, "-q", "-f", "-T1", tar, "-o", file]);
  const blob: LayerBlob = {
    file,
    mediaType: c.kind === "gzip" ? OCI_LAYER_GZIP : OCI_LAYER_ZSTD,
    digest: await sha256File(file),
    size: statSync(file).size,
    diffId: await sha256File(tar),
    tarBytes: statSync(tar).size,
    entries,
    createdBy,
  };
  writeFileSync(join(LAYERS, `${name}-${key}.json`), JSON.stringify(blob, null, 2));
  return blob;
}

export interface DirLayerSpec {
  readonly name: string;
  readonly dirs: readonly string[];
  readonly compression: Compression;
  /** Keep the uncompressed tar next to the blob (for a zstd copy of the same tar). */
  readonly keepTar?: boolean;
}

/** The tar of a layer made by {@link dirLayer} with keepTar. */
export function tarOf(blob: LayerBlob): string {
  return blob.file.replace(/\.(gz|zst)$/, "");
}

/** GNU tar (sorted names, root owner) of the dirs that exist, compressed; cached. */
export async function dirLayer(spec: DirLayerSpec): Promise<LayerBlob> {
  mkdirSync(LAYERS, { recursive: true });
  const dirs = spec.dirs.filter((d) => existsSync(d));
  const key = keyOf([spec.name, dirs, spec.compression, listing(dirs)]);
  const hit = cached(spec.name, key);
  if (hit && (!spec.keepTar || existsSync(tarOf(hit)))) return hit;
  dropStale(spec.name, key);
  const tar = join(LAYERS, `${spec.name}-${key}.tar`);
  log(`building ${spec.name}: tar of ${dirs.join(" ")}`);
  execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--ignore-failed-read", `--exclude=${EXCLUDED}`, "-cf", tar, ...dirs], { stdio: ["ignore", "ignore", "ignore"] });
  const blob = await compressTar(spec.name, key, tar, spec.compression, `ADD ${dirs.join(" ")} /`, countEntries(tar));
  if (!spec.keepTar) rmSync(tar);
  return blob;
}

/** The same tar as `gz` (a kept tar), compressed with zstd: same diff_id, another digest. */
export async function zstdCopy(name: string, of: LayerBlob, level: number): Promise<LayerBlob> {
  mkdirSync(LAYERS, { recursive: true });
  const key = keyOf([name, of.diffId, level]);
  const hit = cached(name, key);
  if (hit) return hit;
  dropStale(name, key);
  return compressTar(name, key, tarOf(of), { kind: "zstd", level }, `${of.createdBy} (zstd -${level})`, of.entries);
}

/** Writes entries as a tar in batches through gzip into `file`; returns the tar's size. */
async function writeTarGz(file: string, tarFile: string | undefined, batches: Iterable<TarEntry[]>, level: number): Promise<{ tarBytes: number; diffId: string }> {
  const gz = createGzip({ level });
  const out = createWriteStream(file);
  const tarOut = tarFile ? createWriteStream(tarFile) : undefined;
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
    gz.on("error", reject);
  });
  gz.pipe(out);
  const h = createHash("sha256");
  let tarBytes = 0;
  const write = async (b: Uint8Array): Promise<void> => {
    h.update(b);
    tarBytes += b.byteLength;
    tarOut?.write(b);
    if (!gz.write(b)) await new Promise<void>((r) => gz.once("drain", () => r()));
  };
  for (const batch of batches) {
    if (batch.length > 0) await write(buildTar(batch, { endMarker: false }));
  }
  await write(new Uint8Array(1024)); // the end marker: two zero blocks
  gz.end();
  tarOut?.end();
  await done;
  return { tarBytes, diffId: `sha256:${h.digest("hex")}` };
}

/**
 * A layer of `dirs` × `filesPerDir` empty files plus the directories themselves:
 * `dirs × (filesPerDir + 1)` entries, streamed in batches (never the whole tar in memory).
 */
export async function millionLayer(dirs: number, filesPerDir: number): Promise<LayerBlob> {
  mkdirSync(LAYERS, { recursive: true });
  const name = "million";
  const key = keyOf([name, dirs, filesPerDir]);
  const hit = cached(name, key);
  if (hit) return hit;
  dropStale(name, key);
  const entries = dirs * (filesPerDir + 1);
  log(`building ${name}: ${entries.toLocaleString("en-US")} entries in code`);
  const file = join(LAYERS, `${name}-${key}.tar.gz`);
  function* batches(): Generator<TarEntry[]> {
    for (let d = 0; d < dirs; d++) {
      const dir = `srv/data/d${String(d).padStart(4, "0")}`;
      const batch: TarEntry[] = [{ path: `${dir}/`, type: "dir" }];
      for (let f = 0; f < filesPerDir; f++) batch.push({ path: `${dir}/file-${String(f).padStart(4, "0")}.${f % 3 === 0 ? "so" : "txt"}` });
      yield batch;
    }
  }
  const { tarBytes, diffId } = await writeTarGz(file, undefined, batches(), 6);
  const blob: LayerBlob = { file, mediaType: OCI_LAYER_GZIP, digest: await sha256File(file), size: statSync(file).size, diffId, tarBytes, entries, createdBy: `ADD data / # ${entries} entries` };
  writeFileSync(join(LAYERS, `${name}-${key}.json`), JSON.stringify(blob, null, 2));
  return blob;
}

/**
 * A layer that changes a base the way `RUN rm -rf … && sed -i …` does: whiteouts for some of the
 * base's directories and files, an opaque directory with new contents, and files of the base
 * rewritten (their real bytes plus a line). `baseTar` is the base layer's kept tar.
 */
export async function changeLayer(name: string, baseTar: string, baseDiffId: string): Promise<LayerBlob> {
  mkdirSync(LAYERS, { recursive: true });
  const key = keyOf([name, baseDiffId]);
  const hit = cached(name, key);
  if (hit) return hit;
  dropStale(name, key);
  log(`building ${name}: whiteouts and rewrites over the base`);
  const listed = execFileSync("tar", ["-tvf", baseTar], { encoding: "utf8", maxBuffer: 256 * MB }).split("\n");
  const dirs: string[] = [];
  const files: { path: string; size: number }[] = [];
  for (const line of listed) {
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (!m) continue;
    const path = (m[3] as string).replace(/\/$/, "");
    if (m[1] === "d") dirs.push(path);
    else if (m[1] === "-" && !path.includes(" -> ")) files.push({ path, size: Number(m[2]) });
  }
  // Deterministic picks: every 13th directory four levels deep is deleted, one is made opaque,
  // every 97th small file is rewritten and every 101st is deleted.
  const deep = dirs.filter((d) => d.split("/").length === 4);
  const deleted = deep.filter((_, i) => i % 13 === 5);
  const opaque = deep.find((d, i) => i % 13 === 7) ?? deep[0];
  const entries: TarEntry[] = [];
  const parentOf = (p: string): string => p.slice(0, p.lastIndexOf("/"));
  const baseOf = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
  for (const d of deleted) entries.push({ path: `${parentOf(d)}/.wh.${baseOf(d)}`, content: "" });
  if (opaque) {
    entries.push({ path: `${opaque}/`, type: "dir" });
    entries.push({ path: `${opaque}/.wh..wh..opq`, content: "" });
    entries.push({ path: `${opaque}/README.replaced`, content: "This directory was replaced by a later layer.\n" });
  }
  const inDeleted = (p: string): boolean => deleted.some((d) => p.startsWith(`${d}/`)) || (opaque !== undefined && p.startsWith(`${opaque}/`));
  const small = files.filter((f) => f.size > 0 && f.size < 64 * 1024 && !inDeleted(f.path));
  small.forEach((f, i) => {
    if (i % 101 === 11) entries.push({ path: `${parentOf(f.path)}/.wh.${baseOf(f.path)}`, content: "" });
    else if (i % 97 === 3) {
      const original = readFileSync(`/${f.path}`);
      entries.push({ path: f.path, content: Buffer.concat([original, Buffer.from("\n# changed by a later layer\n")]) });
    }
  });
  const file = join(LAYERS, `${name}-${key}.tar.gz`);
  const { tarBytes, diffId } = await writeTarGz(file, undefined, [entries], 6);
  const blob: LayerBlob = {
    file,
    mediaType: OCI_LAYER_GZIP,
    digest: await sha256File(file),
    size: statSync(file).size,
    diffId,
    tarBytes,
    entries: entries.length,
    createdBy: `RUN rm -rf ${deleted.length} dirs && sed -i … # ${entries.length} entries`,
  };
  writeFileSync(join(LAYERS, `${name}-${key}.json`), JSON.stringify(blob, null, 2));
  return blob;
}
