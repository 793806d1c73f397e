/**
 * SLOW: a registry front that forwards everything to OPEN but sends blob bodies slowly, so a
 * test can cancel a layer mid-way; and a registry-side witness of that cancel: it records every
 * blob response and whether the client went away before the end (`GET /__blobs`).
 *
 * Under the repository prefix `flaky/` (stripped before forwarding), the first GET of each blob
 * larger than 64 KiB is cut after half its bytes by resetting the connection (SECURITY L5);
 * later GETs are whole.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { LOOPBACK, type Processes } from "./services";

export interface SlowBlobRecord {
  path: string;
  total: number;
  sent: number;
  /** The client closed the connection before the whole body was sent. */
  closedEarly: boolean;
  done: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Repositories under this prefix have their first GET of each blob cut mid-way. */
export const FLAKY_PREFIX = "flaky/";

/** Starts SLOW on `port`, forwarding to `open` (host:port), blobs at `bytesPerSecond`. */
export async function startSlowFront(procs: Processes, port: number, opts: { open: string; bytesPerSecond: number }): Promise<void> {
  const records: SlowBlobRecord[] = [];
  const [host, upstreamPort] = opts.open.split(":");
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/__blobs") {
      const body = JSON.stringify(records);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const flaky = (req.url ?? "").startsWith(`/v2/${FLAKY_PREFIX}`);
    const path = flaky ? (req.url ?? "").replace(`/v2/${FLAKY_PREFIX}`, "/v2/") : req.url;
    const up = httpRequest({ host, port: Number(upstreamPort), method: req.method, path, headers }, (upRes) => {
      const out = { ...upRes.headers };
      delete out.connection;
      delete out["keep-alive"];
      res.writeHead(upRes.statusCode ?? 502, out);
      const isBlob = req.method === "GET" && /\/blobs\/sha256:/.test(req.url ?? "") && upRes.statusCode === 200;
      if (!isBlob) {
        upRes.pipe(res);
        return;
      }
      const record: SlowBlobRecord = { path: req.url ?? "", total: Number(upRes.headers["content-length"] ?? 0), sent: 0, closedEarly: false, done: false };
      // The first GET of a flaky layer is cut after half its bytes: a connection reset mid-layer.
      // Small blobs (configs) pass whole: the page fetches those once, without the layer retries.
      const cutAt = flaky && record.total > 64 * 1024 && !records.some((r) => r.path === record.path) ? Math.floor(record.total / 2) : Infinity;
      records.push(record);
      res.on("close", () => {
        if (!record.done) record.closedEarly = true;
        upRes.destroy();
      });
      void (async () => {
        const piece = 64 * 1024;
        const delay = (1000 * piece) / opts.bytesPerSecond;
        try {
          for await (const chunk of upRes as AsyncIterable<Buffer>) {
            for (let at = 0; at < chunk.length; at += piece) {
              if (res.destroyed) return;
              if (record.sent >= cutAt) {
                res.socket?.resetAndDestroy();
                return;
              }
              const part = chunk.subarray(at, Math.min(at + piece, at + cutAt - record.sent));
              res.write(part);
              record.sent += part.length;
              await sleep(delay);
            }
          }
          record.done = true;
          res.end();
        } catch {
          res.destroy();
        }
      })();
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    up.end();
  });
  procs.track(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
}
