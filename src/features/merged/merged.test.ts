import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { fakeEntry, fakeFilesystem, fakeResult, fakeState } from "../layers/testing";
import { visibleRows } from "../layers/tree";
import { computeEfficiency } from "../../core/filetree";
import { EfficiencyView } from "./EfficiencyPanel";
import { MergedView } from "./MergedSection";
import { MERGE_IN_WORKER_ABOVE_ENTRIES } from "../../lib/filetree/client";
import { nearestRow } from "./MergedTreeView";
import { runSteps } from "../../core/steps";
import { buildMergedTree, cachedView, completeness, layerEntries, layerList, mergedAt, mergedTreeFor, viewNow, viewSteps } from "./model";

/** The markup's elements with `data-testid="id"`, as their opening tags. */
const tagsWith = (html: string, id: string): string[] => html.match(new RegExp(`<[^>]*data-testid="${id}"[^>]*>`, "g")) ?? [];
const attr = (tag: string | undefined, name: string): string | undefined => tag?.match(new RegExp(`${name}="([^"]*)"`))?.[1];

/** The sample image's shape: a base, a COPY, and a layer that deletes etc/motd and overwrites etc/passwd. */
const base = fakeResult(0, [
  fakeEntry("etc", { type: "dir" }),
  fakeEntry("etc/motd", { size: 40 }),
  fakeEntry("etc/passwd", { size: 12_800 }),
  fakeEntry("bin", { type: "dir" }),
  fakeEntry("bin/sh", { size: 1000, mode: 0o755 }),
  fakeEntry("\u202Eevil<img src=x onerror=alert(1)>", { size: 1 }),
]);
const copy = fakeResult(1, [fakeEntry("usr/share/hello.txt", { size: 80 })]);
const top = fakeResult(2, [
  fakeEntry("etc/.wh.motd", { whiteout: "whiteout", whiteoutTarget: "etc/motd" }),
  fakeEntry("etc/passwd", { size: 13_000 }),
  fakeEntry("home/app", { type: "dir" }),
]);

