// Entry point: `npm start` (after `npm run build`). Serves the built app and the registry proxy
// on one origin. Environment:
//   PORT               listening port (default 8080)
//   HOST               listening address (default "::", falling back to 0.0.0.0 without IPv6)
//   PROXY_ALLOW_HOSTS  comma-separated host:port registries that may be private and use http
//                      (the loopback test registries), e.g. "127.0.0.1:5001,[::1]:5002"
//   STATIC_DIR         the built app (default: dist/app, next to this compiled file's dist/proxy)
//   PROXY_TRUSTED_FORWARDERS  comma-separated addresses of load balancers (e.g. "127.0.0.1,::1"
//                      for nginx on the same machine) whose X-Forwarded-For names the client,
//                      so per-client stream caps count browsers, not the balancer

import { isIP } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createServer } from "./server.js";

const port = Number(process.env["PORT"] ?? "8080");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env["PORT"])}`);
  process.exit(2);
}
const staticDir = process.env["STATIC_DIR"] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../app");
const list = (name: string): string[] =>
  (process.env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
const allowHosts = list("PROXY_ALLOW_HOSTS");
const trustedForwarders = list("PROXY_TRUSTED_FORWARDERS");
const notAddress = trustedForwarders.find((a) => isIP(a) === 0);
if (notAddress !== undefined) {
  console.error(`PROXY_TRUSTED_FORWARDERS takes IP addresses, got ${JSON.stringify(notAddress)}`);
  process.exit(2);
}

let server: ReturnType<typeof createServer>;
try {
  server = createServer({ staticDir, allowHosts, trustedForwarders });
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}

function listen(host: string, fallback: string | undefined): void {
  const onError = (e: NodeJS.ErrnoException): void => {
    if (fallback !== undefined && (e.code === "EAFNOSUPPORT" || e.code === "EADDRNOTAVAIL")) {
      listen(fallback, undefined);
      return;
    }
    console.error(`cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  };
  server.once("error", onError);
  server.listen(port, host, () => {
    server.off("error", onError);
    const address = server.address();
    const actual = typeof address === "object" && address !== null ? address.port : port;
    console.log(`Layerscope on http://localhost:${actual}`);
  });
}

const envHost = process.env["HOST"];
listen(envHost ?? "::", envHost === undefined ? "0.0.0.0" : undefined);

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Streams in flight get a moment, then go.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 2_000).unref();
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
