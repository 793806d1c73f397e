import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { ancestorsOf, childrenOf, findPath, layerBytesUnder, layoutTreemap, NodeKind, pathOf, type SizeTree, type TreemapTile } from "../../core/treemap";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { useFileActions } from "../files/actions";
import { clip } from "../layers/format";
import { LayerChip, layerTitle } from "../merged/LayerChip";
import { fitLabel, layerColour, layerPattern } from "./model";

/** The treemap's height for a width: wide and short on a desktop, near square on a phone. */
const heightFor = (width: number): number => Math.round(Math.min(560, Math.max(320, width * 0.56)));
/** Items listed in the accessible list at most. */
const LIST_MAX = 200;

const now = (): number => performance.now();

/**
 * The merged filesystem at the top layer, by size: each file a tile coloured by the layer that
 * provides it, each directory a framed group. Click a directory to zoom in (the breadcrumb zooms
 * out), a file to select it and reveal it in the merged tree; double-click (or the "Open" button)
 * opens it in the viewer. Keyboard: the map is one tab stop, arrows move between tiles, Enter
 * acts, O opens, Backspace zooms out; a list of the zoomed directory is the accessible twin.
 */
export function Treemap({
  tree,
  layerCount,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly tree: SizeTree;
  readonly layerCount: number;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  const actions = useFileActions();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e?.contentRect.width ?? 0)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const height = heightFor(width);

  // View state by path, so it survives a new tree (a later layer finishing).
  const [rootPath, setRootPath] = useState("");
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [cursor, setCursor] = useState(0);
  const [hover, setHover] = useState<{ tile: TreemapTile; x: number; y: number } | undefined>(undefined);
  const [highlight, setHighlight] = useState<number | undefined>(undefined);
  const [showList, setShowList] = useState(false);
  const root = findPath(tree, rootPath) ?? 0;

  const { layout, layoutMs, start } = useMemo(() => {
    const t0 = now();
    const l = layoutTreemap(tree, root, { x: 0, y: 0, w: width, h: height });
    return { layout: l, layoutMs: now() - t0, start: t0 };
  }, [tree, root, width, height]);
  const tiles = layout.tiles;
  // What each closed directory and "small items" tile is made of, by layer (disjoint subtrees:
  // one walk of at most the zoomed subtree). They are drawn in their biggest layer's colour, hatched.
  const makeup = useMemo(() => tiles.map((t) => (t.kind === "rest" || (t.kind === "dir" && t.open !== true) ? layerBytesUnder(tree, gatheredBy(tree, t)) : undefined)), [tiles, tree]);
  // Layout, and layout + render to the commit (what a user waits for), in ms: written on the
  // element for the e2e measurement, without a re-render.
  useLayoutEffect(() => {
    if (width > 0 && box.current) box.current.dataset.timingMs = `${layoutMs.toFixed(1)}/${(now() - start).toFixed(1)}`;
  }, [layoutMs, start, width]);

  const pathOfTile = (t: TreemapTile): string => pathOf(tree, t.node);
  const selectedId = selected === undefined ? undefined : findPath(tree, selected);
  const interactive = useMemo(() => tiles.map((_, i) => i), [tiles]);
  const cursorTile = tiles[interactive[Math.min(cursor, interactive.length - 1)] ?? -1];

  const zoom = (id: number): void => {
    setRootPath(pathOf(tree, id));
    setHover(undefined);
    setCursor(0);
  };
  const activate = (t: TreemapTile): void => {
    if (t.kind === "dir") return zoom(t.node);
    // Small items: their directory, zoomed, has room to draw them (unless it is already the root of the picture).
    if (t.kind === "rest") return t.node === root ? undefined : zoom(t.node);
    const path = pathOfTile(t);
    setSelected(path);
    actions?.emit({ type: "reveal-merged", path });
  };
  const open = (t: TreemapTile | undefined): void => {
    if (!t || t.kind !== "file") return;
    const path = pathOfTile(t);
    setSelected(path);
    actions?.emit({ type: "open-file", layer: tree.layer[t.node] as number, path });
  };

  const tileAt = (ev: MouseEvent): TreemapTile | undefined => {
    const i = Number((ev.target as Element).getAttribute("data-i") ?? NaN);
    return Number.isInteger(i) ? tiles[i] : undefined;
  };
  const onMove = (ev: MouseEvent<SVGSVGElement>): void => {
    const t = tileAt(ev);
    const r = box.current?.getBoundingClientRect();
    setHover(t && r ? { tile: t, x: ev.clientX - r.left, y: ev.clientY - r.top } : undefined);
  };
  const onKey = (ev: KeyboardEvent<SVGSVGElement>): void => {
    const n = interactive.length;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") setCursor((c) => Math.min(n - 1, c + 1));
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") setCursor((c) => Math.max(0, c - 1));
    else if (ev.key === "Home") setCursor(0);
    else if (ev.key === "End") setCursor(n - 1);
    else if (ev.key === "Enter" || ev.key === " ") {
      if (cursorTile) activate(cursorTile);
    } else if (ev.key === "o" || ev.key === "O") open(cursorTile);
    else if ((ev.key === "Backspace" || ev.key === "Escape") && root !== 0) zoom(tree.parent[root] as number);
    else return;
    ev.preventDefault();
  };

  const crumbs = ancestorsOf(tree, root);
  // Bytes each layer provides under the zoomed directory (drawn or gathered), for the legend.
  const layerBytes = useMemo(() => new Map(layerBytesUnder(tree, [root]).map((l) => [l.layer, l.bytes])), [tree, root]);
  // The tiles as elements, kept while nothing they show changes: hovering (a state change per
  // mouse move) then re-renders only the tooltip, not hundreds of tiles.
  const drawn = useMemo(
    () =>
      tiles.map((t, i) => (
        <Tile key={i} i={i} tile={t} tree={tree} makeup={makeup[i]} dim={highlight !== undefined && (t.kind === "file" ? tree.layer[t.node] !== highlight : makeup[i] !== undefined && makeup[i]?.[0]?.layer !== highlight)} selected={t.node === selectedId && t.kind === "file"} />
      )),
    [tiles, tree, makeup, highlight, selectedId],
  );
  const selectedTile = selectedId === undefined ? undefined : tiles.find((t) => t.node === selectedId);

  return (
    <div data-testid="treemap" className="px-4 py-3">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <h3 className="text-xs font-semibold text-slate-900">Merged filesystem by size</h3>
        <nav aria-label="Treemap location" data-testid="treemap-breadcrumb" className="flex min-w-0 flex-wrap items-center gap-0.5 font-mono text-[12px]">
          {crumbs.map((id, i) => (
            <span key={id} className="inline-flex items-center">
              {i > 0 && <span className="px-0.5 text-slate-400">/</span>}
              {id === root ? (
                <span aria-current="location" className="font-semibold text-slate-900">
                  {id === 0 ? "(root)" : <SafeText text={clip(tree.names[id] as string, 60).text} />}
                </span>
              ) : (
                <button type="button" data-testid="treemap-crumb" onClick={() => zoom(id)} className="rounded px-0.5 text-indigo-700 hover:bg-indigo-50 hover:underline">
                  {id === 0 ? "(root)" : <SafeText text={clip(tree.names[id] as string, 60).text} />}
                </button>
              )}
            </span>
          ))}
          <span className="ml-2 font-sans text-[11px] text-slate-500 tabular-nums">
            {formatBytes(tree.size[root] as number)} · {(tree.files[root] as number).toLocaleString("en-US")} files
          </span>
        </nav>
      </div>

      <div ref={box} className="relative w-full" style={{ height }} data-testid="treemap-box" data-tiles={tiles.length}>
        {width > 0 && tiles.length === 0 && (
          <p className="flex h-full items-center justify-center rounded border border-dashed border-slate-300 text-xs text-slate-500">No file bytes here: only empty files, links or directories.</p>
        )}
        {width > 0 && tiles.length > 0 && (
          <svg
            width={width}
            height={height}
            viewBox={`0 0 ${width} ${height}`}
            role="application"
            aria-roledescription="treemap"
            aria-label={`Treemap of ${rootPath === "" ? "the merged filesystem" : rootPath}: arrow keys move between tiles, Enter zooms into a directory or reveals a file in the merged tree, O opens a file in the viewer, Backspace zooms out`}
            tabIndex={0}
            onKeyDown={onKey}
            onMouseMove={onMove}
            onMouseLeave={() => setHover(undefined)}
            onClick={(ev) => {
              // A click on a file only selects it: revealing it scrolls the page to the merged tree,
              // which would also swallow the second click of a double-click. The selection bar
              // below offers "Show in merged tree" and "Open in viewer".
              const t = tileAt(ev);
              if (t?.kind === "file") setSelected(pathOfTile(t));
              else if (t) activate(t);
            }}
            onDoubleClick={(ev) => open(tileAt(ev))}
            className="block select-none rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <Patterns />
            {drawn}
            {cursorTile && <rect x={cursorTile.x + 1} y={cursorTile.y + 1} width={Math.max(0, cursorTile.w - 2)} height={Math.max(0, cursorTile.h - 2)} fill="none" stroke="#4338ca" strokeWidth={2} className="pointer-events-none opacity-0 [svg:focus-visible_&]:opacity-100" />}
          </svg>
        )}
        {hover && <Tooltip hover={hover} makeup={makeup[tiles.indexOf(hover.tile)]} tree={tree} width={width} createdBy={createdBy} untrusted={untrusted} />}
        <p className="sr-only" aria-live="polite">
          {cursorTile ? escapeInvisible(clip(describe(cursorTile, tree), 600).text) : ""}
        </p>
      </div>

      <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
        <div data-testid="treemap-selection" className="flex min-w-0 flex-wrap items-center gap-2 text-xs">
          {selected === undefined ? (
            <span className="text-slate-500">Click a file to select it, then show it in the merged tree or open it; double-click opens it. Click a directory to zoom in.</span>
          ) : (
            <>
              <code className="min-w-0 max-w-[32rem] truncate font-mono text-slate-900" title={escapeInvisible(clip(selected, 4096).text)}>
                <SafeText text={clip(selected, 300).text} />
              </code>
              {selectedId !== undefined && (
                <>
                  <span className="tabular-nums text-slate-600">{formatBytes(tree.size[selectedId] as number)}</span>
                  <LayerChip layer={tree.layer[selectedId] as number} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
                  <button type="button" data-testid="treemap-reveal" onClick={() => actions?.emit({ type: "reveal-merged", path: selected })} className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-50">
                    Show in merged tree
                  </button>
                  <button type="button" data-testid="treemap-open" onClick={() => open(selectedTile ?? { x: 0, y: 0, w: 0, h: 0, node: selectedId, depth: 0, kind: "file" })} className="rounded bg-indigo-600 px-2 py-0.5 font-medium text-white hover:bg-indigo-700">
                    Open in viewer
                  </button>
                </>
              )}
            </>
          )}
        </div>
        <button type="button" data-testid="treemap-list-toggle" aria-expanded={showList} onClick={() => setShowList(!showList)} className="text-xs font-medium text-indigo-700 hover:underline">
          {showList ? "Hide the list" : "Show as a list"}
        </button>
      </div>

      <Legend layerCount={layerCount} bytes={layerBytes} highlight={highlight} onHighlight={setHighlight} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />

      {showList && <ChildList tree={tree} root={root} onZoom={zoom} onReveal={(path) => { setSelected(path); actions?.emit({ type: "reveal-merged", path }); }} onOpen={(layer, path) => { setSelected(path); actions?.emit({ type: "open-file", layer, path }); }} />}
      <p className="mt-2 text-[11px] text-slate-500">
        Sizes are file bodies as the tars record them (hard links and symlinks count 0). Items too small to see are gathered into a hatched “small items” tile, and directories too small to open are drawn closed, hatched, in the colour of the layer that gave most of their bytes
        {layout.capped && "; some directories are drawn closed to keep the picture light — zoom in to see them"}.
      </p>
    </div>
  );
}

