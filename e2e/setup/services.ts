/**
 * The services the e2e tests run against, all on 127.0.0.1 with ports picked at run time:
 * real CNCF distribution registries (`docker-registry serve`), and small Node servers of the
 * tests' own (token server, redirecting front, CDN). Nothing here is imported by the app.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSign, randomUUID } from "node:crypto";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";

export const LOOPBACK = "127.0.0.1";

/**
 * `n` distinct ports nothing listens on right now, none in `exclude`: all are bound at once (port
 * 0), read, then released. Racy in theory (another program could take one before we do), fine on
 * a test machine.
 */
export async function freePorts(n: number, exclude: readonly number[] = []): Promise<number[]> {
  const servers: ReturnType<typeof createNetServer>[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const s = createNetServer();
      servers.push(s);
      const port = await new Promise<number>((resolve, reject) => {
        s.once("error", reject);
        s.listen(0, LOOPBACK, () => {
          const addr = s.address();
          resolve(typeof addr === "object" && addr ? addr.port : 0);
        });
      });
      if (port && !exclude.includes(port)) ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  return ports;
}

/** Everything started here, so one teardown (or a crash in setup) can stop it all. */
/** SIGTERM, then SIGKILL if the child has not exited within 3 s; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export class Processes {
  private readonly children: ChildProcess[] = [];
  private readonly servers: Server[] = [];

  constructor() {
    // A runner killed mid-run still takes its registries down with it.
    process.once("exit", () => this.killAllSync());
  }

  /** Starts `command` with stdout and stderr appended to `logFile`. */
  spawn(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const fd = openSync(logFile, "a");
    const child = spawn(command, args, { stdio: ["ignore", fd, fd], env });
    closeSync(fd);
    this.children.push(child);
    return child;
  }

  track(server: Server): Server {
    this.servers.push(server);
    return server;
  }

  killAllSync(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map(stopChild));
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls `url` until it answers with any HTTP status, or fails with the log's tail. */
export async function waitForHttp(url: string, child: ChildProcess | undefined, logFile: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`process for ${url} exited (${child.exitCode ?? child.signalCode}). Log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms. Log ${logFile}:\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
}

// ── distribution registries ───────────────────────────────────────────────────────────────────────

export type RegistryAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; path: string }
  | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

/**
 * Config for distribution 2.8 (docs/configuration.md). JSON is YAML, so the file is written with
 * JSON.stringify and every string is safely quoted.
 */
export function registryConfig(port: number, storageDir: string, auth: RegistryAuth): string {
  const authSection =
    auth.kind === "htpasswd"
      ? { htpasswd: { realm: "layerscope-e2e-basic", path: auth.path } }
      : auth.kind === "token"
        ? { token: { realm: auth.realm, service: auth.service, issuer: auth.issuer, rootcertbundle: auth.rootCertBundle } }
        : undefined;
  const config = {
    version: 0.1,
    log: { level: "warn", accesslog: { disabled: true }, formatter: "text" },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: `${LOOPBACK}:${port}`, secret: randomUUID(), headers: { "X-Content-Type-Options": ["nosniff"] } },
    ...(authSection ? { auth: authSection } : {}),
  };
  return JSON.stringify(config, null, 2);
}

export async function startRegistry(
  procs: Processes,
  opts: { name: string; dir: string; port: number; auth: RegistryAuth },
): Promise<void> {
  const configPath = join(opts.dir, `${opts.name}.yml`);
  writeFileSync(configPath, registryConfig(opts.port, join(opts.dir, `${opts.name}-storage`), opts.auth));
  const log = join(opts.dir, `${opts.name}.log`);
  const child = procs.spawn("docker-registry", ["serve", configPath], log);
  await waitForHttp(`http://${LOOPBACK}:${opts.port}/v2/`, child, log);
}

// ── htpasswd and token signing material ──────────────────────────────────────────────────────────

/** bcrypt entry from apache2-utils (distribution's htpasswd backend reads bcrypt only). */
export function makeHtpasswd(path: string, username: string, password: string): void {
  const line = execFileSync("htpasswd", ["-Bbn", username, password], { encoding: "utf8" }).trim();
  writeFileSync(path, `${line}\n`);
}

export interface SigningMaterial {
  keyPem: string;
  certPath: string;
  /** The certificate, DER, standard base64: the JWT header's `x5c[0]`. */
  certDerBase64: string;
}

/** An RSA key and a self-signed certificate for it; the certificate is the registry's rootcertbundle. */
export function makeSigningMaterial(dir: string): SigningMaterial {
  const keyPath = join(dir, "token-key.pem");
  const certPath = join(dir, "token-cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3", "-subj", "/CN=layerscope-e2e-token-issuer", "-keyout", keyPath, "-out", certPath],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const certPem = readFileSync(certPath, "utf8");
  const der = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return { keyPem: readFileSync(keyPath, "utf8"), certPath, certDerBase64: der };
}

// ── token server (Docker Hub style) ──────────────────────────────────────────────────────────────

const b64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

export interface TokenServerOptions {
  issuer: string;
  service: string;
  signing: SigningMaterial;
  users: Map<string, string>;
  /** Repositories anyone may pull without credentials. */
  isPublic: (repository: string) => boolean;
}

/**
 * Signs a JWT the way distribution's token auth verifies it (registry/auth/token/token.go):
 * `iss` must equal the configured issuer, `aud` the configured service, `exp`/`nbf` are checked
 * with 60 s leeway, the key comes from `x5c` whose leaf must chain to rootcertbundle, the
 * signature is libtrust's RS256 (PKCS#1 v1.5 over "header.claims"), and every requested
 * `repository:NAME:action` must be in the `access` claim.
 */
export function signToken(opts: TokenServerOptions, subject: string, access: { type: string; name: string; actions: string[] }[]): { token: string; expiresIn: number; issuedAt: string } {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = 300;
  const header = { typ: "JWT", alg: "RS256", x5c: [opts.signing.certDerBase64] };
  const claims = { iss: opts.issuer, sub: subject, aud: opts.service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign("RSA-SHA256").update(signingInput).sign(opts.signing.keyPem);
  return { token: `${signingInput}.${b64url(signature)}`, expiresIn, issuedAt: new Date(now * 1000).toISOString() };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "content-length": String(bytes.length), ...headers });
  res.end(bytes);
}