describe("merged model", () => {
  it("merges the layers up to a slider position, deleted paths kept for 'show deleted'", () => {
    const layers = layerEntries([base, copy, top]);
    const fs = mergedAt(layers, 2);
    expect(fs.entries.has("etc/motd")).toBe(false);
    expect(fs.entries.get("etc/passwd")?.version.layer).toBe(2);
    expect(fs.entries.get("etc/passwd")?.hides.map((v) => v.layer)).toEqual([0]);
    expect(fs.deleted.get("etc/motd")?.removedBy).toBe(2);
    // Cached per (layers, upTo).
    expect(mergedAt(layers, 2)).toBe(fs);
    expect(mergedAt(layers, 1).entries.has("etc/motd")).toBe(true);

    const plain = mergedTreeFor(fs, false);
    expect(plain.rows.has("etc/motd")).toBe(false);
    const withDeleted = buildMergedTree(fs, true);
    expect(withDeleted.rows.get("etc/motd")?.kind).toBe("deleted");
    expect(withDeleted.deletedCount).toBe(1);
    // Deleted paths do not count in directory sizes.
    const etc = withDeleted.tree.roots.find((n) => n.path === "etc");
    expect(etc?.size).toBe(13_000);
    const rows = visibleRows(withDeleted.tree, "name", () => true).map((n) => n.path);
    expect(rows).toContain("etc/motd");
    expect(rows).toContain("home/app");
  });

  it("layers without a result merge as empty and are reported", () => {
    const states = [fakeState(0, { result: base }), fakeState(1), fakeState(2, { progress: { stage: "failed", compressedBytes: 0, compressedTotal: 1, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } })];
    const c = completeness(states);
    expect(c.running).toEqual([1]);
    expect(c.missing).toEqual([2]);
    expect(layerList([0, 2, 3])).toBe("1, 3 and 4");
    expect(layerList([4])).toBe("5");
  });

  it("gives the same layers array for the same results, and before any result (no analysis restarted per progress snapshot)", () => {
    expect(layerEntries([base, copy])).toBe(layerEntries([base, copy]));
    const none = layerEntries([undefined, undefined, undefined]);
    expect(none).toEqual([[], [], []]);
    expect(layerEntries([undefined, undefined, undefined])).toBe(none);
    expect(layerEntries([undefined, undefined])).not.toBe(none);
    expect(layerEntries([undefined, copy, undefined])).not.toBe(none);
  });

  it("finds the focused row, or its nearest shown ancestor, in the rows", () => {
    const tree = mergedTreeFor(mergedAt(layerEntries([base, copy, top]), 2), false).tree;
    const collapsed = visibleRows(tree, "name", () => false);
    const expanded = visibleRows(tree, "name", () => true);
    const deep = expanded[expanded.length - 1]!;
    expect(nearestRow(expanded, deep.key)).toBe(expanded.length - 1);
    const top0 = deep.key.split("/")[0]!;
    expect(collapsed[nearestRow(collapsed, deep.key)]?.key).toBe(top0);
    expect(nearestRow(expanded, undefined)).toBe(-1);
    expect(nearestRow(expanded, "no/such/path")).toBe(-1);
  });

  it("keeps hostile names as plain paths (T12)", () => {
    const layers = layerEntries([fakeResult(0, [fakeEntry("__proto__"), fakeEntry("constructor/x")])]);
    const t = mergedTreeFor(mergedAt(layers, 0), false);
    expect([...t.rows.keys()].sort()).toEqual(["__proto__", "constructor", "constructor/x"]);
  });

  it("builds the tree of 100 000 merged entries quickly enough for the slider", () => {
    const layers = layerEntries([fakeResult(0, fakeFilesystem(60_000, 1)), fakeResult(1, fakeFilesystem(40_000, 2))]);
    const start = performance.now();
    const t = mergedTreeFor(mergedAt(layers, 1), false);
    const ms = performance.now() - start;
    expect(t.presentCount).toBeGreaterThan(50_000);
    console.log(`merged tree of 100 000 entries: ${ms.toFixed(0)} ms`); // a figure, not a bound
  });
});

describe("MergedView (static render)", () => {
  const states = [
    fakeState(0, { result: base }),
    fakeState(1, { result: copy }),
    fakeState(2, { result: fakeResult(2, top.entries, { digestVerdict: { status: "mismatch", expected: "sha256:aaa", actual: "sha256:bbb" } }) }),
    fakeState(3, { progress: { stage: "downloading", compressedBytes: 1, compressedTotal: 10, uncompressedBytes: 0, entries: 0, bytesPerSecond: 0 } }),
  ];
  const html = renderToStaticMarkup(createElement(MergedView, { states, createdBy: ['ADD file:x in / ', "COPY <script>alert(1)</script> /", "RUN rm motd", "RUN \u202E <b>x</b>"] }));

  it("renders the section with the slider at the top layer, partial and untrusted", () => {
    expect(tagsWith(html, "merged")).toHaveLength(1);
    const slider = tagsWith(html, "merged-slider")[0];
    expect(attr(slider, "min")).toBe("1");
    expect(attr(slider, "max")).toBe("4");
    expect(attr(slider, "value")).toBe("4");
    expect(tagsWith(html, "merged-partial")).toHaveLength(1);
    expect(html).toContain("partial until all layers are indexed");
    expect(tagsWith(html, "untrusted").length).toBeGreaterThan(0);
  });

  it("shows each top-level path with its providing layer", () => {
    const rows = tagsWith(html, "merged-row");
    const paths = rows.map((r) => attr(r, "data-path"));
    expect(paths).toEqual(["bin", "etc", "home", "usr", "\u202Eevil<img src=x onerror=alert(1)>".replace("<", "&lt;").replace(">", "&gt;")]);
    expect(attr(rows[1], "data-layer")).toBe("0");
    expect(attr(rows[2], "data-layer")).toBeUndefined(); // home: implied by home/app
    expect(tagsWith(html, "merged-show-deleted")).toHaveLength(1);
  });

  it("escapes created_by (U2, U3)", () => {
    expect(html).not.toContain("<script>");
    expect(html).toContain("⟨U+202E⟩");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<img");
  });

  it("shows the efficiency panel: dive's figures, the corrected one with its note, per layer, wasted files", () => {
    // The panel computes in a deferred render; the report's view renders it at once.
    const layers = layerEntries(states.map((s) => s.result));
    const report = computeEfficiency(layers, mergedAt(layers, layers.length - 1));
    const html = renderToStaticMarkup(
      createElement(EfficiencyView, { report, layerCount: 4, unread: [false, false, false, true], complete: false, createdBy: undefined, untrusted: new Set([2]), onLayer: () => {} }),
    );
    expect(tagsWith(html, "efficiency")).toHaveLength(1);
    expect(tagsWith(html, "efficiency-score")).toHaveLength(2);
    expect(html).toContain("dive issue #684");
    const layerRows = tagsWith(html, "efficiency-layer-row");
    expect(layerRows).toHaveLength(4);
    expect(attr(layerRows[0], "data-added")).toBe(String(40 + 12_800 + 1000 + 1));
    const files = tagsWith(html, "wasted-file");
    expect(files.map((f) => attr(f, "data-path"))).toEqual(["etc/passwd", "etc/motd"]);
    expect(attr(files[0], "data-wasted")).toBe("12800");
  });

  it("renders nothing before any layer has a result", () => {
    expect(renderToStaticMarkup(createElement(MergedView, { states: [fakeState(0)] }))).toBe("");
  });
});

