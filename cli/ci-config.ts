/**
 * The CI rules file (`.layerscope-ci`, or `--ci-config FILE`): the YAML shape of dive's
 * `.dive-ci`, read by a small strict parser of exactly that shape, so no YAML dependency.
 *
 * dive reads the file with yaml.v3 into `rules: {lowestEfficiency, highestWastedBytes,
 * highestUserWastedPercent}` over its defaults (wagoodman/dive
 * `cmd/dive/cli/internal/options/ci.go`, `legacyRuleFile`); other keys (`plugins:`,
 * `plugin1/rule1`) are ignored there silently and here with a warning, so a misspelt rule does
 * not quietly leave the default in force. A rule written with no value (or `~`, `null`) keeps its
 * default, as yaml.v3 leaves a string field alone on null.
 *
 * The subset: an optional `---` first, `#` comments, a top-level mapping whose values are
 * scalars or one indented block of scalars (a `key: value` mapping or a `- item` list); plain,
 * 'single-' and "double-quoted" scalars. Anything else YAML allows (flow `[…]`/`{…}`, anchors,
 * tags, block scalars, deeper nesting, a second document, duplicate keys) is an error naming the
 * line: a CI gate should not guess what a file meant.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "../src/core/result";
import { nodeReason } from "./archive";
import { RULE_NAMES, type RuleName } from "./ci-rules";
import type { CliError } from "./errors";

/** The file looked for in the current directory when --ci-config is not given (dive's is `.dive-ci`). */
export const CI_CONFIG_NAME = ".layerscope-ci";

/** A rule's value as the file wrote it: the text (null for an empty value) and its 1-based line. */
export interface FileValue {
  readonly value: string | null;
  readonly line: number;
}

export interface CiConfigFile {
  /** The path as given or found. */
  readonly file: string;
  readonly rules: Readonly<Partial<Record<RuleName, FileValue>>>;
  /** Keys ignored, values left at their default: one sentence each, naming the line. */
  readonly warnings: readonly string[];
}

type Scalar = string | null;

/** One parsed line: a `key: value` pair, a `- item`, or a key opening a block below it. */
interface Line {
  readonly no: number;
  readonly indent: number;
  readonly item: boolean;
  readonly key: string;
  /** True when nothing follows the ":" (or the "-") on the line. */
  readonly bare: boolean;
  readonly value: Scalar;
}

/** A top-level value: a scalar, a mapping of scalars (with their lines), or a list (only ever ignored). */
type Value =
  | { readonly kind: "scalar"; readonly scalar: Scalar }
  | { readonly kind: "map"; readonly entries: ReadonlyMap<string, { readonly line: number; readonly scalar: Scalar }> }
  | { readonly kind: "list" };

interface Entry {
  readonly line: number;
  readonly value: Value;
}

class YamlError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

const KNOWN_RULES: ReadonlySet<string> = new Set(RULE_NAMES);

/** Parses the text of a rules file. `file` only names it in errors and warnings. */
export function parseCiConfig(text: string, file: string): Result<CiConfigFile, CliError> {
  let top: Map<string, Entry>;
  try {
    top = parseDocument(text);
  } catch (e) {
    if (e instanceof YamlError) return err({ kind: "bad-ci-config", file, line: e.line, reason: e.message });
    throw e;
  }
  const warnings: string[] = [];
  const rules: Partial<Record<RuleName, FileValue>> = {};
  for (const [key, entry] of top) {
    if (key !== "rules") {
      warnings.push(`${file} line ${entry.line}: “${key}” is not used by layerscope (only rules: is); ignored`);
      continue;
    }
    if (entry.value.kind === "scalar" && entry.value.scalar === null) continue; // `rules:` with nothing below: all defaults
    if (entry.value.kind !== "map") {
      return err({ kind: "bad-ci-config", file, line: entry.line, reason: "rules must be a mapping of rule names to values, one per indented line" });
    }
    for (const [name, { line, scalar }] of entry.value.entries) {
      if (!KNOWN_RULES.has(name)) {
        warnings.push(`${file} line ${line}: “${name}” is not a rule layerscope knows (${RULE_NAMES.join(", ")}); ignored`);
        continue;
      }
      if (scalar === null) warnings.push(`${file} line ${line}: ${name} has no value; its default applies`);
      rules[name as RuleName] = { value: scalar, line };
    }
  }
  return ok({ file, rules, warnings });
}

