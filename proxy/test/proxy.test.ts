// The proxy end to end against fake registries on 127.0.0.1 (SECURITY.md P1–P11, P14).

import net from "node:net";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DestinationPolicy } from "../policy.js";
import { validateRealm } from "../upstream.js";
import { proxyError, request, startFake, startProxy, type FakeServer, type RunningProxy } from "./helpers.js";

const D = `sha256:${"a".repeat(64)}`;
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** Sends raw bytes to a server and collects everything it answers until it closes. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    let got = "";
    socket.on("data", (d: Buffer) => (got += d.toString("latin1")));
    socket.on("close", () => resolve(got));
    socket.on("error", reject);
    socket.setTimeout(3000, () => socket.destroy());
  });
}

describe("P8 routing, methods and CR/LF", () => {
  let up: FakeServer;
  let proxy: RunningProxy;
  beforeAll(async () => {
    up = await startFake((_req, res) => json(res, 200, {}, { "Docker-Distribution-Api-Version": "registry/2.0" }));
    proxy = await startProxy({ allowHosts: [up.host] });
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it("a distribution API GET is forwarded", async () => {
    const a = await request(`${proxy.base}/registry/${up.host}/v2/`);
    expect(a.status).toBe(200);
    expect(a.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(up.requests.at(-1)?.url).toBe("/v2/");
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT_X"])("P8 method %s → 405, nothing upstream", async (method) => {
    const before = up.requests.length;
    const a = await request(`${proxy.base}/registry/${up.host}/v2/x/manifests/latest`, { method: method === "CONNECT_X" ? "PROPFIND" : method });
    expect(a.status).toBe(405);
    expect(proxyError(a).code).toBe("METHOD_NOT_ALLOWED");
    expect(up.requests.length).toBe(before);
  });

  const badPaths = [
    "/v2/x/../y/manifests/latest",
    "/v2/x/%2e%2e/manifests/latest",
    "/v2/x%2fy/manifests/latest",
    "/v2/x/manifests/latest%0d%0aX:%201",
    "/v2/_catalog",
    "/v2/x/blobs/uploads/",
    "/v2/x/manifests/latest?ns=evil",
    "/v1/search",
    "/",
  ];
  it.each(badPaths)("P8 path %s → 400, nothing upstream", async (p) => {
    const before = up.requests.length;
    const a = await request(`${proxy.base}/registry/${up.host}${p}`);
    expect(a.status).toBe(400);
    expect(proxyError(a).code).toBe("BAD_REQUEST");
    expect(a.headers["content-security-policy"]).toBe("sandbox");
    expect(up.requests.length).toBe(before);
  });

  it("P8 a request body is refused", async () => {
    const reply = await raw(proxy.port, `GET /registry/${up.host}/v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it.each([
    ["CR inside a header value", "Accept: a\rX-Injected: 1\r\n"],
    ["bare LF inside a header value", "Accept: a\nX-Injected: 1\r\n"],
    ["CR in the path", ""],
  ])("P8 %s → 400, nothing upstream", async (what, header) => {
    const before = up.requests.length;
    const path = what === "CR in the path" ? `/registry/${up.host}/v2/x/manifests/lat\rest` : `/registry/${up.host}/v2/`;
    const reply = await raw(proxy.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${header}Connection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(up.requests.length).toBe(before);
  });

  it("P8 a control character in a forwarded header → 400", async () => {
    const reply = await raw(proxy.port, `GET /registry/${up.host}/v2/ HTTP/1.1\r\nHost: x\r\nAccept: a\x01b\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it("P8 a bad Range or non-Basic Authorization → 400", async () => {
    const before = up.requests.length;
    expect((await request(`${proxy.base}/registry/${up.host}/v2/x/blobs/${D}`, { headers: { Range: "lines=1-2" } })).status).toBe(400);
    expect((await request(`${proxy.base}/registry/${up.host}/v2/`, { headers: { Authorization: "Bearer stolen" } })).status).toBe(400);
    expect(up.requests.length).toBe(before);
  });

  it("OPTIONS preflight is answered locally", async () => {
    const before = up.requests.length;
    const a = await request(`${proxy.base}/registry/${up.host}/v2/x/manifests/latest`, { method: "OPTIONS" });
    expect(a.status).toBe(204);
    expect(a.headers["access-control-allow-origin"]).toBe("*");
    expect(a.headers["access-control-allow-methods"]).toBe("GET, HEAD");
    expect(a.headers["access-control-allow-headers"]).toMatch(/Accept, Range, Authorization/);
    expect(up.requests.length).toBe(before);
  });

  it("GET /healthz → 200 ok", async () => {
    const a = await request(`${proxy.base}/healthz`);
    expect(a.status).toBe(200);
    expect(a.text).toBe("ok\n");
  });
});

describe("P1 P2 P3 destination policy through the server", () => {
  let target: FakeServer;
  let allowed: FakeServer;
  let proxy: RunningProxy;
  const lookups: string[] = [];
  beforeAll(async () => {
    target = await startFake((_req, res) => json(res, 200, {}));
    allowed = await startFake((_req, res) => json(res, 200, { ok: true }));
    proxy = await startProxy({
      allowHosts: [`localhost:${allowed.port}`],
      upstreamTimeoutMs: 1000,
      resolver: async (name) => {
        lookups.push(name);
        if (name === "rebind.example" || name === "localhost") return [{ address: "127.0.0.1", family: 4 }];
        if (name === "mixed.example") return [{ address: "8.8.8.8", family: 4 }, { address: "10.1.2.3", family: 4 }];
        const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${name}`);
        e.code = "ENOTFOUND";
        throw e;
      },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await target.close();
    await allowed.close();
  });

  const spellings = (p: number): string[] => [
    `127.0.0.1:${p}`,
    `2130706433:${p}`,
    `0x7f.1:${p}`,
    `017700000001:${p}`,
    `127.1:${p}`,
    `0:${p}`,
    `${encodeURIComponent("①②⑦.0.0.1")}:${p}`,
    `[::ffff:7f00:1]:${p}`,
    `[::ffff:127.0.0.1]:${p}`,
    `[64:ff9b::7f00:1]:${p}`,
    `[::127.0.0.1]:${p}`,
    `[::1]:${p}`,
  ];
  it("P2 loopback in every spelling is refused before any socket opens", async () => {
    for (const host of spellings(target.port)) {
      const a = await request(`${proxy.base}/registry/${host}/v2/`);
      expect(a.status, host).toBe(403);
      expect(proxyError(a), host).toEqual({ code: "DESTINATION_NOT_ALLOWED", message: expect.stringMatching(/destination not allowed/) });
    }
    expect(target.connections).toBe(0);
    expect(lookups).toEqual([]);
  });

  it.each(["169.254.169.254", "[fd00:ec2::254]", "100.100.100.200", "168.63.129.16", "10.0.0.1", "172.16.0.1", "192.168.1.1", "[fe80::1]", "[::ffff:169.254.169.254]", "224.0.0.1"])(
    "P1 %s is refused with 403",
    async (host) => {
      const a = await request(`${proxy.base}/registry/${host}/v2/`);
      expect(a.status).toBe(403);
      expect(proxyError(a).message).toMatch(/destination not allowed/);
      expect(lookups).toEqual([]);
    },
  );

  it("P3 a name resolving to loopback is refused inside the connection's lookup", async () => {
    lookups.length = 0;
    const a = await request(`${proxy.base}/registry/rebind.example:${target.port}/v2/`);
    expect(a.status).toBe(403);
    expect(proxyError(a).message).toMatch(/destination not allowed: rebind\.example is loopback/);
    // Resolved exactly once, at connect time: nothing to race between a check and the connect.
    expect(lookups).toEqual(["rebind.example"]);
    expect(target.connections).toBe(0);
  });

  it("P3 a name with one private answer among public ones is refused", async () => {
    const a = await request(`${proxy.base}/registry/mixed.example/v2/`);
    expect(a.status).toBe(403);
  });

  it("P1 an allowlisted name is exempt and spoken to over http", async () => {
    const a = await request(`${proxy.base}/registry/localhost:${allowed.port}/v2/`);
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ ok: true });
  });

  it("DNS failure → 502 UPSTREAM_UNREACHABLE saying DNS", async () => {
    const a = await request(`${proxy.base}/registry/nxdomain.example/v2/`);
    expect(a.status).toBe(502);
    expect(proxyError(a)).toEqual({ code: "UPSTREAM_UNREACHABLE", message: expect.stringMatching(/DNS lookup for nxdomain\.example:443 failed/) });
  });

  it("connection refused → 502 UPSTREAM_UNREACHABLE saying refused", async () => {
    const gone = await startFake(() => undefined);
    await gone.close();
    const p2 = await startProxy({ allowHosts: [gone.host] });
    const a = await request(`${p2.base}/registry/${gone.host}/v2/`);
    await p2.close();
    expect(a.status).toBe(502);
    expect(proxyError(a)).toEqual({ code: "UPSTREAM_UNREACHABLE", message: expect.stringMatching(/refused/) });
  });
});

describe("auth dances, P6 realm policy, P7 credential scoping", () => {
  let tokens: FakeServer;
  let registryA: FakeServer;
  let registryB: FakeServer;
  let basicRegistry: FakeServer;
  let forbiddenRealm: FakeServer;
  let badRealmRegistry: FakeServer;
  let proxy: RunningProxy;
  let generation = 1;
  const issued: string[] = [];

  beforeAll(async () => {
    forbiddenRealm = await startFake((_req, res) => json(res, 200, { token: "should-never-be-issued" }));
    tokens = await startFake((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const auth = req.headers.authorization;
      let who = "anon";
      if (auth !== undefined) {
        if (auth === basic("alice", "s3cret")) who = "alice";
        else if (auth === basic("bob", "hunter2")) who = "bob";
        else return json(res, 401, { details: "bad credentials" });
      }
      const token = `tok.${who}.${url.searchParams.get("scope") ?? "none"}.${generation}`;
      issued.push(token);
      // Docker Hub style: access_token alongside token on some servers; use access_token here.
      json(res, 200, who === "bob" ? { access_token: token, expires_in: 300 } : { token, expires_in: 300 });
    });
    const bearerRegistry = (service: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
      const scope = "repository:lib/app:pull";
      if (req.headers.authorization === `Bearer tok.alice.${scope}.${generation}` || req.headers.authorization === `Bearer tok.bob.${scope}.${generation}`) {
        return json(res, 200, { schemaVersion: 2 }, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
      }
      json(res, 401, { errors: [{ code: "UNAUTHORIZED" }] }, { "WWW-Authenticate": `Bearer realm="${tokens.origin}/token",service="${service}",scope="${scope}"` });
    };
    registryA = await startFake(bearerRegistry("a"));
    registryB = await startFake(bearerRegistry("b"));
    basicRegistry = await startFake((req, res) => {
      if (req.headers.authorization === basic("alice", "s3cret")) return json(res, 200, { tags: ["v1"], name: "x" });
      json(res, 401, { errors: [{ code: "UNAUTHORIZED" }] }, { "WWW-Authenticate": 'Basic realm="fake"' });
    });
    badRealmRegistry = await startFake((req, res) => {
      const realm = req.url?.includes("/meta/") ? "http://169.254.169.254/latest" : req.url?.includes("/file/") ? "file:///etc/passwd" : `${forbiddenRealm.origin}/token`;
      json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="${realm}",service="x"` });
    });
    proxy = await startProxy({ allowHosts: [tokens.host, registryA.host, registryB.host, basicRegistry.host, badRealmRegistry.host] });
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of [tokens, registryA, registryB, basicRegistry, forbiddenRealm, badRealmRegistry]) await s.close();
  });

  it("Basic: anonymous 401 is passed through with the challenge renamed", async () => {
    const a = await request(`${proxy.base}/registry/${basicRegistry.host}/v2/x/tags/list`);
    expect(a.status).toBe(401);
    expect(a.headers["www-authenticate"]).toBeUndefined();
    expect(a.headers["x-registry-www-authenticate"]).toBe('Basic realm="fake"');
  });

  it("Basic: credentials are sent after the challenge, then up front", async () => {
    const before = basicRegistry.requests.length;
    const a = await request(`${proxy.base}/registry/${basicRegistry.host}/v2/x/tags/list`, { headers: { Authorization: basic("alice", "s3cret") } });
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ tags: ["v1"], name: "x" });
    // The registry already challenged with Basic above, so this time credentials go first.
    expect(basicRegistry.requests.slice(before).map((r) => r.headers.authorization)).toEqual([basic("alice", "s3cret")]);
  });

  it("Basic: wrong credentials → the registry's 401, no loop", async () => {
    const before = basicRegistry.requests.length;
    const a = await request(`${proxy.base}/registry/${basicRegistry.host}/v2/x/tags/list`, { headers: { Authorization: basic("alice", "wrong") } });
    expect(a.status).toBe(401);
    expect(basicRegistry.requests.length - before).toBe(1);
  });

  it("Bearer: challenge → token with Basic credentials at the realm → retry with the token", async () => {
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`, { headers: { Authorization: basic("alice", "s3cret") } });
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe("application/vnd.oci.image.manifest.v1+json");
    const tokenReq = tokens.requests.at(-1);
    expect(tokenReq?.headers.authorization).toBe(basic("alice", "s3cret"));
    const q = new URL(tokenReq?.url ?? "", "http://x").searchParams;
    expect(q.get("service")).toBe("a");
    expect(q.get("scope")).toBe("repository:lib/app:pull");
    const seen = registryA.requests.map((r) => r.headers.authorization);
    expect(seen).toEqual([undefined, "Bearer tok.alice.repository:lib/app:pull.1"]);
    // The registry never sees the user's password, only the token.
    expect(registryA.requests.every((r) => !String(r.headers.authorization).startsWith("Basic"))).toBe(true);
  });

  it("Bearer: the cached token is used up front for the same credentials", async () => {
    const tokenCount = tokens.requests.length;
    const before = registryA.requests.length;
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`, { headers: { Authorization: basic("alice", "s3cret") } });
    expect(a.status).toBe(200);
    expect(tokens.requests.length).toBe(tokenCount);
    expect(registryA.requests.length - before).toBe(1);
  });

  it("Bearer: access_token is accepted too", async () => {
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`, { headers: { Authorization: basic("bob", "hunter2") } });
    expect(a.status).toBe(200);
  });

  it("R3 an expired token is refreshed once", async () => {
    generation = 2;
    const tokenCount = tokens.requests.length;
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`, { headers: { Authorization: basic("alice", "s3cret") } });
    expect(a.status).toBe(200);
    expect(tokens.requests.length - tokenCount).toBe(1);
  });

  it("Bearer: anonymous token refused by the registry → the second 401 is passed through", async () => {
    const before = registryA.requests.length;
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`);
    expect(a.status).toBe(401);
    expect(a.headers["x-registry-www-authenticate"]).toMatch(/^Bearer realm=/);
    expect(registryA.requests.length - before).toBe(2);
  });

  it("Bearer: the token endpoint's 401 for bad credentials is passed through", async () => {
    const a = await request(`${proxy.base}/registry/${registryA.host}/v2/lib/app/manifests/latest`, { headers: { Authorization: basic("alice", "nope") } });
    expect(a.status).toBe(401);
  });

  it("P7 credentials given for A go only to A's realm; B naming the same realm gets an anonymous token", async () => {
    const tokenCount = tokens.requests.length;
    const bBefore = registryB.requests.length;
    const a = await request(`${proxy.base}/registry/${registryB.host}/v2/lib/app/manifests/latest`);
    expect(a.status).toBe(401);
    const toRealm = tokens.requests.slice(tokenCount);
    expect(toRealm.map((r) => r.headers.authorization)).toEqual([undefined]);
    const toB = registryB.requests.slice(bBefore).map((r) => r.headers.authorization ?? "");
    expect(toB.some((h) => h.includes("alice") || h.startsWith("Basic"))).toBe(false);
  });

  it.each([
    ["a realm on a non-allowlisted loopback port", "/v2/lib/app/manifests/latest"],
    ["a link-local metadata realm", "/v2/meta/manifests/latest"],
    ["a file: realm", "/v2/file/manifests/latest"],
  ])("P6 %s → 403 TOKEN_REQUEST_REFUSED, credentials never sent", async (_what, path) => {
    const a = await request(`${proxy.base}/registry/${badRealmRegistry.host}${path}`, { headers: { Authorization: basic("alice", "s3cret") } });
    expect(a.status).toBe(403);
    expect(proxyError(a).code).toBe("TOKEN_REQUEST_REFUSED");
    expect(forbiddenRealm.connections).toBe(0);
  });

  it.each([
    ["http://auth.example.com/token", "https:", /http token realm/],
    ["https://10.0.0.1/token", "https:", /destination not allowed/],
    ["https://[::ffff:a9fe:a9fe]/token", "https:", /destination not allowed/],
    ["https://user:pw@auth.example.com/token", "https:", /credentials/],
    ["gopher://auth.example.com/", "https:", /not http/],
    ["not a url", "https:", /not a URL/],
  ])("P6 realm %s for an %s registry is refused", (realm, scheme, message) => {
    expect(() => validateRealm(new DestinationPolicy([]), realm, scheme)).toThrow(message);
  });

  it("P6 an https realm on a public name is acceptable", () => {
    expect(validateRealm(new DestinationPolicy([]), "https://auth.docker.io/token", "https:").host).toBe("auth.docker.io");
  });
});

describe("P4 P5 redirects", () => {
  let cdn: FakeServer;
  let outside: FakeServer;
  let registry: FakeServer;
  let proxy: RunningProxy;
  const digestFor = (hops: number): string => `sha256:${String(hops).padStart(64, "0")}`;

  beforeAll(async () => {
    cdn = await startFake((_req, res) => {
      res.writeHead(206, { "Content-Type": "application/octet-stream", "Content-Range": "bytes 0-9/100", "Content-Length": "10", "Set-Cookie": "cdn=1" });
      res.end("0123456789");
    });
    outside = await startFake((_req, res) => json(res, 200, {}));
    registry = await startFake((req, res) => {
      const url = req.url ?? "";
      if (req.headers.authorization !== basic("alice", "s3cret")) {
        return json(res, 401, {}, { "WWW-Authenticate": 'Basic realm="r"' });
      }
      const hop = /^\/hop\/(\d+)\/(\d+)$/.exec(url);
      if (hop) {
        const [n, total] = [Number(hop[1]), Number(hop[2])];
        if (n < total) {
          res.writeHead(302, { Location: `/hop/${n + 1}/${total}` });
          return res.end();
        }
        return json(res, 200, { hops: total });
      }
      const blob = /\/blobs\/sha256:0*(\d+)$/.exec(url);
      if (blob) {
        const total = Number(blob[1]);
        res.writeHead(307, { Location: `/hop/1/${total}` });
        return res.end();
      }
      const targets: Record<string, string> = {
        cdn: `${cdn.origin}/blob?X-Amz-Signature=SECRETSIG&X-Amz-Credential=AKIA`,
        meta: "http://169.254.169.254/latest/meta-data/",
        outside: `${outside.origin}/x`,
        file: "file:///etc/passwd",
        gopher: "gopher://127.0.0.1:70/_x",
        ssrfname: "https://localtest.example/x",
      };
      const which = /\/v2\/(\w+)\/blobs\//.exec(url)?.[1] ?? "";
      res.writeHead(307, { Location: targets[which] ?? "/nowhere" });
      res.end();
    });
    proxy = await startProxy({
      allowHosts: [registry.host, cdn.host],
      resolver: async () => [{ address: "127.0.0.1", family: 4 }],
    });
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of [cdn, outside, registry]) await s.close();
  });

  const creds = { Authorization: basic("alice", "s3cret") };

  it("P5 a 307 to a CDN on another origin is followed; the CDN gets no Authorization, Cookie or conditional headers", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/cdn/blobs/${D}`, {
      headers: { ...creds, Range: "bytes=0-9", Accept: "application/octet-stream", Cookie: "session=abc", "If-None-Match": '"x"', "X-Custom": "1" },
    });
    expect(a.status).toBe(206);
    expect(a.text).toBe("0123456789");
    expect(a.headers["content-range"]).toBe("bytes 0-9/100");
    expect(a.headers["set-cookie"]).toBeUndefined();
    const got = cdn.requests.at(-1);
    expect(got?.headers.authorization).toBeUndefined();
    expect(got?.headers.cookie).toBeUndefined();
    expect(got?.headers.range).toBe("bytes=0-9");
    expect(got?.headers.accept).toBe("application/octet-stream");
    expect(Object.keys(got?.headers ?? {}).sort()).toEqual(["accept", "accept-encoding", "connection", "host", "range", "user-agent"]);
    // The registry itself got the credentials, and never the browser's cookie.
    expect(registry.requests.some((r) => r.headers.cookie !== undefined)).toBe(false);
  });

  it("P5 same-origin redirect hops keep the registry credentials", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/x/blobs/${digestFor(2)}`, { headers: creds });
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ hops: 2 });
  });

  it("P4 five redirects are followed", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/x/blobs/${digestFor(5)}`, { headers: creds });
    expect(a.status).toBe(200);
  });

  it("P4 a sixth redirect → 502 too many redirects", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/x/blobs/${digestFor(6)}`, { headers: creds });
    expect(a.status).toBe(502);
    expect(proxyError(a)).toEqual({ code: "TOO_MANY_REDIRECTS", message: expect.stringMatching(/too many redirects/) });
  });

  it.each(["meta", "outside", "file", "gopher", "ssrfname"])("P4 redirect to %s → 403 redirect to a disallowed destination", async (which) => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/${which}/blobs/${D}`, { headers: creds });
    expect(a.status).toBe(403);
    expect(proxyError(a)).toEqual({ code: "DESTINATION_NOT_ALLOWED", message: expect.stringMatching(/redirect to a disallowed destination/) });
    expect(outside.connections).toBe(0);
  });

  it("P14 logs carry no credentials, tokens or URL signatures", () => {
    const all = proxy.logs.join("\n");
    expect(all).toContain(`GET ${registry.host} /v2/cdn/blobs/${D} 206`);
    for (const secret of ["s3cret", Buffer.from("alice:s3cret").toString("base64"), "SECRETSIG", "AKIA", "X-Amz", "Cookie", "session=abc"]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/authorization|bearer|basic/i);
  });
});

