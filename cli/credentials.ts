/**
 * Registry credentials for the command line (issue 6): `--username NAME --password-stdin` win;
 * otherwise the plain `auths` entry `docker login` wrote for the registry in Docker's config file,
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. Credential helpers (`credsStore`,
 * `credHelpers`) are not run: when one would have served the registry and no plain entry exists,
 * a warning says so and the registry is read anonymously. Credentials found here are handed to
 * the registry client for that one registry only (cli/registry.ts).
 *
 * The file format is docker/cli `cli/config/configfile/file.go` (`auths`, `credsStore`,
 * `credHelpers`; an entry's `auth` is base64 of "user:password", or `username` and `password`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LayerscopeError } from "../src/core/errors";
import { DOCKER_HUB_REGISTRY, LEGACY_DOCKER_HUB_REGISTRY } from "../src/core/reference";
import { DOCKER_HUB_API_HOST, type Credentials } from "../src/core/registry";
import { err, ok, type Result } from "../src/core/result";

/** Where the command line looks for things outside its arguments. */
export interface CredentialsContext {
  /** The environment: DOCKER_CONFIG, else HOME (USERPROFILE on Windows) for ~/.docker. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Says one line on stderr (a credential helper that is not run). */
  readonly warn: (line: string) => void;
  /** Reads a file as UTF-8; rejects with Node's error (ENOENT…). Injectable for tests. */
  readonly readText?: (path: string) => Promise<string>;
}

/** The config file Docker reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; undefined without a home. */
export function dockerConfigFile(env: CredentialsContext["env"]): string | undefined {
  const dir = env["DOCKER_CONFIG"] || (env["HOME"] || env["USERPROFILE"] ? join((env["HOME"] || env["USERPROFILE"]) as string, ".docker") : undefined);
  return dir === undefined ? undefined : join(dir, "config.json");
}

/** Names Docker Hub answers to in config keys and references; all mean "docker.io" (the key references use). */
const DOCKER_HUB_NAMES = new Set([DOCKER_HUB_REGISTRY, LEGACY_DOCKER_HUB_REGISTRY, DOCKER_HUB_API_HOST]);

/**
 * A config key or a reference's registry as the registry it names: scheme and path dropped
 * (docker/cli `ConvertToHostname`), lower-cased, and Docker Hub's names as "docker.io".
 * `https://index.docker.io/v1/` → "docker.io"; `http://localhost:5000` → "localhost:5000".
 */
export function registryKey(key: string): string {
  const host = (key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "").toLowerCase();
  return DOCKER_HUB_NAMES.has(host) ? DOCKER_HUB_REGISTRY : host;
}

/** What a config file says about one registry. */
export interface ConfigAnswer {
  readonly credentials?: Credentials;
  /** Why the registry is read anonymously although the file mentions it (a helper, an identity token). */
  readonly warning?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads the credentials for `registry` out of a config file's text. Pure. The first `auths`
 * entry whose key names the registry and holds a user and password wins; a file that is not
 * JSON, or not shaped as Docker writes it, is a bad-docker-config naming `file`.
 */
export function credentialsFromConfig(registry: string, text: string, file: string): Result<ConfigAnswer, LayerscopeError> {
  const bad = (reason: string): Result<ConfigAnswer, LayerscopeError> => err({ kind: "bad-docker-config", file, reason });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return bad(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(parsed)) return bad("the file is not a JSON object");
  const { auths, credsStore, credHelpers } = parsed;
  if (auths !== undefined && !isObject(auths)) return bad("“auths” is not an object");
  if (credsStore !== undefined && typeof credsStore !== "string") return bad("“credsStore” is not a string");
  if (credHelpers !== undefined && !isObject(credHelpers)) return bad("“credHelpers” is not an object");

  const wanted = registryKey(registry);
  let identityTokenOnly = false;
  for (const [key, entry] of Object.entries(auths ?? {})) {
    if (registryKey(key) !== wanted) continue;
    if (!isObject(entry)) return bad(`the auths entry “${key}” is not an object`);
    const found = entryCredentials(entry);
    if (typeof found === "string") return bad(`the auths entry “${key}”: ${found}`);
    if (found !== undefined) return ok({ credentials: found });
    if (typeof entry["identitytoken"] === "string" && entry["identitytoken"] !== "") identityTokenOnly = true;
  }

  const helperEntry = Object.entries(credHelpers ?? {}).find(([key]) => registryKey(key) === wanted);
  const helper = helperEntry !== undefined ? helperEntry[1] : credsStore;
  if (typeof helper === "string" && helper !== "") {
    return ok({
      warning: `${file} keeps the credentials for ${registry} in the credential helper docker-credential-${helper}, which layerscope does not run; reading ${registry} anonymously (give credentials with --username NAME --password-stdin)`,
    });
  }
  if (identityTokenOnly) {
    return ok({ warning: `${file} holds only an identity token for ${registry}, which layerscope does not use; reading ${registry} anonymously` });
  }
  return ok({});
}

/** An auths entry's user and password; undefined when it holds none (an empty entry a helper left); a string says what is wrong. */
function entryCredentials(entry: Record<string, unknown>): Credentials | undefined | string {
  const auth = entry["auth"];
  if (auth !== undefined && auth !== "") {
    if (typeof auth !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(auth.trim())) return "“auth” is not base64";
    const decoded = Buffer.from(auth.trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return "“auth” is not base64 of user:password";
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const { username, password } = entry;
  if (typeof username === "string" && username !== "" && typeof password === "string" && password !== "") return { username, password };
  return undefined;
}

/**
 * The credentials to use for `registry` (a reference's registry, e.g. "docker.io",
 * "ghcr.io", "127.0.0.1:5000"): `given` (from --username/--password-stdin) when present, without
 * reading any file; else the config file's plain entry; else none (anonymous). A missing file is
 * no error; an unreadable or malformed one is.
 */
export async function registryCredentials(
  registry: string,
  given: Credentials | undefined,
  context: CredentialsContext,
): Promise<Result<Credentials | undefined, LayerscopeError>> {
  if (given !== undefined) return ok(given);
  const file = dockerConfigFile(context.env);
  if (file === undefined) return ok(undefined);
  let text: string;
  try {
    text = await (context.readText ?? ((p: string) => readFile(p, "utf8")))(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return ok(undefined);
    return err({ kind: "bad-docker-config", file, reason: `cannot read it (${typeof code === "string" ? code : e instanceof Error ? e.message : String(e)})` });
  }
  const answer = credentialsFromConfig(registry, text, file);
  if (!answer.ok) return answer;
  if (answer.value.warning !== undefined) context.warn(answer.value.warning);
  return ok(answer.value.credentials);
}