type Makeup = readonly { readonly layer: number; readonly bytes: number }[];

/** The nodes a closed directory or a "small items" tile stands for. */
function gatheredBy(tree: SizeTree, t: TreemapTile): Iterable<number> {
  if (t.kind !== "rest") return [t.node];
  const from = t.restFrom ?? 0;
  return childrenOf(tree, t.node).subarray(from, from + (t.restCount ?? 0));
}

function describe(t: TreemapTile, tree: SizeTree): string {
  if (t.kind === "rest") return `${t.restCount ?? 0} small items, ${formatBytes(t.restBytes ?? 0)}`;
  const path = pathOf(tree, t.node);
  const size = formatBytes(tree.size[t.node] as number);
  if (t.kind === "dir") return `directory ${path}, ${size}, ${tree.files[t.node] ?? 0} files`;
  return `${path}, ${size}, layer ${(tree.layer[t.node] as number) + 1}`;
}

/** The SVG patterns for layers past the eighth (stripes, dots), and the light hatch of gathered tiles. */
function Patterns() {
  return (
    <defs>
      <pattern id="tm-stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="2" height="6" fill="rgba(15,23,42,0.25)" />
      </pattern>
      <pattern id="tm-dots" width="6" height="6" patternUnits="userSpaceOnUse">
        <circle cx="3" cy="3" r="1.2" fill="rgba(15,23,42,0.3)" />
      </pattern>
      <pattern id="tm-mixed" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="2" height="5" fill="rgba(255,255,255,0.55)" />
      </pattern>
    </defs>
  );
}

