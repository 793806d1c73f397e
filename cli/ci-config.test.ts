/**
 * The CI rules file: dive's own `.dive-ci` read as dive reads it (its plugin keys ignored, here
 * with warnings), the YAML forms the subset takes, and every form it refuses with the file and
 * the line. Where the file is looked up: --ci-config, else .layerscope-ci here, else none.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCiConfig, parseCiConfig, type CiConfigFile } from "./ci-config";
import { ROOT } from "./testing";

const DIVE_CI = join(ROOT, "e2e/fixtures/third-party/dive-ci.yaml");

function parsed(text: string): CiConfigFile {
  const r = parseCiConfig(text, "f");
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe("parseCiConfig", () => {
  it("reads dive's .dive-ci: three rules with their lines; the plugin list and plugin rule ignored with a warning", () => {
    const r = parseCiConfig(readFileSync(DIVE_CI, "utf8"), ".dive-ci");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rules).toEqual({
      lowestEfficiency: { value: "0.95", line: 7 },
      highestWastedBytes: { value: "20Mb", line: 10 },
      highestUserWastedPercent: { value: "0.5", line: 13 },
    });
    expect(r.value.warnings).toEqual([
      ".dive-ci line 2: “plugins” is not used by layerscope (only rules: is); ignored",
      ".dive-ci line 15: “plugin1/rule1” is not a rule layerscope knows (lowestEfficiency, highestWastedBytes, highestUserWastedPercent); ignored",
    ]);
  });

  it.each([
    ["no marker, one rule", "rules:\n  lowestEfficiency: 0.8\n", { lowestEfficiency: "0.8" }],
    ["comments everywhere", "# head\n--- # doc\nrules: # the rules\n  # inside\n  lowestEfficiency: 0.8 # eighty\n", { lowestEfficiency: "0.8" }],
    ["double quotes", 'rules:\n  highestWastedBytes: "20 MB"\n', { highestWastedBytes: "20 MB" }],
    ["double quotes with escapes and a #", 'rules:\n  highestWastedBytes: "a \\"#\\" \\\\" # c\n', { highestWastedBytes: 'a "#" \\' }],
    ["single quotes", "rules:\n  lowestEfficiency: '0.8'\n", { lowestEfficiency: "0.8" }],
    ["single quotes, doubled quote inside", "rules:\n  lowestEfficiency: 'it''s'\n", { lowestEfficiency: "it's" }],
    ["an apostrophe inside a plain value", "rules:\n  lowestEfficiency: it's\n", { lowestEfficiency: "it's" }],
    ["a # without space before it is part of the value", "rules:\n  highestWastedBytes: 20MB#x\n", { highestWastedBytes: "20MB#x" }],
    ["CRLF line ends and a BOM", "\uFEFFrules:\r\n  lowestEfficiency: 0.8\r\n", { lowestEfficiency: "0.8" }],
    ["four-space indentation", "rules:\n    lowestEfficiency: 0.8\n    highestUserWastedPercent: disabled\n", { lowestEfficiency: "0.8", highestUserWastedPercent: "disabled" }],
    ["an empty value keeps the default (null)", "rules:\n  lowestEfficiency:\n", { lowestEfficiency: null }],
    ["~ is null too", "rules:\n  lowestEfficiency: ~\n", { lowestEfficiency: null }],
    ["a quoted empty string is a value (dive: disabled)", 'rules:\n  lowestEfficiency: ""\n', { lowestEfficiency: "" }],
    ["`rules:` alone: all defaults", "rules:\n", {}],
    ["an empty file: all defaults", "", {}],
    ["only comments", "# nothing\n\n# here\n", {}],
    ["a list at its key's column, then rules", "plugins:\n- a\n- b\nrules:\n  lowestEfficiency: 1\n", { lowestEfficiency: "1" }],
    ["an explicit document end", "rules:\n  lowestEfficiency: 1\n...\n# trailing comment\n", { lowestEfficiency: "1" }],
    ["false stays a string (dive: disabled)", "rules:\n  lowestEfficiency: false\n", { lowestEfficiency: "false" }],
  ])("%s", (_, text, values) => {
    const rules = parsed(text).rules;
    expect(Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, v.value]))).toEqual(values);
  });

  it("warns about a rule with no value and keys it does not know", () => {
    const c = parsed("rules:\n  lowestEfficiency:\n  lowest-efficiency: 0.5\nci: true\n");
    expect(c.warnings).toEqual([
      "f line 2: lowestEfficiency has no value; its default applies",
      "f line 3: “lowest-efficiency” is not a rule layerscope knows (lowestEfficiency, highestWastedBytes, highestUserWastedPercent); ignored",
      "f line 4: “ci” is not used by layerscope (only rules: is); ignored",
    ]);
  });

  it.each([
    ["a tab indents", "rules:\n\tlowestEfficiency: 0.9\n", 2, "tab"],
    ["flow list", "plugins: [a, b]\n", 1, "flow collections"],
    ["flow map", "rules: {lowestEfficiency: 0.9}\n", 1, "flow collections"],
    ["an anchor", "rules:\n  lowestEfficiency: &x 0.9\n", 2, "anchors"],
    ["an alias", "rules:\n  lowestEfficiency: *x\n", 2, "anchors"],
    ["a tag", "rules:\n  lowestEfficiency: !!str 0.9\n", 2, "tags"],
    ["a block scalar", "rules:\n  lowestEfficiency: |\n    0.9\n", 2, "block scalars"],
    ["a duplicate rule", "rules:\n  lowestEfficiency: 0.9\n  lowestEfficiency: 0.8\n", 3, "defined twice"],
    ["a duplicate top-level key", "rules:\nrules:\n", 2, "defined twice"],
    ["a second document", "rules:\n---\nrules:\n", 2, "second document"],
    ["content after the end", "rules:\n...\nrules:\n", 3, "after the end"],
    ["nesting too deep", "rules:\n  lowestEfficiency:\n    value: 0.9\n", 3, "deeper than one level"],
    ["a line that is not key: value", "rules\n", 1, "expected “key: value”"],
    ["rules as a scalar", "rules: 0.9\n", 1, "rules must be a mapping"],
    ["rules as a list", "rules:\n  - lowestEfficiency\n", 1, "rules must be a mapping"],
    ["a top-level list", "- rules\n", 1, "not a list"],
    ["stray indentation", "  rules:\n", 1, "unexpected indentation"],
    ["a value continued on the next line", "rules: a\n  b\n", 2, "key: value"],
    ["a key continued on the next line", "rules: a\n  b: c\n", 2, "unexpected indentation"],
    ["a mixed block", "rules:\n  lowestEfficiency: 0.9\n  - x\n", 3, "mixes list items"],
    ["an unclosed quote", 'rules:\n  lowestEfficiency: "0.9\n', 2, "not closed"],
    ["text after a quoted value", "rules:\n  lowestEfficiency: '0.9' x\n", 2, "text after a quoted value"],
    ["an escape it does not take", 'rules:\n  lowestEfficiency: "\\t"\n', 2, "escape"],
    ["a mapping value with ': '", "rules:\n  lowestEfficiency: a: b\n", 2, "“: ”"],
    ["a quoted key", '"rules":\n', 1, "not a plain word"],
    ["a directive", "%YAML 1.2\n---\nrules:\n", 1, "directives"],
    ["a complex key", "? rules\n", 1, "complex keys"],
    ["content on the marker line", "--- rules\n", 1, "marker line"],
    ["a list item holding a mapping", "plugins:\n  - name: a\n", 2, "single value"],
  ])("refuses %s, naming the line", (_, text, line, reason) => {
    const r = parseCiConfig(text, "my.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ kind: "bad-ci-config", file: "my.yaml", line });
    if (r.error.kind === "bad-ci-config") expect(r.error.reason).toContain(reason);
  });
});

describe("loadCiConfig: where the rules come from", () => {
  const dir = mkdtempSync(join(tmpdir(), "layerscope-ci-"));
  const empty = mkdtempSync(join(tmpdir(), "layerscope-ci-empty-"));
  const odd = mkdtempSync(join(tmpdir(), "layerscope-ci-dir-"));
  writeFileSync(join(dir, ".layerscope-ci"), "rules:\n  lowestEfficiency: 0.5\n");
  writeFileSync(join(dir, "other.yaml"), "rules:\n  lowestEfficiency: 0.6\n");
  mkdirSync(join(odd, ".layerscope-ci"));
  afterAll(() => {
    for (const d of [dir, empty, odd]) rmSync(d, { recursive: true, force: true });
  });

  it("--ci-config FILE wins", async () => {
    const r = await loadCiConfig(join(dir, "other.yaml"), dir);
    expect(r.ok && r.value?.rules.lowestEfficiency?.value).toBe("0.6");
  });

  it("else .layerscope-ci in the current directory", async () => {
    const r = await loadCiConfig(undefined, dir);
    expect(r.ok && r.value).toMatchObject({ file: ".layerscope-ci", rules: { lowestEfficiency: { value: "0.5", line: 2 } } });
  });

  it("else no file: dive's defaults", async () => {
    expect(await loadCiConfig(undefined, empty)).toEqual({ ok: true, value: null });
  });

  it("a --ci-config that does not exist is an error, not the defaults", async () => {
    const r = await loadCiConfig(join(empty, "missing.yaml"), empty);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: "bad-ci-config", line: null, reason: expect.stringContaining("ENOENT") });
  });

  it("a .layerscope-ci that cannot be read (a directory) is an error, not the defaults", async () => {
    const r = await loadCiConfig(undefined, odd);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: "bad-ci-config", file: ".layerscope-ci", reason: expect.stringContaining("EISDIR") });
  });
});
