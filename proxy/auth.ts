// Registry authentication pieces (distribution "token" auth, RFC 7235 challenges, RFC 7617 Basic).
// Credentials arrive from the browser per request and are used only for that request's
// registry (P7); they are never stored. Tokens may be cached, keyed by a keyed hash of the
// credentials so a token obtained with one user's credentials never serves another request.

import { createHmac, randomBytes } from "node:crypto";

export interface Credentials {
  username: string;
  password: string;
}

/** One challenge of a WWW-Authenticate header; `scheme` lower-cased, param names lower-cased. */
export interface Challenge {
  scheme: string;
  params: Map<string, string>;
}

const TOKEN_CHARS = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a WWW-Authenticate value into its challenges, e.g.
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
 * Lenient about whitespace; a malformed tail ends parsing rather than throwing.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (header === undefined) return [];
  const s = header;
  const out: Challenge[] = [];
  let i = 0;
  const skipWs = (): void => {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHARS.test(s[i] ?? "")) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === ",")) i++;
    const scheme = readToken();
    if (scheme === "") break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: new Map() };
    out.push(challenge);
    for (;;) {
      skipWs();
      const before = i;
      const key = readToken();
      skipWs();
      if (key === "" || s[i] !== "=") {
        i = before;
        break;
      }
      i++;
      skipWs();
      let value = "";
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        value = readToken();
      }
      challenge.params.set(key.toLowerCase(), value);
      skipWs();
      if (s[i] === ",") i++;
      else break;
    }
    // Skip anything unparseable up to the next comma so one odd challenge doesn't hide the rest.
    while (i < s.length && s[i] !== ",") i++;
  }
  return out;
}

/**
 * Reads `Authorization: Basic base64(user:pass)` sent by the browser to the proxy.
 * Returns undefined when absent, or an error message when present but not Basic credentials.
 */
export function parseClientCredentials(header: string | undefined): Credentials | undefined | { error: string } {
  if (header === undefined) return undefined;
  const m = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (m === null || header.length > 4096) return { error: "Authorization must be Basic credentials" };
  const decoded = Buffer.from(m[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return { error: "Basic credentials must be user:password" };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `Basic …` header value for upstream (RFC 7617, UTF-8). */
export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64")}`;
}

// A per-process random key: the credential hash is useless outside this process and cannot be
// brute-forced offline from a heap dump of cache keys.
const CREDENTIAL_KEY = randomBytes(32);

/** Keyed hash identifying a credential pair for cache keys; "anonymous" without credentials. */
export function credentialId(c: Credentials | undefined): string {
  if (c === undefined) return "anonymous";
  return createHmac("sha256", CREDENTIAL_KEY).update(c.username).update("\0").update(c.password).digest("hex");
}

/** What the registry's last challenge said, remembered per registry so later requests can authenticate up front. */
export type RememberedChallenge = { scheme: "basic" } | { scheme: "bearer"; realm: string; service: string | undefined };

/** Small bounded maps with expiry; insertion order gives a cheap oldest-first eviction. */
class BoundedMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  constructor(readonly maxEntries: number) {}
  get(key: string, now = Date.now()): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, ttlMs: number, now = Date.now()): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** Longest a token is kept, whatever `expires_in` says; short so revocation is noticed soon. */
const MAX_TOKEN_TTL_MS = 5 * 60_000;
/** distribution token spec: expires_in defaults to 60 seconds. */
const DEFAULT_TOKEN_TTL_S = 60;
/** Tokens are dropped this much before they expire, so one isn't used in its last seconds. */
const TOKEN_MARGIN_MS = 10_000;

export interface TokenKey {
  registry: string;
  realm: string;
  service: string | undefined;
  scope: string | undefined;
  credentials: string;
}

/** Bearer tokens by (registry, realm, service, scope, credential id). */
export class TokenCache {
  readonly #map = new BoundedMap<string>(512);
  static key(k: TokenKey): string {
    return JSON.stringify([k.registry, k.realm, k.service ?? "", k.scope ?? "", k.credentials]);
  }
  get(k: TokenKey): string | undefined {
    return this.#map.get(TokenCache.key(k));
  }
  set(k: TokenKey, token: string, expiresInSeconds: number | undefined): void {
    const seconds = expiresInSeconds !== undefined && Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_TOKEN_TTL_S;
    const ttl = Math.min(seconds * 1000 - TOKEN_MARGIN_MS, MAX_TOKEN_TTL_MS);
    if (ttl > 0) this.#map.set(TokenCache.key(k), token, ttl);
  }
  delete(k: TokenKey): void {
    this.#map.delete(TokenCache.key(k));
  }
}

/** Last challenge per registry `host:port` (public information, not a secret). */
export class ChallengeMemo {
  readonly #map = new BoundedMap<RememberedChallenge>(1024);
  get(registry: string): RememberedChallenge | undefined {
    return this.#map.get(registry);
  }
  set(registry: string, c: RememberedChallenge): void {
    this.#map.set(registry, c, 60 * 60_000);
  }
}