function Tile({
  i,
  tile: t,
  tree,
  makeup,
  dim,
  selected,
}: {
  readonly i: number;
  readonly tile: TreemapTile;
  readonly tree: SizeTree;
  /** For a closed directory or a "small items" tile: its bytes by layer, biggest first. */
  readonly makeup: Makeup | undefined;
  readonly dim: boolean;
  readonly selected: boolean;
}) {
  const name = tree.names[t.node] as string;
  if (t.kind === "dir" && t.open === true) {
    const label = t.h >= 14 ? fitLabel(`${name}  ${formatBytes(tree.size[t.node] as number)}`, t.w) : undefined;
    return (
      <g data-testid="treemap-dir" data-path={pathOf(tree, t.node)} data-open="true">
        <rect data-i={i} x={t.x} y={t.y} width={t.w} height={t.h} fill="#f8fafc" stroke="#94a3b8" strokeWidth={0.75} className="cursor-zoom-in" />
        {label !== undefined && (
          <text x={t.x + 4} y={t.y + 11.5} className="pointer-events-none fill-slate-700 font-mono text-[10.5px] font-semibold">
            {escapeInvisible(label)}
          </text>
        )}
      </g>
    );
  }
  if (t.kind === "dir" || t.kind === "rest") {
    // Gathered bytes: in the colour of the layer that gave most of them, lightened by a hatch.
    const main = makeup?.[0]?.layer;
    const text =
      t.kind === "dir" ? `${name}/` : `${(t.restCount ?? 0).toLocaleString("en-US")} small ${t.restFiles === t.restCount ? "files" : "items"}`;
    const label = t.h >= 14 ? fitLabel(text, t.w) : undefined;
    const size = t.h >= 28 ? fitLabel(formatBytes(t.kind === "dir" ? (tree.size[t.node] as number) : (t.restBytes ?? 0)), t.w) : undefined;
    return (
      <g
        data-testid={t.kind === "dir" ? "treemap-dir" : "treemap-rest"}
        data-path={pathOf(tree, t.node)}
        data-open={t.kind === "dir" ? "false" : undefined}
        data-count={t.restCount}
        data-layer={main}
        opacity={dim ? 0.22 : 1}
      >
        <rect data-i={i} x={t.x} y={t.y} width={t.w} height={t.h} fill={main === undefined ? "#e2e8f0" : layerColour(main)} stroke={t.kind === "dir" ? "#64748b" : "#fff"} strokeWidth={t.kind === "dir" ? 0.75 : 1} className={t.kind === "dir" ? "cursor-zoom-in" : ""} />
        <rect x={t.x} y={t.y} width={t.w} height={t.h} fill="url(#tm-mixed)" className="pointer-events-none" />
        {label !== undefined && (
          <text x={t.x + 3} y={t.y + 12} className={`pointer-events-none text-[10.5px] ${t.kind === "dir" ? "fill-slate-900 font-mono font-semibold" : "fill-slate-800 italic"}`}>
            {escapeInvisible(label)}
          </text>
        )}
        {size !== undefined && (
          <text x={t.x + 3} y={t.y + 24} className="pointer-events-none fill-slate-700 text-[10px] tabular-nums">
            {size}
          </text>
        )}
      </g>
    );
  }
  const layer = tree.layer[t.node] as number;
  const pattern = t.kind === "file" ? layerPattern(layer) : "none";
  const label = t.h >= 14 ? fitLabel(name, t.w) : undefined;
  const size = t.h >= 28 ? fitLabel(formatBytes(tree.size[t.node] as number), t.w) : undefined;
  return (
    <g data-testid="treemap-file" data-path={pathOf(tree, t.node)} data-layer={layer} opacity={dim ? 0.22 : 1}>
      <rect data-i={i} x={t.x} y={t.y} width={t.w} height={t.h} fill={t.kind === "file" ? layerColour(layer) : "#cbd5e1"} stroke={selected ? "#312e81" : "#fff"} strokeWidth={selected ? 2 : 1} className="cursor-pointer" />
      {pattern !== "none" && <rect x={t.x} y={t.y} width={t.w} height={t.h} fill={`url(#tm-${pattern})`} className="pointer-events-none" />}
      {label !== undefined && (
        <text x={t.x + 3} y={t.y + 12} className="pointer-events-none fill-slate-900 font-mono text-[10.5px]">
          {escapeInvisible(label)}
        </text>
      )}
      {size !== undefined && (
        <text x={t.x + 3} y={t.y + 24} className="pointer-events-none fill-slate-700 text-[10px] tabular-nums">
          {size}
        </text>
      )}
    </g>
  );
}

