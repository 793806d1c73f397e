import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { diffFilesystems } from "../../core/compare";
import { mergeLayers } from "../../core/filetree";
import { fakeEntry } from "../layers/testing";
import { FileDiffList } from "./FileDiffList";

const tagsWith = (html: string, id: string): string[] => html.match(new RegExp(`<[^>]*data-testid="${id}"[^>]*>`, "g")) ?? [];

describe("FileDiffList (static render)", () => {
  it("lists each differing path with its kind and what changed, and counts every kind", () => {
    const a = mergeLayers([[fakeEntry("etc/a", { size: 3 }), fakeEntry("etc/gone"), fakeEntry("bin/x", { mode: 0o755 })]]);
    const b = mergeLayers([[fakeEntry("etc/a", { size: 5 }), fakeEntry("etc/new\u202Eevil"), fakeEntry("bin/x", { mode: 0o700 })]]);
    const html = renderToStaticMarkup(createElement(FileDiffList, { diff: diffFilesystems(a, b, { includeUnchanged: true }) }));
    const rows = tagsWith(html, "diff-row");
    expect(rows.map((r) => r.match(/data-kind="(\w+)"/)?.[1])).toEqual(["changed", "changed", "removed", "added"]);
    expect(rows[0]).toContain('data-changes="mode"');
    expect(rows[1]).toContain('data-changes="size content"');
    expect(tagsWith(html, "diff-count-added")[0]).toContain('data-count="1"');
    expect(tagsWith(html, "diff-count-removed")[0]).toContain('data-count="1"');
    // An invisible control character in a path is shown, never applied (SafeText).
    expect(html).toContain("U+202E");
    expect(tagsWith(html, "diff-window")).toHaveLength(0);
  });

  it("windows a long list: only the first screenful of 5 000 rows is in the DOM", () => {
    const many = Array.from({ length: 5000 }, (_, i) => fakeEntry(`data/f${String(i).padStart(5, "0")}`));
    const html = renderToStaticMarkup(createElement(FileDiffList, { diff: diffFilesystems(mergeLayers([[]]), mergeLayers([many])) }));
    expect(tagsWith(html, "diff-window")).toHaveLength(1);
    const rows = tagsWith(html, "diff-row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(tagsWith(html, "diff-count-added")[0]).toContain('data-count="5001"');
  });
});
