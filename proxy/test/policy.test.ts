import { describe, expect, it } from "vitest";

import { DestinationPolicy, DestinationRefused, guardedLookup, isLocalRegistryHost, parseHostPort, refusalReason, type HostPort, type ResolvedAddress } from "../policy.js";
import { parseRegistryRoute } from "../routes.js";
import { registryBase, type UpstreamDeps } from "../upstream.js";

describe("P2 host canonicalisation (WHATWG URL) then refusal", () => {
  const cases: [input: string, canonicalHost: string, port: number][] = [
    ["2130706433", "127.0.0.1", 443],
    ["0x7f.1", "127.0.0.1", 443],
    ["017700000001", "127.0.0.1", 443],
    ["127.1", "127.0.0.1", 443],
    ["0", "0.0.0.0", 443],
    ["①②⑦.0.0.1", "127.0.0.1", 443],
    ["[::ffff:7f00:1]", "[::ffff:7f00:1]", 443],
    ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", 443],
    ["[64:ff9b::7f00:1]", "[64:ff9b::7f00:1]", 443],
    ["[::127.0.0.1]", "[::7f00:1]", 443],
    ["127.0.0.1:5000", "127.0.0.1", 5000],
    ["127.0.0.1:80", "127.0.0.1", 80],
    ["127.0.0.1:443", "127.0.0.1", 443],
    ["[::1]:5002", "[::1]", 5002],
  ];
  it.each(cases)("P2 %s → %s:%i and refused", (input, host, port) => {
    const hp = parseHostPort(input);
    expect(hp).toEqual({ hostname: host, port, key: `${host}:${port}` });
    expect(() => new DestinationPolicy([]).check(hp!, "https:")).toThrow(DestinationRefused);
  });

  it.each([["Registry.Example.COM", "registry.example.com"], ["bücher.example", "xn--bcher-kva.example"], ["ghcr.io:443", "ghcr.io"]])(
    "names are lower-cased and punycoded: %s",
    (input, host) => {
      expect(parseHostPort(input)?.hostname).toBe(host);
    },
  );

  it.each(["", "user@host", "a:b@host", "host/path", "host?x", "host#x", "host:0", "host:65536", "ho st", "%31", "host\r\n", "[fe80::1%25eth0]", "a\\b", "[::1"])(
    "not a host[:port]: %j",
    (input) => {
      expect(parseHostPort(input)).toBeUndefined();
    },
  );
});

