import { useDeferredValue, useId, useMemo, useState, type ReactNode } from "react";
import { CHANGED_ATTRIBUTES, filterFileDiff, type ChangedAttribute, type FileDiff, type FileDiffKind, type FileDiffRow } from "../../core/compare";
import type { PathVersion } from "../../core/filetree";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes } from "../../lib/format";
import { compareCsv, compareJson, safeFileName, type ExportImage, type RawPaths } from "../../core/export";
import { ExportButtons } from "../export/ExportButtons";
import { modeString } from "../layers/format";

const KINDS: readonly FileDiffKind[] = ["added", "removed", "changed", "uncertain", "unchanged"];
const DEFAULT_KINDS: readonly FileDiffKind[] = ["added", "removed", "changed", "uncertain"];

const KIND_STYLE: Record<FileDiffKind, { readonly sign: string; readonly cls: string; readonly title: string }> = {
  added: { sign: "+", cls: "text-emerald-700", title: "Only in B" },
  removed: { sign: "−", cls: "text-rose-700", title: "Only in A" },
  changed: { sign: "~", cls: "text-amber-700", title: "In both; an attribute or the content differs" },
  uncertain: { sign: "?", cls: "text-slate-600", title: "In both, same size, written by different layers: the content may differ (file bodies are not hashed)" },
  unchanged: { sign: "=", cls: "text-slate-400", title: "In both, the same" },
};

/** Rows taller lists render in a window of; above this count the list is virtualised. */
const VIRTUALISE_ABOVE = 1000;
/** Fixed row height of the windowed list, in px (rows are one line, clipped; the title has everything). */
const ROW_HEIGHT = 30;
const VIEWPORT_ROWS = 18;
const OVERSCAN = 10;

/** Counts, filters and the rows of one file diff. Filters are view state (STYLE 12). */
export function FileDiffList({
  diff,
  sides,
}: {
  readonly diff: FileDiff;
  /** The two images, for exports (named after them). Without it there is no export button. */
  readonly sides?: { readonly a: ExportImage & { readonly name: string }; readonly b: ExportImage & { readonly name: string }; readonly rawPaths?: () => RawPaths };
}) {
  const id = useId();
  const [kinds, setKinds] = useState<readonly FileDiffKind[]>(DEFAULT_KINDS);
  const [attribute, setAttribute] = useState<ChangedAttribute | "">("");
  const [path, setPath] = useState("");
  const deferredPath = useDeferredValue(path);
  const rows = useMemo(
    () => filterFileDiff(diff.rows, { kinds, path: deferredPath, ...(attribute ? { attributes: [attribute] } : {}) }),
    [diff.rows, kinds, deferredPath, attribute],
  );
  const toggle = (k: FileDiffKind): void => setKinds((ks) => (ks.includes(k) ? ks.filter((x) => x !== k) : KINDS.filter((x) => x === k || ks.includes(x))));

  return (
    <div>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-200 px-4 py-2.5 text-sm">
        {KINDS.map((k) => (
          <label key={k} className="inline-flex items-center gap-1.5" title={KIND_STYLE[k].title}>
            <input type="checkbox" data-testid={`diff-kind-${k}`} checked={kinds.includes(k)} onChange={() => toggle(k)} className="accent-indigo-600" />
            <span className={`font-mono font-bold ${KIND_STYLE[k].cls}`}>{KIND_STYLE[k].sign}</span>
            <span>{k}</span>
            <span data-testid={`diff-count-${k}`} data-count={diff.counts[k]} className="rounded bg-slate-100 px-1.5 text-xs font-semibold tabular-nums text-slate-800">
              {diff.counts[k].toLocaleString("en-US")}
            </span>
          </label>
        ))}
        <span className="text-xs text-slate-500">{diff.counts.total.toLocaleString("en-US")} paths in all</span>
      </div>
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 text-sm">
        <label htmlFor={`${id}-path`} className="sr-only">
          Filter paths
        </label>
        <input
          id={`${id}-path`}
          data-testid="diff-filter"
          type="search"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="Filter paths (substring; case-insensitive unless it has capitals)"
          spellCheck={false}
          className="min-w-[14rem] flex-1 rounded-md border border-slate-300 px-2.5 py-1 font-mono text-[13px] focus:border-indigo-500 focus:outline-3 focus:outline-indigo-500/30"
        />
        <label className="inline-flex items-center gap-1.5 text-xs text-slate-600">
          Changed attribute
          <select
            data-testid="diff-attribute"
            value={attribute}
            onChange={(e) => setAttribute(e.target.value as ChangedAttribute | "")}
            className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-[13px] text-slate-900"
          >
            <option value="">any</option>
            {CHANGED_ATTRIBUTES.map((c) => (
              <option key={c} value={c}>
                {c} ({diff.counts.byAttribute[c]})
              </option>
            ))}
          </select>
        </label>
        <span data-testid="diff-shown" data-count={rows.length} className="text-xs text-slate-500">
          {rows.length.toLocaleString("en-US")} shown
        </span>
        {sides && (
          <span className="ml-auto">
            <ExportButtons
              testId="compare-export"
              what="the rows shown"
              build={(format) => {
                const { name: _a, ...a } = sides.a;
                const { name: _b, ...b } = sides.b;
                const filter = { kinds, path: deferredPath, ...(attribute ? { attribute } : {}) };
                const input = { a, b, filter, counts: diff.counts, rows, ...(sides.rawPaths ? { rawPaths: sides.rawPaths() } : {}) };
                return format === "json" ? compareJson(input) : compareCsv(input);
              }}
              fileName={(format) => safeFileName([sides.a.name, "vs", sides.b.name], format)}
            />
          </span>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="px-4 py-4 text-sm text-slate-600">{diff.rows.length === 0 ? "The two filesystems are identical." : "No path matches these filters."}</p>
      ) : rows.length > VIRTUALISE_ABOVE ? (
        <WindowedRows rows={rows} />
      ) : (
        <div role="list" aria-label="Paths that differ">
          {rows.map((r) => (
            <DiffRow key={r.path} row={r} />
          ))}
        </div>
      )}
    </div>
  );
}

