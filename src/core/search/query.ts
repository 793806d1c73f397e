/**
 * A search as the user fills it in ({@link SearchForm}: plain strings and booleans, what the
 * form holds and what crosses to the worker) parsed once into a typed {@link SearchQuery} or
 * precise errors per field (STYLE 2). Matching (run.ts) only ever sees the typed value.
 */
import type { EntryType } from "../pipeline/types";
import { err, ok, type Result } from "../result";
import { compileGlob } from "./glob";
import { parseSize } from "./size";

export type MatchMode = "substring" | "glob" | "regex";

/**
 * What a result is, for the type filter: the tar entry type, except that layer entries that are
 * OCI whiteouts (`.wh.<name>`) or opaque markers (`.wh..wh..opq`) are "whiteout" / "opaque", and
 * the rare GNU types (contiguous, sparse, unknown) are "other".
 */
export type EntryKind = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo" | "whiteout" | "opaque" | "other";

export const ENTRY_KINDS: readonly EntryKind[] = ["file", "dir", "symlink", "hardlink", "char", "block", "fifo", "whiteout", "opaque", "other"];

/** "merged": the merged filesystem at the top layer; "layers": every layer's own entries; a number: that layer (0-based). */
export type SearchScope = "merged" | "layers" | number;

/** Links: any; only broken symlinks; every hardlink; hardlinks whose target is missing. */
export type LinkFilter = "any" | "broken-symlinks" | "hardlinks" | "hardlinks-missing-target";

/** The form, as typed. Empty strings mean "no constraint". */
export interface SearchForm {
  readonly text: string;
  readonly mode: MatchMode;
  readonly caseSensitive: boolean;
  readonly scope: SearchScope;
  /** Empty: any kind. */
  readonly kinds: readonly EntryKind[];
  readonly sizeMin: string;
  readonly sizeMax: string;
  readonly setuid: boolean;
  readonly setgid: boolean;
  readonly worldWritable: boolean;
  /** "0", "0,1000", "1000-1999": numbers and inclusive ranges, comma separated. */
  readonly uid: string;
  readonly gid: string;
  readonly links: LinkFilter;
}

export const EMPTY_FORM: SearchForm = {
  text: "",
  mode: "substring",
  caseSensitive: false,
  scope: "merged",
  kinds: [],
  sizeMin: "",
  sizeMax: "",
  setuid: false,
  setgid: false,
  worldWritable: false,
  uid: "",
  gid: "",
  links: "any",
};

/** Inclusive [from, to] ranges of ids. */
export type IdSet = readonly (readonly [number, number])[];

/** How a path is tested; `needle` is lower-cased unless case-sensitive. */
export type PathMatcher =
  | { readonly mode: "all" }
  | { readonly mode: "substring"; readonly needle: string; readonly caseSensitive: boolean }
  | { readonly mode: "pattern"; readonly re: RegExp; readonly source: "glob" | "regex"; readonly text: string };

export interface SearchQuery {
  readonly matcher: PathMatcher;
  readonly scope: SearchScope;
  readonly kinds: ReadonlySet<EntryKind> | undefined;
  readonly sizeMin: number | undefined;
  readonly sizeMax: number | undefined;
  readonly setuid: boolean;
  readonly setgid: boolean;
  readonly worldWritable: boolean;
  readonly uid: IdSet | undefined;
  readonly gid: IdSet | undefined;
  readonly links: LinkFilter;
}

export type QueryField = "text" | "sizeMin" | "sizeMax" | "uid" | "gid";

export interface QueryError {
  readonly field: QueryField;
  readonly message: string;
}

/** Longest pattern accepted: a regex longer than this is not a search anyone types. */
export const MAX_PATTERN_LENGTH = 1000;

/** True when the form asks for nothing: no text and no filter (the UI then shows its empty state). */
export function isEmptyForm(form: SearchForm): boolean {
  return (
    form.text === "" &&
    form.kinds.length === 0 &&
    form.sizeMin.trim() === "" &&
    form.sizeMax.trim() === "" &&
    !form.setuid &&
    !form.setgid &&
    !form.worldWritable &&
    form.uid.trim() === "" &&
    form.gid.trim() === "" &&
    form.links === "any"
  );
}

/** Parses "0", "0,1000", "1000-1999" into inclusive ranges. */
export function parseIdSet(input: string): Result<IdSet, string> {
  const ranges: [number, number][] = [];
  for (const raw of input.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const m = /^(\d{1,10})(?:\s*-\s*(\d{1,10}))?$/.exec(part);
    if (!m) return err(`"${part.slice(0, 40)}" is not an id: use numbers and ranges, e.g. 0, 1000-1999`);
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (to < from) return err(`"${part}" is an empty range`);
    ranges.push([from, to]);
  }
  return ranges.length === 0 ? err("give at least one id") : ok(ranges);
}

