import { describe, expect, it } from "vitest";
import { clip, decodeLossless, formatRate, modeString, nameParts, ownerLabel, partsToString, rawBaseName } from "./format";

describe("modeString", () => {
  it.each([
    ["dir", 0o755, "drwxr-xr-x"],
    ["file", 0o644, "-rw-r--r--"],
    ["symlink", 0o777, "lrwxrwxrwx"],
    ["file", 0o4755, "-rwsr-xr-x"],
    ["file", 0o4644, "-rwSr--r--"],
    ["file", 0o2755, "-rwxr-sr-x"],
    ["file", 0o2745, "-rwxr-Sr-x"],
    ["dir", 0o1777, "drwxrwxrwt"],
    ["dir", 0o1776, "drwxrwxrwT"],
    ["char", 0o666, "crw-rw-rw-"],
    ["block", 0o660, "brw-rw----"],
    ["fifo", 0o600, "prw-------"],
    ["hardlink", 0o644, "-rw-r--r--"],
    ["unknown", 0o000, "?---------"],
  ] as const)("%s %o → %s", (type, mode, want) => {
    expect(modeString(type, mode)).toBe(want);
  });
});

describe("ownerLabel", () => {
  it.each([
    [{ uid: 0, gid: 0, uname: "", gname: "" }, "0:0"],
    [{ uid: 0, gid: 0, uname: "root", gname: "root" }, "root:root"],
    [{ uid: 101, gid: 65534, uname: "nginx", gname: "" }, "nginx:65534"],
  ])("%o → %s", (owner, want) => {
    expect(ownerLabel(owner).text).toBe(want);
  });
});

describe("decodeLossless", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);
  it.each([
    ["ascii", bytes(0x61, 0x62), [{ text: "ab" }]],
    ["two-byte", bytes(0xc3, 0xa9), [{ text: "é" }]],
    ["four-byte", bytes(0xf0, 0x9f, 0x98, 0x80), [{ text: "😀" }]],
    ["lone 0xff", bytes(0x61, 0xff, 0x62), [{ text: "a" }, { byte: 0xff }, { text: "b" }]],
    ["overlong slash", bytes(0xc0, 0xaf), [{ byte: 0xc0 }, { byte: 0xaf }]],
    ["surrogate", bytes(0xed, 0xa0, 0x80), [{ byte: 0xed }, { byte: 0xa0 }, { byte: 0x80 }]],
    ["truncated sequence", bytes(0xe2, 0x82), [{ byte: 0xe2 }, { byte: 0x82 }]],
    ["past U+10FFFF", bytes(0xf4, 0x90, 0x80, 0x80), [{ byte: 0xf4 }, { byte: 0x90 }, { byte: 0x80 }, { byte: 0x80 }]],
  ])("%s", (_name, input, want) => {
    expect(decodeLossless(input)).toEqual(want);
  });

  it("shows invalid bytes of an entry's base name, without the whiteout prefix", () => {
    const raw = new Uint8Array([0x64, 0x2f, 0x2e, 0x77, 0x68, 0x2e, 0x78, 0xff]);
    expect(partsToString(nameParts("x\uFFFD", { rawPath: raw, flags: ["invalid-utf8"], whiteout: "whiteout" }))).toBe("x⟨\\xFF⟩");
    expect(partsToString(nameParts("plain", { rawPath: raw, whiteout: "none" }))).toBe("plain");
    expect([...rawBaseName(new Uint8Array([0x61, 0x2f, 0x62, 0x2f]))]).toEqual([0x62]);
  });
});

describe("clip and formatRate", () => {
  it("clips without splitting a surrogate pair", () => {
    expect(clip("ab😀cd", 3)).toEqual({ text: "ab…", cut: true });
    expect(clip("abc", 3)).toEqual({ text: "abc", cut: false });
  });
  it.each([
    [0, "—"],
    [1_500_000, "1.5 MB/s"],
    [143_000_000, "143 MB/s"],
  ])("%d B/s → %s", (n, want) => {
    expect(formatRate(n)).toBe(want);
  });
});
