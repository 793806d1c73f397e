import { escapeInvisible } from "../../components/SafeText";
import { clip } from "../layers/format";

/** "Layer 3: RUN apk add …" for a chip's title (created_by escaped and cut, U2/U3). */
export function layerTitle(layer: number, createdBy: readonly (string | undefined)[] | undefined, untrusted?: ReadonlySet<number>): string {
  const by = createdBy?.[layer];
  const text = `Layer ${layer + 1}${untrusted?.has(layer) === true ? " (untrusted)" : ""}: ${by === undefined ? "no history entry" : clip(by, 1000).text}`;
  return escapeInvisible(text);
}

const TONES = {
  normal: "bg-slate-100 text-slate-800 ring-slate-300 hover:bg-indigo-100 hover:ring-indigo-300",
  deleted: "bg-rose-50 text-rose-800 ring-rose-300 hover:bg-rose-100",
} as const;

/**
 * A small "L3" chip naming a layer (1-based, as the layers list numbers them), with the layer's
 * created_by on hover. Clicking it goes to that layer in the layers list.
 */
export function LayerChip({
  layer,
  createdBy,
  untrusted,
  onLayer,
  tone = "normal",
  prefix,
}: {
  readonly layer: number;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
  readonly tone?: keyof typeof TONES;
  /** Words before the title, e.g. "removed by ". */
  readonly prefix?: string;
}) {
  const bad = untrusted.has(layer);
  return (
    <button
      type="button"
      tabIndex={-1}
      data-testid="layer-chip"
      data-layer={layer}
      title={`${prefix ?? ""}${layerTitle(layer, createdBy, untrusted)} — click to show it in the layers list`}
      onClick={(ev) => {
        ev.stopPropagation();
        onLayer(layer);
      }}
      className={`inline-flex h-[18px] items-center rounded px-1 font-mono text-[10.5px] font-semibold tabular-nums ring-1 ring-inset ${
        bad ? "bg-rose-600 text-white ring-rose-700" : TONES[tone]
      }`}
    >
      L{layer + 1}
      {bad && <span aria-label="untrusted">!</span>}
    </button>
  );
}
