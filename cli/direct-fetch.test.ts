/**
 * The proxy in-process against fake registries on 127.0.0.1: the answers the core client reads
 * are the proxy server's (status, relayed headers, streamed body, X-Layerscope-Proxy-Error), and
 * errorFromResponse turns them into the same data as in the page.
 */
import { afterEach, describe, expect, it } from "vitest";
import { errorFromResponse } from "../src/core/registry";
import { startFake, waitFor, type FakeServer } from "../proxy/test/helpers.js";
import { createDirectFetch, DIRECT_PROXY_BASE, type DirectFetch } from "./direct-fetch";

const DIGEST = `sha256:${"a".repeat(64)}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let fakes: FakeServer[] = [];
let fetches: DirectFetch[] = [];
afterEach(async () => {
  for (const f of fetches) f.close();
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
  fetches = [];
});

async function fake(handler: Parameters<typeof startFake>[0]): Promise<FakeServer> {
  const f = await startFake(handler);
  fakes.push(f);
  return f;
}
function direct(allowPrivate: boolean): DirectFetch {
  const d = createDirectFetch({ allowPrivate, timeoutMs: 5_000 });
  fetches.push(d);
  return d;
}
const url = (host: string, path: string): string => `${DIRECT_PROXY_BASE}/${host}${path}`;

describe("createDirectFetch", () => {
  it("without allowPrivate a loopback registry is refused before any socket, as the proxy refuses it", async () => {
    const registry = await fake((_req, res) => res.end("{}"));
    const res = await direct(false).fetch(url(registry.host, "/v2/team/app/manifests/v1"));
    expect(res.status).toBe(403);
    expect(res.headers.get("X-Layerscope-Proxy-Error")).toBe("DESTINATION_NOT_ALLOWED");
    expect(registry.connections).toBe(0);
    expect(await errorFromResponse(registry.host, "team/app", "manifest", "v1", res, false)).toEqual({
      kind: "destination-not-allowed",
      registry: registry.host,
      detail: "destination not allowed: 127.0.0.1 is loopback",
    });
  });

  it("with allowPrivate: plain http, the relayed headers only, the challenge renamed, the body streamed", async () => {
    const registry = await fake((_req, res) => {
      res.writeHead(200, {
        "Content-Type": "application/vnd.oci.image.manifest.v1+json",
        "Docker-Content-Digest": DIGEST,
        "Set-Cookie": "session=1",
        "WWW-Authenticate": 'Bearer realm="x"',
      });
      res.write("{");
      setTimeout(() => res.end("}"), 20);
    });
    const res = await direct(true).fetch(url(registry.host, "/v2/team/app/manifests/v1"), { headers: { Accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Docker-Content-Digest")).toBe(DIGEST);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(res.headers.get("X-Registry-Www-Authenticate")).toBe('Bearer realm="x"');
    expect(await res.text()).toBe("{}");
    expect(registry.requests[0]?.headers["accept"]).toBe("application/json");
    expect(registry.requests[0]?.headers["accept-encoding"]).toBe("identity");
  });

  it("does the Basic dance with the client's credentials, and keeps them from a redirect's other origin", async () => {
    const cdn = await fake((_req, res) => res.end("blob bytes"));
    const registry = await fake((req, res) => {
      if (req.headers.authorization !== basic("alice", "pw")) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"', "Content-Type": "application/json" });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      res.writeHead(307, { Location: `${cdn.origin}/signed?sig=1` });
      res.end();
    });
    const res = await direct(true).fetch(url(registry.host, `/v2/team/app/blobs/${DIGEST}`), { headers: { Authorization: basic("alice", "pw") } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("blob bytes");
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([undefined, basic("alice", "pw")]);
    expect(cdn.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("wrong credentials: the registry's 401 comes back, read as refused credentials", async () => {
    const registry = await fake((_req, res) => {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"', "Content-Type": "application/json" });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    const res = await direct(true).fetch(url(registry.host, "/v2/team/app/manifests/v1"), { headers: { Authorization: basic("alice", "wrong") } });
    expect(await errorFromResponse(registry.host, "team/app", "manifest", "v1", res, true)).toMatchObject({ kind: "unauthorized", hadCredentials: true });
  });

  it("HEAD has no body", async () => {
    const registry = await fake((_req, res) => {
      res.writeHead(200, { "Content-Length": "2", "Docker-Content-Digest": DIGEST });
      res.end();
    });
    const res = await direct(true).fetch(url(registry.host, "/v2/team/app/manifests/v1"), { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });

  it.each([
    ["/v2/team/app/../x/manifests/v1", "GET", 400, "BAD_REQUEST"],
    ["/v2/_catalog", "GET", 400, "BAD_REQUEST"],
    ["/v2/team/app/manifests/v1", "DELETE", 405, "METHOD_NOT_ALLOWED"],
  ])("%s %s: the proxy's own refusal (%i %s)", async (path, method, status, code) => {
    const res = await direct(true).fetch(url("127.0.0.1:9", path), { method });
    expect(res.status).toBe(status);
    expect(res.headers.get("X-Layerscope-Proxy-Error")).toBe(code);
  });

  it("a refused connection is UPSTREAM_UNREACHABLE, read as unreachable", async () => {
    const closed = await fake(() => undefined);
    await closed.close();
    fakes = fakes.filter((f) => f !== closed);
    const res = await direct(true).fetch(url(closed.host, "/v2/"));
    expect(res.status).toBe(502);
    expect(await errorFromResponse(closed.host, "", "manifest", "", res, false)).toEqual({
      kind: "unreachable",
      registry: closed.host,
      detail: `upstream unreachable: connection to ${closed.host} refused`,
    });
  });

  it("a reader that stops early closes the upstream response", async () => {
    let upstreamClosed = false;
    const registry = await fake((_req, res) => {
      res.on("close", () => (upstreamClosed = true));
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      const tick = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
      res.on("close", () => clearInterval(tick));
    });
    const res = await direct(true).fetch(url(registry.host, `/v2/team/app/blobs/${DIGEST}`));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => upstreamClosed, 2_000, "the upstream response to close");
  });

  it("close() aborts what is in flight and every later call", async () => {
    const registry = await fake(() => undefined); // never answers
    const d = direct(true);
    const pending = d.fetch(url(registry.host, "/v2/"));
    await waitFor(() => registry.requests.length === 1, 2_000, "the request to arrive");
    d.close();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(d.fetch(url(registry.host, "/v2/"))).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a caller's abort rejects as an AbortError", async () => {
    const registry = await fake(() => undefined);
    const controller = new AbortController();
    const pending = direct(true).fetch(url(registry.host, "/v2/"), { signal: controller.signal });
    await waitFor(() => registry.requests.length === 1, 2_000, "the request to arrive");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
