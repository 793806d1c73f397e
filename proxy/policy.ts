// Destination policy: which hosts the proxy may talk to (SECURITY.md P1–P4, P6).
//
// The proxy faces the internet, so every destination — the registry named in the path, each
// redirect hop and each token realm — must be a public address. Names are checked twice:
// the literal host once it is canonicalised (WHATWG URL turns `0x7f.1`, `2130706433` and
// `①②⑦.0.0.1` into `127.0.0.1`), and the address a name resolves to inside the socket's own
// `lookup`, so the address checked is the address connected (P3, DNS rebinding).
// The operator's allowlist (PROXY_ALLOW_HOSTS, exact canonical `host:port`) is the proxy's only
// way past the policy, and its only way to speak plain http. The command line, which runs these
// same rules in-process on the user's machine, has one more: `--allow-private` (PolicyOptions).

import { isIP } from "node:net";
import type { LookupFunction } from "node:net";
import { lookup as dnsLookup } from "node:dns/promises";

/** A destination in canonical form: `hostname` as WHATWG URL prints it (IPv6 in brackets). */
export interface HostPort {
  hostname: string;
  port: number;
  /** `hostname:port`, the allowlist key. */
  key: string;
}

/** Registries speak https on 443 unless the reference names a port. */
export const DEFAULT_REGISTRY_PORT = 443;

/**
 * Canonicalises a `host[:port]` string with WHATWG URL, as a browser would.
 * Returns undefined for anything that is not a bare host with an optional port
 * (userinfo, path, query, fragment, percent signs, whitespace, port 0).
 */
