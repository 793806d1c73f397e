/**
 * dive's three CI rules, with dive's semantics (issue 6), over the `dive` figures of
 * src/core/filetree computeEfficiency (the figures that match dive on its own test image). Pure.
 *
 * Read from wagoodman/dive (snapshot d6c69194, 2025-05-16):
 * - `cmd/dive/cli/internal/command/ci/rules.go`: the rules and their comparisons —
 *   lowestEfficiency fails when `threshold > efficiency` (strictly below); highestWastedBytes
 *   when `wastedBytes > threshold`, highestUserWastedPercent when `userWastedPercent > threshold`
 *   (strictly over: a figure equal to its threshold passes, although the comments of dive's
 *   `.dive-ci` say "at least X" and "met or crossed" — the code decides). Ratios must lie in
 *   0..1; a value is disabled when, trimmed and lower-cased, it is "", "disabled", "off" or "false"
 *   (`isRuleDisabled`); a value that does not parse is an error before anything is evaluated.
 * - `cmd/dive/cli/internal/options/ci_rules.go` `DefaultCIRules`: lowestEfficiency 0.9,
 *   highestWastedBytes disabled, highestUserWastedPercent 0.1 (the same as dive ≤ 0.12's viper defaults).
 * - sizes go through go-humanize v1.0.1 `ParseBytes` (dive's go.mod): SI and IEC both, by suffix,
 *   case-insensitive — "MB" and "Mb" and "M" are 1000² bytes (never bits), "MiB" and "Mi" 1024².
 */
import { err, ok, type Result } from "../src/core/result";
import type { DiveFigures } from "../src/core/filetree";

/** dive's rule names, in the order dive declares them. */
export const RULE_NAMES = ["lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent"] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** dive's defaults when neither a rules file nor a flag sets a rule (DefaultCIRules). */
export const DIVE_DEFAULTS: Readonly<Record<RuleName, string>> = {
  lowestEfficiency: "0.9",
  highestWastedBytes: "disabled",
  highestUserWastedPercent: "0.1",
};

/** A parsed threshold: a ratio (0..1) or a byte count, or off. */
export type Threshold = { readonly kind: "disabled" } | { readonly kind: "ratio"; readonly value: number } | { readonly kind: "bytes"; readonly value: number };

/** dive's isRuleDisabled. */
export function isDisabled(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === "" || v === "disabled" || v === "off" || v === "false";
}

// Go's strconv.ParseFloat for the decimal forms (no surrounding spaces). Go also takes hex floats,
// "inf" and "nan"; those are refused here: NaN would make dive's comparisons false and pass
// every image, and no one writes a threshold in hex.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A ratio from 0 to 1, as dive's NewLowestEfficiencyRule / NewHighestUserWastedPercentRule read it. */
export function parseRatio(value: string): Result<number, string> {
  if (!DECIMAL.test(value)) return err("not a number");
  const n = Number(value);
  if (n < 0 || n > 1) return err("outside the allowed range 0 to 1");
  return ok(n);
}

/** go-humanize's bytesSizeTable: suffix (lower case) → multiplier. */
const SIZE_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ["", 1],
  ["b", 1],
  ["k", 1e3],
  ["kb", 1e3],
  ["ki", 2 ** 10],
  ["kib", 2 ** 10],
  ["m", 1e6],
  ["mb", 1e6],
  ["mi", 2 ** 20],
  ["mib", 2 ** 20],
  ["g", 1e9],
  ["gb", 1e9],
  ["gi", 2 ** 30],
  ["gib", 2 ** 30],
  ["t", 1e12],
  ["tb", 1e12],
  ["ti", 2 ** 40],
  ["tib", 2 ** 40],
  ["p", 1e15],
  ["pb", 1e15],
  ["pi", 2 ** 50],
  ["pib", 2 ** 50],
  ["e", 1e18],
  ["eb", 1e18],
  ["ei", 2 ** 60],
  ["eib", 2 ** 60],
]);

