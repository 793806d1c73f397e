/**
 * A strict JSON reader (RFC 8259) for untrusted registry documents.
 *
 * Why not JSON.parse: it silently keeps the last of two equal keys, and it cannot tell us that
 * "mediaType" and "MediaType" both appeared. Go's encoding/json (Docker, containerd, registries)
 * also keeps the last duplicate but matches struct fields case-insensitively, so the same bytes
 * can mean different things to different readers — the ambiguity SECURITY R7 is about. This reader
 * rejects exact duplicates outright and reports keys that differ only in case, so callers decide.
 *
 * Objects become Maps (a "__proto__" key is just a key), numbers keep their source text (so a size
 * written "1e3" or "1.0" can be refused as Go would refuse it for an int64), and nesting is capped
 * so a hostile document cannot exhaust the stack.
 */
import { err, ok, type Result } from "../result";

/** A JSON number with its source text. */
export interface JsonNumber {
  readonly type: "number";
  readonly value: number;
  readonly raw: string;
}
/** Objects are Maps in insertion order: untrusted keys never touch a prototype. */
export type JsonObject = Map<string, JsonValue>;
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/** A step into a document: an object key or an array index. */
export type JsonPathSegment = string | number;

/** Two keys of one object that differ only in case (after Unicode case folding). */
export interface CaseCollision {
  readonly path: readonly JsonPathSegment[];
  readonly keys: readonly [string, string];
}

export interface ParsedJson {
  readonly value: JsonValue;
  readonly caseCollisions: readonly CaseCollision[];
}

export type JsonError =
  | { readonly type: "syntax"; readonly reason: string }
  | { readonly type: "duplicate-key"; readonly path: readonly JsonPathSegment[]; readonly key: string };

/** Deeper than any real manifest or config (they nest fewer than 10 levels). */
export const MAX_JSON_DEPTH = 256;

/**
 * Case-insensitive key identity, close to Go's encoding/json field matching, which folds Unicode
 * too: "ſchemaVersion" (long s) and "K" (Kelvin sign) match ASCII field names in Go. Upper then
 * lower maps ſ→S→s and K→k→k. It also folds "ß" with "ss", which Go does not: stricter, never looser.
 */
export function foldKey(key: string): string {
  return key.toUpperCase().toLowerCase();
}

/** Renders a path for messages: `layers[2].annotations["org.opencontainers.image.title"]`. */
export function formatJsonPath(path: readonly JsonPathSegment[]): string {
  if (path.length === 0) return "the top level";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(seg) && seg.length <= 64) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg.length > 64 ? `${seg.slice(0, 64)}…` : seg)}]`;
  }
  return out;
}

class SyntaxFailure {
  constructor(readonly error: JsonError) {}
}

/**
 * Parses one JSON text. Exact duplicate keys are an error (at their path); keys differing only
 * in case are returned in `caseCollisions` so the caller can reject them where a case-insensitive
 * reader would see one field (struct fields) and allow them where keys are data (labels).
 * A leading byte-order mark is a syntax error, as in Go.
 */
export function parseJson(text: string): Result<ParsedJson, JsonError> {
  const collisions: CaseCollision[] = [];
  const path: JsonPathSegment[] = [];
  let pos = 0;

  const fail = (reason: string): never => {
    throw new SyntaxFailure({ type: "syntax", reason: `${reason} at character ${pos + 1}` });
  };
  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      // RFC 8259 whitespace only: space, tab, LF, CR.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };
  const describeChar = (): string => {
    if (pos >= text.length) return "unexpected end of input";
    const c = text.codePointAt(pos) ?? 0;
    return c === 0xfeff ? "unexpected byte order mark" : `unexpected character ${JSON.stringify(String.fromCodePoint(c))}`;
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = "";
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const unit = readHex4();
          if (unit >= 0xd800 && unit <= 0xdbff && text[pos] === "\\" && text[pos + 1] === "u") {
            const save = pos;
            pos += 2;
            const low = readHex4();
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              break;
            }
            pos = save;
          }
          // A lone surrogate becomes U+FFFD, as Go decodes it, so two keys that Go would see as
          // equal are equal here too (and caught as duplicates).
          out += unit >= 0xd800 && unit <= 0xdfff ? "\ufffd" : String.fromCharCode(unit);
          break;
        }
        default:
          pos -= 1;
          fail("invalid escape in string");
      }
      start = pos;
    }
  };
  const readHex4 = (): number => {
    const hex = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape");
    pos += 4;
    return parseInt(hex, 16);
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseNumber = (): JsonNumber => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m || m[0] === "-") return fail("invalid number");
    const raw = m[0];
    pos += raw.length;
    return { type: "number", value: Number(raw), raw };
  };

  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail(describeChar());
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case "{": {
        pos++;
        const obj: JsonObject = new Map();
        const folded = new Map<string, string>();
        skipWhitespace();
        if (text[pos] === "}") {
          pos++;
          return obj;
        }
        for (;;) {
          skipWhitespace();
          if (text[pos] !== '"') fail(`expected a key in quotes, ${describeChar()}`);
          const key = parseString();
          if (obj.has(key)) throw new SyntaxFailure({ type: "duplicate-key", path: [...path], key });
          const f = foldKey(key);
          const other = folded.get(f);
          if (other !== undefined) collisions.push({ path: [...path], keys: [other, key] });
          else folded.set(f, key);
          skipWhitespace();
          if (text[pos] !== ":") fail(`expected ':' after a key, ${describeChar()}`);
          pos++;
          path.push(key);
          obj.set(key, parseValue(depth + 1));
          path.pop();
          skipWhitespace();
          if (text[pos] === ",") {
            pos++;
            continue;
          }
          if (text[pos] === "}") {
            pos++;
            return obj;
          }
          fail(`expected ',' or '}', ${describeChar()}`);
        }
      }
      case "[": {
        pos++;
        const arr: JsonValue[] = [];
        skipWhitespace();
        if (text[pos] === "]") {
          pos++;
          return arr;
        }
        for (;;) {
          path.push(arr.length);
          arr.push(parseValue(depth + 1));
          path.pop();
          skipWhitespace();
          if (text[pos] === ",") {
            pos++;
            continue;
          }
          if (text[pos] === "]") {
            pos++;
            return arr;
          }
          fail(`expected ',' or ']', ${describeChar()}`);
        }
      }
      case '"':
        return parseString();
      case "t":
        return literal("true", true);
      case "f":
        return literal("false", false);
      case "n":
        return literal("null", null);
      default:
        if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
        return fail(describeChar());
    }
  };

  try {
    const value = parseValue(0);
    skipWhitespace();
    if (pos !== text.length) fail(`${describeChar()} after the document`);
    return ok({ value, caseCollisions: collisions });
  } catch (e) {
    if (e instanceof SyntaxFailure) return err(e.error);
    throw e;
  }
}

/** Type guards over JsonValue. */
export const isJsonObject = (v: JsonValue | undefined): v is JsonObject => v instanceof Map;
export const isJsonArray = (v: JsonValue | undefined): v is JsonValue[] => Array.isArray(v);
export const isJsonNumber = (v: JsonValue | undefined): v is JsonNumber =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.type === "number";
