import { describe, expect, it } from "vitest";
import { formatBytes, formatRelative, shortDigest } from "./format";

describe("formatBytes (decimal, like docker)", () => {
  const cases: [n: number, want: string][] = [
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [3_400_000, "3.4 MB"],
    [31_400_000, "31.4 MB"],
    [314_000_000, "314 MB"],
    [999_960, "1.0 MB"],
    [-1, "—"],
    [Number.NaN, "—"],
  ];
  it.each(cases)("%d → %s", (n, want) => expect(formatBytes(n)).toBe(want));
});

describe("formatRelative", () => {
  const now = Date.parse("2024-06-01T00:00:00Z");
  const cases: [iso: string, want: string | undefined][] = [
    ["2024-05-31T00:00:00Z", "yesterday"],
    ["2024-03-01T00:00:00Z", "3 months ago"],
    ["2022-06-01T00:00:00Z", "2 years ago"],
    ["2024-06-01T00:00:00Z", "now"],
    ["not a date", undefined],
  ];
  it.each(cases)("%s → %s", (iso, want) => expect(formatRelative(iso, now)).toBe(want));
});

describe("shortDigest", () => {
  it.each([
    ["sha256:" + "a".repeat(64), "sha256:aaaaaaaaaaaa…"],
    ["sha256:abc", "sha256:abc"],
    ["nocolon", "nocolon"],
  ])("%s", (d, want) => expect(shortDigest(d)).toBe(want));
});