describe("P1 address classification", () => {
  const refused = [
    "169.254.169.254",
    "fd00:ec2::254",
    "[fd00:ec2::254]",
    "100.100.100.200",
    "100.64.0.1",
    "168.63.129.16",
    "10.0.0.1",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.1.1",
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "255.255.255.255",
    "224.0.0.1",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:10.1.2.3",
    "::7f00:1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "fe80::1",
    "febf::1",
    "fc00::1",
    "ff02::1",
    "2001:db8::1",
    "not-an-ip",
  ];
  it.each(refused)("P1 %s is refused", (address) => {
    expect(refusalReason(address)).toBeTypeOf("string");
  });

  const allowed = ["8.8.8.8", "1.1.1.1", "140.82.112.33", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"];
  it.each(allowed)("%s is public", (address) => {
    expect(refusalReason(address)).toBeUndefined();
  });

  it("P1 allowlisted host:port entries pass, canonicalised, and only on their port", () => {
    const policy = new DestinationPolicy(["127.1:5001", "[::1]:5002", "localhost:5003"]);
    expect(policy.check(parseHostPort("127.0.0.1:5001")!, "http:")).toEqual({ exempt: true });
    expect(policy.check(parseHostPort("2130706433:5001")!, "http:")).toEqual({ exempt: true });
    expect(policy.check(parseHostPort("[::1]:5002")!, "http:")).toEqual({ exempt: true });
    expect(policy.check(parseHostPort("localhost:5003")!, "http:")).toEqual({ exempt: true });
    expect(() => policy.check(parseHostPort("127.0.0.1:5002")!, "https:")).toThrow(/destination not allowed/);
    // Plain http only for the allowlist.
    expect(() => policy.check(parseHostPort("registry.example.com")!, "http:")).toThrow(/destination not allowed/);
    expect(policy.check(parseHostPort("registry.example.com")!, "https:")).toEqual({ exempt: false });
  });

  it("bad allowlist entries fail loudly", () => {
    expect(() => new DestinationPolicy(["127.0.0.1"])).toThrow(/host:port/);
    expect(() => new DestinationPolicy(["http://x:1"])).toThrow(/host:port/);
  });
});

describe("P3 the connect-time lookup checks the address actually connected", () => {
  type Got = { err: NodeJS.ErrnoException | null; address: unknown; family?: number | undefined };
  const run = (answers: ResolvedAddress[], exempt: boolean, all: boolean): Promise<Got> =>
    new Promise((resolve) => {
      const lookup = guardedLookup(async () => answers, exempt);
      lookup("registry.example.com", { all }, (err, address, family) => resolve({ err, address, family }));
    });

  it("P3 a public name resolving to a private address is refused", async () => {
    const got = await run([{ address: "10.0.0.5", family: 4 }], false, false);
    expect(got.err).toBeInstanceOf(DestinationRefused);
    expect(got.err?.message).toMatch(/destination not allowed/);
  });

  it("P3 any private answer among public ones refuses (happy eyeballs could pick it)", async () => {
    const got = await run(
      [
        { address: "8.8.8.8", family: 4 },
        { address: "::ffff:169.254.169.254", family: 6 },
      ],
      false,
      true,
    );
    expect(got.err).toBeInstanceOf(DestinationRefused);
  });

  it("P3 public answers are passed on in both callback shapes", async () => {
    expect(await run([{ address: "8.8.8.8", family: 4 }], false, false)).toEqual({ err: null, address: "8.8.8.8", family: 4 });
    expect(await run([{ address: "8.8.8.8", family: 4 }], false, true)).toEqual({ err: null, address: [{ address: "8.8.8.8", family: 4 }], family: undefined });
  });

  it("P3 allowlisted destinations are exempt", async () => {
    expect(await run([{ address: "127.0.0.1", family: 4 }], true, false)).toEqual({ err: null, address: "127.0.0.1", family: 4 });
  });
});

describe("allowPrivate: the command line's --allow-private (the proxy never sets it)", () => {
  const hp = (input: string): HostPort => {
    const parsed = parseHostPort(input);
    if (parsed === undefined) throw new Error(`not a host: ${input}`);
    return parsed;
  };
  const open = new DestinationPolicy([], { allowPrivate: true });
  const strict = new DestinationPolicy([]);

  // go-containerregistry pkg/name/registry.go Scheme(): http for localhost, loopback and RFC 1918 literals.
  it.each([
    ["localhost:5000", true],
    ["localhost", true],
    ["registry.localhost:5000", true],
    ["127.0.0.1:5000", true],
    ["127.1.2.3", true],
    ["[::1]:5000", true],
    ["10.1.2.3:5000", true],
    ["172.16.0.1", true],
    ["172.31.255.255:443", true],
    ["192.168.1.10:5000", true],
    ["172.32.0.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["[fd00::1]:5000", false],
    ["[::ffff:127.0.0.1]", false],
    ["8.8.8.8", false],
    ["ghcr.io", false],
    ["localhost.example.com", false],
    ["registry.internal:5000", false],
  ])("%s is spoken to over plain http: %s", (input, local) => {
    expect(isLocalRegistryHost(hp(input))).toBe(local);
    expect(open.plainHttp(hp(input))).toBe(local);
    expect(strict.plainHttp(hp(input))).toBe(false);
  });

  it.each(["127.0.0.1:5000", "10.0.0.1", "169.254.169.254", "[::1]:5000", "[fd00:ec2::254]", "8.8.8.8", "ghcr.io"])(
    "%s passes over https, exempt from the connect-time check",
    (input) => {
      expect(open.check(hp(input), "https:")).toEqual({ exempt: true });
    },
  );

  it.each(["127.0.0.1:5000", "192.168.1.10", "localhost:5000", "[::1]:5002"])("%s passes over plain http", (input) => {
    expect(open.check(hp(input), "http:")).toEqual({ exempt: true });
  });

  it.each(["ghcr.io", "8.8.8.8", "169.254.169.254", "registry.internal:5000"])("%s is refused over plain http (no downgrade)", (input) => {
    expect(() => open.check(hp(input), "http:")).toThrow(/not reachable over plain http/);
  });

  it("without it, the same destinations are refused as before", () => {
    expect(() => strict.check(hp("127.0.0.1:5000"), "https:")).toThrow("destination not allowed: 127.0.0.1 is loopback");
    expect(() => strict.check(hp("127.0.0.1:5000"), "http:")).toThrow(/only allowlisted hosts/);
  });

  it("the allowlist still works beside it", () => {
    const both = new DestinationPolicy(["registry.internal:5000"], { allowPrivate: true });
    expect(both.plainHttp(hp("registry.internal:5000"))).toBe(true);
    expect(both.check(hp("registry.internal:5000"), "http:")).toEqual({ exempt: true });
  });

  it("registryBase picks the scheme from the policy", () => {
    const base = (policy: DestinationPolicy, url: string): string => {
      const route = parseRegistryRoute(url);
      if (!route.ok) throw new Error(route.message);
      return registryBase({ policy } as UpstreamDeps, route.route).href;
    };
    expect(base(open, "/registry/127.0.0.1:5000/v2/")).toBe("http://127.0.0.1:5000/");
    expect(base(open, "/registry/ghcr.io/v2/")).toBe("https://ghcr.io/");
    expect(base(strict, "/registry/127.0.0.1:5000/v2/")).toBe("https://127.0.0.1:5000/");
    expect(base(new DestinationPolicy(["127.0.0.1:5000"]), "/registry/127.0.0.1:5000/v2/")).toBe("http://127.0.0.1:5000/");
  });
});
