/**
 * The columnar merge (src/core/filetree/columns.ts) against today's path, in Node, side by side
 * in one run, on the bench's million-entry layer and on the same million over three layers:
 *
 *   npx tsx scripts/bench/columns-node.ts [runs=5]
 *
 * (a) one layer shaped like scripts/bench/images.ts `millionLayer(1000, 999)`: 1 000 directories
 *     `srv/data/d0000…d0999`, each with 999 empty files `file-0000.so`, `file-0001.txt`… (every
 *     third a .so): 1 000 000 entries.
 * (b) the same million over three layers: directories 0–399, 400–799 and 800–999, the second also
 *     whiting out every 13th directory of the first and making d0007 opaque (with 10 new files),
 *     the third whiting out every 101st file of the second's directories and rewriting every 97th
 *     file of the first's.
 *
 * Prints the median of `runs` runs (after one warm-up) of: today's path — unpack the packed
 * layers into LayerEntry objects (pack.ts unpackSteps), mergeLayers, buildMergedTree, then
 * filterTree for ".so" and "file-0042.so" (the lower-cased paths made once, `prepareFilter`) —
 * and the columnar one: mergeColumns, then filterColumns for the same queries (lower-cased text
 * made once, `prepareColumnsFilter`). Figures only; nothing is asserted.
 */
import { performance } from "node:perf_hooks";
import { filterColumns, mergeColumns, prepareColumnsFilter } from "../../src/core/filetree";
import { mergeLayers } from "../../src/core/filetree";
import { packEntries, unpackSteps, type PackedEntries } from "../../src/core/pipeline/pack";
import type { LayerEntry } from "../../src/core/pipeline/types";
import { runSteps } from "../../src/core/steps";
import { buildMergedTree } from "../../src/features/merged/model";
import { filterTree, prepareFilter } from "../../src/features/layers/tree";

const runs = Number(process.argv[2] ?? 5);
const NO_BYTES = new Uint8Array(0);

function entry(path: string, type: "file" | "dir", over: Partial<LayerEntry> = {}): LayerEntry {
  return { path, rawPath: NO_BYTES, type, typeflag: type === "dir" ? "5" : "0", size: 0, mode: type === "dir" ? 0o755 : 0o644, uid: 0, gid: 0, uname: "root", gname: "root", mtime: 1577836800, whiteout: "none", headerOffset: 0, dataOffset: 0, ...over };
}
const dirName = (d: number): string => `srv/data/d${String(d).padStart(4, "0")}`;
const fileName = (d: number, f: number): string => `${dirName(d)}/file-${String(f).padStart(4, "0")}.${f % 3 === 0 ? "so" : "txt"}`;

function dirs(from: number, to: number, out: LayerEntry[] = []): LayerEntry[] {
  for (let d = from; d < to; d++) {
    out.push(entry(dirName(d), "dir"));
    for (let f = 0; f < 999; f++) out.push(entry(fileName(d, f), "file"));
  }
  return out;
}

