import { describe, expect, it } from "vitest";
import { en } from "./en";
import { zh } from "./zh";
import { langFromSearch, withLang } from "./index";

/** Every key path of a catalogue, with the arity of each message function. */
function shape(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === "object" && v !== null ? shape(v as object, `${prefix}${k}.`) : [`${prefix}${k}:${typeof v === "function" ? (v as (...a: unknown[]) => unknown).length : "s"}`],
  );
}

/** Formulas, column heads quoting a command's output, and values with units: the same in both. */
const LEFT_AS_IS = new Set(["chainFormula", "chainStep", "colStep", "colDockerImage", "inWorker", "formatCount", "compressedSize", "uncompressedSize"]);

describe("catalogues", () => {
  it("zh has exactly en's keys, with the same parameters", () => {
    expect(shape(zh).sort()).toEqual(shape(en).sort());
  });

  it("messages put the values they are given into the text, in both languages", () => {
    for (const t of [en, zh]) {
      expect(t.byTag("v1.2", "sha256:abc")).toContain("v1.2");
      expect(t.byTag("v1.2", "sha256:abc")).toContain("sha256:abc");
      expect(t.historyCounts(7, 3, 4, 4)).toMatch(/7[\s\S]*3[\s\S]*4/);
      expect(t.overlayIntro(3, "top000000000", "base00000000")).toContain("top000000000");
    }
  });

  it("zh is Chinese text, not English left untranslated", () => {
    for (const [path] of shape(zh).map((s) => s.split(":"))) {
      if (path === undefined || LEFT_AS_IS.has(path)) continue;
      const value = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], zh);
      const text = typeof value === "function" ? String((value as (...a: unknown[]) => unknown)(1, 1, 1, 1)) : String(value);
      expect(text, path).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe("language in the URL", () => {
  it.each([
    ["", "en"],
    ["?lang=zh", "zh"],
    ["?image=x&lang=zh-CN", "zh"],
    ["?lang=fr", "en"],
  ])("%s → %s", (search, lang) => {
    expect(langFromSearch(search)).toBe(lang);
  });

  it("sets and removes lang= without re-encoding the other parameters", () => {
    expect(withLang("?image=ghcr.io/a/b:1&platform=linux/arm64", "zh")).toBe("?image=ghcr.io/a/b:1&platform=linux/arm64&lang=zh");
    expect(withLang("?image=a:1&lang=zh", "en")).toBe("?image=a:1");
    expect(withLang("?lang=zh", "en")).toBe("");
    expect(withLang("", "zh")).toBe("?lang=zh");
  });
});