describe("the merged view in slices (big images)", () => {
  /** The tree as rows: path, depth, size, descendants, and what the row shows. */
  const shape = (v: ReturnType<typeof viewNow>): string[] =>
    v.merged.tree.nodes.map((n) => `${n.path} d${n.depth} s${n.size} n${n.descendants} ${v.merged.rows.get(n.key)?.kind ?? "implied"} ${n.isDir ? "dir" : ""}`);

  it.each([
    { upTo: 2, showDeleted: false },
    { upTo: 2, showDeleted: true },
    { upTo: 1, showDeleted: true },
    { upTo: 0, showDeleted: false },
  ])("viewSteps run to the end give what viewNow gives (up to layer $upTo, deleted shown: $showDeleted)", ({ upTo, showDeleted }) => {
    const layers = [base.entries, copy.entries, top.entries]; // a fresh array: nothing cached
    const stepped = runSteps(viewSteps(layers, upTo, showDeleted));
    expect(cachedView(layers, upTo, showDeleted)).toEqual(stepped); // kept for the next render
    const fresh = [base.entries, copy.entries, top.entries];
    const now = viewNow(fresh, upTo, showDeleted);
    expect(shape(stepped)).toEqual(shape(now));
    expect([...stepped.merged.rows.keys()].sort()).toEqual([...now.merged.rows.keys()].sort());
    expect(stepped.merged.presentCount).toBe(now.merged.presentCount);
    expect(stepped.merged.deletedCount).toBe(now.merged.deletedCount);
  });

  it("a big image renders \"Merging N entries…\" first, never a tree built in the render", () => {
    const many = Array.from({ length: MERGE_IN_WORKER_ABOVE_ENTRIES + 1 }, (_, i) => fakeEntry(`d${i % 10}/f${i}`, { size: 1 }));
    const html = renderToStaticMarkup(createElement(MergedView, { states: [fakeState(0, { result: fakeResult(0, many) })] }));
    expect(tagsWith(html, "merged-computing")).toHaveLength(1);
    expect(html).toContain(`Merging ${(MERGE_IN_WORKER_ABOVE_ENTRIES + 1).toLocaleString("en-US")} entries`);
    expect(tagsWith(html, "merged-row")).toHaveLength(0);
  });
});
