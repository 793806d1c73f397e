/**
 * FAULTS: a registry front of the tests' own (SECURITY.md P, R and L rows, issue 8). It passes
 * every request to the real registry behind it (OPEN) untouched, except requests under
 * `/v2/x/<id>/…`: those are served from `/v2/…` of OPEN through the fault rules a test
 * registered under `<id>` with the control API, so tests running side by side never share a
 * fault or a count.
 *
 * Control API (JSON, on the same port; the proxy never routes these paths, only tests call them):
 *  - `POST /__faults` with `{ rules: FaultRule[] }` → `{ id }`; the test then names images
 *    `<front>/x/<id>/<repository>:<tag>`;
 *  - `GET /__faults/<id>` → {@link FaultReport}: every request under the id, what was done to
 *    it, how many bytes went out, whether the client closed it early, and the most blob streams
 *    that were open at once;
 *  - `GET /__faults` → {@link FaultTotals}: requests and injected faults by kind, requests and
 *    sockets open right now, and connections the trap saw.
 *
 * The trap is a second listener that no one may reach: redirects "to a private address" point at
 * it (loopback on a port that is not in PROXY_ALLOW_HOSTS), so a destination check that failed
 * would show up as a connection there, not only as a wrong error message.
 *
 * Faults (one per rule; a rule applies to the first `times` requests it matches, then requests
 * pass whole):
 *  - `status`: 429 / 500 / 502 / 503 with a registry error body; `retryAfter` in seconds or as
 *    an HTTP date computed when served; `dockerHub` adds Docker Hub's RateLimit-* headers;
 *  - `html`: a web page (with a script) under the given status, instead of the registry;
 *  - `challenge`: 401 with the given WWW-Authenticate (`{trap}` replaced), e.g. a Bearer realm
 *    pointing somewhere no token request may go (P6);
 *  - `endless`: a chunked body under `status` and `contentType` that never ends (it stops at
 *    {@link ENDLESS_LIMIT}, or when the client leaves): a manifest or error body past every cap (P11);
 *  - `content-type`: the registry's answer with another Content-Type;
 *  - `redirect`: a redirect to `location` (any URL, `{trap}` replaced by the trap's host:port);
 *  - `redirect-chain`: `hops` redirects through `/__hop/…` on this front, then the real answer;
 *  - `reset`: a TCP reset after `afterBytes` body bytes;
 *  - `stall`: headers, then `afterBytes` body bytes (0: none), then silence until the client leaves;
 *  - `truncate`: `afterBytes` of the body, then a clean end: with the registry's Content-Length
 *    still promised and the connection closed (`declared: true`), or as a complete chunked
 *    answer that is simply short (`declared: false`);
 *  - `trickle`: the body at `bytesPerSecond`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { LOOPBACK } from "./services";

export type FaultTarget = "manifest" | "blob" | "any";

export type Fault =
  | { kind: "status"; status: number; retryAfter?: { seconds: number } | { dateInSeconds: number }; dockerHub?: boolean }
  | { kind: "html"; status: number }
  | { kind: "challenge"; wwwAuthenticate: string }
  | { kind: "endless"; status: number; contentType: string }
  | { kind: "content-type"; contentType: string }
  | { kind: "redirect"; location: string; status?: number }
  | { kind: "redirect-chain"; hops: number }
  | { kind: "reset"; afterBytes: number }
  | { kind: "stall"; afterBytes: number }
  | { kind: "truncate"; afterBytes: number; declared: boolean }
  | { kind: "trickle"; bytesPerSecond: number };

export interface FaultRule {
  /** Which requests: manifests (by tag or digest; not the referrers tag schema), blobs, or any. */
  on: FaultTarget;
  /** Only this blob or manifest digest. */
  digest?: string;
  /** Only answers whose Content-Length is at least this (layers, not configs). */
  minBytes?: number;
  /** The first `times` matching requests get the fault; later ones pass whole. Default: all. */
  times?: number;
  fault: Fault;
}

