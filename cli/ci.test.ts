/**
 * `layerscope ci` on dive's own test image, against dive's own expectations:
 * - dive's release checks run `dive --source docker-archive .data/test-docker-image.tar --ci
 *   --ci-config .data/.dive-ci` and expect a pass (wagoodman/dive `Makefile`, targets
 *   `ci-test-mac-run` and `ci-test-windows-run`; the rules file is e2e/fixtures/third-party/dive-ci.yaml);
 * - dive's `Test_Evaluator` (`cmd/dive/cli/internal/command/ci/evaluator_test.go`) evaluates the
 *   same image with allFail {0.99, 1B, 0.01}, allPass {0.9, 50kB, 0.5}, allDisabled and
 *   mixedResults {0.9, 1B, 0.5};
 * then every rule on either side of its boundary, the precedence flag > file > default, the
 * errors (exit 2, one line on stderr, nothing on stdout) and the real bin's exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildImage, buildTar } from "../src/core/testing";
import type { CiResult } from "./ci";
import { ROOT, readSchema, runBin, runCli, validatorFor, writeOciArchive } from "./testing";

const DIVE_IMAGE = `docker-archive:${join(ROOT, "src/core/filetree/testdata/test-docker-image.tar")}`;
const DIVE_CI = join(ROOT, "e2e/fixtures/third-party/dive-ci.yaml");
const checkSchema = validatorFor("ci.schema.json");

// dive's figures for its test image (dive/image/docker/image_archive_analysis_test.go).
const EFFICIENCY = 0.9844212134184309;
const WASTED = 32025;
const USER_WASTED = 0.4834911001404049;

const tmp = mkdtempSync(join(tmpdir(), "layerscope-ci-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A rules file in the temporary directory. */
function rulesFile(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}
const NO_RULES = rulesFile("empty.yaml", "# no rules: flags and defaults only\n");

async function ciJson(argv: readonly string[]): Promise<{ code: number; result: CiResult }> {
  const r = await runCli(["ci", DIVE_IMAGE, "--json", ...argv]);
  expect(r.err).toBe("");
  const result = JSON.parse(r.out) as CiResult;
  expect(checkSchema(result)).toEqual([]);
  return { code: r.code, result };
}

const statuses = (r: CiResult): Record<string, string> => Object.fromEntries(r.rules.map((x) => [x.name, x.status]));