/**
 * go-humanize v1.0.1 ParseBytes: the leading run of digits, dots and commas is the number (commas
 * dropped, then read as a float); the rest, trimmed and lower-cased, must be a known suffix; the
 * product is truncated to a whole number of bytes and must stay below 2⁶⁴. So "20MB" and "20Mb"
 * are 20 000 000, "1.5 KiB" is 1536, "1,000" is 1000, and "-1B" or " 20MB" are errors.
 */
export function parseBytes(value: string): Result<number, string> {
  const run = /^[0-9.,]*/.exec(value)?.[0] ?? "";
  const num = run.replaceAll(",", "");
  if (!/^(?:\d+\.?\d*|\.\d+)$/.test(num)) return err("not a size: it must start with a number");
  const suffix = value.slice(run.length).trim().toLowerCase();
  const multiplier = SIZE_SUFFIXES.get(suffix);
  if (multiplier === undefined) return err(`unknown size unit “${suffix}” (B, kB, MB, GB, TB, PB, EB, or KiB, MiB, GiB… for powers of 1024)`);
  const bytes = Number(num) * multiplier;
  if (bytes >= 2 ** 64) return err("too large");
  return ok(Math.trunc(bytes));
}

/** Parses one rule's configured value into a threshold, or the reason it cannot be used. */
export function parseThreshold(rule: RuleName, value: string): Result<Threshold, string> {
  if (isDisabled(value)) return ok({ kind: "disabled" });
  if (rule === "highestWastedBytes") {
    const b = parseBytes(value);
    return b.ok ? ok({ kind: "bytes", value: b.value }) : b;
  }
  const r = parseRatio(value);
  return r.ok ? ok({ kind: "ratio", value: r.value }) : r;
}

export type RuleStatus = "pass" | "fail" | "skip";

export interface RuleOutcome {
  readonly rule: RuleName;
  readonly status: RuleStatus;
  /** The image's figure the rule looks at (efficiency and userWastedPercent are ratios, wastedBytes bytes). */
  readonly actual: number;
  /** The threshold's number; null when the rule is disabled. */
  readonly threshold: number | null;
  /** What was compared, in dive's words: "efficiency=0.98 >= threshold=0.95". */
  readonly message: string;
}

/** The figure each rule reads from dive's five. */
const FIGURE: Readonly<Record<RuleName, keyof DiveFigures>> = {
  lowestEfficiency: "efficiency",
  highestWastedBytes: "wastedBytes",
  highestUserWastedPercent: "userWastedPercent",
};

/** Evaluates one rule as dive's Evaluate does. */
export function evaluateRule(rule: RuleName, threshold: Threshold, figures: DiveFigures): RuleOutcome {
  const actual = figures[FIGURE[rule]];
  if (threshold.kind === "disabled") return { rule, status: "skip", actual, threshold: null, message: "disabled" };
  const t = threshold.value;
  switch (rule) {
    case "lowestEfficiency":
      return t > actual
        ? { rule, status: "fail", actual, threshold: t, message: `image efficiency is too low (efficiency=${actual} < threshold=${t})` }
        : { rule, status: "pass", actual, threshold: t, message: `efficiency=${actual} >= threshold=${t}` };
    case "highestWastedBytes":
      return actual > t
        ? { rule, status: "fail", actual, threshold: t, message: `too many bytes wasted (wasted-bytes=${actual} > threshold=${t})` }
        : { rule, status: "pass", actual, threshold: t, message: `wasted-bytes=${actual} <= threshold=${t}` };
    case "highestUserWastedPercent":
      return actual > t
        ? {
            rule,
            status: "fail",
            actual,
            threshold: t,
            message: `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${actual} > threshold=${t})`,
          }
        : { rule, status: "pass", actual, threshold: t, message: `%-user-wasted-bytes=${actual} <= threshold=${t}` };
  }
}
