/**
 * The proxy under load: N concurrent GETs of one blob (default 50) through a freshly started
 * built proxy on loopback, from Node http clients in this process that read and count every
 * byte, while the proxy's RSS is sampled from /proc every 50 ms. The same N streams straight
 * from the registry, right before, are the baseline the throughput is compared with.
 *
 * The proxy lets one client IP hold at most 32 upstream requests at once (SECURITY L2: one
 * browser must not take the proxy for itself), so the streams come from several loopback
 * addresses (127.0.0.2, 127.0.0.3, …), at most {@link STREAMS_PER_CLIENT} each: several users.
 */
import { request } from "node:http";
import { join } from "node:path";
import { LOOPBACK, Processes, freePorts, waitForHttp } from "../../../e2e/setup/services";
import { MB, ROOT, WORK, log, peakSampler, pidRss, type LayerBlob } from "../common";

/** Streams per client address: under the proxy's per-client limit of 32. */
export const STREAMS_PER_CLIENT = 25;

export interface StreamsRun {
  readonly ms: number;
  readonly MBps: number;
}

export interface ProxyFigures {
  readonly streams: number;
  /** Loopback client addresses the streams came from. */
  readonly clients: number;
  readonly blobMB: number;
  readonly direct: StreamsRun;
  readonly proxied: StreamsRun;
  /** Proxied / direct throughput. */
  readonly ratio: number;
  readonly idleRssMB: number;
  readonly peakRssMB: number;
}

export interface ProxyInput {
  readonly registry: string;
  readonly repository: string;
  readonly blob: LayerBlob;
  readonly streams: number;
}

/** GETs `url` and counts the body's bytes (no buffering). */
function drain(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, localAddress }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      }
      let n = 0;
      res.on("data", (c: Buffer) => (n += c.length));
      res.on("end", () => resolve(n));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function streams(url: string, n: number, size: number): Promise<StreamsRun> {
  const t0 = performance.now();
  const got = await Promise.all(Array.from({ length: n }, (_, i) => drain(url, `127.0.0.${2 + Math.floor(i / STREAMS_PER_CLIENT)}`)));
  const ms = performance.now() - t0;
  const short = got.filter((b) => b !== size);
  if (short.length) throw new Error(`${short.length} of ${n} streams of ${url} were not ${size} bytes`);
  return { ms, MBps: (n * size) / MB / (ms / 1000) };
}

export async function proxySuite(input: ProxyInput): Promise<ProxyFigures> {
  const procs = new Processes();
  const [port] = await freePorts(1);
  const base = `http://${LOOPBACK}:${port}`;
  try {
    const logFile = join(WORK, "proxy-load.log");
    const proxy = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], logFile, { ...process.env, PORT: String(port), HOST: LOOPBACK, PROXY_ALLOW_HOSTS: input.registry });
    await waitForHttp(`${base}/healthz`, proxy, logFile);
    const path = `/v2/${input.repository}/blobs/${input.blob.digest}`;
    // Warm: the registry's file in the page cache, the proxy's code paths compiled.
    await streams(`${base}/registry/${input.registry}${path}`, 2, input.blob.size);
    const direct = await streams(`http://${input.registry}${path}`, input.streams, input.blob.size);
    await new Promise((r) => setTimeout(r, 1000));
    const pid = proxy.pid as number;
    const sampler = peakSampler(() => ({ rss: pidRss(pid) }));
    const proxied = await streams(`${base}/registry/${input.registry}${path}`, input.streams, input.blob.size);
    const peak = sampler.stop();
    log(`proxy: ${input.streams} streams direct ${direct.MBps.toFixed(0)} MB/s, through the proxy ${proxied.MBps.toFixed(0)} MB/s; proxy RSS ${(sampler.idle.rss / MB).toFixed(0)} → peak ${(peak.rss / MB).toFixed(0)} MB`);
    return { streams: input.streams, clients: Math.ceil(input.streams / STREAMS_PER_CLIENT), blobMB: input.blob.size / MB, direct, proxied, ratio: proxied.MBps / direct.MBps, idleRssMB: sampler.idle.rss / MB, peakRssMB: peak.rss / MB };
  } finally {
    await procs.stop();
  }
}
