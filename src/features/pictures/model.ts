/**
 * What the pictures draw, as plain values: one bar per layer (compressed, uncompressed, wasted),
 * the chart's scale, and the layer colours. Pure functions, no React.
 */
import type { LayerEfficiency } from "../../core/filetree";
import type { LayerJobState } from "../../lib/layers/types";

/** How a layer's bar is drawn. */
export type BarStatus = "indexed" | "partial" | "pending" | "failed" | "cancelled";

export interface LayerBar {
  readonly layer: number;
  readonly status: BarStatus;
  /** The blob's size, from the manifest's descriptor (known before anything is downloaded). */
  readonly compressed: number;
  /** The tar's size, once indexed (for a partial layer: what was read). */
  readonly uncompressed?: number;
  /**
   * Bytes of file bodies this layer carries that are not visible at the top of the image:
   * overwritten by a later layer (or a later copy in the same layer), deleted by a whiteout,
   * opaque marker or file-over-directory, or kept out of the merge as an unsafe path. The overlay
   * merge's per-layer figure (efficiency.ts: addedBytes − liveBytes), once indexed.
   */
  readonly wasted?: number;
  readonly overwritten?: number;
  readonly deleted?: number;
  /** Bytes of file bodies the layer carries (efficiency.ts addedBytes): the share's denominator. */
  readonly fileBytes?: number;
  /** 0..1 of the layer's download, while pending. */
  readonly progress?: number;
  /** True when the layer has no files (only directories, or nothing). */
  readonly empty: boolean;
}

/**
 * One bar per layer, base first. `perLayer` is the efficiency report's (layers without a result
 * count as empty there, so their wasted figures are left out here).
 */
export function layerBars(states: readonly LayerJobState[], perLayer: readonly LayerEfficiency[]): LayerBar[] {
  return states.map((s) => {
    const compressed = s.descriptor.size;
    const r = s.result;
    if (!r) {
      const stage = s.progress.stage;
      const running = stage === "queued" || stage === "downloading";
      const total = s.progress.compressedTotal || compressed;
      return {
        layer: s.layerIndex,
        status: running ? "pending" : stage === "cancelled" ? "cancelled" : "failed",
        compressed,
        ...(running ? { progress: total > 0 ? Math.min(1, s.progress.compressedBytes / total) : 0 } : {}),
        empty: false,
      };
    }
    const eff = perLayer[s.layerIndex];
    return {
      layer: s.layerIndex,
      status: r.partial ? "partial" : "indexed",
      compressed,
      uncompressed: r.uncompressedSize,
      ...(eff ? { wasted: eff.wastedBytes, overwritten: eff.overwrittenBytes, deleted: eff.deletedBytes, fileBytes: eff.addedBytes } : {}),
      empty: r.totals.files === 0,
    };
  });
}

/** The share of a layer's file bytes later wasted, 0..1 (0 for a layer without file bytes). */
export function wastedShare(bar: LayerBar): number {
  return bar.fileBytes !== undefined && bar.fileBytes > 0 && bar.wasted !== undefined ? bar.wasted / bar.fileBytes : 0;
}

/** Sizes spanning at least this ratio (two orders of magnitude) offer a log scale. */
export const LOG_SCALE_SPAN = 100;

/** The sizes the chart draws: compressed and uncompressed of every layer. */
function chartValues(bars: readonly LayerBar[]): number[] {
  const out: number[] = [];
  for (const b of bars) {
    out.push(b.compressed);
    if (b.uncompressed !== undefined) out.push(b.uncompressed);
  }
  return out;
}

/** True when the positive sizes span orders of magnitude, so a log scale shows the small ones. */
export function spansOrders(bars: readonly LayerBar[]): boolean {
  const positive = chartValues(bars).filter((v) => v > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) >= LOG_SCALE_SPAN;
}

export interface Scale {
  readonly kind: "linear" | "log";
  /** The largest value drawn (the chart's full width). */
  readonly max: number;
  /** 0..1 of the chart's width for `bytes`. */
  at(bytes: number): number;
  /** Gridlines: value and position, 0..1. */
  readonly ticks: readonly { readonly bytes: number; readonly at: number }[];
}

/** 1, 2 or 5 × 10^k at or above `v`. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * The chart's scale. Linear: 0 to a round maximum, four gridlines. Log: from 1 byte (a 0-byte
 * layer sits at 0) to a power of ten, a gridline per power of 1000 (1 kB, 1 MB, 1 GB…).
 */
export function chartScale(bars: readonly LayerBar[], kind: "linear" | "log"): Scale {
  const biggest = Math.max(1, ...chartValues(bars));
  if (kind === "linear") {
    const max = niceCeil(biggest);
    return { kind, max, at: (b) => Math.max(0, Math.min(1, b / max)), ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => ({ bytes: f * max, at: f })) };
  }
  const top = Math.ceil(Math.log10(biggest));
  const max = 10 ** Math.max(1, top);
  const logMax = Math.log10(max);
  const at = (b: number): number => (b <= 1 ? 0 : Math.min(1, Math.log10(b) / logMax));
  const ticks: { bytes: number; at: number }[] = [];
  for (let e = 0; e <= logMax; e += 3) ticks.push({ bytes: 10 ** e, at: at(10 ** e) });
  return { kind, max, at, ticks };
}

/**
 * Layer colours for the treemap: Paul Tol's "light" scheme (distinct under the common forms of
 * colour blindness, and light enough for dark labels). Layers beyond eight reuse the colours with
 * a pattern (stripes, then dots), so every layer stays distinguishable.
 */
export const LAYER_COLOURS = ["#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00"] as const;
export const LAYER_PATTERNS = ["none", "stripes", "dots"] as const;

export function layerColour(layer: number): string {
  return LAYER_COLOURS[((layer % LAYER_COLOURS.length) + LAYER_COLOURS.length) % LAYER_COLOURS.length] as string;
}

export function layerPattern(layer: number): (typeof LAYER_PATTERNS)[number] {
  return LAYER_PATTERNS[Math.floor(Math.max(0, layer) / LAYER_COLOURS.length) % LAYER_PATTERNS.length] as (typeof LAYER_PATTERNS)[number];
}

/** About how wide a character of the treemap's 11 px labels is (px), to cut labels to their tile. */
const CHAR_PX = 6.4;

/** `text` cut with "…" to fit `width` px, or undefined when not even three characters fit. */
export function fitLabel(text: string, width: number): string | undefined {
  const room = Math.floor((width - 6) / CHAR_PX);
  if (room < 3) return undefined;
  if (text.length <= room) return text;
  return `${text.slice(0, room - 1)}…`;
}