/**
 * Reads the rules file: `explicit` (from --ci-config) must exist; otherwise `.layerscope-ci` in
 * `cwd` is used when it exists, and null (dive's defaults) when it does not.
 */
export async function loadCiConfig(explicit: string | undefined, cwd: string): Promise<Result<CiConfigFile | null, CliError>> {
  const path = explicit ?? CI_CONFIG_NAME;
  let text: string;
  try {
    text = await readFile(explicit ?? join(cwd, CI_CONFIG_NAME), "utf8");
  } catch (e) {
    if (explicit === undefined && (e as { code?: unknown }).code === "ENOENT") return ok(null);
    return err({ kind: "bad-ci-config", file: path, line: null, reason: `cannot read it (${nodeReason(e)})` });
  }
  return parseCiConfig(text, path);
}

// ── the YAML subset ─────────────────────────────────────────────────────────────────────────────

function parseDocument(text: string): Map<string, Entry> {
  const lines = scanLines(text.replace(/^\uFEFF/, ""));
  const top = new Map<string, Entry>();
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as Line;
    if (l.indent > 0) throw new YamlError(l.no, "unexpected indentation: only the values of a top-level key may be indented");
    if (l.item) throw new YamlError(l.no, "the file must be a mapping (key: value), not a list");
    if (top.has(l.key)) throw new YamlError(l.no, `“${l.key}” is defined twice`);
    i++;
    if (!l.bare) {
      top.set(l.key, { line: l.no, value: { kind: "scalar", scalar: l.value } });
      continue;
    }
    // A block: the more-indented lines that follow, or a list at the key's own indentation
    // (YAML allows `key:` then `- item` in the same column).
    const next = lines[i];
    const blockIndent = next === undefined ? -1 : next.indent > 0 ? next.indent : next.item ? 0 : -1;
    if (blockIndent < 0) {
      top.set(l.key, { line: l.no, value: { kind: "scalar", scalar: null } });
      continue;
    }
    const block: Line[] = [];
    while (i < lines.length && (lines[i] as Line).indent >= blockIndent && ((lines[i] as Line).indent > 0 || (blockIndent === 0 && (lines[i] as Line).item))) {
      block.push(lines[i] as Line);
      i++;
    }
    top.set(l.key, { line: l.no, value: parseBlock(block, blockIndent) });
  }
  return top;
}

function parseBlock(block: readonly Line[], indent: number): Value {
  const first = block[0] as Line;
  const entries = new Map<string, { line: number; scalar: Scalar }>();
  for (const l of block) {
    if (l.indent !== indent) throw new YamlError(l.no, "nesting deeper than one level is not supported here");
    if (l.item !== first.item) throw new YamlError(l.no, "a block mixes list items (- …) and keys (key: …)");
    if (l.item) continue; // list items are only ever ignored (dive's `plugins:`); scanLines checked they are scalars
    if (entries.has(l.key)) throw new YamlError(l.no, `“${l.key}” is defined twice`);
    entries.set(l.key, { line: l.no, scalar: l.value });
  }
  return first.item ? { kind: "list" } : { kind: "map", entries };
}

/**
 * Splits the text into meaningful lines, comments and blank lines dropped, each split into key
 * and value; a value's form is checked here so errors come in line order.
 */