export function parseHostPort(input: string): HostPort | undefined {
  if (input.length === 0 || input.length > 300) return undefined;
  // Percent signs are refused outright: the router has already decoded the segment once,
  // and a second decoding inside URL would let `%2531` smuggle a digit past this check.
  if (/[/\\?#@%\s]/u.test(input) || hasControlCharacter(input)) return undefined;
  let asHttp: URL;
  let asHttps: URL;
  try {
    asHttp = new URL(`http://${input}`);
    asHttps = new URL(`https://${input}`);
  } catch {
    return undefined;
  }
  if (asHttp.username !== "" || asHttp.password !== "" || asHttp.pathname !== "/" || asHttp.search !== "" || asHttp.hash !== "") {
    return undefined;
  }
  if (asHttp.hostname === "") return undefined;
  // URL drops a port equal to the scheme default, so parse under both schemes: an explicit
  // `:80` survives under https and an explicit `:443` survives under http.
  const portText = asHttp.port !== "" ? asHttp.port : asHttps.port;
  const port = portText === "" ? DEFAULT_REGISTRY_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return makeHostPort(asHttp.hostname, port);
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The destination of an absolute http(s) URL (already canonical, because it is a URL). */
export function hostPortOfUrl(url: URL): HostPort {
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return makeHostPort(url.hostname, port);
}

function makeHostPort(hostname: string, port: number): HostPort {
  return { hostname, port, key: `${hostname}:${port}` };
}

/** The IP literal inside a canonical hostname (brackets removed), or undefined for a name. */
export function ipLiteralOf(hostname: string): string | undefined {
  if (hostname.startsWith("[") && hostname.endsWith("]")) return hostname.slice(1, -1);
  return isIP(hostname) === 4 ? hostname : undefined;
}

// ---------------------------------------------------------------------------------------
// Address classification. Own CIDR matcher over bytes (rather than net.BlockList) so that
// addresses embedding an IPv4 address (mapped, NAT64, 6to4) are judged by that address.

type Bytes = readonly number[];

interface Range {
  prefix: Bytes;
  bits: number;
  reason: string;
}

function v4(cidr: string, reason: string): Range {
  const [address = "", bits = "32"] = cidr.split("/");
  const prefix = parseIPv4(address);
  if (prefix === undefined) throw new Error(`bad built-in range ${cidr}`);
  return { prefix, bits: Number(bits), reason };
}

function v6(cidr: string, reason: string): Range {
  const [address = "", bits = "128"] = cidr.split("/");
  const prefix = parseIPv6(address);
  if (prefix === undefined) throw new Error(`bad built-in range ${cidr}`);
  return { prefix, bits: Number(bits), reason };
}

/** IPv4 ranges that are never a public registry (IANA special-purpose registry, RFC 6890). */
const IPV4_REFUSED: readonly Range[] = [
  v4("0.0.0.0/8", "'this network' (0.0.0.0/8)"),
  v4("10.0.0.0/8", "private network (RFC 1918)"),
  v4("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local (cloud metadata)"),
  v4("172.16.0.0/12", "private network (RFC 1918)"),
  v4("192.0.0.0/24", "IETF protocol assignments"),
  v4("192.0.2.0/24", "documentation (TEST-NET-1)"),
  v4("192.88.99.0/24", "6to4 relay anycast"),
  v4("192.168.0.0/16", "private network (RFC 1918)"),
  v4("198.18.0.0/15", "benchmarking"),
  v4("198.51.100.0/24", "documentation (TEST-NET-2)"),
  v4("203.0.113.0/24", "documentation (TEST-NET-3)"),
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved or broadcast"),
  // Azure's wire server answers metadata and secrets from inside a VM.
  v4("168.63.129.16/32", "Azure wire server"),
];

/** IPv6 ranges refused outright (the embedded-IPv4 forms are handled separately). */
const IPV6_REFUSED: readonly Range[] = [
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible form.
  v6("::/96", "unspecified, loopback or IPv4-compatible"),
  v6("64:ff9b:1::/48", "local-use NAT64"),
  v6("100::/64", "discard-only"),
  v6("2001::/23", "IETF protocol assignments (Teredo, benchmarking)"),
  v6("2001:db8::/32", "documentation"),
  v6("3fff::/20", "documentation"),
  v6("fc00::/7", "unique local"),
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "site-local"),
  v6("ff00::/8", "multicast"),
];

/** IPv6 prefixes that carry an IPv4 address; that address decides. [prefix, byte offset of the IPv4 address]. */
const IPV6_EMBEDDING: readonly (readonly [Range, number])[] = [
  [v6("::ffff:0:0/96", "IPv4-mapped"), 12],
  [v6("64:ff9b::/96", "NAT64"), 12],
  [v6("2002::/16", "6to4"), 2],
];

function matches(address: Bytes, range: Range): boolean {
  if (address.length !== range.prefix.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address[i] ?? 0) & mask) !== ((range.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Why an IP address may not be a destination, or undefined when it is public.
 * Accepts IPv4 dotted quads and IPv6 text (with or without brackets); anything else is refused.
 */
export function refusalReason(address: string): string | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const four = parseIPv4(bare);
  if (four !== undefined) return IPV4_REFUSED.find((r) => matches(four, r))?.reason;
  const six = parseIPv6(bare);
  if (six === undefined) return "not an IP address";
  for (const [range, offset] of IPV6_EMBEDDING) {
    if (matches(six, range)) {
      const inner = six.slice(offset, offset + 4);
      const reason = IPV4_REFUSED.find((r) => matches(inner, r))?.reason;
      return reason === undefined ? undefined : `${range.reason} ${reason}`;
    }
  }
  return IPV6_REFUSED.find((r) => matches(six, r))?.reason;
}

/** Strict dotted-quad decimal (the canonical form; WHATWG URL has already normalised hosts). */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

/** IPv6 text (RFC 4291 §2.2, with `::` and a trailing dotted quad) → 16 bytes. No zone ids. */
export function parseIPv6(text: string): number[] | undefined {
  if (isIP(text) !== 6) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const expand = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = expand(halves[0] ?? "");
  const tail = halves.length === 2 ? expand(halves[1] ?? "") : [];
  const words: number[] = [];
  const pushGroups = (list: string[], into: number[]): boolean => {
    for (const g of list) {
      if (g.includes(".")) {
        const q = parseIPv4(g);
        if (q === undefined) return false;
        into.push(((q[0] ?? 0) << 8) | (q[1] ?? 0), ((q[2] ?? 0) << 8) | (q[3] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
        into.push(parseInt(g, 16));
      }
    }
    return true;
  };
  const headWords: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(head, headWords) || !pushGroups(tail, tailWords)) return undefined;
  if (halves.length === 2) {
    const missing = 8 - headWords.length - tailWords.length;
    if (missing < 1) return undefined;
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  } else {
    words.push(...headWords);
  }
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

// ---------------------------------------------------------------------------------------

/** Raised (inside lookup or before a request) when a destination is refused. */
export class DestinationRefused extends Error {
  override readonly name = "DestinationRefused";
  readonly code = "LAYERSCOPE_DESTINATION_REFUSED";
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`destination not allowed: ${host} is ${reason}`);
  }
}

/** One resolved address, as dns.lookup({all: true}) returns it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a name to all its addresses. Injectable so tests can play a rebinding DNS server. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo), every address, in the order the system gives. */
export const systemResolver: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * A `lookup` for http(s).request that resolves with `resolver` and refuses the connection
 * when any resolved address is not public — so the address checked is the one connected
 * (P3). `exempt` is true for allowlisted destinations. Node skips lookup for IP literals,
 * which is why literals are checked by {@link DestinationPolicy.check} before connecting.
 */
export function guardedLookup(resolver: Resolver, exempt: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) {
          const e: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          e.code = "ENOTFOUND";
          callback(e, "", 0);
          return;
        }
        if (!exempt) {
          // Refuse if any answer is private: a name that mixes public and private answers
          // is either misconfigured or an attack, and happy-eyeballs might pick either.
          for (const a of wanted) {
            const reason = refusalReason(a.address);
            if (reason !== undefined) {
              callback(new DestinationRefused(hostname, reason), "", 0);
              return;
            }
          }
        }
        if (options.all === true) callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
        else {
          const first = wanted[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

/** Options of a {@link DestinationPolicy} beyond the allowlist. */
export interface PolicyOptions {
  /**
   * Let every destination be a private, loopback or link-local address (the command line's
   * `--allow-private`: it runs on the user's own machine, not facing the internet). Plain http is
   * then spoken to the hosts {@link isLocalRegistryHost} names, https to every other. The proxy
   * never sets this.
   */
  readonly allowPrivate?: boolean;
}

/** Dotted quads: 127/8 loopback and the RFC 1918 private networks. */
const LOCAL_V4: readonly Range[] = [
  v4("127.0.0.0/8", "loopback"),
  v4("10.0.0.0/8", "private network (RFC 1918)"),
  v4("172.16.0.0/12", "private network (RFC 1918)"),
  v4("192.168.0.0/16", "private network (RFC 1918)"),
];

/**
 * go-containerregistry's rule for speaking plain http to a registry (pkg/name/registry.go,
 * `Registry.Scheme`): `localhost` and names under `.localhost`, a loopback address (127/8, ::1),
 * or an RFC 1918 private IPv4 literal. Every other host is spoken to over https. A name that
 * merely resolves to a private address is not on the list: which scheme to use is decided
 * before any lookup, from what the user typed.
 */
export function isLocalRegistryHost(hp: HostPort): boolean {
  const host = hp.hostname;
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]") return true;
  const four = parseIPv4(host);
  return four !== undefined && LOCAL_V4.some((r) => matches(four, r));
}

/** The operator's allowlist plus the public-address rules (or, for the command line, no address rules). */
export class DestinationPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #allowPrivate: boolean;

  /** `allowHosts`: `host:port` entries; each is canonicalised like a request host. Throws on a bad entry. */
  constructor(allowHosts: readonly string[], options: PolicyOptions = {}) {
    this.#allowPrivate = options.allowPrivate === true;
    const allowed = new Set<string>();
    for (const raw of allowHosts) {
      const entry = raw.trim();
      if (entry === "") continue;
      const hp = parseHostPort(entry);
      if (hp === undefined || !/:[0-9]+$/.test(entry)) {
        throw new Error(`PROXY_ALLOW_HOSTS entry ${JSON.stringify(entry)} is not host:port`);
      }
      allowed.add(hp.key);
    }
    this.#allowed = allowed;
  }

  isAllowlisted(hp: HostPort): boolean {
    return this.#allowed.has(hp.key);
  }

  /**
   * Whether a registry (or a redirect hop, or a token realm) at `hp` is spoken to over plain
   * http: allowlisted hosts, and with `allowPrivate` the hosts of {@link isLocalRegistryHost}.
   */
  plainHttp(hp: HostPort): boolean {
    return this.isAllowlisted(hp) || (this.#allowPrivate && isLocalRegistryHost(hp));
  }

  /**
   * Checks a destination before any socket opens: allowlisted entries pass (and may use http);
   * with `allowPrivate` every address passes, over https or where {@link plainHttp} says http;
   * otherwise the scheme must be https and an IP literal must be public. Names are checked
   * again at connect time by {@link guardedLookup} unless exempt. Throws DestinationRefused.
   */
  check(hp: HostPort, protocol: string): { exempt: boolean } {
    if (this.isAllowlisted(hp)) return { exempt: true };
    if (this.#allowPrivate) {
      // Any address, but no downgrade: http only where the scheme rule would have chosen it.
      if (protocol !== "https:" && !this.plainHttp(hp)) {
        throw new DestinationRefused(hp.hostname, "not reachable over plain http (only localhost, loopback and private IP literals are)");
      }
      return { exempt: true };
    }
    if (protocol !== "https:") throw new DestinationRefused(hp.hostname, "not reachable over plain http (only allowlisted hosts are)");
    const literal = ipLiteralOf(hp.hostname);
    if (literal !== undefined) {
      const reason = refusalReason(literal);
      if (reason !== undefined) throw new DestinationRefused(hp.hostname, reason);
    }
    return { exempt: false };
  }
}