/** Username and password of an `Authorization: Basic` header, or undefined. */
export function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * GET /token?service=…&scope=repository:NAME:pull[,push] (scope may repeat), optional Basic
 * credentials. Anonymous callers get `pull` on public repositories only; known users get what they
 * ask for. Like Docker Hub, a scope that is not granted is left out of the token (the registry then
 * answers 401 insufficient_scope) rather than refused here; wrong credentials are a 401.
 */
export async function startTokenServer(procs: Processes, port: number, opts: TokenServerOptions): Promise<void> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
    if (req.method !== "GET" || url.pathname !== "/token") return json(res, 404, { details: "not found" });
    const creds = basicCredentials(req);
    if (req.headers.authorization && (!creds || opts.users.get(creds.username) !== creds.password)) {
      return json(res, 401, { details: "incorrect username or password" });
    }
    if (url.searchParams.get("service") !== opts.service) return json(res, 400, { details: "unknown service" });
    const access: { type: string; name: string; actions: string[] }[] = [];
    for (const scope of url.searchParams.getAll("scope").flatMap((s) => s.split(" "))) {
      const m = /^repository:([^:]+):([a-z,*]+)$/.exec(scope);
      if (!m || m[1] === undefined || m[2] === undefined) continue;
      const name = m[1];
      const wanted = m[2].split(",");
      const granted = creds ? wanted.filter((a) => a === "pull" || a === "push") : opts.isPublic(name) ? wanted.filter((a) => a === "pull") : [];
      if (granted.length) access.push({ type: "repository", name, actions: granted });
    }
    const { token, expiresIn, issuedAt } = signToken(opts, creds?.username ?? "", access);
    json(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt });
  });
  await listen(procs.track(server), port);
}

// ── redirecting front and CDN ────────────────────────────────────────────────────────────────────

interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Forwards one request to `upstream` (host:port) and returns status, headers and the whole body. */
function fetchUpstream(upstream: string, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> {
  const [host, port] = upstream.split(":");
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host, port: Number(port), method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end();
  });
}

/** Streams one request to `upstream` and its answer back, minus credentials and hop-by-hop headers. */
function pipeUpstream(upstream: string, path: string, req: IncomingMessage, res: ServerResponse): void {
  const [host, port] = upstream.split(":");
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.authorization;
  delete headers.cookie;
  delete headers.connection;
  const r = httpRequest({ host, port: Number(port), method: req.method, path, headers }, (up) => {
    const out = { ...up.headers };
    delete out.connection;
    delete out["keep-alive"];
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  r.on("error", (e) => {
    if (!res.headersSent) json(res, 502, { errors: [{ code: "UNKNOWN", message: `front: ${e.message}` }] });
    else res.destroy();
  });
  req.pipe(r);
}

export interface FrontOptions {
  open: string; // host:port of the OPEN registry
  cdn: string; // host:port of the CDN
  credentials: { username: string; password: string };
  /** Query string a CDN signs its URLs with: must never be logged. */
  signature: string;
}

/**
 * REDIRECT: a registry front, like Docker Hub or a cloud registry, that answers blob GETs with
 * 307 to a CDN on another port. Also hosts the faults a real registry cannot be made to produce:
 *  - /v2/e2e/tampered/manifests/R: the OPEN registry's e2e/tampered manifest with one byte added
 *    (a space after the first "{": still JSON) and Docker-Content-Digest unchanged;
 *  - /v2/e2e/ratelimited/…: 429 TOOMANYREQUESTS, Retry-After: 3, Docker Hub RateLimit headers;
 *  - /v2/e2e/html/…: 200 text/html, a web page rather than a registry;
 *  - /v2/auth/NAME/…: asks for Basic credentials, then serves OPEN's NAME (so credentials reach
 *    the front and we can check they do not follow the redirect to the CDN).
 */
export async function startFront(procs: Processes, port: number, opts: FrontOptions): Promise<void> {
  const server = createServer((req, res) => {
    void handleFront(req, res, opts).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { errors: [{ code: "UNKNOWN", message: String(e) }] });
      else res.destroy();
    });
  });
  await listen(procs.track(server), port);
}