export const inIdSet = (set: IdSet, id: number): boolean => set.some(([a, b]) => id >= a && id <= b);

/**
 * Refuses regexes whose shape is known to backtrack exponentially on a miss: a quantified group
 * that itself contains an unbounded quantifier, as in `(a+)+`, `(.*)*`, `(\w+\s?)*` (the classic
 * ReDoS shape). A cheap scan of the source, not a proof: the worker's time budget and watchdog
 * stop whatever slips through. Returns the offending group, or undefined.
 */
export function nestedQuantifier(source: string): string | undefined {
  // For each open group: where it starts, and whether an unbounded quantifier occurred inside.
  const stack: { start: number; unbounded: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") stack.push({ start: i, unbounded: false });
    else if (c === ")") {
      const group = stack.pop();
      if (!group) continue;
      const next = source[i + 1];
      const quantified = next === "*" || next === "+" || (next === "{" && /^\{\d+,\d*\}/.test(source.slice(i + 1)));
      if (quantified && group.unbounded) return source.slice(group.start, i + 2);
      // The group's quantifiers count for the enclosing group too.
      const outer = stack[stack.length - 1];
      if (outer && (group.unbounded || quantified)) outer.unbounded = true;
    } else if (c === "*" || c === "+" || (c === "{" && /^\{\d+,\}/.test(source.slice(i)))) {
      const top = stack[stack.length - 1];
      if (top) top.unbounded = true;
    }
  }
  return undefined;
}

function parseMatcher(form: SearchForm): Result<PathMatcher, string> {
  const text = form.text;
  if (text === "") return ok({ mode: "all" });
  if (text.length > MAX_PATTERN_LENGTH) return err(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  switch (form.mode) {
    case "substring":
      return ok({ mode: "substring", needle: form.caseSensitive ? text : text.toLowerCase(), caseSensitive: form.caseSensitive });
    case "glob": {
      const re = compileGlob(text, form.caseSensitive);
      return re.ok ? ok({ mode: "pattern", re: re.value, source: "glob", text }) : err(`Invalid glob: ${re.error}`);
    }
    case "regex": {
      let re: RegExp;
      try {
        re = new RegExp(text, form.caseSensitive ? "u" : "iu");
      } catch (e) {
        // V8's message names the problem ("Unterminated group", "Nothing to repeat"…).
        const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, "") : String(e);
        return err(`Invalid regular expression: ${why}`);
      }
      const nested = nestedQuantifier(text);
      if (nested !== undefined)
        return err(`The group ${nested} repeats something that itself repeats: such patterns can take exponential time. Remove the outer or the inner repetition.`);
      return ok({ mode: "pattern", re, source: "regex", text });
    }
  }
}

/** Parses the form; every field in error is reported, not only the first. */
export function parseSearch(form: SearchForm): Result<SearchQuery, readonly QueryError[]> {
  const errors: QueryError[] = [];
  const matcher = parseMatcher(form);
  if (!matcher.ok) errors.push({ field: "text", message: matcher.error });
  const size = (field: "sizeMin" | "sizeMax"): number | undefined => {
    const text = form[field].trim();
    if (text === "") return undefined;
    const r = parseSize(text);
    if (!r.ok) errors.push({ field, message: r.error });
    return r.ok ? r.value : undefined;
  };
  const ids = (field: "uid" | "gid"): IdSet | undefined => {
    const text = form[field].trim();
    if (text === "") return undefined;
    const r = parseIdSet(text);
    if (!r.ok) errors.push({ field, message: `${field}: ${r.error}` });
    return r.ok ? r.value : undefined;
  };
  const sizeMin = size("sizeMin");
  const sizeMax = size("sizeMax");
  if (sizeMin !== undefined && sizeMax !== undefined && sizeMin > sizeMax) errors.push({ field: "sizeMax", message: "the largest size is below the smallest" });
  const uid = ids("uid");
  const gid = ids("gid");
  if (!matcher.ok || errors.length > 0) return err(errors);
  return ok({
    matcher: matcher.value,
    scope: form.scope,
    kinds: form.kinds.length > 0 ? new Set(form.kinds) : undefined,
    sizeMin,
    sizeMax,
    setuid: form.setuid,
    setgid: form.setgid,
    worldWritable: form.worldWritable,
    uid,
    gid,
    links: form.links,
  });
}

/** The kind of an entry for the type filter (see {@link EntryKind}). */
export function kindOf(type: EntryType, whiteout?: "none" | "whiteout" | "opaque" | "bad"): EntryKind {
  if (whiteout === "whiteout" || whiteout === "opaque") return whiteout;
  switch (type) {
    case "file":
    case "dir":
    case "symlink":
    case "hardlink":
    case "char":
    case "block":
    case "fifo":
      return type;
    default:
      return "other";
  }
}
