// Serves the built app (dist/app) on the proxy's origin, under a strict Content-Security-Policy
// (SECURITY.md U5). GETs for paths without a file extension fall back to index.html so deep
// links like /?image=nginx work; nothing outside the static directory is ever read.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

/**
 * The app's CSP: same-origin everything; inline styles for React's style props; workers from
 * blob: for bundlers. The layer workers compile WebAssembly (hash-wasm's SHA-256, zstddec's
 * libzstd), which needs 'wasm-unsafe-eval' (it allows WebAssembly compilation only, not eval);
 * zstddec loads its module from a data: URL with fetch, which connect-src must allow; layer
 * workers fetch a local archive's layers as blob: URLs of the picked file (src/lib/archive.ts).
 * The file viewer shows a layer's raster images (sniffed by magic bytes: never SVG) through
 * blob: URLs, so img-src allows blob:; an <img> cannot run script.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  [".html", "text/html; charset=utf-8"],
  [".js", "text/javascript; charset=utf-8"],
  [".mjs", "text/javascript; charset=utf-8"],
  [".css", "text/css; charset=utf-8"],
  [".json", "application/json"],
  [".map", "application/json"],
  [".webmanifest", "application/manifest+json"],
  [".svg", "image/svg+xml"],
  [".png", "image/png"],
  [".jpg", "image/jpeg"],
  [".jpeg", "image/jpeg"],
  [".gif", "image/gif"],
  [".webp", "image/webp"],
  [".ico", "image/x-icon"],
  [".woff", "font/woff"],
  [".woff2", "font/woff2"],
  [".ttf", "font/ttf"],
  [".txt", "text/plain; charset=utf-8"],
  [".wasm", "application/wasm"],
  [".tar", "application/x-tar"],
  [".gz", "application/gzip"],
  [".zst", "application/zstd"],
]);

function appHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Content-Security-Policy", APP_CSP);
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
}

function plain(res: ServerResponse, status: number, text: string, head: boolean): void {
  appHeaders(res);
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(head ? undefined : text);
}

async function fileSize(p: string): Promise<number | undefined> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers a GET/HEAD for the app. `root` must be an absolute, resolved directory.
 * Vite's hashed files under /assets/ are cached forever; everything else is revalidated.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string): Promise<void> {
  const head = req.method === "HEAD";
  if (req.method !== "GET" && !head) {
    res.setHeader("Allow", "GET, HEAD");
    plain(res, 405, "method not allowed\n", false);
    return;
  }
  const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    plain(res, 400, "bad path\n", head);
    return;
  }
  if (decoded.includes("\0") || decoded.includes("\\") || decoded.split("/").includes("..")) {
    plain(res, 400, "bad path\n", head);
    return;
  }
  const index = path.join(root, "index.html");
  const indexSize = await fileSize(index);

  let file = path.resolve(root, `.${decoded}`);
  // Belt and braces after the '..' check: the resolved path must stay inside root.
  if (file !== root && !file.startsWith(root + path.sep)) {
    plain(res, 400, "bad path\n", head);
    return;
  }
  let size = file === root ? undefined : await fileSize(file);
  if (size === undefined) {
    // SPA fallback: /, /image/... and other routes without an extension get the app.
    if (path.extname(decoded) !== "") {
      plain(res, 404, "not found\n", head);
      return;
    }
    if (indexSize === undefined) {
      plain(res, 200, "Layerscope: the app is not built yet. Run `npm run build`, then `npm start`.\n", head);
      return;
    }
    file = index;
    size = indexSize;
  }
  appHeaders(res);
  const type = CONTENT_TYPES.get(path.extname(file).toLowerCase()) ?? "application/octet-stream";
  const immutable = decoded.startsWith("/assets/");
  res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": size,
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (head) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(file), res);
  } catch {
    res.destroy();
  }
}
