/**
 * A validator for the subset of JSON Schema (2020-12) that cli/schema/inspect.schema.json uses:
 * type, const, enum, properties, required, additionalProperties: false, items, oneOf, local
 * $ref, minimum, maximum. Any other keyword throws, so the schema cannot quietly outgrow it.
 * Used by the tests (no new dependency for a full validator).
 */
type Schema = { readonly [k: string]: unknown };

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);
const KNOWN = new Set([...ANNOTATIONS, "type", "const", "enum", "properties", "required", "additionalProperties", "items", "oneOf", "$ref", "minimum", "maximum"]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Returns the problems found, as "path: what" strings; empty when `value` is valid. */
export function checkSchema(root: Schema, value: unknown): string[] {
  const problems: string[] = [];
  const resolve = (ref: string): Schema => {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const found = m ? (root["$defs"] as Record<string, Schema> | undefined)?.[m[1] as string] : undefined;
    if (found === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return found;
  };
  const visit = (s: Schema, v: unknown, at: string, out: string[]): void => {
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} at ${at} is not supported by schema-check`);
    if (typeof s["$ref"] === "string") visit(resolve(s["$ref"]), v, at, out);
    if (s["type"] !== undefined) {
      const types = Array.isArray(s["type"]) ? (s["type"] as string[]) : [s["type"] as string];
      const t = typeOf(v);
      if (!types.includes(t) && !(t === "integer" && types.includes("number"))) out.push(`${at}: is ${t}, wants ${types.join(" or ")}`);
    }
    if ("const" in s && v !== s["const"]) out.push(`${at}: is ${JSON.stringify(v)}, wants ${JSON.stringify(s["const"])}`);
    if (Array.isArray(s["enum"]) && !s["enum"].includes(v)) out.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s["enum"])}`);
    if (typeof v === "number") {
      if (typeof s["minimum"] === "number" && v < s["minimum"]) out.push(`${at}: ${v} < ${s["minimum"]}`);
      if (typeof s["maximum"] === "number" && v > s["maximum"]) out.push(`${at}: ${v} > ${s["maximum"]}`);
    }
    if (typeOf(v) === "object") {
      const o = v as Record<string, unknown>;
      const props = (s["properties"] ?? {}) as Record<string, Schema>;
      for (const r of (s["required"] ?? []) as string[]) if (!(r in o)) out.push(`${at}: lacks ${r}`);
      for (const [k, child] of Object.entries(o)) {
        const ps = props[k];
        if (ps !== undefined) visit(ps, child, `${at}.${k}`, out);
        else if (s["additionalProperties"] === false) out.push(`${at}: has ${k}, which the schema does not name`);
      }
    }
    if (Array.isArray(v) && s["items"] !== undefined) v.forEach((item, i) => visit(s["items"] as Schema, item, `${at}[${i}]`, out));
    if (Array.isArray(s["oneOf"])) {
      const passing = (s["oneOf"] as Schema[]).filter((alt) => {
        const sub: string[] = [];
        visit(alt, v, at, sub);
        return sub.length === 0;
      }).length;
      if (passing !== 1) out.push(`${at}: matches ${passing} of oneOf's ${s["oneOf"].length} alternatives, wants exactly 1`);
    }
  };
  visit(root, value, "$", problems);
  return problems;
}
