import { describe, expect, it } from "vitest";
import { credentialsFromConfig, dockerConfigFile, registryCredentials, registryKey } from "./credentials";

const FILE = "/home/u/.docker/config.json";
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const ALICE = { username: "alice", password: "s3cret:with:colons" };
const aliceAuth = { auth: b64("alice:s3cret:with:colons") };

describe("registryKey: config keys and registries, as the registry they name", () => {
  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["index.docker.io", "docker.io"],
    ["docker.io", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["https://registry-1.docker.io/v2/", "docker.io"],
    ["ghcr.io", "ghcr.io"],
    ["https://ghcr.io", "ghcr.io"],
    ["GHCR.IO", "ghcr.io"],
    ["http://127.0.0.1:5000", "127.0.0.1:5000"],
    ["https://registry.example.com/v1/", "registry.example.com"],
    ["registry.example.com:5000/v2/", "registry.example.com:5000"],
    ["http://[::1]:5000/", "[::1]:5000"],
    [" localhost:5000 ", "localhost:5000"],
  ])("%s → %s", (key, registry) => {
    expect(registryKey(key)).toBe(registry);
  });
});

describe("credentialsFromConfig: the plain auths entry for a registry", () => {
  it.each([
    ["auth, Docker Hub's key", "docker.io", { auths: { "https://index.docker.io/v1/": aliceAuth } }, ALICE],
    ["auth, a bare host", "ghcr.io", { auths: { "ghcr.io": aliceAuth } }, ALICE],
    ["auth, a scheme and a port", "127.0.0.1:5000", { auths: { "http://127.0.0.1:5000": aliceAuth } }, ALICE],
    ["auth with a path", "registry.example.com", { auths: { "https://registry.example.com/v1/": aliceAuth } }, ALICE],
    ["username and password fields", "ghcr.io", { auths: { "ghcr.io": { username: "alice", password: "s3cret:with:colons" } } }, ALICE],
    ["auth wins over the fields", "ghcr.io", { auths: { "ghcr.io": { ...aliceAuth, username: "bob", password: "x" } } }, ALICE],
    ["a UTF-8 password", "ghcr.io", { auths: { "ghcr.io": { auth: b64("alice:pässwörd€") } } }, { username: "alice", password: "pässwörd€" }],
    ["an empty entry first, a plain one after", "docker.io", { auths: { "docker.io": {}, "https://index.docker.io/v1/": aliceAuth } }, ALICE],
  ])("%s", (_name, registry, config, expected) => {
    expect(credentialsFromConfig(registry, JSON.stringify(config), FILE)).toEqual({ ok: true, value: { credentials: expected } });
  });

  it.each([
    ["another registry's entry", "ghcr.io", { auths: { "quay.io": aliceAuth } }],
    ["another port", "127.0.0.1:5000", { auths: { "127.0.0.1:5001": aliceAuth } }],
    ["no auths at all", "ghcr.io", {}],
    ["an empty entry (a helper's placeholder) and no helper", "ghcr.io", { auths: { "ghcr.io": {} } }],
    ["a helper for another registry", "ghcr.io", { credHelpers: { "gcr.io": "gcloud" } }],
  ])("none: %s", (_name, registry, config) => {
    expect(credentialsFromConfig(registry, JSON.stringify(config), FILE)).toEqual({ ok: true, value: {} });
  });

  it.each([
    ["credsStore", "ghcr.io", { credsStore: "desktop", auths: { "ghcr.io": {} } }, "docker-credential-desktop"],
    ["credHelpers for the registry", "ghcr.io", { credHelpers: { "ghcr.io": "gh" } }, "docker-credential-gh"],
    ["credHelpers keyed with a scheme", "docker.io", { credHelpers: { "https://index.docker.io/v1/": "pass" }, credsStore: "desktop" }, "docker-credential-pass"],
    ["an identity token only", "ghcr.io", { auths: { "ghcr.io": { identitytoken: "tok" } } }, "identity token"],
  ])("anonymous, with a warning: %s", (_name, registry, config, says) => {
    const r = credentialsFromConfig(registry, JSON.stringify(config), FILE);
    expect(r.ok && r.value.credentials).toBe(undefined);
    expect(r.ok && r.value.warning).toContain(says);
    expect(r.ok && r.value.warning).toContain(FILE);
  });

  it("a plain entry wins over a helper", () => {
    const config = { credsStore: "desktop", credHelpers: { "ghcr.io": "gh" }, auths: { "ghcr.io": aliceAuth } };
    expect(credentialsFromConfig("ghcr.io", JSON.stringify(config), FILE)).toEqual({ ok: true, value: { credentials: ALICE } });
  });

  it.each([
    ["{ not json", /^not JSON/],
    ["[]", /not a JSON object/],
    ['"text"', /not a JSON object/],
    ['{"auths": []}', /“auths” is not an object/],
    ['{"credsStore": 1}', /“credsStore” is not a string/],
    ['{"credHelpers": "x"}', /“credHelpers” is not an object/],
    ['{"auths": {"ghcr.io": "alice"}}', /entry “ghcr.io” is not an object/],
    ['{"auths": {"ghcr.io": {"auth": "***"}}}', /“auth” is not base64$/],
    [`{"auths": {"ghcr.io": {"auth": "${b64("no-colon")}"}}}`, /not base64 of user:password/],
    [`{"auths": {"ghcr.io": {"auth": "${b64(":nouser")}"}}}`, /not base64 of user:password/],
  ])("a malformed file is an error naming it: %s", (text, reason) => {
    const r = credentialsFromConfig("ghcr.io", text, FILE);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ kind: "bad-docker-config", file: FILE });
      expect(r.error.kind === "bad-docker-config" && r.error.reason).toMatch(reason);
    }
  });

  it("a malformed entry for another registry is not read", () => {
    expect(credentialsFromConfig("ghcr.io", '{"auths": {"quay.io": {"auth": "***"}}}', FILE)).toEqual({ ok: true, value: {} });
  });
});