function threeLayers(): LayerEntry[][] {
  const base = dirs(0, 400);
  const second = dirs(400, 800);
  for (let d = 5; d < 400; d += 13) second.push(entry(`srv/data/.wh.d${String(d).padStart(4, "0")}`, "file", { whiteout: "whiteout" }));
  second.push(entry(dirName(7), "dir"), entry(`${dirName(7)}/.wh..wh..opq`, "file", { whiteout: "opaque" }));
  for (let f = 0; f < 10; f++) second.push(entry(`${dirName(7)}/new-${f}`, "file", { size: 100 }));
  const third = dirs(800, 1000);
  for (let d = 400; d < 800; d++) {
    for (let f = 11; f < 999; f += 101) third.push(entry(`${dirName(d)}/.wh.file-${String(f).padStart(4, "0")}.${f % 3 === 0 ? "so" : "txt"}`, "file", { whiteout: "whiteout" }));
  }
  for (let d = 0; d < 400; d++) for (let f = 3; f < 999; f += 97) third.push(entry(fileName(d, f), "file", { size: 4096 }));
  return [base, second, third];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

/**
 * Builds and packs the layers in a frame of its own: an async function keeps its locals alive
 * across `await` (a loop's `l` held a million entry objects through every run).
 */
async function packAll(make: () => LayerEntry[][]): Promise<{ packed: PackedEntries[]; entries: number }> {
  const layers = make();
  const packed: PackedEntries[] = [];
  for (const l of layers) packed.push(await packEntries(l));
  return { packed, entries: layers.reduce((s, l) => s + l.length, 0) };
}

/**
 * Packs the layers `make` builds and lets the entry objects go (the worker holds only the packed
 * form), then times the columnar path on that small heap, then today's path.
 */
async function bench(name: string, make: () => LayerEntry[][]): Promise<void> {
  const { packed, entries } = await packAll(make);
  const top = packed.length - 1;
  const rows: [string, number[]][] = [];
  const add = (k: string, ms: number): void => {
    let row = rows.find(([key]) => key === k);
    if (!row) rows.push((row = [k, []]));
    row[1].push(ms);
  };
  const counts: Record<string, number> = {};
  // Merges back to back (as slider moves are), then the filter on the last one: a filter's
  // garbage (a string per path) must not be collected inside the next merge's timing.
  let cols = mergeColumns(packed, top, false);
  for (let run = 1; run <= runs; run++) {
    const [c, colsMs] = time(() => mergeColumns(packed, top, false));
    cols = c;
    add("columns: mergeColumns (= first frame)", colsMs);
  }
  const [, cprepMs] = time(() => prepareColumnsFilter(cols));
  add("columns: prepareColumnsFilter (once)", cprepMs);
  for (let run = 0; run <= runs; run++) {
    const [cso, csoMs] = time(() => filterColumns(cols, ".so"));
    const [cone, coneMs] = time(() => filterColumns(cols, "file-0042.so"));
    Object.assign(counts, { nodes: cols.count, so: cso?.length ?? 0, one: cone?.length ?? 0 });
    if (run === 0) continue; // warm-up
    add('columns: filterColumns ".so"', csoMs);
    add('columns: filterColumns "file-0042.so"', coneMs);
  }
  cols = undefined as unknown as typeof cols;
  for (let run = 0; run <= runs; run++) {
    // Today: packed → objects → merge → tree → filter.
    const [unpacked, unpackMs] = time(() => packed.map((p) => runSteps(unpackSteps(p))));
    const [fs, mergeMs] = time(() => mergeLayers(unpacked, top));
    const [tree, treeMs] = time(() => buildMergedTree(fs, false));
    const [, prepMs] = time(() => prepareFilter(tree.tree));
    const [so, soMs] = time(() => filterTree(tree.tree, ".so"));
    const [one, oneMs] = time(() => filterTree(tree.tree, "file-0042.so"));
    if (counts["nodes"] !== tree.tree.nodes.length || counts["so"] !== so?.size || counts["one"] !== one?.size) throw new Error("the two paths disagree");
    if (run === 0) continue;
    add("objects: unpackSteps", unpackMs);
    add("objects: mergeLayers", mergeMs);
    add("objects: buildMergedTree", treeMs);
    add("objects: total to first frame", unpackMs + mergeMs + treeMs);
    add("objects: prepareFilter (once)", prepMs);
    add('objects: filterTree ".so"', soMs);
    add('objects: filterTree "file-0042.so"', oneMs);
  }
  console.log(`\n${name}: ${entries.toLocaleString("en-US")} entries in ${packed.length} layer(s) → ${counts["nodes"]!.toLocaleString("en-US")} nodes; ".so" keeps ${counts["so"]}, "file-0042.so" ${counts["one"]}; median of ${runs} runs after a warm-up (ms)`);
  for (const [k, xs] of rows) console.log(`  ${k.padEnd(40)} ${median(xs).toFixed(0).padStart(6)}`);
}

console.log(`Node ${process.version}`);
await bench("(a) one layer", () => [dirs(0, 1000)]);
await bench("(b) three layers", threeLayers);
