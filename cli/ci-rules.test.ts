/**
 * dive's CI thresholds, table-driven: sizes as go-humanize v1.0.1 ParseBytes reads them (SI for
 * "MB" whatever its case, IEC for "MiB"), ratios as strconv.ParseFloat plus dive's 0..1 range,
 * dive's "disabled" words, and each rule at its boundary (dive's comparisons are strict:
 * a figure equal to its threshold passes).
 */
import { describe, expect, it } from "vitest";
import type { DiveFigures } from "../src/core/filetree";
import { DIVE_DEFAULTS, evaluateRule, isDisabled, parseBytes, parseRatio, parseThreshold } from "./ci-rules";

describe("parseBytes (go-humanize ParseBytes)", () => {
  it.each([
    ["20MB", 20_000_000],
    ["20Mb", 20_000_000], // dive's own .dive-ci: lower-case b is still bytes
    ["20mb", 20_000_000],
    ["20M", 20_000_000],
    ["20 MB", 20_000_000],
    ["20MB ", 20_000_000],
    ["19Mb", 19_000_000],
    ["50kB", 50_000],
    ["50K", 50_000],
    ["1GB", 1_000_000_000],
    ["1GiB", 1_073_741_824],
    ["1gi", 1_073_741_824],
    ["20MiB", 20_971_520],
    ["1.5KiB", 1536],
    ["1B", 1],
    ["1000", 1000],
    ["1,000", 1000],
    ["1,000.5 kB", 1_000_500],
    [".5KB", 500],
    ["1.KB", 1000],
    ["0.5B", 0], // truncated, as uint64(f)
    ["0", 0],
    ["1TB", 1e12],
    ["1PiB", 2 ** 50],
    ["18EB", 18e18],
  ])("%j is %d bytes", (text, bytes) => {
    expect(parseBytes(text)).toEqual({ ok: true, value: bytes });
  });

  it.each([
    ["1BB", "unknown size unit “bb”"], // dive's own misconfiguration test
    ["-1BB", "must start with a number"],
    ["-1B", "must start with a number"],
    [" 20MB", "must start with a number"],
    ["", "must start with a number"],
    ["MB", "must start with a number"],
    ["not_a_size", "must start with a number"],
    ["1..2MB", "must start with a number"],
    ["1e3", "unknown size unit “e3”"],
    ["20XB", "unknown size unit “xb”"],
    ["20 bits", "unknown size unit “bits”"],
    ["19EB", "too large"],
  ])("%j is refused: %s", (text, reason) => {
    const r = parseBytes(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(reason);
  });
});

describe("parseRatio (strconv.ParseFloat, 0..1)", () => {
  it.each([
    ["0.9", 0.9],
    ["0.95", 0.95],
    ["0.10", 0.1],
    ["1", 1],
    ["1.0", 1],
    ["0", 0],
    [".5", 0.5],
    ["5e-1", 0.5],
    ["+0.5", 0.5],
  ])("%j is %d", (text, value) => {
    expect(parseRatio(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["1.1", "outside the allowed range"],
    ["10", "outside the allowed range"],
    ["-0.1", "outside the allowed range"],
    ["-9", "outside the allowed range"],
    ["not_a_number", "not a number"],
    ["NaN", "not a number"],
    ["inf", "not a number"],
    [" 0.9", "not a number"],
    ["0.9 ", "not a number"],
    ["0x1p-1", "not a number"],
    ["90%", "not a number"],
  ])("%j is refused: %s", (text, reason) => {
    const r = parseRatio(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(reason);
  });
});

describe("disabled rules (dive's isRuleDisabled)", () => {
  it.each(["disabled", "DISABLED", " Disabled ", "off", "false", "", "  "])("%j disables a rule", (text) => {
    expect(isDisabled(text)).toBe(true);
    expect(parseThreshold("lowestEfficiency", text)).toEqual({ ok: true, value: { kind: "disabled" } });
    expect(parseThreshold("highestWastedBytes", text)).toEqual({ ok: true, value: { kind: "disabled" } });
  });

  it.each(["0", "no", "none", "enabled"])("%j does not", (text) => {
    expect(isDisabled(text)).toBe(false);
  });

  it("dive's defaults: efficiency 0.9, wasted bytes off, user wasted 0.1", () => {
    expect(DIVE_DEFAULTS).toEqual({ lowestEfficiency: "0.9", highestWastedBytes: "disabled", highestUserWastedPercent: "0.1" });
  });
});

describe("evaluateRule at each boundary", () => {
  const figures: DiveFigures = { efficiency: 0.9, wastedBytes: 1000, userWastedPercent: 0.25, sizeBytes: 10_000, userSizeBytes: 4000 };
  it.each([
    // efficiency fails only strictly below the threshold
    ["lowestEfficiency", "0.9", "pass"],
    ["lowestEfficiency", "0.89", "pass"],
    ["lowestEfficiency", "0.9000001", "fail"],
    // wasted bytes fail only strictly over
    ["highestWastedBytes", "1000", "pass"],
    ["highestWastedBytes", "1kB", "pass"],
    ["highestWastedBytes", "999", "fail"],
    ["highestWastedBytes", "1KiB", "pass"],
    // user wasted percent fails only strictly over
    ["highestUserWastedPercent", "0.25", "pass"],
    ["highestUserWastedPercent", "0.2499", "fail"],
    ["highestUserWastedPercent", "disabled", "skip"],
  ] as const)("%s %s → %s", (rule, value, status) => {
    const t = parseThreshold(rule, value);
    if (!t.ok) throw new Error(t.error);
    const outcome = evaluateRule(rule, t.value, figures);
    expect(outcome.status).toBe(status);
    expect(outcome.threshold).toBe(t.value.kind === "disabled" ? null : t.value.value);
  });

  it("says what it compared, in dive's words", () => {
    const fail = evaluateRule("lowestEfficiency", { kind: "ratio", value: 0.95 }, figures);
    expect(fail.message).toBe("image efficiency is too low (efficiency=0.9 < threshold=0.95)");
    expect(evaluateRule("highestWastedBytes", { kind: "bytes", value: 10 }, figures).message).toBe("too many bytes wasted (wasted-bytes=1000 > threshold=10)");
    expect(evaluateRule("highestUserWastedPercent", { kind: "ratio", value: 0.1 }, figures).message).toBe(
      "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.25 > threshold=0.1)",
    );
  });
});
