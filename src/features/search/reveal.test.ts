/**
 * The trees' side of the file-actions bus, rendered to markup: a reveal request expands the
 * path's parents and selects it; a path not in the tree gets a short notice, not silence.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FileTreeView } from "../layers/FileTreeView";
import { fakeEntry, fakeResult } from "../layers/testing";
import { buildFileTree } from "../layers/tree";
import { MergedTreeView } from "../merged/MergedTreeView";
import { buildMergedTree, mergedAt } from "../merged/model";

const tagsWith = (html: string, id: string): string[] => html.match(new RegExp(`<[^>]*data-testid="${id}"[^>]*>`, "g")) ?? [];
const selected = (html: string, id: string): string[] =>
  tagsWith(html, id)
    .filter((t) => t.includes('aria-selected="true"'))
    .map((t) => /data-path="([^"]*)"/.exec(t)?.[1] ?? "");

const entries = [
  fakeEntry("usr", { type: "dir" }),
  fakeEntry("usr/share", { type: "dir" }),
  fakeEntry("usr/share/doc", { type: "dir" }),
  fakeEntry("usr/share/doc/readme", { size: 10 }),
  fakeEntry("etc/.wh.gone", { whiteout: "whiteout", whiteoutTarget: "etc/gone" }),
];

describe("reveal in the merged tree", () => {
  const fs = mergedAt([fakeResult(0, entries).entries], 0);
  const merged = buildMergedTree(fs, false);
  const render = (path: string): string =>
    renderToStaticMarkup(
      createElement(MergedTreeView, { merged, createdBy: undefined, untrusted: new Set<number>(), showDeleted: false, onShowDeleted: () => {}, onLayer: () => {}, reveal: { path } }),
    );
  it("expands the parents and selects the path", () => {
    const html = render("usr/share/doc/readme");
    expect(selected(html, "merged-row")).toEqual(["usr/share/doc/readme"]);
    expect(tagsWith(html, "merged-details")[0]).toContain('data-path="usr/share/doc/readme"');
    expect(tagsWith(html, "merged-reveal-notice")).toHaveLength(0);
  });
  it("says when the path is not there", () => {
    const html = render("etc/gone");
    expect(tagsWith(html, "merged-reveal-notice")).toHaveLength(1);
    expect(html).toContain("/etc/gone is not in the merged filesystem");
    expect(selected(html, "merged-row")).toEqual([]);
  });
});

describe("reveal in a layer's tree", () => {
  const tree = buildFileTree(entries);
  const render = (path: string): string => renderToStaticMarkup(createElement(FileTreeView, { tree, changes: undefined, label: "Files", reveal: { path } }));
  it("finds a whiteout by its literal path and selects the row named after what it hides", () => {
    expect(selected(render("etc/.wh.gone"), "tree-row")).toEqual(["etc/gone"]);
    expect(selected(render("usr/share/doc/readme"), "tree-row")).toEqual(["usr/share/doc/readme"]);
  });
  it("says when the path is not there", () => {
    const html = render("no/such/file");
    expect(html).toContain("/no/such/file is not in this layer");
    expect(selected(html, "tree-row")).toEqual([]);
  });
});
