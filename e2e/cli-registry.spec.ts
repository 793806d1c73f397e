/**
 * The command line against the real test registries (issue 6): `node cli/bin.mjs inspect REF`
 * spawned as a user runs it, talking to the registries directly (no proxy server), with a temp
 * HOME and DOCKER_CONFIG so the machine's own Docker config is never read. Exit codes, the JSON
 * validated against cli/schema/inspect.schema.json with ajv, and every layer's digest, diff_id
 * and verdicts against what the setup pushed (e2e/helpers/state.ts). No browser page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
// The .js ending: Playwright loads specs as ES modules, which resolve no extension-less subpath.
import Ajv2020 from "ajv/dist/2020.js";
import { cli, type Run } from "./helpers/cli";
import { ref, state, type ImageFacts } from "./helpers/state";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const schema = JSON.parse(readFileSync(join(ROOT, "cli/schema/inspect.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true }).compile(schema);

interface Verdict {
  status: string;
  digest?: string;
}
interface Result {
  source: { transport: string; location: string; format: string; images: number };
  image: {
    names: string[];
    manifestDigest: string;
    manifestVerdict: Verdict | null;
    indexDigest: string | null;
    configDigest: string;
    configVerdict: Verdict;
    platform: string;
    history: unknown[];
    warnings: string[];
  };
  layers: { digest: string; diffId: string | null; digestVerdict: Verdict; diffIdVerdict: Verdict; trusted: boolean; error: string | null }[];
  merged: unknown[];
}

/** Exit 0, nothing on stderr, JSON valid against the schema. */
function parsed(run: Run): Result {
  expect(run.stderr, "stderr").toBe("");
  expect(run.code, `exit code (stderr: ${run.stderr})`).toBe(0);
  const json: unknown = JSON.parse(run.stdout);
  expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  return json as Result;
}

/** The image as pushed: manifest and config digests, every layer's digest and diff_id verified. */
function expectFacts(r: Result, img: ImageFacts): void {
  expect(r.image.manifestDigest).toBe(img.manifestDigest);
  expect(r.image.manifestVerdict).toEqual({ status: "verified", digest: img.manifestDigest });
  expect(r.image.configDigest).toBe(img.configDigest);
  expect(r.image.configVerdict).toEqual({ status: "verified", digest: img.configDigest });
  expect(r.image.platform).toBe(img.platform);
  expect(r.image.history).toHaveLength(img.historyCount);
  expect(r.image.warnings).toEqual([]);
  expect(r.layers.map((l) => [l.digest, l.diffId])).toEqual(img.layerDigests.map((d, i) => [d, img.diffIds[i]]));
  for (const l of r.layers) {
    expect(l.digestVerdict).toEqual({ status: "verified", digest: l.digest });
    expect(l.diffIdVerdict).toEqual({ status: "verified", digest: l.diffId });
    expect(l.trusted).toBe(true);
    expect(l.error).toBeNull();
  }
  expect(r.merged.length).toBeGreaterThan(0);
}

/** An error: exit 2, nothing on stdout, one line on stderr. */
function failed(run: Run): string {
  expect(run.code, `exit code (stdout: ${run.stdout.slice(0, 200)})`).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1);
  return run.stderr;
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
/** A config.json as `docker login` writes it for `host`. */
const loggedIn = (key: string, username: string, password: string): unknown => ({ auths: { [key]: { auth: b64(`${username}:${password}`) } } });