/** A fixed-height window over many rows: only the visible ones (plus a margin) are in the DOM. */
function WindowedRows({ rows }: { readonly rows: readonly FileDiffRow[] }) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil(top / ROW_HEIGHT) + VIEWPORT_ROWS + OVERSCAN);
  return (
    <div
      data-testid="diff-window"
      role="list"
      aria-label="Paths that differ"
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      className="overflow-y-auto"
      style={{ height: ROW_HEIGHT * VIEWPORT_ROWS }}
    >
      <div style={{ height: rows.length * ROW_HEIGHT, position: "relative" }}>
        <div style={{ position: "absolute", top: first * ROW_HEIGHT, left: 0, right: 0 }}>
          {rows.slice(first, last).map((r) => (
            <DiffRow key={r.path} row={r} />
          ))}
        </div>
      </div>
    </div>
  );
}

function DiffRow({ row }: { readonly row: FileDiffRow }) {
  const k = KIND_STYLE[row.kind];
  const details = describeRow(row);
  const title = `${escapeInvisible(row.path)}\n${k.title}${details.length ? `\n${details.map((d) => d.text).join("\n")}` : ""}`;
  return (
    <div
      role="listitem"
      data-testid="diff-row"
      data-path={row.path}
      data-kind={row.kind}
      data-changes={row.changes.join(" ")}
      title={title}
      className="flex items-center gap-3 overflow-hidden whitespace-nowrap border-b border-slate-100 px-4 text-[13px] hover:bg-slate-50"
      style={{ height: ROW_HEIGHT }}
    >
      <span className={`w-3 shrink-0 text-center font-mono font-bold ${k.cls}`} aria-label={row.kind}>
        {k.sign}
      </span>
      <span className="min-w-0 shrink truncate font-mono">
        <SafeText text={row.path} />
      </span>
      <span className="ml-auto flex shrink-0 items-center gap-3 text-xs text-slate-600">{details.map((d) => d.node)}</span>
    </div>
  );
}

interface Detail {
  readonly text: string;
  readonly node: ReactNode;
}

const typeName = (v: PathVersion): string => (v.type === "file" || v.type === "contiguous" ? "file" : v.type);

function versionSummary(v: PathVersion): string {
  const size = v.type === "file" || v.type === "contiguous" ? ` ${formatBytes(v.size)}` : "";
  return `${typeName(v)}${size}, L${v.layer + 1}`;
}

/** What changed, one short item per attribute (both as text for the title and as a node). */
function describeRow(row: FileDiffRow): Detail[] {
  const out: Detail[] = [];
  const item = (key: string, text: string, cls = ""): void => {
    out.push({
      text,
      node: (
        <span key={key} data-attr={key} className={cls}>
          <SafeText text={text} />
        </span>
      ),
    });
  };
  const { a, b } = row;
  if (row.kind === "added" && b) {
    item("version", `${versionSummary(b)}${b.linkname !== undefined ? ` → ${b.linkname}` : ""}`);
    if (row.deletion) item("deleted", `A had deleted it (layer ${row.deletion.removedBy + 1})`, "text-slate-500");
    return out;
  }
  if (row.kind === "removed" && a) {
    item("version", versionSummary(a));
    if (row.deletion) item("deleted", `whiteout ${row.deletion.marker} in B layer ${row.deletion.removedBy + 1}`, "text-rose-700");
    return out;
  }
  if (!a || !b) return out;
  for (const c of row.changes) {
    switch (c) {
      case "type":
        item(c, `type ${typeName(a)} → ${typeName(b)}`, "font-medium text-amber-800");
        break;
      case "size":
        item(c, `size ${formatBytes(a.size)} → ${formatBytes(b.size)}`);
        break;
      case "mode":
        item(c, `mode ${modeString(a.type, a.mode)} → ${modeString(b.type, b.mode)}`, "font-mono");
        break;
      case "owner":
        item(c, `owner ${a.uid}:${a.gid} → ${b.uid}:${b.gid}`);
        break;
      case "link":
        item(c, `link ${a.linkname ?? "(none)"} → ${b.linkname ?? "(none)"}`);
        break;
      case "content":
        break; // said by the content verdict below
    }
  }
  if (row.content !== undefined) {
    const cls = row.content === "differs" ? "text-amber-800" : row.content === "same" ? "text-emerald-700" : "text-slate-500";
    item("content", `content ${row.content === "same" ? "same" : row.content === "differs" ? "differs" : "unknown"}`, cls);
  }
  if (row.kind === "unchanged" || row.kind === "uncertain") item("layers", `L${a.layer + 1} → L${b.layer + 1}`, "text-slate-400");
  if (row.implied) item("implied", "implied directory", "text-slate-400");
  return out;
}
