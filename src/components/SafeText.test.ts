import { describe, expect, it } from "vitest";
import { escapeInvisible, hasInvisible } from "./SafeText";

describe("escapeInvisible (SECURITY U3)", () => {
  const cases: [name: string, input: string, want: string][] = [
    ["plain text unchanged", "nginx -g 'daemon off;'", "nginx -g 'daemon off;'"],
    ["HTML stays literal text", "<script>alert(1)</script>", "<script>alert(1)</script>"],
    ["right-to-left override", "evil\u202Etxt.exe", "evil⟨U+202E⟩txt.exe"],
    ["bidi isolates", "a\u2066b\u2069c", "a⟨U+2066⟩b⟨U+2069⟩c"],
    ["zero-width space and joiner", "a\u200Bb\u200Dc", "a⟨U+200B⟩b⟨U+200D⟩c"],
    ["BOM", "\uFEFFx", "⟨U+FEFF⟩x"],
    ["newline, tab, CR", "a\nb\tc\rd", "a⟨\\n⟩b⟨\\t⟩c⟨\\r⟩d"],
    ["NUL and DEL", "a\u0000b\u007F", "a⟨U+0000⟩b⟨U+007F⟩"],
    ["C1 control", "a\u0085b", "a⟨U+0085⟩b"],
    ["lone surrogate", "a\uD800b", "a⟨U+D800⟩b"],
    ["surrogate pair kept", "a😀b", "a😀b"],
    ["accents kept", "café naïve", "café naïve"],
  ];
  it.each(cases)("%s", (_name, input, want) => {
    expect(escapeInvisible(input)).toBe(want);
  });

  it("keeps newlines and tabs in multiline mode, escapes the rest", () => {
    expect(escapeInvisible("RUN a \\\n\tb\u202E", { multiline: true })).toBe("RUN a \\\n\tb⟨U+202E⟩");
  });

  it("hasInvisible is stable across calls (no lastIndex leak)", () => {
    expect(hasInvisible("x\u200B")).toBe(true);
    expect(hasInvisible("x\u200B")).toBe(true);
    expect(hasInvisible("plain")).toBe(false);
  });
});
