/**
 * Lining up config.history with the layers (config.md "history"): each history entry whose
 * `empty_layer` is not true produced the next layer, in order, base first. Layers are
 * manifest.layers[i] (compressed blobs, `digest`) and rootfs.diff_ids[i] (uncompressed tars);
 * both lists are indexed alike.
 */
import type { HistoryRow, ImageConfig, ImageManifest, LayerAlignment } from "./types";

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * Pairs history entries with layers and diff_ids in order. Nothing is hidden when counts
 * disagree: extra history steps become rows without a layer, extra layers (or diff_ids) become
 * rows without history, and each disagreement is explained in `problems` in a plain sentence.
 * Rows follow the config's order (base first), then any leftover layers in manifest order.
 */
export function alignHistory(manifest: ImageManifest, config: ImageConfig): LayerAlignment {
  const layers = manifest.layers;
  const diffIds = config.rootfs.diff_ids;
  const history = config.history ?? [];
  // A slot is a position in layers / diff_ids; when they disagree the longer one counts, so every
  // layer and every diff_id appears in some row.
  const slots = Math.max(layers.length, diffIds.length);
  const problems: string[] = [];

  if (layers.length !== diffIds.length) {
    problems.push(
      `The manifest has ${plural(layers.length, "layer", "layers")} but the config's rootfs lists ${plural(diffIds.length, "diff_id", "diff_ids")}: the image is inconsistent (it cannot be pulled by Docker).`,
    );
  }

  const rows: HistoryRow[] = [];
  const slot = (i: number): Pick<HistoryRow, "layerIndex" | "layer" | "diffId"> => {
    const layer = layers[i];
    const diffId = diffIds[i];
    return { layerIndex: i, ...(layer ? { layer } : {}), ...(diffId !== undefined ? { diffId } : {}) };
  };

  if (history.length === 0) {
    if (slots > 0) problems.push("The config has no history, so the layers are shown without the steps that made them.");
    for (let i = 0; i < slots; i++) rows.push(slot(i));
    return { rows, problems };
  }

  let next = 0;
  history.forEach((entry, historyIndex) => {
    // config.md: empty_layer marks a step (ENV, CMD, LABEL…) that changed no files. Absent means false.
    if (entry.empty_layer === true || next >= slots) {
      if (entry.empty_layer !== true) next++; // count it, so the problem below reports it
      rows.push({ historyIndex, history: entry });
      return;
    }
    rows.push({ historyIndex, history: entry, ...slot(next) });
    next++;
  });

  const madeLayers = history.filter((h) => h.empty_layer !== true).length;
  if (madeLayers > layers.length) {
    const extra = madeLayers - layers.length;
    problems.push(
      `The config lists ${plural(madeLayers, "history step", "history steps")} that made layers but the manifest has ${plural(layers.length, "layer", "layers")}; ${extra === 1 ? "the extra history step is" : `the ${extra} extra history steps are`} shown without a layer.`,
    );
  } else if (madeLayers < layers.length) {
    const extra = layers.length - madeLayers;
    problems.push(
      `The config lists ${plural(madeLayers, "history step", "history steps")} that made layers but the manifest has ${plural(layers.length, "layer", "layers")}; ${extra === 1 ? "the extra layer is" : `the ${extra} extra layers are`} shown without history.`,
    );
  }

  for (let i = next; i < slots; i++) rows.push(slot(i));
  return { rows, problems };
}