function Tooltip({
  hover,
  makeup,
  tree,
  width,
  createdBy,
  untrusted,
}: {
  readonly hover: { tile: TreemapTile; x: number; y: number };
  readonly makeup: Makeup | undefined;
  readonly tree: SizeTree;
  readonly width: number;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
}) {
  const t = hover.tile;
  const left = hover.x > width - 300 ? hover.x - 290 : hover.x + 14;
  const path = pathOf(tree, t.node);
  const bytes = t.kind === "rest" ? (t.restBytes ?? 0) : (tree.size[t.node] as number);
  return (
    <div data-testid="treemap-tooltip" role="tooltip" className="pointer-events-none absolute z-10 w-[280px] rounded border border-slate-300 bg-white/95 px-2 py-1.5 text-[11px] shadow-lg" style={{ left: Math.max(0, left), top: hover.y + 14 }}>
      <p className="font-mono text-[11.5px] font-medium text-slate-900 [overflow-wrap:anywhere]">
        {t.kind === "rest" ? (
          <>
            {(t.restCount ?? 0).toLocaleString("en-US")} small items in <SafeText text={clip(path === "" ? "/" : path, 300).text} />
          </>
        ) : (
          <SafeText text={clip(path, 300).text} />
        )}
      </p>
      <p className="tabular-nums text-slate-700">
        {formatBytes(bytes)} <span className="text-slate-500">({formatExactBytes(bytes)})</span>
        {t.kind === "dir" && <> · {(tree.files[t.node] as number).toLocaleString("en-US")} files</>}
        {t.kind === "rest" && <> · {(t.restFiles ?? 0).toLocaleString("en-US")} files</>}
      </p>
      {(t.kind === "file" || t.kind === "other") && (
        <p className="mt-0.5 text-slate-600 [overflow-wrap:anywhere]">
          <span className="mr-1 inline-block size-2.5 rounded-sm align-middle" style={{ backgroundColor: layerColour(tree.layer[t.node] as number) }} />
          {clip(layerTitle(tree.layer[t.node] as number, createdBy, untrusted), 200).text}
        </p>
      )}
      {makeup !== undefined && makeup.length > 0 && (
        <ul className="mt-0.5 space-y-px text-slate-600">
          {makeup.slice(0, 3).map((l) => (
            <li key={l.layer} className="tabular-nums">
              <span className="mr-1 inline-block size-2.5 rounded-sm align-middle" style={{ backgroundColor: layerColour(l.layer) }} />L{l.layer + 1}: {formatBytes(l.bytes)} ({bytes > 0 ? ((l.bytes / bytes) * 100).toFixed(0) : 0} %)
            </li>
          ))}
          {makeup.length > 3 && <li className="text-slate-500">and {makeup.length - 3} more layers</li>}
        </ul>
      )}
      <p className="mt-0.5 text-[10px] text-slate-500">
        {t.kind === "dir" ? "Click to zoom in" : t.kind === "file" ? "Click to show in the merged tree · double-click to open" : t.kind === "rest" ? "Too small to draw one by one: zoom into the directory to see them" : ""}
      </p>
    </div>
  );
}

