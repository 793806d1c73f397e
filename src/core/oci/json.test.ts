import { describe, expect, it } from "vitest";
import { foldKey, formatJsonPath, isJsonNumber, isJsonObject, parseJson } from "./json";

describe("parseJson", () => {
  it("objects are Maps, numbers keep their source text", () => {
    const r = parseJson(`{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\ud83d\\ude00\\n"],"__proto__":{}}`);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const v = r.value.value;
    if (!isJsonObject(v)) throw new Error("expected an object");
    expect([...v.keys()]).toEqual(["a", "__proto__"]);
    const a = v.get("a") as unknown[];
    expect(isJsonNumber(a[1] as never) && (a[1] as { raw: string }).raw).toBe("-2.5e3");
    expect(a.slice(2)).toEqual([true, false, null, "xé😀\n"]);
  });

  it.each<[string, RegExp]>([
    ["", /end of input/],
    ["{", /expected a key/],
    ['{"a" 1}', /expected ':'/],
    ['{"a":1,}', /expected a key/],
    ["[1,]", /unexpected character "\]"/],
    ["01", /after the document/],
    ["1.", /after the document/],
    ["-", /invalid number/],
    ["+1", /unexpected character "\+"/],
    ['"\\x"', /invalid escape/],
    ['"\\u12"', /invalid \\u escape/],
    ["'a'", /unexpected character "'"/],
    ["nul", /unexpected character "n"/],
    ["\u00a0{}", /unexpected character/],
    ["\ufeff{}", /byte order mark/],
    ["[1] [2]", /after the document/],
  ])("syntax error: %j", (text, reason) => {
    const r = parseJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.type === "syntax") expect(r.error.reason).toMatch(reason);
    else expect.fail("expected a syntax error");
  });

  it("exact duplicates are errors, with their path", () => {
    expect(parseJson(`{"a":[{"b":1,"b":2}]}`)).toEqual({ ok: false, error: { type: "duplicate-key", path: ["a", 0], key: "b" } });
    // Escaped and literal spellings of the same key are the same key.
    expect(parseJson(`{"ab":1,"\\u0061b":2}`).ok).toBe(false);
  });

  it("lone surrogates decode to U+FFFD like Go, so Go-equal keys collide", () => {
    expect(parseJson(`{"\\ud800":1,"\\udfff":2}`)).toMatchObject({ ok: false, error: { type: "duplicate-key", key: "\ufffd" } });
  });

  it("case-only collisions are reported, not rejected", () => {
    const r = parseJson(`{"x":{"Env":1,"ENV":2,"ſ":3,"S":4}}`);
    if (!r.ok) throw new Error("expected ok");
    expect(r.value.caseCollisions).toEqual([
      { path: ["x"], keys: ["Env", "ENV"] },
      { path: ["x"], keys: ["ſ", "S"] },
    ]);
  });

  it("foldKey matches Go's Unicode folding for the classic tricks", () => {
    expect(foldKey("ſchemaVersion")).toBe(foldKey("schemaVersion"));
    expect(foldKey("\u212Aey")).toBe(foldKey("key"));
  });

  it("formatJsonPath", () => {
    expect(formatJsonPath([])).toBe("the top level");
    expect(formatJsonPath(["layers", 2, "annotations", "org.example/x y"])).toBe('layers[2].annotations["org.example/x y"]');
  });
});