describe("P9 P10 what passes back and forth", () => {
  const types: [sent: string, served: string][] = [
    ["text/html; charset=utf-8", "application/octet-stream"],
    ["TEXT/HTML", "application/octet-stream"],
    ["image/svg+xml", "application/octet-stream"],
    ["application/xhtml+xml", "application/octet-stream"],
    ["text/xml", "application/octet-stream"],
    ["application/javascript", "application/octet-stream"],
    ["text/javascript; charset=utf-8", "application/octet-stream"],
    ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.manifest.v1+json"],
    ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+gzip"],
    ["application/json", "application/json"],
    ["application/octet-stream", "application/octet-stream"],
  ];
  let registry: FakeServer;
  let proxy: RunningProxy;
  beforeAll(async () => {
    registry = await startFake((req, res) => {
      const index = Number(/sha256:0*(\d+)$/.exec(req.url ?? "")?.[1] ?? "0");
      if (req.url?.includes("/headers/")) {
        res.writeHead(200, {
          "Content-Type": "application/vnd.oci.image.index.v1+json",
          "Set-Cookie": ["a=1", "b=2"],
          "Content-Encoding": "gzip",
          "Access-Control-Allow-Origin": "https://evil.example",
          "Access-Control-Allow-Credentials": "true",
          "X-Powered-By": "evil",
          "Strict-Transport-Security": "max-age=1",
          "Docker-Content-Digest": D,
          "Docker-Distribution-Api-Version": "registry/2.0",
          ETag: `"${D}"`,
          "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
          "Accept-Ranges": "bytes",
          "Retry-After": "5",
          "RateLimit-Limit": "100;w=21600",
          "RateLimit-Remaining": "99;w=21600",
          Link: '</v2/x/tags/list?n=1&last=a>; rel="next"',
          "WWW-Authenticate": 'Bearer realm="x"',
        });
        return res.end("{}");
      }
      res.writeHead(200, { "Content-Type": types[index]?.[0] ?? "x/y" });
      res.end("<svg onload=alert(1)>");
    });
    proxy = await startProxy({ allowHosts: [registry.host] });
  });
  afterAll(async () => {
    await proxy.close();
    await registry.close();
  });

  it.each(types.map((t, i) => [...t, i] as const))("P9 upstream %s is served as %s, nosniff, sandboxed", async (_sent, served, i) => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/x/blobs/sha256:${String(i).padStart(64, "0")}`);
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe(served);
    expect(a.headers["x-content-type-options"]).toBe("nosniff");
    expect(a.headers["content-security-policy"]).toBe("sandbox");
    // The registry's own type travels beside it when replaced, so the app can name a web page (R11).
    expect(a.headers["x-registry-content-type"]).toBe(served === types[i]![0] ? undefined : types[i]![0]);
  });

  it("P10 Set-Cookie, Content-Encoding and upstream CORS are stripped; registry headers pass; identity is asked for", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/headers/manifests/latest`, {
      headers: {
        Accept: "application/vnd.oci.image.index.v1+json",
        "Accept-Encoding": "gzip, br",
        "If-None-Match": '"old"',
        Cookie: "session=1",
        Origin: "https://evil.example",
        "X-Forwarded-For": "1.2.3.4",
        Referer: "https://app.example/?image=secret",
      },
    });
    expect(a.status).toBe(200);
    const h = a.headers;
    expect(h["set-cookie"]).toBeUndefined();
    expect(h["content-encoding"]).toBeUndefined();
    expect(h["access-control-allow-credentials"]).toBeUndefined();
    expect(h["x-powered-by"]).toBeUndefined();
    expect(h["strict-transport-security"]).toBeUndefined();
    expect(h["www-authenticate"]).toBeUndefined();
    expect(h["access-control-allow-origin"]).toBe("*");
    expect(h["x-registry-www-authenticate"]).toBe('Bearer realm="x"');
    expect(h["docker-content-digest"]).toBe(D);
    expect(h["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(h["etag"]).toBe(`"${D}"`);
    expect(h["last-modified"]).toBeDefined();
    expect(h["accept-ranges"]).toBe("bytes");
    expect(h["retry-after"]).toBe("5");
    expect(h["ratelimit-limit"]).toBe("100;w=21600");
    expect(h["ratelimit-remaining"]).toBe("99;w=21600");
    expect(h["link"]).toContain('rel="next"');
    expect(h["content-length"]).toBe("2");
    const exposed = String(h["access-control-expose-headers"]).split(", ");
    for (const name of ["Docker-Content-Digest", "X-Registry-Www-Authenticate", "Content-Range", "RateLimit-Remaining", "X-Layerscope-Proxy-Error"]) {
      expect(exposed).toContain(name);
    }
    const sent = registry.requests.at(-1)?.headers ?? {};
    expect(sent["accept-encoding"]).toBe("identity");
    expect(sent["accept"]).toBe("application/vnd.oci.image.index.v1+json");
    expect(sent["if-none-match"]).toBe('"old"');
    expect(Object.keys(sent).sort()).toEqual(["accept", "accept-encoding", "connection", "host", "if-none-match", "user-agent"]);
  });

  it("HEAD passes status and headers without a body", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/headers/manifests/latest`, { method: "HEAD" });
    expect(a.status).toBe(200);
    expect(a.headers["docker-content-digest"]).toBe(D);
    expect(a.body.length).toBe(0);
    expect(registry.requests.at(-1)?.method).toBe("HEAD");
  });
});

describe("P11 size caps", () => {
  let registry: FakeServer;
  let tokens: FakeServer;
  let proxy: RunningProxy;
  const MiB = 1024 * 1024;
  let endlessAborted = false;
  let endlessWritten = 0;
  beforeAll(async () => {
    tokens = await startFake((_req, res) => json(res, 200, { token: "x".repeat(100 * 1024) }));
    registry = await startFake((req, res) => {
      const url = req.url ?? "";
      if (url.includes("/big/manifests/")) {
        res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json", "Content-Length": String(9 * MiB) });
        return res.end(Buffer.alloc(9 * MiB, 0x20));
      }
      if (url.includes("/exact/manifests/")) {
        res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
        return res.end(Buffer.alloc(8 * MiB, 0x20));
      }
      if (url.includes("/endless/manifests/")) {
        // Chunked, no Content-Length: the proxy must count and cut.
        res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        res.on("close", () => {
          if (!res.writableFinished) endlessAborted = true;
        });
        const pump = (): void => {
          while (endlessWritten < 256 * MiB) {
            endlessWritten += chunk.length;
            if (!res.write(chunk)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        return pump();
      }
      if (url.includes("/errbody/")) {
        res.writeHead(404, { "Content-Type": "application/json" });
        return res.end(Buffer.alloc(100 * 1024, 0x20));
      }
      if (url.includes("/tokenbody/")) {
        return json(res, 401, {}, { "WWW-Authenticate": `Bearer realm="${tokens.origin}/token"` });
      }
      json(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
    });
    proxy = await startProxy({ allowHosts: [registry.host, tokens.host] });
  });
  afterAll(async () => {
    await proxy.close();
    await registry.close();
    await tokens.close();
  });

  it("P11 a 9 MiB manifest (declared) → 502 response too large", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/big/manifests/latest`);
    expect(a.status).toBe(502);
    expect(proxyError(a)).toEqual({ code: "RESPONSE_TOO_LARGE", message: expect.stringMatching(/response too large/) });
  });

  it("P11 an endless chunked manifest is cut at the limit and the upstream aborted", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/endless/manifests/latest`);
    expect(a.status).toBe(502);
    expect(proxyError(a).code).toBe("RESPONSE_TOO_LARGE");
    await new Promise((r) => setTimeout(r, 50));
    expect(endlessAborted).toBe(true);
    expect(endlessWritten).toBeLessThan(64 * MiB);
  });

  it("an 8 MiB manifest is within the limit", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/exact/manifests/latest`);
    expect(a.status).toBe(200);
    expect(a.body.length).toBe(8 * MiB);
    expect(a.headers["content-length"]).toBe(String(8 * MiB));
  });

  it("P11 a 100 KiB error body → 502", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/errbody/manifests/latest`);
    expect(a.status).toBe(502);
    expect(proxyError(a).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("P11 a 100 KiB token body → 502", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/tokenbody/manifests/latest`);
    expect(a.status).toBe(502);
    expect(proxyError(a).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("a small registry error body is passed with its status", async () => {
    const a = await request(`${proxy.base}/registry/${registry.host}/v2/missing/manifests/latest`);
    expect(a.status).toBe(404);
    expect(a.json()).toEqual({ errors: [{ code: "MANIFEST_UNKNOWN" }] });
    expect(a.headers["x-layerscope-proxy-error"]).toBeUndefined();
  });
});