export interface FaultRequestRecord {
  method: string;
  /** The path as OPEN sees it (`/v2/<repository>/…`). */
  path: string;
  what: "manifest" | "blob" | "referrers" | "other";
  /** The request carried an Authorization header. */
  authorization: boolean;
  /** The fault applied, or null when the request passed whole. */
  fault: Fault["kind"] | null;
  status: number;
  /** Body bytes the registry's answer holds (Content-Length), when known. */
  total: number | null;
  /** Body bytes this front wrote. */
  sent: number;
  /** The client closed the connection before this front was done with it. */
  closedEarly: boolean;
  /** This front finished the answer (whole, cut, or faulted on purpose). */
  done: boolean;
  /** When the request arrived and when its connection closed (Date.now(), ms). */
  startedAt: number;
  closedAt: number | null;
}

export interface FaultReport {
  id: string;
  requests: FaultRequestRecord[];
  /** The most blob answers open at once under this id. */
  maxConcurrentBlobs: number;
  /** Answers under this id still open. */
  open: number;
  hops: number;
}

export interface FaultTotals {
  requests: number;
  /** Faults injected, by kind. */
  injected: Record<string, number>;
  injectedTotal: number;
  /** Requests (any id, and pass-through) whose answer is still open. */
  openRequests: number;
  /** TCP connections open to this front now. */
  openSockets: number;
  /** Connections the trap accepted (must stay 0). */
  trapConnections: number;
}

interface RuleState {
  rule: FaultRule;
  used: number;
}

interface IdState {
  rules: RuleState[];
  requests: FaultRequestRecord[];
  openBlobs: number;
  maxConcurrentBlobs: number;
  open: number;
  hops: number;
}

/** A referrers-API fallback tag (`sha256-<hex>`), which the page asks as a manifest; never a target of "manifest" rules. */
const REFERRERS_TAG = /\/manifests\/sha256-[a-f0-9]{64}$/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An endless body stops here at the latest: no test run can send more than this per request. */
export const ENDLESS_LIMIT = 256 * 1024 * 1024;

/** Stalled answers are let go after this long at the latest, so no test run can leave one behind. */
const STALL_LIMIT_MS = 120_000;

const HTML_PAGE = Buffer.from(
  "<!doctype html><html><head><title>Sign in</title></head><body><h1>Welcome to the portal</h1><script>alert('fault-front')</script></body></html>",
);

export class FaultFront {
  readonly server: Server;
  readonly trap: Server;
  #port = 0;
  #trapPort = 0;
  readonly #upstream: { host: string; port: number };
  readonly #ids = new Map<string, IdState>();
  /** Per request: ends its count among the blobs being downloaded (once all its bytes are sent, or it closes). */
  readonly #releaseBlob = new WeakMap<FaultRequestRecord, () => void>();
  readonly #injected: Record<string, number> = {};
  #nextId = 1;
  #requests = 0;
  #openRequests = 0;
  #openSockets = 0;
  #trapConnections = 0;

