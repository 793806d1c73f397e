// Test scaffolding: fake registries on 127.0.0.1 (port 0, loopback only) and a proxy under test.

import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { createServer, type ProxyServerOptions } from "../server.js";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeServer {
  port: number;
  /** `127.0.0.1:port`, as used in /registry/<host>/… and allowlists. */
  host: string;
  origin: string;
  requests: RecordedRequest[];
  /** TCP connections accepted (proves whether the proxy opened a socket). */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Starts an http server on 127.0.0.1:0 that records every request it gets. */
export async function startFake(handler: Handler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  const fake: FakeServer = {
    port: 0,
    host: "",
    origin: "",
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => {
    fake.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.host = `127.0.0.1:${fake.port}`;
  fake.origin = `http://${fake.host}`;
  return fake;
}

export interface RunningProxy {
  base: string;
  port: number;
  logs: string[];
  server: http.Server;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1:0 with a captured log. */
export async function startProxy(options: ProxyServerOptions = {}): Promise<RunningProxy> {
  const logs: string[] = [];
  const server = createServer({ staticDir: "/nonexistent-layerscope-static", log: (l) => logs.push(l), ...options });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    logs,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => unknown;
}

/** One request with exactly these headers (no fetch normalisation of `..`, no extra headers). */
export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Split by hand: passing the URL string would let WHATWG URL resolve `..` before sending.
    const m = /^http:\/\/([^/:]+):(\d+)(\/.*)$/.exec(url);
    if (m === null) throw new Error(`request() wants http://host:port/path, got ${url}`);
    const options = { host: m[1], port: Number(m[2]), path: m[3], method: init.method ?? "GET", headers: init.headers, agent: false, localAddress: init.localAddress };
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        const text = body.toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The proxy error code from an answer (header and body must agree). */
export function proxyError(a: Answer): { code: string | undefined; message: string | undefined } {
  const header = a.headers["x-layerscope-proxy-error"];
  let body: { errors?: { code?: string; message?: string }[] } = {};
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    // not JSON: not a proxy error
  }
  const first = body.errors?.[0];
  if (header !== undefined && header !== first?.code) throw new Error(`header ${String(header)} ≠ body ${String(first?.code)}`);
  return { code: first?.code, message: first?.message };
}

/** Deterministic bytes: block i of 64 KiB is filled from sha256(i), so a stream can be checked. */
export function blockOf(index: number): Buffer {
  const seed = createHash("sha256").update(String(index)).digest();
  const out = Buffer.alloc(64 * 1024);
  for (let i = 0; i < out.length; i += seed.length) seed.copy(out, i);
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `check` is true, polling; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - started;
}
