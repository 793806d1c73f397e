/**
 * `layerscope ci SOURCE`: dive's CI gate (`dive --ci`, issue 6). The thresholds come from the
 * flags, else the rules file (--ci-config FILE, else .layerscope-ci in the current directory),
 * else dive's defaults; the figures are the `dive` figures inspect reports
 * (src/core/filetree computeEfficiency, equal to dive's on dive's test image). Exit 0 when every
 * enabled rule passes, 1 when one fails, 2 on any error — including an image whose layers,
 * config or manifest did not verify: a gate must not judge bytes no one can vouch for.
 *
 * Where this differs from dive, on purpose: flags override the file (dive ≤ 0.12 did so; dive
 * 0.13 lets an existing .dive-ci replace them); a --ci-config that does not exist is an error
 * (dive falls back to its defaults); keys it does not use are warned about (dive is silent).
 */
import type { DiveFigures } from "../src/core/filetree";
import { err, ok, type Result } from "../src/core/result";
import { SOURCE_FLAGS, type ParsedArgs } from "./args";
import { loadCiConfig, type CiConfigFile } from "./ci-config";
import { DIVE_DEFAULTS, RULE_NAMES, evaluateRule, parseThreshold, type RuleName, type RuleOutcome, type RuleStatus, type Threshold } from "./ci-rules";
import { EXIT_ERROR, EXIT_FAIL, EXIT_OK, analyseWithProgress, openArgument, sourceOptions, type Command, type Io } from "./command";
import { describeLine, type CliError } from "./errors";
import type { SourceInfo } from "./image";
import { imageLabel, imageRef, untrustedReasons, type ImageRef } from "./report";

/** The `schema` field of every result: cli/schema/ci.schema.json in this repository. */
export const CI_SCHEMA = "layerscope/cli/schema/ci.schema.json";
/** Bumped on any change a consumer could notice; additions of optional fields keep it. */
export const CI_VERSION = 1;

/** The flag that sets each rule (dive spells them lowestEfficiency…; kebab-case like our other flags). */
export const RULE_FLAGS: Readonly<Record<RuleName, string>> = {
  lowestEfficiency: "lowest-efficiency",
  highestWastedBytes: "highest-wasted-bytes",
  highestUserWastedPercent: "highest-user-wasted-percent",
};

/** Where a rule's value was set. */
export type SettingFrom = { readonly kind: "default" } | { readonly kind: "file"; readonly file: string; readonly line: number } | { readonly kind: "flag"; readonly flag: string };

export interface Setting {
  readonly rule: RuleName;
  /** The text as written ("20Mb", "0.95", "disabled"). */
  readonly value: string;
  readonly from: SettingFrom;
}

export interface RuleOut {
  readonly name: RuleName;
  readonly status: RuleStatus;
  readonly configured: string;
  readonly from: SettingFrom;
  /** The threshold as a number (a ratio, or bytes for highestWastedBytes); null when disabled. */
  readonly threshold: number | null;
  /** The image's figure the rule compares. */
  readonly actual: number;
  readonly message: string;
}

export interface CiResult {
  readonly schema: string;
  readonly version: number;
  readonly source: SourceInfo;
  readonly image: ImageRef;
  /** The rules file read, or null when only flags and defaults applied. */
  readonly rulesFile: string | null;
  /** dive's figures for the image. */
  readonly figures: DiveFigures;
  /** dive's inefficient files (paths counted more than once), biggest first; paths without a leading "/". */
  readonly inefficientFiles: readonly { readonly path: string; readonly count: number; readonly cumulativeBytes: number }[];
  /** One per rule, sorted by name as dive's report sorts them. */
  readonly rules: readonly RuleOut[];
  readonly tally: { readonly pass: number; readonly fail: number; readonly skip: number };
  readonly result: "pass" | "fail";
  /** Keys the rules file has that were ignored, and the source's own warnings. */
  readonly warnings: readonly string[];
}

export function describeFrom(from: SettingFrom): string {
  switch (from.kind) {
    case "default":
      return "dive's default";
    case "file":
      return `${from.file} line ${from.line}`;
    case "flag":
      return `--${from.flag}`;
  }
}

/** Each rule's value: a flag wins over the file, the file over dive's default (an empty value in the file keeps the default). */
export function resolveSettings(file: CiConfigFile | null, flags: ReadonlyMap<string, string>): Setting[] {
  return RULE_NAMES.map((rule) => {
    const flag = flags.get(RULE_FLAGS[rule]);
    if (flag !== undefined) return { rule, value: flag, from: { kind: "flag", flag: RULE_FLAGS[rule] } };
    const inFile = file?.rules[rule];
    if (file !== null && inFile !== undefined && inFile.value !== null) return { rule, value: inFile.value, from: { kind: "file", file: file.file, line: inFile.line } };
    return { rule, value: DIVE_DEFAULTS[rule], from: { kind: "default" } };
  });
}

/** Parses every setting; the first that does not parse is the error (dive refuses to evaluate a misconfigured rule set). */
export function parseSettings(settings: readonly Setting[]): Result<Map<RuleName, Threshold>, CliError> {
  const out = new Map<RuleName, Threshold>();
  for (const s of settings) {
    const t = parseThreshold(s.rule, s.value);
    if (!t.ok) return err({ kind: "bad-threshold", rule: s.rule, value: s.value, from: describeFrom(s.from), reason: t.error });
    out.set(s.rule, t.value);
  }
  return ok(out);
}