describe("layerscope ci on dive's test image", () => {
  it("passes with dive's .dive-ci, as dive's release check expects (exit 0); the plugin keys are ignored with warnings", async () => {
    const { code, result } = await ciJson(["--ci-config", DIVE_CI]);
    expect(code).toBe(0);
    expect(result.result).toBe("pass");
    expect(result.tally).toEqual({ pass: 3, fail: 0, skip: 0 });
    expect(result.figures.efficiency).toBe(EFFICIENCY);
    expect(result.figures.wastedBytes).toBe(WASTED);
    expect(result.figures.userWastedPercent).toBe(USER_WASTED);
    expect(result.rules.map((x) => [x.name, x.threshold, x.from])).toEqual([
      ["highestUserWastedPercent", 0.5, { kind: "file", file: DIVE_CI, line: 13 }],
      ["highestWastedBytes", 20_000_000, { kind: "file", file: DIVE_CI, line: 10 }], // "20Mb": SI, bytes
      ["lowestEfficiency", 0.95, { kind: "file", file: DIVE_CI, line: 7 }],
    ]);
    expect(result.inefficientFiles.map((f) => [f.path, f.count, f.cumulativeBytes]).sort()).toEqual([
      ["root/example/somefile1.txt", 2, 12810],
      ["root/example/somefile3.txt", 2, 6405],
      ["root/saved.txt", 2, 12810],
    ]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain("“plugins” is not used");
    expect(result.warnings[1]).toContain("“plugin1/rule1” is not a rule");
  });

  it.each([
    ["allFail", "0.99", "1B", "0.01", 1, { lowestEfficiency: "fail", highestWastedBytes: "fail", highestUserWastedPercent: "fail" }],
    ["allPass", "0.9", "50kB", "0.5", 0, { lowestEfficiency: "pass", highestWastedBytes: "pass", highestUserWastedPercent: "pass" }],
    ["allDisabled", "disabled", "disabled", "disabled", 0, { lowestEfficiency: "skip", highestWastedBytes: "skip", highestUserWastedPercent: "skip" }],
    ["mixedResults", "0.9", "1B", "0.5", 1, { lowestEfficiency: "pass", highestWastedBytes: "fail", highestUserWastedPercent: "pass" }],
  ])("dive's Test_Evaluator case %s (%s, %s, %s)", async (_, efficiency, wasted, percent, exit, expected) => {
    const { code, result } = await ciJson([
      "--ci-config",
      NO_RULES,
      "--lowest-efficiency",
      efficiency,
      "--highest-wasted-bytes",
      wasted,
      "--highest-user-wasted-percent",
      percent,
    ]);
    expect(code).toBe(exit);
    expect(result.result).toBe(exit === 0 ? "pass" : "fail");
    expect(statuses(result)).toEqual(expected);
  });

  it("uses dive's defaults when there is no rules file: 0.9, disabled, 0.1 — and this image fails the last", async () => {
    const { code, result } = await ciJson(["--ci-config", NO_RULES]);
    expect(code).toBe(1);
    expect(result.rules.map((x) => [x.name, x.configured, x.from.kind, x.status])).toEqual([
      ["highestUserWastedPercent", "0.1", "default", "fail"],
      ["highestWastedBytes", "disabled", "default", "skip"],
      ["lowestEfficiency", "0.9", "default", "pass"],
    ]);
  });

  // The next double above and below each figure, written out: the comparison is exact.
  const above = (x: number): string => String(x + x * 2 ** -52);
  const below = (x: number): string => String(x - x * 2 ** -52);
  it.each([
    ["lowest-efficiency", String(EFFICIENCY), "pass"], // equal passes: dive fails only when threshold > efficiency
    ["lowest-efficiency", below(EFFICIENCY), "pass"],
    ["lowest-efficiency", above(EFFICIENCY), "fail"],
    ["highest-wasted-bytes", String(WASTED), "pass"], // equal passes: dive fails only when wasted > threshold
    ["highest-wasted-bytes", "32.025kB", "pass"],
    ["highest-wasted-bytes", String(WASTED - 1), "fail"],
    ["highest-wasted-bytes", "32kB", "fail"],
    ["highest-wasted-bytes", "32KiB", "pass"], // 32768
    ["highest-user-wasted-percent", String(USER_WASTED), "pass"],
    ["highest-user-wasted-percent", above(USER_WASTED), "pass"],
    ["highest-user-wasted-percent", below(USER_WASTED), "fail"],
  ])("--%s %s → %s", async (flag, value, status) => {
    const disableOthers = ["lowest-efficiency", "highest-wasted-bytes", "highest-user-wasted-percent"].filter((f) => f !== flag).flatMap((f) => [`--${f}`, "disabled"]);
    const { code, result } = await ciJson(["--ci-config", NO_RULES, `--${flag}`, value, ...disableOthers]);
    expect(result.rules.filter((r) => r.status !== "skip").map((r) => r.status)).toEqual([status]);
    expect(code).toBe(status === "pass" ? 0 : 1);
  });

  it("a flag overrides the file, the file overrides the default, and an empty value in the file keeps the default", async () => {
    const file = rulesFile("override.yaml", "rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 1B\n  highestUserWastedPercent:\n");
    const { code, result } = await ciJson(["--ci-config", file, "--lowest-efficiency", "0.5"]);
    expect(result.rules.map((x) => [x.name, x.configured, x.from, x.status])).toEqual([
      ["highestUserWastedPercent", "0.1", { kind: "default" }, "fail"],
      ["highestWastedBytes", "1B", { kind: "file", file, line: 3 }, "fail"],
      ["lowestEfficiency", "0.5", { kind: "flag", flag: "lowest-efficiency" }, "pass"],
    ]);
    expect(result.warnings).toEqual([`${file} line 4: highestUserWastedPercent has no value; its default applies`]);
    expect(code).toBe(1);
  });

  it("prints one line per rule with the figure and the threshold, and the verdict, without --json", async () => {
    const r = await runCli(["ci", DIVE_IMAGE, "--ci-config", DIVE_CI]);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines).toContain(`  PASS  lowestEfficiency          efficiency=${EFFICIENCY} >= threshold=0.95  [0.95, ${DIVE_CI} line 7]`);
    expect(lines).toContain(`  PASS  highestWastedBytes        wasted-bytes=${WASTED} <= threshold=20000000  [20Mb, ${DIVE_CI} line 10]`);
    expect(lines).toContain("PASS [pass:3]");
    expect(r.out).toContain("  2      12810 B       /root/saved.txt");
    const fail = await runCli(["ci", DIVE_IMAGE, "--ci-config", NO_RULES, "--highest-wasted-bytes", "off"]);
    expect(fail.code).toBe(1);
    expect(fail.out).toContain(`  FAIL  highestUserWastedPercent  too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${USER_WASTED} > threshold=0.1)  [0.1, dive's default]`);
    expect(fail.out).toContain("  SKIP  highestWastedBytes        disabled  [off, --highest-wasted-bytes]");
    expect(fail.out).toContain("FAIL [pass:1 fail:1 skip:1]");
  });
});

