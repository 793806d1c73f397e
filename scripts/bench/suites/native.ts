/**
 * The native limit, on the same blobs the browser reads: `gzip -dc | sha256sum`,
 * `zstd -dc | sha256sum`, `curl <proxy URL> | gzip -dc | sha256sum` (the same bytes through the
 * same proxy), and a one-thread Node pipeline (node:zlib + node:crypto: hash, inflate, hash,
 * list; scripts/bench/native-pipeline.mjs) pinned to one core with taskset.
 * Each function checks the diff_id it computed, so a figure is never of a wrong answer.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, timeShell, type LayerBlob } from "../common";

function checkDiffId(what: string, out: string, blob: LayerBlob): void {
  const got = `sha256:${out.trim().split(/\s+/)[0] ?? ""}`;
  if (got !== blob.diffId) throw new Error(`${what}: diff_id ${got}, expected ${blob.diffId}`);
}

/** `gzip -dc FILE | sha256sum` (ms). */
export function gzipFile(blob: LayerBlob): number {
  const r = timeShell(`gzip -dc '${blob.file}' | sha256sum`);
  checkDiffId("gzip -dc | sha256sum", r.out, blob);
  return r.ms;
}

/** `zstd -dc FILE | sha256sum` (ms). */
export function zstdFile(blob: LayerBlob): number {
  const r = timeShell(`zstd -dc -q '${blob.file}' | sha256sum`);
  checkDiffId("zstd -dc | sha256sum", r.out, blob);
  return r.ms;
}

/** `curl -s URL | gzip -dc | sha256sum` or `| zstd -dc | …` (ms): the blob through the proxy. */
export function curlDecode(url: string, blob: LayerBlob, decoder: "gzip" | "zstd"): number {
  const r = timeShell(`curl -sf '${url}' | ${decoder} -dc -q | sha256sum`);
  checkDiffId(`curl | ${decoder} -dc | sha256sum`, r.out, blob);
  return r.ms;
}

export interface NodePipelineRun {
  readonly ms: number;
  readonly entries: number;
}

/** The one-thread Node pipeline, on one core (ms measured inside the child, start-up excluded). */
export function nodePipeline(blob: LayerBlob): NodePipelineRun {
  const out = execFileSync("taskset", ["-c", "0", process.execPath, join(ROOT, "scripts/bench/native-pipeline.mjs"), blob.file], { encoding: "utf8" });
  const r = JSON.parse(out) as { ms: number; digest: string; diffId: string; tarBytes: number; entries: number };
  if (r.digest !== blob.digest || r.diffId !== blob.diffId || r.tarBytes !== blob.tarBytes) throw new Error(`node pipeline: wrong result ${out}`);
  return { ms: r.ms, entries: r.entries };
}