  /** `upstream` is OPEN's host:port. */
  constructor(upstream: string) {
    const [host, port] = upstream.split(":");
    this.#upstream = { host: host ?? LOOPBACK, port: Number(port) };
    this.server = createServer((req, res) => this.#handle(req, res));
    this.server.on("connection", (socket: Socket) => {
      this.#openSockets++;
      socket.once("close", () => this.#openSockets--);
    });
    this.trap = createServer((_req, res) => res.writeHead(418).end());
    this.trap.on("connection", () => this.#trapConnections++);
  }

  /** Listens on `port` (the front) and `trapPort` (the trap), both on 127.0.0.1. */
  async listen(port: number, trapPort: number): Promise<void> {
    const listen = (s: Server, p: number): Promise<void> =>
      new Promise((resolve, reject) => {
        s.once("error", reject);
        s.listen(p, LOOPBACK, () => resolve());
      });
    await Promise.all([listen(this.server, port), listen(this.trap, trapPort)]);
    this.#port = port;
    this.#trapPort = trapPort;
  }

  get host(): string {
    return `${LOOPBACK}:${this.#port}`;
  }

  get trapHost(): string {
    return `${LOOPBACK}:${this.#trapPort}`;
  }

  totals(): FaultTotals {
    return {
      requests: this.#requests,
      injected: { ...this.#injected },
      injectedTotal: Object.values(this.#injected).reduce((a, b) => a + b, 0),
      openRequests: this.#openRequests,
      openSockets: this.#openSockets,
      trapConnections: this.#trapConnections,
    };
  }

  report(id: string): FaultReport | undefined {
    const s = this.#ids.get(id);
    if (!s) return undefined;
    return { id, requests: s.requests, maxConcurrentBlobs: s.maxConcurrentBlobs, open: s.open, hops: s.hops };
  }

  /** Registers rules under a new id (what `POST /__faults` does). */
  register(rules: FaultRule[]): string {
    const id = `f${this.#nextId++}`;
    this.#ids.set(id, { rules: rules.map((rule) => ({ rule, used: 0 })), requests: [], openBlobs: 0, maxConcurrentBlobs: 0, open: 0, hops: 0 });
    return id;
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { "content-type": "application/json", "content-length": String(bytes.length) });
    res.end(bytes);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
    if (url.pathname === "/__faults" && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { rules: FaultRule[] };
          this.#json(res, 200, { id: this.register(body.rules) });
        } catch (e) {
          this.#json(res, 400, { error: String(e) });
        }
      });
      return;
    }
    if (url.pathname === "/__faults") return this.#json(res, 200, this.totals());
    const reportOf = /^\/__faults\/(f\d+)$/.exec(url.pathname);
    if (reportOf) {
      const r = this.report(reportOf[1]!);
      return r ? this.#json(res, 200, r) : this.#json(res, 404, { error: "no such id" });
    }

    this.#requests++;
    this.#openRequests++;
    res.once("close", () => this.#openRequests--);

    const hop = /^\/__hop\/(f\d+)\/(\d+)(\/v2\/.*)$/.exec(url.pathname);
    if (hop) return this.#hop(req, res, hop[1]!, Number(hop[2]), `${hop[3]!}${url.search}`);

    const scoped = /^\/v2\/x\/(f\d+)\/(.*)$/.exec(url.pathname);
    const state = scoped ? this.#ids.get(scoped[1]!) : undefined;
    if (!scoped || !state) return this.#pass(req, res, `${url.pathname}${url.search}`);
    const path = `/v2/${scoped[2]!}${url.search}`;
    this.#serve(req, res, scoped[1]!, state, path);
  }

  /** Pass-through to OPEN, streamed both ways. */
  #pass(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.#upstreamRequest(req, path, (up) => {
      res.writeHead(up.statusCode ?? 502, cleanHeaders(up.headers));
      up.pipe(res);
      res.once("close", () => up.destroy());
    }, res);
  }

  #upstreamRequest(req: IncomingMessage, path: string, onResponse: (up: IncomingMessage) => void, res: ServerResponse): void {
    const headers: Record<string, string> = {};
    for (const h of ["accept", "range", "if-none-match"]) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const up = httpRequest({ host: this.#upstream.host, port: this.#upstream.port, method: req.method, path, headers }, onResponse);
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" }).end('{"errors":[{"code":"UNKNOWN","message":"fault front: OPEN unreachable"}]}');
      else res.destroy();
    });
    res.once("close", () => up.destroy());
    up.end();
  }

  #count(kind: string): void {
    this.#injected[kind] = (this.#injected[kind] ?? 0) + 1;
  }

  #serve(req: IncomingMessage, res: ServerResponse, id: string, state: IdState, path: string): void {
    const bare = path.split("?")[0]!;
    const what: FaultRequestRecord["what"] = /\/blobs\/[a-z0-9]+:[a-f0-9]+$/.test(bare)
      ? "blob"
      : /\/referrers\//.test(bare) || REFERRERS_TAG.test(bare)
        ? "referrers"
        : /\/manifests\//.test(bare)
          ? "manifest"
          : "other";
    const record: FaultRequestRecord = {
      method: req.method ?? "",
      path,
      what,
      authorization: req.headers.authorization !== undefined,
      fault: null,
      status: 0,
      total: null,
      sent: 0,
      closedEarly: false,
      done: false,
      startedAt: Date.now(),
      closedAt: null,
    };
    state.requests.push(record);
    state.open++;
    // A blob counts as being downloaded until all its bytes are sent or it closes, whichever is
    // first: a trickled body is complete for the client (Content-Length) a timer tick before the
    // front ends it, and the client may rightly start the next download in between.
    let blobOpen = what === "blob";
    const release = (): void => {
      if (!blobOpen) return;
      blobOpen = false;
      state.openBlobs--;
    };
    this.#releaseBlob.set(record, release);
    if (blobOpen) {
      state.openBlobs++;
      state.maxConcurrentBlobs = Math.max(state.maxConcurrentBlobs, state.openBlobs);
    }
    res.once("close", () => {
      state.open--;
      release();
      if (!record.done) record.closedEarly = true;
      record.closedAt = Date.now();
    });

    const digest = /(?:blobs|manifests)\/([a-z0-9]+:[a-f0-9]+)$/.exec(bare)?.[1];
    const candidates = state.rules.filter(
      (r) =>
        (r.rule.times === undefined || r.used < r.rule.times) &&
        (r.rule.on === "any" ? what !== "other" : r.rule.on === what) &&
        (r.rule.digest === undefined || r.rule.digest === digest),
    );
    // Faults that need no answer from the registry are decided now; the rest once its headers are in.
    const early = candidates.find((r) => r.rule.minBytes === undefined && isEarly(r.rule.fault));
    if (early) {
      early.used++;
      record.fault = early.rule.fault.kind;
      this.#count(early.rule.fault.kind);
      this.#early(req, res, id, record, early.rule.fault, path);
      return;
    }
    this.#upstreamRequest(
      req,
      path,
      (up) => {
        const total = Number(up.headers["content-length"]);
        record.total = Number.isFinite(total) ? total : null;
        record.status = up.statusCode ?? 502;
        const ok = record.status >= 200 && record.status <= 299 && req.method === "GET";
        const late = ok
          ? candidates.find((r) => !isEarly(r.rule.fault) && (r.rule.minBytes === undefined || (record.total ?? 0) >= r.rule.minBytes))
          : undefined;
        if (late) {
          late.used++;
          record.fault = late.rule.fault.kind;
          this.#count(late.rule.fault.kind);
        }
        void this.#body(res, up, record, late?.rule.fault);
      },
      res,
    );
  }

  /** Faults answered by this front alone. */
  #early(req: IncomingMessage, res: ServerResponse, id: string, record: FaultRequestRecord, fault: Fault, path: string): void {
    const head = req.method === "HEAD";
    const finish = (status: number, headers: Record<string, string>, body: Buffer): void => {
      record.status = status;
      record.done = true;
      res.writeHead(status, { ...headers, "content-length": String(body.length) });
      res.end(head ? undefined : body);
      record.sent = head ? 0 : body.length;
    };
    switch (fault.kind) {
      case "status": {
        const headers: Record<string, string> = { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" };
        if (fault.retryAfter) {
          headers["retry-after"] =
            "seconds" in fault.retryAfter ? String(fault.retryAfter.seconds) : new Date(Date.now() + fault.retryAfter.dateInSeconds * 1000).toUTCString();
        }
        if (fault.dockerHub) {
          headers["ratelimit-limit"] = "100;w=21600";
          headers["ratelimit-remaining"] = "0;w=21600";
          headers["docker-ratelimit-source"] = LOOPBACK;
        }
        const code = fault.status === 429 ? "TOOMANYREQUESTS" : fault.status === 503 ? "UNAVAILABLE" : "UNKNOWN";
        const message = fault.status === 429 ? "You have reached your pull rate limit. (fault front)" : `fault front: HTTP ${fault.status}`;
        return finish(fault.status, headers, Buffer.from(JSON.stringify({ errors: [{ code, message }] })));
      }
      case "html":
        return finish(fault.status, { "content-type": "text/html; charset=utf-8" }, HTML_PAGE);
      case "challenge":
        return finish(
          401,
          { "content-type": "application/json", "www-authenticate": fault.wwwAuthenticate.replaceAll("{trap}", this.trapHost) },
          Buffer.from('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'),
        );
      case "endless": {
        record.status = fault.status;
        res.writeHead(fault.status, { "content-type": fault.contentType });
        if (head) {
          record.done = true;
          return void res.end();
        }
        const filler = Buffer.alloc(64 * 1024, 0x20);
        res.write('{"padding":"');
        const pump = (): void => {
          while (!res.destroyed && record.sent < ENDLESS_LIMIT) {
            record.sent += filler.length;
            if (!res.write(filler)) return void res.once("drain", pump);
          }
          if (!res.destroyed) {
            record.done = true;
            res.end('"}');
          }
        };
        return pump();
      }
      case "redirect":
        return finish(fault.status ?? 307, { location: fault.location.replaceAll("{trap}", this.trapHost) }, Buffer.alloc(0));
      case "redirect-chain":
        return finish(307, { location: `http://${this.host}/__hop/${id}/1${path}` }, Buffer.alloc(0));
      default:
        throw new Error(`not an early fault: ${fault.kind}`);
    }
  }

  /** One hop of a redirect chain: on to the next hop, or the real answer after the last. */
  #hop(req: IncomingMessage, res: ServerResponse, id: string, n: number, path: string): void {
    const state = this.#ids.get(id);
    const rule = state?.rules.find((r) => r.rule.fault.kind === "redirect-chain")?.rule.fault;
    if (!state || rule?.kind !== "redirect-chain") return this.#json(res, 404, { error: "no such chain" });
    state.hops++;
    if (n < rule.hops) {
      res.writeHead(307, { location: `http://${this.host}/__hop/${id}/${n + 1}${path}`, "content-length": "0" });
      return void res.end();
    }
    this.#pass(req, res, path);
  }

  /** Sends the registry's answer, with a body fault if one applies. */
  async #body(res: ServerResponse, up: IncomingMessage, record: FaultRequestRecord, fault: Fault | undefined): Promise<void> {
    const headers = cleanHeaders(up.headers);
    if (fault?.kind === "content-type") headers["content-type"] = fault.contentType;
    if (fault?.kind === "truncate") {
      if (fault.declared) headers["connection"] = "close";
      else delete headers["content-length"];
    }
    res.writeHead(record.status, headers);
    if (fault === undefined || fault.kind === "content-type") {
      up.on("data", (c: Buffer) => (record.sent += c.length));
      up.once("end", () => (record.done = true));
      up.pipe(res);
      return;
    }
    if (fault.kind === "stall" && fault.afterBytes === 0) {
      res.flushHeaders();
      up.destroy();
      record.done = true;
      setTimeout(() => res.destroy(), STALL_LIMIT_MS).unref();
      return;
    }
    const cutAt = fault.kind === "reset" || fault.kind === "stall" || fault.kind === "truncate" ? fault.afterBytes : Infinity;
    const piece = 16 * 1024;
    const delay = fault.kind === "trickle" ? (1000 * piece) / fault.bytesPerSecond : 0;
    try {
      for await (const chunk of up as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += delay > 0 ? piece : chunk.length) {
          if (res.destroyed) return;
          const room = cutAt - record.sent;
          const part = chunk.subarray(at, Math.min(at + (delay > 0 ? piece : chunk.length), at + room));
          if (part.length > 0) {
            const more = res.write(part);
            record.sent += part.length;
            if (record.total !== null && record.sent >= record.total) this.#releaseBlob.get(record)?.();
            if (!more) await new Promise((r) => res.once("drain", r));
          }
          if (record.sent >= cutAt) {
            up.destroy();
            record.done = true;
            if (fault.kind === "reset") res.socket?.resetAndDestroy();
            else if (fault.kind === "truncate") res.end();
            else setTimeout(() => res.destroy(), STALL_LIMIT_MS).unref(); // stall: silence until the client leaves
            return;
          }
          if (delay > 0) await sleep(delay);
        }
      }
      record.done = true;
      res.end();
    } catch {
      res.destroy();
    }
  }
}

const isEarly = (f: Fault): boolean =>
  f.kind === "status" || f.kind === "html" || f.kind === "challenge" || f.kind === "endless" || f.kind === "redirect" || f.kind === "redirect-chain";

function cleanHeaders(h: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k === "connection" || k === "keep-alive" || k === "transfer-encoding" || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}
