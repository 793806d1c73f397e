/**
 * The treemap bench page: a synthetic image of 200 000 paths (no registry: the layer indexes are
 * made here), run through the app's own code — the filetree worker (merge, efficiency, size tree)
 * and the Treemap component with React and the app's styles. scripts/bench-treemap.ts drives it
 * through `window.treemapBench` and prints the figures.
 */
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import type { LayerEntry } from "../../src/core/pipeline/types";
import { buildSizeTree, type SizeTree } from "../../src/core/treemap";
import { mergeLayers } from "../../src/core/filetree";
import { createFiletreeBridge } from "../../src/lib/filetree/client";
import { Treemap } from "../../src/features/pictures/Treemap";
import "./bench.css";

const NO_BYTES = new Uint8Array(0);

/** `layers` layers of paths: 400 dirs × 20 subdirs × `files` files, spread over the layers, sizes over 6 orders of magnitude. */
function syntheticLayers(layerCount: number, files: number): LayerEntry[][] {
  const layers: LayerEntry[][] = Array.from({ length: layerCount }, () => []);
  let seed = 1;
  const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const entry = (path: string, type: "dir" | "file", size: number): LayerEntry => ({
    path, rawPath: NO_BYTES, type, typeflag: type === "dir" ? "5" : "0", size, mode: 0o644, uid: 0, gid: 0, uname: "", gname: "", mtime: 0, whiteout: "none", headerOffset: 0, dataOffset: 0,
  });
  for (let d = 0; d < 400; d++) {
    const layer = layers[d % layerCount]!;
    layer.push(entry(`usr/d${d}`, "dir", 0));
    for (let s = 0; s < 20; s++) {
      layer.push(entry(`usr/d${d}/s${s}`, "dir", 0));
      for (let f = 0; f < files; f++) layers[(d + f) % layerCount]!.push(entry(`usr/d${d}/s${s}/f${f}`, "file", Math.floor(10 ** (rand() * 6))));
    }
  }
  return layers;
}

export interface TreemapBenchResult {
  readonly paths: number;
  /** Main thread, for reference: merge, then the size tree. */
  readonly mergeMs: number;
  readonly sizeTreeMs: number;
  /** The app's path: the worker merges, computes efficiency and builds the size tree; ms until the page has it. */
  readonly workerMs: number;
  /** The longest the page's thread was blocked while the worker ran (sending the entries, receiving the tree). */
  readonly workerPageBlockMs: number;
  /** The same request without the size tree (what the efficiency panel alone used to cost). */
  readonly workerNoTreeMs: number;
  readonly workerNoTreePageBlockMs: number;
  /** Layout alone, and layout + React render + commit of the Treemap (from the component's own timing). */
  readonly layoutMs: number;
  readonly renderMs: number;
  /** From render() to the next frame after the commit (the browser has laid out and painted). */
  readonly paintMs: number;
  readonly tiles: number;
  readonly svgElements: number;
}

async function run(layerCount: number, files: number): Promise<TreemapBenchResult> {
  const layers = syntheticLayers(layerCount, files);
  let t = performance.now();
  const merged = mergeLayers(layers);
  const mergeMs = performance.now() - t;
  t = performance.now();
  buildSizeTree(merged);
  const sizeTreeMs = performance.now() - t;

  // The worker, without and with the size tree; the longest task on the page meanwhile, sampled
  // by a 1 ms interval's lateness.
  const viaWorker = async (sizeTree: boolean) => {
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const bridge = createFiletreeBridge();
    const t0 = performance.now();
    const summary = await bridge.efficiency(layers, { listLimit: 100, sizeTree });
    const ms = performance.now() - t0;
    clearInterval(timer);
    bridge.dispose();
    return { summary, ms, longest };
  };
  const without = await viaWorker(false);
  const withTree = await viaWorker(true);
  const tree = withTree.summary.sizeTree as SizeTree;

  const host = document.getElementById("root")!;
  const root = createRoot(host);
  t = performance.now();
  flushSync(() => root.render(createElement(Treemap, { tree, layerCount, createdBy: [], untrusted: new Set<number>(), onLayer: () => undefined })));
  // The component measures its width in a layout effect and renders again at that width.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const paintMs = performance.now() - t;
  const box = host.querySelector<HTMLElement>('[data-testid="treemap-box"]')!;
  const [layoutMs, renderMs] = (box.dataset.timingMs ?? "0/0").split("/").map(Number) as [number, number];
  return {
    paths: merged.entries.size,
    mergeMs,
    sizeTreeMs,
    workerMs: withTree.ms,
    workerPageBlockMs: withTree.longest,
    workerNoTreeMs: without.ms,
    workerNoTreePageBlockMs: without.longest,
    layoutMs,
    renderMs,
    paintMs,
    tiles: Number(box.dataset.tiles ?? 0),
    svgElements: host.querySelectorAll("svg *").length,
  };
}

declare global {
  interface Window {
    treemapBench?: { run: typeof run };
  }
}

window.treemapBench = { run };
document.getElementById("status")!.textContent = "treemap bench page: ready";
