/**
 * The peer: what a user would run to see an image's merged filesystem without Layerscope —
 * `skopeo copy docker://… oci:DIR:tag` then `umoci unpack --rootless --image DIR:tag BUNDLE` —
 * timed together, from the same registry, into fresh directories each time (cold: nothing of
 * an earlier copy is reused), which are removed afterwards (not timed).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cpuSeconds } from "../common";

export interface PeerRun {
  readonly copyMs: number;
  readonly unpackMs: number;
  readonly totalMs: number;
  /** CPU seconds skopeo and umoci used (user + system, /proc/self/stat of their waited-for parent). */
  readonly cpuS: number;
  /** Paths umoci wrote under rootfs/ (the merged filesystem), for a sanity check. */
  readonly paths: number;
}

export function peerOnce(registry: string, repository: string, tag: string, workDir: string): PeerRun {
  const dir = join(workDir, `peer-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, TMPDIR: dir };
  try {
    const layout = join(dir, "oci");
    const bundle = join(dir, "bundle");
    const c0 = cpuSeconds("children");
    const t0 = performance.now();
    execFileSync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", `docker://${registry}/${repository}:${tag}`, `oci:${layout}:${tag}`], { env, stdio: ["ignore", "ignore", "pipe"] });
    const t1 = performance.now();
    execFileSync("umoci", ["unpack", "--rootless", "--image", `${layout}:${tag}`, bundle], { env, stdio: ["ignore", "ignore", "pipe"] });
    const t2 = performance.now();
    const cpuS = cpuSeconds("children") - c0;
    // Not timed: count what the merged filesystem holds (minus rootfs itself).
    const paths = Number(execFileSync("/bin/bash", ["-c", `find '${join(bundle, "rootfs")}' -mindepth 1 | wc -l`], { encoding: "utf8" }).trim());
    return { copyMs: t1 - t0, unpackMs: t2 - t1, totalMs: t2 - t0, cpuS, paths };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