describe("dockerConfigFile", () => {
  it.each([
    [{ DOCKER_CONFIG: "/etc/docker-conf", HOME: "/home/u" }, "/etc/docker-conf/config.json"],
    [{ HOME: "/home/u" }, "/home/u/.docker/config.json"],
    [{ DOCKER_CONFIG: "", HOME: "/home/u" }, "/home/u/.docker/config.json"],
    [{ USERPROFILE: "/users/u" }, "/users/u/.docker/config.json"],
    [{}, undefined],
  ])("%j → %s", (env, file) => {
    expect(dockerConfigFile(env)).toBe(file);
  });
});

describe("registryCredentials", () => {
  const files = (content: Record<string, string>) => async (path: string): Promise<string> => {
    const text = content[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  };
  const env = { HOME: "/home/u" };

  it("--username/--password-stdin win, and no file is read", async () => {
    const warnings: string[] = [];
    const r = await registryCredentials("ghcr.io", { username: "bob", password: "pw" }, {
      env,
      warn: (l) => warnings.push(l),
      readText: () => Promise.reject(new Error("must not read")),
    });
    expect(r).toEqual({ ok: true, value: { username: "bob", password: "pw" } });
    expect(warnings).toEqual([]);
  });

  it("reads the plain entry from the file", async () => {
    const r = await registryCredentials("ghcr.io", undefined, { env, warn: () => undefined, readText: files({ [FILE]: JSON.stringify({ auths: { "ghcr.io": aliceAuth } }) }) });
    expect(r).toEqual({ ok: true, value: ALICE });
  });

  it("no file: anonymous, silently", async () => {
    const warnings: string[] = [];
    const r = await registryCredentials("ghcr.io", undefined, { env, warn: (l) => warnings.push(l), readText: files({}) });
    expect(r).toEqual({ ok: true, value: undefined });
    expect(warnings).toEqual([]);
  });

  it("a helper: anonymous, with one warning line", async () => {
    const warnings: string[] = [];
    const r = await registryCredentials("ghcr.io", undefined, { env, warn: (l) => warnings.push(l), readText: files({ [FILE]: '{"credsStore":"desktop"}' }) });
    expect(r).toEqual({ ok: true, value: undefined });
    expect(warnings).toHaveLength(1);
  });

  it("an unreadable or malformed file is an error", async () => {
    const denied = await registryCredentials("ghcr.io", undefined, {
      env,
      warn: () => undefined,
      readText: () => Promise.reject(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" })),
    });
    expect(denied).toEqual({ ok: false, error: { kind: "bad-docker-config", file: FILE, reason: "cannot read it (EACCES)" } });
    const broken = await registryCredentials("ghcr.io", undefined, { env, warn: () => undefined, readText: files({ [FILE]: "{" }) });
    expect(!broken.ok && broken.error.kind).toBe("bad-docker-config");
  });
});
