/**
 * Shell-style globs compiled to regular expressions, for path search.
 *
 * - `*` any run of characters within one path segment (never "/");
 * - `**` any run of characters across segments; `**` then a slash also matches no directory
 *   at all, so "**" + "/x" matches "x" at the top too (as in gitignore and bash's globstar);
 * - `?` one character other than "/";
 * - `[abc]`, `[a-z]`, `[!a-z]` / `[^a-z]` one character from (or not from) a set, never "/";
 * - `{a,b,c}` alternatives (may hold the other wildcards, not nested braces);
 * - `\x` the character x literally.
 *
 * Unlike a shell, `*` matches names starting with a dot: in an image nothing is hidden.
 * Returns the regex source (no anchors, no flags); {@link compileGlob} anchors it.
 */
import { err, ok, type Result } from "../result";

/** RegExp syntax characters (the only identity escapes the `u` flag allows). */
const escapeChar = (c: string): string => (/[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c);

export function globToRegexSource(glob: string): Result<string, string> {
  let out = "";
  let inBrace = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "\\") {
      const next = glob[i + 1];
      if (next === undefined) return err("the pattern ends with a lone backslash");
      out += escapeChar(next);
      i++;
    } else if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        // Swallow a run of stars; "**/" may also match nothing.
        while (glob[i + 1] === "*") i++;
        if (glob[i + 1] === "/") {
          i++;
          out += "(?:.*/)?";
        } else out += ".*";
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) return err(`"[" at position ${i + 1} has no closing "]"`);
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negate = true;
        body = body.slice(1);
      }
      // Inside a class only "\", "]" and "^" are special to RegExp; "-" keeps its range meaning.
      const cls = body.replace(/[\\\]^[]/g, (x) => `\\${x}`);
      out += negate ? `[^/${cls}]` : `(?!/)[${cls}]`;
      i = close;
    } else if (c === "{") {
      if (inBrace) return err("nested braces are not supported");
      inBrace = true;
      out += "(?:";
    } else if (c === "," && inBrace) out += "|";
    else if (c === "}" && inBrace) {
      inBrace = false;
      out += ")";
    } else out += escapeChar(c);
  }
  if (inBrace) return err('"{" has no closing "}"');
  return ok(out);
}

/**
 * A glob as an anchored RegExp tested against a path with a leading "/" ("/usr/bin/env").
 * A pattern with no "/" matches the last segment anywhere (like `find -name`): `*.so` finds every
 * .so file. A pattern with a "/" matches the whole path from the root; the leading "/" is
 * optional ("usr/lib/*.so" = "/usr/lib/*.so").
 */
export function compileGlob(glob: string, caseSensitive: boolean): Result<RegExp, string> {
  const basename = !glob.includes("/");
  const src = globToRegexSource(basename ? glob : glob.startsWith("/") ? glob : `/${glob}`);
  if (!src.ok) return src;
  const anchored = basename ? `(?:^|/)${src.value}$` : `^${src.value}$`;
  try {
    return ok(new RegExp(anchored, caseSensitive ? "u" : "iu"));
  } catch (e) {
    return err(`the glob could not be compiled: ${e instanceof Error ? e.message : String(e)}`);
  }
}
