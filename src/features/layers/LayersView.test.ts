import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FileTreeView } from "./FileTreeView";
import { LayersView } from "./LayersView";
import { layerChanges } from "./model";
import { createFakeLayerJobs, fakeEntry, fakeResult, fakeState } from "./testing";
import { buildFileTree } from "./tree";

/** The markup's elements with `data-testid="id"`, as their opening tags. */
const tagsWith = (html: string, id: string): string[] => html.match(new RegExp(`<[^>]*data-testid="${id}"[^>]*>`, "g")) ?? [];

describe("LayersView (static render)", () => {
  const verified = fakeResult(0, [fakeEntry("etc/passwd")]);
  const mismatched = fakeResult(1, [fakeEntry("x")], { digestVerdict: { status: "mismatch", expected: "sha256:aaa", actual: "sha256:bbb" } });
  const jobs = createFakeLayerJobs([
    fakeState(0, { result: verified }),
    fakeState(1, { result: mismatched }),
    fakeState(2, { progress: { stage: "downloading", compressedBytes: 500_000, compressedTotal: 3_000_000, uncompressedBytes: 1_200_000, entries: 42, bytesPerSecond: 12_000_000 } }),
    fakeState(3, { progress: { stage: "failed", compressedBytes: 0, compressedTotal: 4_000_000, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 }, error: { kind: "unreachable", registry: "r.example", detail: "connection reset" } }),
  ]);
  const html = renderToStaticMarkup(
    createElement(LayersView, { jobs, createdBy: ['RUN echo "<script>alert(1)</script>"', "COPY \u202Eevil /", undefined, undefined] }),
  );

  it("lists every layer with its index and trust", () => {
    const rows = tagsWith(html, "layer-row");
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.match(/data-layer-index="(\d+)"/)?.[1])).toEqual(["0", "1", "2", "3"]);
    expect(rows.map((r) => r.match(/data-trusted="(\w+)"/)?.[1])).toEqual(["true", "false", "false", "false"]);
    expect(tagsWith(html, "untrusted")).toHaveLength(1);
  });

  it("shows verdicts, progress, cancel and retry", () => {
    expect(tagsWith(html, "digest-verdict").map((t) => t.match(/data-status="(\w+)"/)?.[1])).toEqual(["verified", "mismatch", "pending", "unverifiable"]);
    expect(html).toContain("sha256:aaa");
    expect(html).toContain("sha256:bbb");
    expect(tagsWith(html, "layer-progress")).toHaveLength(1);
    expect(html).toContain("12 MB/s");
    expect(tagsWith(html, "layer-cancel")).toHaveLength(1);
    expect(tagsWith(html, "layer-retry")).toHaveLength(1);
    expect(tagsWith(html, "layers-cancel-all")[0]).not.toMatch(/ disabled(="")?[ >]/);
    expect(tagsWith(html, "error")[0]).toContain('data-kind="unreachable"');
  });

  it("renders created_by as text, with invisible characters made visible (U2, U3)", () => {
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("⟨U+202E⟩");
  });
});

describe("FileTreeView (static render)", () => {
  it("marks rows with their change and escapes hostile names", () => {
    const base = fakeResult(0, [fakeEntry("root/old")]);
    const top = fakeResult(1, [
      fakeEntry("root/old"),
      fakeEntry("root/new\u202Etxt.exe"),
      fakeEntry("root/<img src=x onerror=alert(1)>"),
      fakeEntry("root/.wh.gone", { whiteout: "whiteout", whiteoutTarget: "root/gone" }),
      fakeEntry("root/bad\uFFFD", { rawPath: new Uint8Array([...new TextEncoder().encode("root/bad"), 0xff]), flags: ["invalid-utf8"] }),
      fakeEntry("root/link", { type: "symlink", linkname: "../../etc/shadow" }),
    ]);
    const tree = buildFileTree(top.entries);
    const html = renderToStaticMarkup(createElement(FileTreeView, { tree, changes: layerChanges(tree, top, [base]), label: "t" }));
    const rows = tagsWith(html, "tree-row");
    // The single top-level directory starts expanded.
    expect(rows).toHaveLength(7);
    const change = (path: string) => rows.find((r) => r.includes(`data-path="${path}"`))?.match(/data-change="(\w+)"/)?.[1];
    expect(change("root")).toBe("modified");
    expect(change("root/old")).toBe("modified");
    expect(change("root/gone")).toBe("deleted");
    expect(change("root/link")).toBe("added");
    expect(html).not.toContain("<img");
    expect(html).toContain("⟨U+202E⟩");
    expect(html).toContain("⟨\\xFF⟩");
    expect(html).toContain("→ ");
    expect(html).toContain("line-through");
    expect(rows.every((r) => r.includes('role="treeitem"'))).toBe(true);
  });
});
