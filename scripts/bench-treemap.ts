/**
 * `npx tsx scripts/bench-treemap.ts` (after `npm run build`): the treemap's cost for an image of
 * 200 000 paths, in headless Chromium, through the app's own worker and component (issue 5,
 * point 7). Not a test: it prints figures. The page (bench/treemap/) makes the layer indexes
 * itself, so no registry is needed; the built proxy serves it, with the app's CSP.
 *
 * Knobs: TREEMAP_BENCH_RUNS (default 3), TREEMAP_BENCH_LAYERS (default 8), TREEMAP_BENCH_FILES
 * (files per subdirectory, default 24: 400 × 20 × 24 = 192 000 files + 8 400 directories).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import type { TreemapBenchResult } from "../bench/treemap/main";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../e2e/setup/chromium";
import { LOOPBACK, Processes, freePorts, waitForHttp } from "../e2e/setup/services";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORK = join(ROOT, ".tmp/treemap-bench");
const RUNS = Number(process.env.TREEMAP_BENCH_RUNS ?? 3);
const LAYERS = Number(process.env.TREEMAP_BENCH_LAYERS ?? 8);
const FILES = Number(process.env.TREEMAP_BENCH_FILES ?? 24);

const log = (m: string): void => console.error(`[bench-treemap] ${m}`);

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, "dist/proxy/main.js"))) throw new Error("run `npm run build` first (the bench uses the built proxy)");
  mkdirSync(WORK, { recursive: true });
  log("building the page (bench/treemap/ with the app's worker and styles)");
  execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", join(ROOT, "bench/treemap/vite.config.ts")], { stdio: "inherit", cwd: ROOT });
  const procs = new Processes();
  const [port] = await freePorts(1);
  const base = `http://${LOOPBACK}:${port}`;
  try {
    const logFile = join(WORK, "proxy.log");
    const proxy = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], logFile, { ...process.env, PORT: String(port), HOST: LOOPBACK, STATIC_DIR: join(WORK, "app") });
    await waitForHttp(`${base}/healthz`, proxy, logFile);
    const browser = await chromium.launch({
      executablePath: CHROMIUM_EXECUTABLE,
      args: [...CHROMIUM_ARGS],
    });
    const results: TreemapBenchResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("pageerror", (e) => log(`page error: ${e.message}`));
      page.on("console", (m) => (m.type() === "error" ? log(`console: ${m.text()}`) : undefined));
      await page.goto(`${base}/`);
      await page.waitForFunction(() => (window as { treemapBench?: unknown }).treemapBench !== undefined);
      const r = await page.evaluate(([l, f]) => (window as unknown as { treemapBench: { run(l: number, f: number): Promise<TreemapBenchResult> } }).treemapBench.run(l, f), [LAYERS, FILES] as const);
      log(JSON.stringify(r));
      if (i === 0) await page.screenshot({ path: join(WORK, "treemap-200k.png"), fullPage: true });
      results.push(r);
      await page.close();
    }
    await browser.close();
    const median = (k: keyof TreemapBenchResult): string => {
      const v = results.map((r) => r[k]).sort((a, b) => a - b);
      return (v[Math.floor(v.length / 2)] ?? 0).toFixed(1);
    };
    console.log(`\n${results[0]?.paths.toLocaleString("en-US")} paths over ${LAYERS} layers, ${RUNS} runs, medians:`);
    console.log("| step | ms |");
    console.log("| --- | ---: |");
    console.log(`| worker: merge + efficiency + size tree, until the page has them | ${median("workerMs")} |`);
    console.log(`| longest page block meanwhile (sending entries, receiving the tree) | ${median("workerPageBlockMs")} |`);
    console.log(`| the same request without the size tree / its longest page block | ${median("workerNoTreeMs")} / ${median("workerNoTreePageBlockMs")} |`);
    console.log(`| treemap layout (page) | ${median("layoutMs")} |`);
    console.log(`| treemap layout + React render + commit | ${median("renderMs")} |`);
    console.log(`| render() to the next frame | ${median("paintMs")} |`);
    console.log(`| for reference, on the page: merge / size tree | ${median("mergeMs")} / ${median("sizeTreeMs")} |`);
    console.log(`tiles drawn: ${median("tiles")}, SVG elements: ${median("svgElements")}; screenshot: ${join(WORK, "treemap-200k.png")}`);
  } finally {
    await procs.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