function Legend({
  layerCount,
  bytes,
  highlight,
  onHighlight,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly layerCount: number;
  readonly bytes: ReadonlyMap<number, number>;
  readonly highlight: number | undefined;
  readonly onHighlight: (layer: number | undefined) => void;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  return (
    <ul data-testid="treemap-legend" aria-label="Layer colours" className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-[11px] text-slate-700">
      {Array.from({ length: layerCount }, (_, layer) => (
        <li key={layer} data-testid="legend-layer" data-layer={layer} data-colour={layerColour(layer)} className={`inline-flex items-center gap-1 ${(bytes.get(layer) ?? 0) === 0 ? "opacity-60" : ""}`}>
          <button
            type="button"
            aria-pressed={highlight === layer}
            title={`${layerTitle(layer, createdBy, untrusted)} — click to highlight its files`}
            onClick={() => onHighlight(highlight === layer ? undefined : layer)}
            className={`inline-flex items-center gap-1 rounded px-0.5 ${highlight === layer ? "bg-indigo-50 ring-1 ring-indigo-300" : "hover:bg-slate-50"}`}
          >
            <svg width="14" height="10" aria-hidden="true">
              <rect width="14" height="10" rx="2" fill={layerColour(layer)} />
              {layerPattern(layer) !== "none" && <rect width="14" height="10" rx="2" fill={`url(#tm-${layerPattern(layer)})`} />}
            </svg>
            <span className="tabular-nums text-slate-500">{formatBytes(bytes.get(layer) ?? 0)}</span>
          </button>
          <LayerChip layer={layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
        </li>
      ))}
    </ul>
  );
}

/** The zoomed directory's children as a list: the treemap's accessible twin. */
function ChildList({
  tree,
  root,
  onZoom,
  onReveal,
  onOpen,
}: {
  readonly tree: SizeTree;
  readonly root: number;
  readonly onZoom: (id: number) => void;
  readonly onReveal: (path: string) => void;
  readonly onOpen: (layer: number, path: string) => void;
}) {
  const kids = childrenOf(tree, root);
  const total = tree.size[root] as number;
  const shown = Array.from(kids.subarray(0, LIST_MAX));
  return (
    <div className="mt-2 max-h-80 overflow-auto rounded border border-slate-200">
      <table data-testid="treemap-list" className="w-full text-xs">
        <caption className="sr-only">The biggest items in {root === 0 ? "the root" : pathOf(tree, root)}</caption>
        <thead className="sticky top-0 bg-slate-50 text-left text-[11px] uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-1 font-medium">Name</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Size</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Share</th>
            <th scope="col" className="px-3 py-1 font-medium">Layer</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {shown.map((id) => {
            const path = pathOf(tree, id);
            const kind = tree.kind[id];
            const size = tree.size[id] as number;
            return (
              <tr key={id} data-testid="treemap-list-row" data-path={path}>
                <td className="max-w-[28rem] truncate px-3 py-0.5 font-mono">
                  {kind === NodeKind.Dir ? (
                    <button type="button" onClick={() => onZoom(id)} className="text-indigo-700 hover:underline">
                      <SafeText text={clip(tree.names[id] as string, 200).text} />/
                    </button>
                  ) : (
                    <button type="button" onClick={() => onReveal(path)} onDoubleClick={() => onOpen(tree.layer[id] as number, path)} className="text-slate-900 hover:underline">
                      <SafeText text={clip(tree.names[id] as string, 200).text} />
                    </button>
                  )}
                </td>
                <td className="px-2 py-0.5 text-right tabular-nums" title={formatExactBytes(size)}>
                  {formatBytes(size)}
                </td>
                <td className="px-2 py-0.5 text-right tabular-nums text-slate-500">{total > 0 ? `${((size / total) * 100).toFixed(1)} %` : "—"}</td>
                <td className="px-3 py-0.5">
                  {kind !== NodeKind.Dir && (
                    <span className="inline-flex items-center gap-1">
                      <span className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: layerColour(tree.layer[id] as number) }} />L{(tree.layer[id] as number) + 1}
                      {kind === NodeKind.File && (
                        <button type="button" onClick={() => onOpen(tree.layer[id] as number, path)} className="ml-2 text-indigo-700 hover:underline">
                          open
                        </button>
                      )}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {kids.length > LIST_MAX && <p className="px-3 py-1 text-[11px] text-slate-500">The {LIST_MAX} biggest of {kids.length.toLocaleString("en-US")} items.</p>}
    </div>
  );
}
