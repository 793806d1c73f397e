/**
 * The e2e infrastructure itself, no UI: the registries, token server, redirecting front and CDN
 * answer as real ones do (direct), and the real proxy reaches each of them (through the proxy).
 */
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { MANIFEST_ACCEPT, basicAuth, sha256, viaProxy } from "./helpers/registry";
import { state } from "./helpers/state";

async function bearerToken(request: APIRequestContext, challenge: string, scope: string, auth?: string): Promise<{ status: number; token?: string }> {
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  const service = /service="([^"]+)"/.exec(challenge)?.[1];
  expect(realm, `realm in ${challenge}`).toBeTruthy();
  const url = new URL(realm ?? "");
  url.searchParams.set("service", service ?? "");
  url.searchParams.set("scope", scope);
  const res = await request.get(url.toString(), { headers: auth ? { authorization: auth } : {} });
  if (!res.ok()) return { status: res.status() };
  const body = (await res.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
  expect(body.access_token).toBe(body.token);
  expect(body.expires_in).toBeGreaterThan(0);
  return { status: res.status(), token: body.token };
}

test.describe("test services, direct", () => {
  test("OPEN serves the pushed images with matching digests", async ({ request }) => {
    const s = state();
    for (const img of [s.images.docker, s.images.oci, s.images.mismatch, s.images.helloWorld]) {
      const res = await request.get(`http://${s.hosts.open}/v2/${img.repository}/manifests/${img.tag}`, { headers: { accept: MANIFEST_ACCEPT } });
      expect(res.status(), img.repository).toBe(200);
      const body = await res.body();
      expect(sha256(body)).toBe(img.manifestDigest);
      expect(res.headers()["docker-content-digest"]).toBe(img.manifestDigest);
      expect(res.headers()["content-type"]).toBe(img.manifestMediaType);
      const manifest = JSON.parse(body.toString("utf8")) as { config: { digest: string } };
      expect(manifest.config.digest).toBe(img.configDigest);
    }
    expect(s.images.docker.manifestMediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    expect(s.images.oci.manifestMediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    // skopeo pushed the third-party tar unchanged in meaning: the config (image ID) is the tar's.
    expect(s.images.helloWorld.configDigest).toBe("sha256:ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44");
  });

  test("OPEN serves the multi-platform index with an attestation entry", async ({ request }) => {
    const { hosts, images } = state();
    const res = await request.get(`http://${hosts.open}/v2/${images.multi.repository}/manifests/${images.multi.tag}`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/vnd.oci.image.index.v1+json");
    expect(sha256(await res.body())).toBe(images.multi.indexDigest);
    const index = (await res.json()) as { manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] };
    expect(index.manifests.map((m) => [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join("/"))).toEqual([
      "linux/amd64",
      "linux/arm64/v8",
      "unknown/unknown",
    ]);
    expect(images.multi.images[0]?.configDigest).not.toBe(images.multi.images[1]?.configDigest);
  });

  test("BASIC wants credentials and takes the right ones", async ({ request }) => {
    const { hosts, credentials, images } = state();
    const url = `http://${hosts.basic}/v2/private/app/manifests/v1`;
    const anon = await request.get(url, { headers: { accept: MANIFEST_ACCEPT } });
    expect(anon.status()).toBe(401);
    expect(anon.headers()["www-authenticate"]).toMatch(/^Basic realm=/);
    const wrong = await request.get(url, { headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth({ ...credentials, password: "nope" }) } });
    expect(wrong.status()).toBe(401);
    const ok = await request.get(url, { headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth(credentials) } });
    expect(ok.status()).toBe(200);
    expect(ok.headers()["docker-content-digest"]).toBe(images.docker.manifestDigest);
  });

  test("TOKEN: anonymous pull of public/, credentials for private/ (Docker Hub flow)", async ({ request }) => {
    const { hosts, credentials, images } = state();
    const pub = `http://${hosts.token}/v2/public/app/manifests/v1`;
    const priv = `http://${hosts.token}/v2/private/app/manifests/v1`;

    const challenge = await request.get(pub, { headers: { accept: MANIFEST_ACCEPT } });
    expect(challenge.status()).toBe(401);
    const wwwAuth = challenge.headers()["www-authenticate"] ?? "";
    expect(wwwAuth).toContain(`realm="http://${hosts.tokenServer}/token"`);
    expect(wwwAuth).toContain('scope="repository:public/app:pull"');

    const anonPublic = await bearerToken(request, wwwAuth, "repository:public/app:pull");
    const pubRes = await request.get(pub, { headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${anonPublic.token}` } });
    expect(pubRes.status()).toBe(200);
    expect(pubRes.headers()["docker-content-digest"]).toBe(images.docker.manifestDigest);

    const anonPrivate = await bearerToken(request, wwwAuth, "repository:private/app:pull");
    const denied = await request.get(priv, { headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${anonPrivate.token}` } });
    expect(denied.status()).toBe(401);
    expect(denied.headers()["www-authenticate"]).toContain('error="insufficient_scope"');

    const wrong = await bearerToken(request, wwwAuth, "repository:private/app:pull", basicAuth({ ...credentials, password: "nope" }));
    expect(wrong.status).toBe(401);

    const alice = await bearerToken(request, wwwAuth, "repository:private/app:pull", basicAuth(credentials));
    const privRes = await request.get(priv, { headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${alice.token}` } });
    expect(privRes.status()).toBe(200);
    expect(privRes.headers()["docker-content-digest"]).toBe(images.docker.manifestDigest);
  });

  test("REDIRECT: blobs 307 to the CDN; faults are served as designed", async ({ request }) => {
    const { hosts, images, repos } = state();
    const img = images.docker;
    const blobPath = `/v2/${img.repository}/blobs/${img.configDigest}`;
    const redirected = await request.get(`http://${hosts.redirect}${blobPath}`, { maxRedirects: 0 });
    expect(redirected.status()).toBe(307);
    expect(redirected.headers()["location"]).toContain(`http://${hosts.cdn}/cdn/${img.repository}/${img.configDigest}?`);
    const followed = await request.get(`http://${hosts.redirect}${blobPath}`);
    expect(followed.status()).toBe(200);
    expect(sha256(await followed.body())).toBe(img.configDigest);

    const manifest = await request.get(`http://${hosts.redirect}/v2/${img.repository}/manifests/${img.tag}`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(sha256(await manifest.body())).toBe(img.manifestDigest);

    const tampered = await request.get(`http://${hosts.redirect}/v2/${repos.tampered}/manifests/${img.manifestDigest}`, { headers: { accept: MANIFEST_ACCEPT } });
    expect(tampered.status()).toBe(200);
    expect(tampered.headers()["docker-content-digest"]).toBe(img.manifestDigest);
    expect(sha256(await tampered.body())).not.toBe(img.manifestDigest);
    JSON.parse((await tampered.body()).toString("utf8")); // still JSON: only the digest can tell

    const limited = await request.get(`http://${hosts.redirect}/v2/${repos.rateLimited}/manifests/v1`);
    expect(limited.status()).toBe(429);
    expect(limited.headers()["retry-after"]).toBe("3");
    expect(limited.headers()["ratelimit-remaining"]).toBe("0;w=21600");

    const html = await request.get(`http://${hosts.redirect}/v2/${repos.html}/manifests/v1`);
    expect(html.status()).toBe(200);
    expect(html.headers()["content-type"]).toContain("text/html");

    const auth = await request.get(`http://${hosts.redirect}/v2/${repos.redirectAuthPrefix}${img.repository}/manifests/${img.tag}`);
    expect(auth.status()).toBe(401);
    expect(auth.headers()["www-authenticate"]).toMatch(/^Basic /);
  });
});

test.describe("through the proxy", () => {
  test.beforeEach(() => {
    // Never skipped: with LAYERSCOPE_E2E_NO_APP these fail loudly; pick the service tests with -g instead.
    expect(state().appStarted, "these tests need the app and proxy: run without LAYERSCOPE_E2E_NO_APP").toBe(true);
  });

  function expectNoSecretsInProxyLog(): void {
    const s = state();
    const log = readFileSync(s.logs.proxy, "utf8");
    for (const secret of s.secrets) expect(log, "proxy log must not contain credentials or URL signatures").not.toContain(secret);
  }

  test("healthz and the app's page", async ({ request }) => {
    expect((await request.get("/healthz")).status()).toBe(200);
    const page = await request.get("/");
    expect(page.status()).toBe(200);
    expect(page.headers()["content-type"]).toContain("text/html");
  });

  test("OPEN: manifest, index and config blob", async ({ request }) => {
    const { hosts, images } = state();
    const img = images.docker;
    const res = await request.get(viaProxy(hosts.open, `${img.repository}/manifests/${img.tag}`), { headers: { accept: MANIFEST_ACCEPT } });
    expect(res.status()).toBe(200);
    expect(res.headers()["docker-content-digest"]).toBe(img.manifestDigest);
    expect(sha256(await res.body())).toBe(img.manifestDigest);
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");

    const index = await request.get(viaProxy(hosts.open, `${images.multi.repository}/manifests/${images.multi.tag}`), { headers: { accept: MANIFEST_ACCEPT } });
    expect(index.status()).toBe(200);
    expect(sha256(await index.body())).toBe(images.multi.indexDigest);

    const config = await request.get(viaProxy(hosts.open, `${img.repository}/blobs/${img.configDigest}`));
    expect(config.status()).toBe(200);
    expect(sha256(await config.body())).toBe(img.configDigest);
  });

  test("BASIC: 401 without credentials (challenge renamed), 200 with them", async ({ request }) => {
    const { hosts, credentials, images, repos } = state();
    const path = viaProxy(hosts.basic, `${repos.basicPrivate}/manifests/v1`);
    const anon = await request.get(path, { headers: { accept: MANIFEST_ACCEPT } });
    expect(anon.status()).toBe(401);
    expect(anon.headers()["www-authenticate"]).toBeUndefined();
    expect(anon.headers()["x-registry-www-authenticate"]).toMatch(/^Basic /);
    const ok = await request.get(path, { headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth(credentials) } });
    expect(ok.status()).toBe(200);
    expect(sha256(await ok.body())).toBe(images.docker.manifestDigest);
    const wrong = await request.get(path, { headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth({ ...credentials, password: "nope" }) } });
    expect(wrong.status()).toBe(401);
    expectNoSecretsInProxyLog();
  });

  test("TOKEN: public anonymously; private needs credentials", async ({ request }) => {
    const { hosts, credentials, images, repos } = state();
    const pub = await request.get(viaProxy(hosts.token, `${repos.tokenPublic}/manifests/v1`), { headers: { accept: MANIFEST_ACCEPT } });
    expect(pub.status()).toBe(200);
    expect(sha256(await pub.body())).toBe(images.docker.manifestDigest);

    const privPath = viaProxy(hosts.token, `${repos.tokenPrivate}/manifests/v1`);
    const anon = await request.get(privPath, { headers: { accept: MANIFEST_ACCEPT } });
    expect(anon.status()).toBe(401);
    const ok = await request.get(privPath, { headers: { accept: MANIFEST_ACCEPT, authorization: basicAuth(credentials) } });
    expect(ok.status()).toBe(200);
    expect(sha256(await ok.body())).toBe(images.docker.manifestDigest);
    expectNoSecretsInProxyLog();
  });

  test("REDIRECT: a blob behind credentials lands on the CDN without Authorization or Cookie (SECURITY P5)", async ({ request }) => {
    const { hosts, credentials, images, repos } = state();
    const img = images.docker;
    const layer = img.layerDigests[1] ?? img.configDigest;
    const res = await request.get(viaProxy(hosts.redirect, `${repos.redirectAuthPrefix}${img.repository}/blobs/${layer}`), {
      headers: { authorization: basicAuth(credentials), cookie: "session=e2e-cookie" },
    });
    expect(res.status()).toBe(200);
    expect(sha256(await res.body())).toBe(layer);

    const seen = (await (await request.get(`http://${hosts.cdn}/__seen`)).json()) as { requests: { path: string; headers: Record<string, string> }[] };
    const ours = seen.requests.filter((r) => r.path === `/cdn/${img.repository}/${layer}`);
    expect(ours.length).toBeGreaterThan(0);
    for (const r of ours) {
      expect(r.headers["authorization"]).toBeUndefined();
      expect(r.headers["cookie"]).toBeUndefined();
    }
    expectNoSecretsInProxyLog();
  });

  test("faults: rate limit passed through, HTML defused, refused and unreachable destinations", async ({ request }) => {
    const { hosts, repos } = state();
    const limited = await request.get(viaProxy(hosts.redirect, `${repos.rateLimited}/manifests/v1`), { headers: { accept: MANIFEST_ACCEPT } });
    expect(limited.status()).toBe(429);
    expect(limited.headers()["retry-after"]).toBe("3");
    expect(limited.headers()["ratelimit-limit"]).toBe("100;w=21600");

    const html = await request.get(viaProxy(hosts.redirect, `${repos.html}/manifests/v1`), { headers: { accept: MANIFEST_ACCEPT } });
    expect(html.headers()["content-type"]).toBe("application/octet-stream");
    expect(html.headers()["x-content-type-options"]).toBe("nosniff");
    expect(html.headers()["content-security-policy"]).toContain("sandbox");

    const refused = await request.get(viaProxy("10.0.0.1:5000", "x/manifests/latest"), { headers: { accept: MANIFEST_ACCEPT } });
    expect(refused.status()).toBe(403);
    expect(refused.headers()["x-layerscope-proxy-error"]).toBe("DESTINATION_NOT_ALLOWED");
    expect(await refused.text()).toContain("destination not allowed");

    const closed = await request.get(viaProxy(hosts.closed, "x/manifests/latest"), { headers: { accept: MANIFEST_ACCEPT } });
    expect(closed.status()).toBe(502);
    expect(closed.headers()["x-layerscope-proxy-error"]).toBe("UPSTREAM_UNREACHABLE");
  });
});