function scanLines(text: string): Line[] {
  const out: Line[] = [];
  const rows = text.split(/\r?\n/);
  let ended = false;
  for (const [index, row] of rows.entries()) {
    const no = index + 1;
    const indentText = /^[ \t]*/.exec(row)?.[0] ?? "";
    const content = stripComment(row.slice(indentText.length), no);
    if (content === "") continue;
    if (indentText.includes("\t")) throw new YamlError(no, "a tab indents this line; YAML indents with spaces only");
    if (ended) throw new YamlError(no, "content after the end of the document (...)");
    if (indentText.length === 0 && /^---(?:\s|$)/.test(content)) {
      if (content !== "---") throw new YamlError(no, "content on the document marker line (---) is not supported");
      if (out.length > 0) throw new YamlError(no, "a second document (---): the rules file holds one");
      continue;
    }
    if (indentText.length === 0 && content === "...") {
      ended = true;
      continue;
    }
    if (content.startsWith("%")) throw new YamlError(no, "YAML directives (%…) are not supported");
    if (content.startsWith("? ") || content === "?") throw new YamlError(no, "complex keys (? …) are not supported");
    if (content === "-" || content.startsWith("- ")) {
      const raw = content.slice(1).trim();
      if (raw === "-" || raw.startsWith("- ") || splitPair(raw) !== undefined) throw new YamlError(no, "a list item must be a single value here");
      out.push({ no, indent: indentText.length, item: true, key: "", bare: raw === "", value: scalar(raw, no) });
      continue;
    }
    const pair = splitPair(content);
    if (pair === undefined) throw new YamlError(no, "expected “key: value”");
    const key = pair.key;
    if (/^["'[{&*!|>%@`]/.test(key)) throw new YamlError(no, `the key ${key} is not a plain word (quoted keys, anchors and tags are not supported)`);
    out.push({ no, indent: indentText.length, item: false, key, bare: pair.raw === "", value: scalar(pair.raw, no) });
  }
  return out;
}

/**
 * Splits `key: value` at the first ":" followed by a space or the end of the line (a ":" inside a
 * word stays in the key, as in YAML); undefined when there is none.
 */
function splitPair(content: string): { key: string; raw: string } | undefined {
  const at = content.search(/:(?: |$)/);
  if (at <= 0) return undefined;
  return { key: content.slice(0, at).trimEnd(), raw: content.slice(at + 1).trim() };
}

/**
 * Removes a comment: `#` at the start or after white space, outside a quoted value. Only a value
 * that starts with a quote is quoted (an apostrophe inside a plain word is just a letter).
 */
function stripComment(content: string, no: number): string {
  if (content.startsWith("#")) return "";
  // Where a value starts: after "- " or after the first ": ".
  const valueAt = (() => {
    if (content.startsWith("- ")) return 2;
    const at = content.search(/:(?: |$)/);
    return at < 0 ? -1 : at + 1;
  })();
  let i = valueAt < 0 ? 0 : valueAt;
  while (content[i] === " ") i++;
  const quote = content[i];
  if (valueAt >= 0 && (quote === '"' || quote === "'")) {
    const end = closingQuote(content, i, no);
    const rest = content.slice(end + 1);
    if (!/^\s*(?:#.*)?$/.test(rest) || (rest !== "" && !/^\s/.test(rest))) throw new YamlError(no, "text after a quoted value");
    return content.slice(0, end + 1).trimEnd();
  }
  const hash = content.search(/\s#/);
  return (hash < 0 ? content : content.slice(0, hash)).trimEnd();
}

/** The index of the quote that closes the one at `start`. */
function closingQuote(content: string, start: number, no: number): number {
  const q = content[start];
  for (let i = start + 1; i < content.length; i++) {
    const c = content[i];
    if (q === '"' && c === "\\") {
      i++;
      continue;
    }
    if (c === q) {
      if (q === "'" && content[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  throw new YamlError(no, "a quoted value is not closed on its line");
}

/** A scalar's value: null for empty, `~` or null; quotes removed; unsupported forms refused. */
function scalar(raw: string, no: number): Scalar {
  if (raw === "" || raw === "~" || raw === "null" || raw === "Null" || raw === "NULL") return null;
  const c = raw[0] as string;
  if (c === '"') {
    return raw.slice(1, -1).replace(/\\(.?)/g, (_, e: string) => {
      if (e === '"' || e === "\\") return e;
      throw new YamlError(no, `the escape \\${e} is not supported in this file`);
    });
  }
  if (c === "'") return raw.slice(1, -1).replaceAll("''", "'");
  if (c === "[" || c === "{") throw new YamlError(no, "flow collections ([…], {…}) are not supported: write one value, or a block list");
  if (c === "&" || c === "*" || c === "!") throw new YamlError(no, "anchors, aliases and tags are not supported");
  if (c === "|" || c === ">") throw new YamlError(no, "block scalars (| or >) are not supported");
  if (c === "@" || c === "`") throw new YamlError(no, `a plain value cannot start with ${c}`);
  if (/: |:$/.test(raw)) throw new YamlError(no, "a value cannot hold “: ” (quote it)");
  return raw;
}