test.describe("layerscope inspect against the test registries", () => {
  test("OPEN by tag: the JSON is valid and says what was pushed", async () => {
    const { hosts, images } = state();
    const img = images.docker;
    const reference = ref(hosts.open, img.repository, img.tag);
    const r = parsed(await cli(["inspect", reference, "--json", "--allow-private"]));
    expect(r.source).toEqual({ transport: "registry", location: reference, format: "registry", images: 1 });
    expect(r.image.names).toEqual([reference]);
    expect(r.image.indexDigest).toBeNull();
    expectFacts(r, img);
  });

  test("OPEN by digest, and through skopeo's docker:// spelling", async () => {
    const { hosts, images } = state();
    const img = images.oci;
    const reference = ref(hosts.open, img.repository, img.manifestDigest);
    expectFacts(parsed(await cli(["inspect", reference, "--json", "--allow-private"])), img);
    const skopeo = parsed(await cli(["inspect", `docker://${reference}`, "--json", "--allow-private"]));
    expect(skopeo.source.location).toBe(reference);
    expectFacts(skopeo, img);
  });

  test("OPEN: an image no one on this project built (hello-world via skopeo)", async () => {
    const { hosts, images } = state();
    const img = images.helloWorld;
    expectFacts(parsed(await cli(["inspect", ref(hosts.open, img.repository, img.tag), "--json", "--allow-private"])), img);
  });

  test("OPEN index: --platform picks the image, the default is linux/amd64, the attestation is never picked", async () => {
    const { hosts, images } = state();
    const multi = images.multi;
    const reference = ref(hosts.open, multi.repository, multi.tag);
    const arm = parsed(await cli(["inspect", reference, "--json", "--allow-private", "--platform", "linux/arm64/v8"]));
    expect(arm.image.indexDigest).toBe(multi.indexDigest);
    expectFacts(arm, multi.images[1]!);
    const amd = parsed(await cli(["inspect", reference, "--json", "--allow-private"]));
    expect(amd.image.indexDigest).toBe(multi.indexDigest);
    expectFacts(amd, multi.images[0]!);

    const missing = failed(await cli(["inspect", reference, "--allow-private", "--platform", "linux/s390x"]));
    expect(missing).toContain("No such platform: The index has no image for linux/s390x. It has: linux/amd64, linux/arm64/v8.");
  });

  test("without --json: the short human form", async () => {
    const { hosts, images } = state();
    const img = images.docker;
    const run = await cli(["inspect", ref(hosts.open, img.repository, img.tag), "--allow-private"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`manifest  ${img.manifestDigest}`);
    expect(run.stdout).toContain("[registry, registry]");
    expect(run.stdout).toContain(`layers    ${img.layerDigests.length}`);
  });

  test("egress: a loopback registry without --allow-private is refused, exit 2, nothing on stdout", async () => {
    const { hosts, images } = state();
    const img = images.docker;
    const stderr = failed(await cli(["inspect", ref(hosts.open, img.repository, img.tag), "--json"]));
    expect(stderr).toContain(`layerscope: Destination not allowed: layerscope will not connect to ${hosts.open}: destination not allowed: 127.0.0.1 is loopback.`);
    expect(stderr).toContain("--allow-private");
  });

  test("a missing tag: exit 2 with the not-found sentence", async () => {
    const { hosts, images } = state();
    const img = images.docker;
    const stderr = failed(await cli(["inspect", ref(hosts.open, img.repository, "no-such-tag"), "--allow-private"]));
    expect(stderr).toContain(`Image not found: ${hosts.open} has no manifest no-such-tag in ${img.repository}.`);
  });

  test("a registry nobody listens on: exit 2, unreachable", async () => {
    const { hosts } = state();
    const stderr = failed(await cli(["inspect", ref(hosts.closed, "e2e/docker-image", "v1"), "--allow-private"]));
    expect(stderr).toContain(`Registry unreachable: Could not reach ${hosts.closed}: upstream unreachable: connection to ${hosts.closed} refused.`);
  });
});

test.describe("credentials", () => {
  test("BASIC: from a config.json's plain auths (keyed as docker login writes it)", async () => {
    const { hosts, images, repos, credentials } = state();
    const reference = ref(hosts.basic, repos.basicPrivate, "v1");
    const config = loggedIn(`http://${hosts.basic}`, credentials.username, credentials.password);
    expectFacts(parsed(await cli(["inspect", reference, "--json", "--allow-private"], { config })), { ...images.docker, repository: repos.basicPrivate });
  });

  test("BASIC: from --username and --password-stdin", async () => {
    const { hosts, images, repos, credentials } = state();
    const reference = ref(hosts.basic, repos.basicPrivate, "v1");
    const run = await cli(["inspect", reference, "--json", "--allow-private", "--username", credentials.username, "--password-stdin"], {
      stdin: `${credentials.password}\n`,
    });
    expectFacts(parsed(run), images.docker);
  });

  test("BASIC: the flags win over a wrong config.json; an index with --platform", async () => {
    const { hosts, images, repos, credentials } = state();
    const reference = ref(hosts.basic, repos.basicPrivate, "multi");
    const config = loggedIn(hosts.basic, credentials.username, "not-the-password");
    const run = await cli(["inspect", reference, "--json", "--allow-private", "--platform", "linux/arm64/v8", "--username", credentials.username, "--password-stdin"], {
      config,
      stdin: credentials.password,
    });
    const r = parsed(run);
    expect(r.image.indexDigest).toBe(images.multi.indexDigest);
    expectFacts(r, images.multi.images[1]!);
  });

  test("BASIC: wrong credentials, from either place, exit 2 with the refusal sentence", async () => {
    const { hosts, repos, credentials } = state();
    const reference = ref(hosts.basic, repos.basicPrivate, "v1");
    const sentence = `Credentials refused: ${hosts.basic} refused the username and password given for ${repos.basicPrivate}.`;
    const fromFlags = failed(await cli(["inspect", reference, "--allow-private", "--username", credentials.username, "--password-stdin"], { stdin: "wrong" }));
    expect(fromFlags).toContain(sentence);
    expect(fromFlags).toContain("--username NAME --password-stdin");
    const fromConfig = failed(await cli(["inspect", reference, "--allow-private"], { config: loggedIn(hosts.basic, credentials.username, "wrong") }));
    expect(fromConfig).toContain(sentence);
    // The password never shows.
    expect(fromFlags + fromConfig).not.toContain(credentials.password);
  });

  test("BASIC: no credentials at all, exit 2 with the needs-credentials sentence", async () => {
    const { hosts, repos } = state();
    const stderr = failed(await cli(["inspect", ref(hosts.basic, repos.basicPrivate, "v1"), "--allow-private"]));
    expect(stderr).toContain(`Needs credentials: ${hosts.basic} wants you to log in to read ${repos.basicPrivate}.`);
  });

  test("BASIC: a credential helper is not run: a warning line, then anonymous", async () => {
    const { hosts, repos } = state();
    const run = await cli(["inspect", ref(hosts.basic, repos.basicPrivate, "v1"), "--allow-private"], { config: { credsStore: "desktop", auths: { [hosts.basic]: {} } } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^layerscope: warning: .*config\.json keeps the credentials for .* docker-credential-desktop/);
    expect(lines[1]).toContain("Needs credentials");
  });

  test("a malformed config.json: exit 2 naming the file, before any request", async () => {
    const { hosts, images } = state();
    const stderr = failed(await cli(["inspect", ref(hosts.open, images.docker.repository, "v1"), "--allow-private"], { config: "{ not json" }));
    expect(stderr).toMatch(/Cannot use the Docker config: \S+\/\.docker\/config\.json: not JSON/);
  });

  test("TOKEN: a public repository anonymously (a Bearer token from the token server)", async () => {
    const { hosts, images, repos } = state();
    expectFacts(parsed(await cli(["inspect", ref(hosts.token, repos.tokenPublic, "v1"), "--json", "--allow-private"])), images.docker);
  });

  test("TOKEN: a private repository with credentials, and refused without", async () => {
    const { hosts, images, repos, credentials } = state();
    const reference = ref(hosts.token, repos.tokenPrivate, "v1");
    const config = loggedIn(hosts.token, credentials.username, credentials.password);
    expectFacts(parsed(await cli(["inspect", reference, "--json", "--allow-private"], { config })), images.docker);
    const stderr = failed(await cli(["inspect", reference, "--allow-private"]));
    expect(stderr).toContain(`Needs credentials: ${hosts.token} wants you to log in to read ${repos.tokenPrivate}.`);
  });

  test("REDIRECT: blobs answered with 307 to the CDN, credentials kept from it", async () => {
    const { hosts, images, repos, credentials } = state();
    const img = images.docker;
    // Anonymous, through the redirecting front.
    expectFacts(parsed(await cli(["inspect", ref(hosts.redirect, img.repository, img.tag), "--json", "--allow-private"])), img);
    // Behind Basic credentials: they go to the front, never to the CDN (which refuses them, as S3 does).
    const behind = ref(hosts.redirect, `${repos.redirectAuthPrefix}${img.repository}`, img.tag);
    const config = loggedIn(`http://${hosts.redirect}`, credentials.username, credentials.password);
    expectFacts(parsed(await cli(["inspect", behind, "--json", "--allow-private"], { config })), img);
    const seen = (await (await fetch(`http://${hosts.cdn}/__seen`)).json()) as { requests: { path: string; headers: Record<string, string> }[] };
    const ours = seen.requests.filter((r) => r.path.includes(img.layerDigests[0]!));
    expect(ours.length).toBeGreaterThan(0);
    for (const r of seen.requests) expect(r.headers["authorization"]).toBeUndefined();
  });
});
