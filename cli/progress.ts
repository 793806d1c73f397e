/**
 * Progress on stderr while layers are read, drawn only when stderr is a terminal (the caller
 * decides: {@link Io.progress} is absent otherwise), so pipes and CI logs get the result alone.
 * A status line is redrawn at most every {@link REDRAW_MS} and cleared when the work ends.
 */
import type { AnalysisProgress } from "./image";

/** Redraws per second are capped: a terminal needs no more than ~10 frames a second. */
export const REDRAW_MS = 100;

const MB = 1024 * 1024;
const mib = (n: number): string => `${(n / MB).toFixed(1)} MiB`;

/** The status line for one progress report: which layer, how far through its compressed bytes, entries indexed. */
export function progressLine(label: string, p: AnalysisProgress, layerSize: number): string {
  const { compressedBytes, uncompressedBytes, entries } = p.progress;
  const pct = layerSize > 0 ? ` ${Math.min(100, Math.floor((compressedBytes / layerSize) * 100))}%` : "";
  return `${label}layer ${p.layer + 1}/${p.layers}${pct}  ${mib(compressedBytes)} of ${mib(layerSize)} read, ${mib(uncompressedBytes)} unpacked, ${entries} entries`;
}

/**
 * A throttled reporter over `draw` (a status-line writer; "" clears it). `sizes` are the
 * manifest's layer sizes. `done()` clears the line. `now` is injectable for tests.
 */
export function progressReporter(
  draw: (line: string) => void,
  sizes: readonly number[],
  label = "",
  now: () => number = () => performance.now(),
): { report: (p: AnalysisProgress) => void; done: () => void } {
  let last = -Infinity;
  let lastLayer = -1;
  let drawn = false;
  return {
    report(p) {
      const t = now();
      // A new layer always draws, so a fast small layer is seen; otherwise at most every REDRAW_MS.
      if (p.layer === lastLayer && t - last < REDRAW_MS) return;
      last = t;
      lastLayer = p.layer;
      drawn = true;
      draw(progressLine(label, p, sizes[p.layer] ?? 0));
    },
    done() {
      if (drawn) draw("");
      drawn = false;
    },
  };
}
