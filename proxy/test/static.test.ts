// The built app served on the proxy's origin (U5: strict CSP; no traversal).

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { APP_CSP } from "../static.js";
import { request, startProxy, type RunningProxy } from "./helpers.js";

describe("static app", () => {
  let dir: string;
  let proxy: RunningProxy;
  let empty: RunningProxy;
  beforeAll(async () => {
    const root = mkdtempSync(path.join(tmpdir(), "layerscope-static-"));
    dir = path.join(root, "app");
    mkdirSync(path.join(dir, "assets"), { recursive: true });
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Layerscope</title>");
    writeFileSync(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(path.join(dir, "assets", "style.css"), "body{}");
    writeFileSync(path.join(dir, "favicon.svg"), "<svg/>");
    writeFileSync(path.join(root, "secret.txt"), "do not serve");
    proxy = await startProxy({ staticDir: dir });
    empty = await startProxy({ staticDir: path.join(root, "missing") });
  });
  afterAll(async () => {
    await proxy.close();
    await empty.close();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it.each([
    ["/", "text/html; charset=utf-8", "<!doctype html><title>Layerscope</title>"],
    ["/?image=nginx:latest", "text/html; charset=utf-8", "<!doctype html><title>Layerscope</title>"],
    ["/image/deep/link", "text/html; charset=utf-8", "<!doctype html><title>Layerscope</title>"],
    ["/assets/index-abc123.js", "text/javascript; charset=utf-8", "console.log(1)"],
    ["/assets/style.css", "text/css; charset=utf-8", "body{}"],
    ["/favicon.svg", "image/svg+xml", "<svg/>"],
  ])("%s → %s with the app's security headers", async (p, type, body) => {
    const a = await request(`${proxy.base}${p}`);
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe(type);
    expect(a.text).toBe(body);
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
    expect(a.headers["content-security-policy"]).toBe(APP_CSP);
  });

  it("the CSP is the strict one from the brief", () => {
    expect(APP_CSP).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' data: blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it("hashed assets are cached for good; the page is revalidated", async () => {
    expect((await request(`${proxy.base}/assets/index-abc123.js`)).headers["cache-control"]).toMatch(/immutable/);
    expect((await request(`${proxy.base}/`)).headers["cache-control"]).toBe("no-cache");
  });

  it("a missing file with an extension is 404, not the app", async () => {
    expect((await request(`${proxy.base}/assets/missing.js`)).status).toBe(404);
  });

  it.each(["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/..%5csecret.txt", "/%00", "/%E0%A4%A"])(
    "no traversal: %s",
    async (p) => {
      const a = await request(`${proxy.base}${p}`);
      expect([400, 404]).toContain(a.status);
      expect(a.text).not.toContain("do not serve");
    },
  );

  it("HEAD gives headers only; other methods are 405", async () => {
    const head = await request(`${proxy.base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await request(`${proxy.base}/`, { method: "POST" })).status).toBe(405);
  });

  it("without a build, / says to run npm run build", async () => {
    const a = await request(`${empty.base}/`);
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(a.text).toContain("npm run build");
  });
});
