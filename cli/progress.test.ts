/**
 * Progress: throttled, a new layer always drawn, cleared at the end; drawn on a terminal only.
 * The terminal case runs the real bin under util-linux `script` (a pseudo-terminal), with stdout
 * redirected to a file, so the terminal sees stderr alone.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { AnalysisProgress } from "./image";
import { progressLine, progressReporter, REDRAW_MS } from "./progress";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIVE_IMAGE = join(root, "src/core/filetree/testdata/test-docker-image.tar");
const at = (layer: number, compressedBytes: number): AnalysisProgress => ({
  layer,
  layers: 3,
  progress: { compressedBytes, uncompressedBytes: compressedBytes * 2, entries: 7 },
});

describe("progressReporter", () => {
  it.each([
    // [reports as [time, layer, bytes], lines drawn]
    ["one report draws", [[0, 0, 10]], 1],
    ["reports within REDRAW_MS of the same layer are dropped", [[0, 0, 1], [REDRAW_MS - 1, 0, 2], [REDRAW_MS / 2, 0, 3]], 1],
    ["after REDRAW_MS the line is redrawn", [[0, 0, 1], [REDRAW_MS, 0, 2]], 2],
    ["a new layer is drawn at once", [[0, 0, 1], [1, 1, 2], [2, 2, 3]], 3],
  ] as const)("%s", (_name, reports, drawn) => {
    const lines: string[] = [];
    let t = 0;
    const r = progressReporter((l) => lines.push(l), [100, 100, 100], "", () => t);
    for (const [time, layer, bytes] of reports) {
      t = time;
      r.report(at(layer, bytes));
    }
    expect(lines).toHaveLength(drawn);
    r.done();
    expect(lines.at(-1)).toBe("");
    r.done();
    expect(lines.filter((l) => l === "")).toHaveLength(1);
  });

  it("done() draws nothing when nothing was drawn", () => {
    const lines: string[] = [];
    progressReporter((l) => lines.push(l), []).done();
    expect(lines).toEqual([]);
  });

  it("the line names the layer, the share read, and the entries", () => {
    expect(progressLine("A: ", at(1, 512 * 1024), 1024 * 1024)).toBe("A: layer 2/3 50%  0.5 MiB of 1.0 MiB read, 1.0 MiB unpacked, 7 entries");
  });
});

describe("the bin's progress", () => {
  const dir = mkdtempSync(join(tmpdir(), "layerscope-progress-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(root, "cli/bin.mjs");

  it("is drawn on a terminal's stderr, cleared at the end, and never reaches stdout", async () => {
    const out = join(dir, "out.json");
    const cmd = `${process.execPath} ${bin} inspect docker-archive:${DIVE_IMAGE} --json > ${out}`;
    const { stdout: terminal } = await promisify(execFile)("script", ["-qec", cmd, "/dev/null"], { cwd: root });
    expect(terminal).toContain("layer 14/14");
    expect(terminal.endsWith("\r\x1b[K")).toBe(true);
    const json = JSON.parse(readFileSync(out, "utf8")) as { layers: unknown[] };
    expect(json.layers).toHaveLength(14);
  });

  it("is not drawn when stderr is not a terminal", async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, "inspect", `docker-archive:${DIVE_IMAGE}`], { cwd: root });
    expect(stderr).toBe("");
    expect(stdout).toContain("layers    14");
  });
});
