import { describe, expect, it } from "vitest";

import { DestinationPolicy, DestinationRefused, guardedLookup, parseHostPort, refusalReason, type ResolvedAddress } from "../policy.js";

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