async function handleFront(req: IncomingMessage, res: ServerResponse, opts: FrontOptions): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
  let path = url.pathname;

  if (path.startsWith("/v2/e2e/ratelimited/")) {
    return json(
      res,
      429,
      { errors: [{ code: "TOOMANYREQUESTS", message: "You have reached your pull rate limit. (layerscope e2e)" }] },
      { "retry-after": "3", "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600", "docker-ratelimit-source": LOOPBACK },
    );
  }
  if (path.startsWith("/v2/e2e/html/")) {
    const page = Buffer.from("<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1><script>alert(1)</script></body></html>");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": String(page.length) });
    return void res.end(req.method === "HEAD" ? undefined : page);
  }
  if (path.startsWith("/v2/auth/")) {
    const c = basicCredentials(req);
    if (!c || c.username !== opts.credentials.username || c.password !== opts.credentials.password) {
      return json(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { "www-authenticate": 'Basic realm="layerscope-e2e-front"' });
    }
    path = `/v2/${path.slice("/v2/auth/".length)}`;
  }

  const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(path);
  if (blob && req.method === "GET") {
    // Signed, expiring URL like S3/CloudFront: the signature must not be logged by the proxy.
    const location = `http://${opts.cdn}/cdn/${blob[1]}/${blob[2]}?Expires=${Math.floor(Date.now() / 1000) + 600}&Signature=${opts.signature}`;
    res.writeHead(307, { location, "content-length": "0" });
    return void res.end();
  }

  const tampered = /^\/v2\/e2e\/tampered\/manifests\/([^/]+)$/.exec(path);
  if (tampered && (req.method === "GET" || req.method === "HEAD")) {
    const up = await fetchUpstream(opts.open, "GET", path, { accept: req.headers.accept ?? "*/*" });
    if (up.status !== 200) {
      res.writeHead(up.status, up.headers);
      return void res.end(up.body);
    }
    const text = up.body.toString("utf8");
    const changed = Buffer.from(text.replace("{", "{ "));
    res.writeHead(200, {
      "content-type": up.headers["content-type"] ?? "application/octet-stream",
      "content-length": String(changed.length),
      "docker-content-digest": String(up.headers["docker-content-digest"] ?? ""),
      "docker-distribution-api-version": "registry/2.0",
    });
    return void res.end(req.method === "HEAD" ? undefined : changed);
  }

  pipeUpstream(opts.open, `${path}${url.search}`, req, res);
}

/**
 * CDN for REDIRECT: GET /cdn/NAME/DIGEST serves the blob (read from OPEN, Range honoured) and
 * records the request's headers; GET /__seen returns them as JSON {requests:[…]}. Like S3, a
 * request carrying Authorization is refused (400), so a leak also shows up as a failed download.
 */
export async function startCdn(procs: Processes, port: number, open: string): Promise<void> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
    if (url.pathname === "/__seen") return json(res, 200, { requests: seen });
    const m = /^\/cdn\/(.+)\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (!m || (req.method !== "GET" && req.method !== "HEAD")) return json(res, 404, { error: "no such object" });
    seen.push({ method: req.method, path: url.pathname, headers: { ...req.headers } });
    if (req.headers.authorization) {
      res.writeHead(400, { "content-type": "application/xml" });
      return void res.end("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
    }
    const headers: Record<string, string> = {};
    if (req.headers.range) headers.range = req.headers.range;
    const [host, p] = open.split(":");
    const r = httpRequest({ host, port: Number(p), method: req.method, path: `/v2/${m[1]}/blobs/${m[2]}`, headers }, (up) => {
      const out: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
      for (const h of ["content-length", "content-range", "etag"]) {
        const v = up.headers[h];
        if (typeof v === "string") out[h] = v;
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    r.on("error", () => {
      if (!res.headersSent) json(res, 502, { error: "origin unreachable" });
    });
    r.end();
  });
  await listen(procs.track(server), port);
}
