import { describe, expect, it } from "vitest";
import type { Descriptor, HistoryEntry, ImageConfig, ImageManifest } from "./index";
import { alignHistory, DOCKER_CONFIG, DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST } from "./index";

const hex = (n: number, c: string): string => `sha256:${(c + n.toString(16)).padStart(64, "0")}`;
const layer = (i: number): Descriptor => ({ mediaType: DOCKER_LAYER_TAR_GZIP, digest: hex(i, "a"), size: 100 + i });
const manifest = (n: number): ImageManifest => ({
  kind: "manifest",
  schemaVersion: 2,
  mediaType: DOCKER_MANIFEST,
  config: { mediaType: DOCKER_CONFIG, digest: hex(0, "c"), size: 1 },
  layers: Array.from({ length: n }, (_, i) => layer(i)),
});
const config = (diffIds: number, history?: HistoryEntry[]): ImageConfig => ({
  architecture: "amd64",
  os: "linux",
  rootfs: { type: "layers", diff_ids: Array.from({ length: diffIds }, (_, i) => hex(i, "d")) },
  ...(history ? { history } : {}),
});
const step = (created_by: string): HistoryEntry => ({ created_by });
const empty = (created_by: string): HistoryEntry => ({ created_by, empty_layer: true });

// Compact row notation: "h0:l0" history 0 with layer 0, "h1:-" history without layer, "-:l2" layer without history.
const shape = (rows: ReturnType<typeof alignHistory>["rows"]): string[] =>
  rows.map((r) => `${r.historyIndex === undefined ? "-" : `h${r.historyIndex}`}:${r.layerIndex === undefined ? "-" : `l${r.layerIndex}`}`);

describe("alignHistory", () => {
  it.each<[name: string, layers: number, diffIds: number, history: HistoryEntry[] | undefined, rows: string[], problems: RegExp[]]>([
    ["all agree", 2, 2, [step("ADD"), empty("CMD"), step("RUN")], ["h0:l0", "h1:-", "h2:l1"], []],
    ["empty steps only at the end", 1, 1, [step("ADD"), empty("ENV"), empty("CMD")], ["h0:l0", "h1:-", "h2:-"], []],
    ["empty_layer false counts as a layer", 1, 1, [{ created_by: "RUN", empty_layer: false }], ["h0:l0"], []],
    [
      "one more history step than layers",
      4,
      4,
      [step("a"), step("b"), step("c"), step("d"), step("e")],
      ["h0:l0", "h1:l1", "h2:l2", "h3:l3", "h4:-"],
      [/^The config lists 5 history steps that made layers but the manifest has 4 layers; the extra history step is shown without a layer\.$/],
    ],
    [
      "two more history steps",
      1,
      1,
      [step("a"), step("b"), empty("c"), step("d")],
      ["h0:l0", "h1:-", "h2:-", "h3:-"],
      [/3 history steps that made layers but the manifest has 1 layer; the 2 extra history steps are shown without a layer\./],
    ],
    [
      "more layers than history steps",
      3,
      3,
      [step("a"), empty("b")],
      ["h0:l0", "h1:-", "-:l1", "-:l2"],
      [/lists 1 history step that made layers but the manifest has 3 layers; the 2 extra layers are shown without history\./],
    ],
    [
      "layers and diff_ids disagree",
      3,
      2,
      [step("a"), step("b"), step("c")],
      ["h0:l0", "h1:l1", "h2:l2"],
      [/^The manifest has 3 layers but the config's rootfs lists 2 diff_ids: the image is inconsistent \(it cannot be pulled by Docker\)\.$/],
    ],
    [
      "more diff_ids than layers: every diff_id still gets a row",
      1,
      2,
      [step("a")],
      ["h0:l0", "-:l1"],
      [/The manifest has 1 layer but the config's rootfs lists 2 diff_ids/],
    ],
    ["no history at all", 2, 2, undefined, ["-:l0", "-:l1"], [/has no history/]],
    ["empty history array", 2, 2, [], ["-:l0", "-:l1"], [/has no history/]],
    ["no layers, no history", 0, 0, undefined, [], []],
    ["only empty steps, no layers", 0, 0, [empty("CMD")], ["h0:-"], []],
  ])("%s", (_name, nLayers, nDiffIds, history, rows, problems) => {
    const result = alignHistory(manifest(nLayers), config(nDiffIds, history));
    expect(shape(result.rows)).toEqual(rows);
    expect(result.problems).toHaveLength(problems.length);
    problems.forEach((p, i) => expect(result.problems[i]).toMatch(p));
  });

  it("rows carry the layer descriptor, diff_id and history entry they pair", () => {
    const h = [step("ADD rootfs"), empty("CMD"), step("RUN x")];
    const { rows } = alignHistory(manifest(2), config(2, h));
    expect(rows[2]).toEqual({ historyIndex: 2, history: h[2], layerIndex: 1, layer: layer(1), diffId: hex(1, "d") });
    expect(rows[1]).toEqual({ historyIndex: 1, history: h[1] });
  });

  it("a slot past the shorter list has only what exists", () => {
    const { rows } = alignHistory(manifest(2), config(1, [step("a"), step("b")]));
    expect(rows[1]).toEqual({ historyIndex: 1, history: { created_by: "b" }, layerIndex: 1, layer: layer(1) });
  });
});