/** Evaluates the rules over an image's figures; the report, sorted by rule name like dive's. */
export function evaluate(settings: readonly Setting[], thresholds: ReadonlyMap<RuleName, Threshold>, figures: DiveFigures): RuleOut[] {
  return settings
    .map((s): RuleOut => {
      const o: RuleOutcome = evaluateRule(s.rule, thresholds.get(s.rule) ?? { kind: "disabled" }, figures);
      return { name: s.rule, status: o.status, configured: s.value, from: s.from, threshold: o.threshold, actual: o.actual, message: o.message };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const ci: Command = {
  usage:
    "layerscope ci SOURCE [--lowest-efficiency 0.9] [--highest-wasted-bytes 20MB] [--highest-user-wasted-percent 0.1] [--ci-config FILE] [--json]",
  flags: {
    ...SOURCE_FLAGS,
    json: "switch",
    "ci-config": "value",
    [RULE_FLAGS.lowestEfficiency]: "value",
    [RULE_FLAGS.highestWastedBytes]: "value",
    [RULE_FLAGS.highestUserWastedPercent]: "value",
  },
  async run(args, io) {
    if (args.positional.length !== 1) {
      io.err(`usage: ${this.usage}`);
      return EXIT_ERROR;
    }
    const outcome = await gate(args.positional[0] as string, args, io);
    if (!outcome.ok) {
      io.err(`layerscope: ${typeof outcome.error === "string" ? outcome.error : describeLine(outcome.error)}`);
      return EXIT_ERROR;
    }
    const result = outcome.value;
    io.out(args.flags.has("json") ? JSON.stringify(result, null, 2) : human(result));
    return result.result === "pass" ? EXIT_OK : EXIT_FAIL;
  },
};

/** Everything before printing: rules first (a misconfiguration is found before any layer is read), then the image. */
async function gate(argument: string, args: ParsedArgs, io: Io): Promise<Result<CiResult, CliError | string>> {
  const file = await loadCiConfig(args.flags.get("ci-config"), process.cwd());
  if (!file.ok) return file;
  const settings = resolveSettings(file.value, args.flags);
  const thresholds = parseSettings(settings);
  if (!thresholds.ok) return thresholds;
  const options = await sourceOptions(args, io);
  if (!options.ok) return options;
  const opened = await openArgument(argument, options.value, io);
  if (!opened.ok) return opened;
  const image = opened.value;
  try {
    const analysis = await analyseWithProgress(image, io);
    const reasons = untrustedReasons(image, analysis);
    if (reasons.length > 0) return err({ kind: "untrusted-image", image: imageLabel(image), reasons });
    const figures = analysis.efficiency.dive;
    const rules = evaluate(settings, thresholds.value, figures);
    const count = (s: RuleStatus): number => rules.filter((r) => r.status === s).length;
    return ok({
      schema: CI_SCHEMA,
      version: CI_VERSION,
      source: image.source,
      image: imageRef(image),
      rulesFile: file.value?.file ?? null,
      figures,
      inefficientFiles: analysis.efficiency.diveInefficiencies.map((f) => ({ path: f.path, count: f.count, cumulativeBytes: f.cumulativeBytes })),
      rules,
      tally: { pass: count("pass"), fail: count("fail"), skip: count("skip") },
      result: count("fail") > 0 ? "fail" : "pass",
      warnings: [...(file.value?.warnings ?? []), ...image.warnings],
    });
  } finally {
    await image.close();
  }
}

/** Inefficient files listed in the human report; the JSON lists them all. */
const FILES_SHOWN = 10;

const pct = (x: number): string => `${(x * 100).toFixed(4)} %`;

/** The human report, in the order of dive's: the figures, the inefficient files, one line per rule, the verdict. */
export function human(r: CiResult): string {
  const f = r.figures;
  const width = Math.max(...r.rules.map((x) => x.name.length));
  const lines = [
    `image     ${r.image.names.join(", ") || "(unnamed)"}  [${r.source.transport}:${r.source.location}]`,
    `rules     ${r.rulesFile ?? "dive's defaults and flags (no rules file)"}`,
    "analysis (dive's figures)",
    `  efficiency:        ${pct(f.efficiency)}`,
    `  wastedBytes:       ${f.wastedBytes} bytes`,
    `  userWastedPercent: ${pct(f.userWastedPercent)}`,
    `inefficient files: ${r.inefficientFiles.length === 0 ? "none" : r.inefficientFiles.length}`,
    ...(r.inefficientFiles.length > 0 ? ["  Count  Wasted Space  File Path"] : []),
    ...r.inefficientFiles.slice(0, FILES_SHOWN).map((x) => `  ${String(x.count).padEnd(5)}  ${`${x.cumulativeBytes} B`.padEnd(12)}  /${x.path}`),
    ...(r.inefficientFiles.length > FILES_SHOWN ? [`  … and ${r.inefficientFiles.length - FILES_SHOWN} more (--json lists them all)`] : []),
    "evaluation",
    ...r.rules.map((x) => `  ${x.status === "pass" ? "PASS" : x.status === "fail" ? "FAIL" : "SKIP"}  ${x.name.padEnd(width)}  ${x.message}  [${x.configured}, ${describeFrom(x.from)}]`),
    `${r.result === "pass" ? "PASS" : "FAIL"} [${(["pass", "fail", "skip"] as const)
      .filter((k) => r.tally[k] > 0)
      .map((k) => `${k}:${r.tally[k]}`)
      .join(" ")}]`,
    ...r.warnings.map((w) => `warning   ${w}`),
  ];
  return lines.join("\n");
}