describe("layerscope ci: errors exit 2 with one line on stderr and nothing on stdout", () => {
  const malformed = rulesFile("malformed.yaml", "rules:\n  lowestEfficiency: 0.9\n\tplugins: x\n");
  const badInFile = rulesFile("bad-value.yaml", "rules:\n  highestWastedBytes: 20 bits\n");

  it.each([
    [["--ci-config", malformed], `Cannot use the CI rules file: ${malformed} line 3: a tab indents this line`],
    [["--ci-config", join(tmp, "missing.yaml")], "ENOENT"],
    [["--ci-config", badInFile], `Bad CI threshold: highestWastedBytes = “20 bits” (${badInFile} line 2): unknown size unit “bits”`],
    [["--ci-config", NO_RULES, "--lowest-efficiency", "1.1"], "lowestEfficiency = “1.1” (--lowest-efficiency): outside the allowed range 0 to 1"],
    [["--ci-config", NO_RULES, "--highest-user-wasted-percent", "-0.1"], "highestUserWastedPercent = “-0.1” (--highest-user-wasted-percent): outside the allowed range"],
    [["--ci-config", NO_RULES, "--highest-wasted-bytes", "1BB"], "unknown size unit “bb”"],
    [["--ci-config", NO_RULES, "--lowest-efficiency"], "--lowest-efficiency needs a value"],
    [["--ci-config", NO_RULES, "--lowestEfficiency", "0.9"], "unknown option --lowestEfficiency"],
  ])("%j", async (argv, reason) => {
    const r = await runCli(["ci", DIVE_IMAGE, ...argv]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(reason);
  });

  it("checks the rules before reading the image: a bad threshold is reported even for a missing file", async () => {
    const r = await runCli(["ci", "docker-archive:/no/such.tar", "--ci-config", NO_RULES, "--lowest-efficiency", "x"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Bad CI threshold");
  });

  it.each([
    [["ci"], "usage: layerscope ci SOURCE"],
    [["ci", "a", "b"], "usage: layerscope ci SOURCE"],
    [["ci", "docker-archive:/no/such.tar", "--ci-config", NO_RULES], "ENOENT"],
  ])("%j", async (argv, reason) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain(reason);
  });

  it("refuses to judge an image whose layer does not verify (exit 2, not a pass or a fail)", async () => {
    const image = await buildImage({
      layers: [{ entries: [{ path: "etc/a", content: "a\n" }] }, { entries: [{ path: "etc/b", content: "b\n" }], compression: "none" }],
    });
    const layer = image.layers[1];
    if (layer === undefined) throw new Error("two layers");
    // Another tar of the same length under layer 1's digest: the blob matches neither its digest nor its diff_id.
    const path = join(tmp, "tampered.tar");
    writeOciArchive(path, image, "tampered:1", { digest: layer.digest, bytes: buildTar([{ path: "etc/b", content: "x\n" }]) });
    for (const json of [[], ["--json"]]) {
      const r = await runCli(["ci", `oci-archive:${path}`, "--ci-config", NO_RULES, "--lowest-efficiency", "disabled", "--highest-user-wasted-percent", "disabled", ...json]);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toContain(`Untrusted image: tampered:1 (oci-archive:${path}): layer 1 (${layer.digest}): the blob does not match its digest (expected ${layer.digest}, got sha256:`);
      expect(r.err).toContain("the tar does not match its diff_id");
      expect(r.err).toContain(". A CI gate does not pass or fail an image whose bytes did not verify.");
      expect(r.err).not.toContain("..");
    }
  });

  it("the same image untampered is judged", async () => {
    const image = await buildImage({ layers: [{ entries: [{ path: "etc/a", content: "a\n" }] }, { entries: [{ path: "etc/a", content: "b\n" }] }] });
    const path = join(tmp, "fine.tar");
    writeOciArchive(path, image, "fine:1");
    const r = await runCli(["ci", `oci-archive:${path}`, "--ci-config", NO_RULES, "--json"]);
    expect(r.err).toBe("");
    const result = JSON.parse(r.out) as CiResult;
    expect(checkSchema(result)).toEqual([]);
    expect(result.image.names).toEqual(["fine:1"]);
    expect(result.figures.wastedBytes).toBe(4); // both copies of etc/a, as dive counts them
  });
});

describe("layerscope ci through the real bin", () => {
  const withRules = mkdtempSync(join(tmp, "with-rules-"));
  const withoutRules = mkdtempSync(join(tmp, "without-rules-"));
  const broken = mkdtempSync(join(tmp, "broken-rules-"));
  writeFileSync(join(withRules, ".layerscope-ci"), "---\nrules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20Mb\n  highestUserWastedPercent: 0.5\n");
  writeFileSync(join(broken, ".layerscope-ci"), "rules: [0.9]\n");

  it("exit 0: .layerscope-ci in the current directory is read; the JSON is the schema's", async () => {
    const r = await runBin(["ci", DIVE_IMAGE, "--json"], withRules);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const result = JSON.parse(r.out) as CiResult;
    expect(result.schema).toBe(readSchema("ci.schema.json")["$id"]);
    expect(result.rulesFile).toBe(".layerscope-ci");
    expect(checkSchema(result)).toEqual([]);
  });

  it("exit 1: no rules file here, dive's defaults, and highestUserWastedPercent 0.1 fails", async () => {
    const r = await runBin(["ci", DIVE_IMAGE], withoutRules);
    expect(r.code).toBe(1);
    expect(r.out).toContain("FAIL [pass:1 fail:1 skip:1]");
    expect(r.err).toBe("");
  });

  it("exit 2: a malformed .layerscope-ci, one line on stderr", async () => {
    const r = await runBin(["ci", DIVE_IMAGE], broken);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain(".layerscope-ci line 1: flow collections");
  });
});
