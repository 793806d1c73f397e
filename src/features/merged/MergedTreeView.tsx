import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { useRevealInDom } from "../layers/reveal";
import type { PathVersion } from "../../core/filetree";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { ROW_HEIGHT, Name } from "../layers/FileTreeView";
import { EntryIcon } from "../layers/Icons";
import { clip, modeString, ownerLabel } from "../layers/format";
import { onTreeKeyDown } from "../layers/treeKeys";
import { filterTree, prepareFilter, visibleRows, type SortOrder, type TreeNode } from "../layers/tree";
import type { MergedRow, MergedTree } from "./model";
import { LayerChip, layerTitle } from "./LayerChip";
import { HistoryButton, HistoryLink } from "../history/HistoryButton";
import { MergedEntryActions, useOpenFile } from "../viewer/EntryActions";

/** Height of the scroll viewport (px). */
const VIEWPORT_HEIGHT = ROW_HEIGHT * 20;
/** Rows rendered above and below the viewport. */
const OVERSCAN = 12;
/** Indentation stops growing here (5,000-deep paths, T11). */
const MAX_INDENT_DEPTH = 24;
/** Characters of a name drawn in a row; the rest is in the title and the details (U3). */
const MAX_NAME_CHARS = 512;
/** Hidden versions named in a row; the rest are counted ("+2"). */
const HIDES_SHOWN = 1;

const GRID = "grid grid-cols-[minmax(0,1fr)_2.75rem_10rem_6.5rem_5rem_5.5rem] gap-x-2";

/** "L3": layers as the layers list numbers them (1-based). */
const label = (layer: number): string => `L${layer + 1}`;

/**
 * The merged filesystem as a virtualised, keyboard-driven tree, with the layers feature's tree
 * model: only the rows in view are in the DOM. View state (expanded paths, focus, filter, sort)
 * is keyed by path, so it survives moving the layer slider (a new tree each time).
 */
export function MergedTreeView({
  merged,
  createdBy,
  untrusted,
  showDeleted,
  onShowDeleted,
  onLayer,
  reveal,
}: {
  readonly merged: MergedTree;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  /** Layers (0-based) not to trust: their chips are marked. */
  readonly untrusted: ReadonlySet<number>;
  readonly showDeleted: boolean;
  readonly onShowDeleted: (show: boolean) => void;
  /** Go to a layer (0-based) in the layers list. */
  readonly onLayer: (layer: number) => void;
  /** A request to show `path` (a new object each time): expand its parents, select it, scroll to it, focus the tree. */
  readonly reveal?: { readonly path: string } | undefined;
}) {
  const { tree, rows: info } = merged;
  const id = useId();
  const [order, setOrder] = useState<SortOrder>("name");
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  // Under a filter every path leading to a match starts open; folding records exceptions.
  const [filterFolds, setFilterFolds] = useState<{ readonly query: string; readonly folded: ReadonlySet<string> }>({ query: "", folded: new Set() });
  const [focusedPath, setFocusedPath] = useState<string | undefined>(undefined);
  const [openedPath, setOpenedPath] = useState<string | undefined>(undefined);
  const [scrollTop, setScrollTop] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const revealFocus = useRef(false);

  const include = useMemo(() => filterTree(tree, deferredQuery.trim()), [tree, deferredQuery]);
  // The filter's once-per-tree work while the page is idle, not on the first keystroke.
  useEffect(() => {
    if (typeof requestIdleCallback !== "function") return;
    const id = requestIdleCallback(() => prepareFilter(tree));
    return () => cancelIdleCallback(id);
  }, [tree]);
  const folded = filterFolds.query === deferredQuery ? filterFolds.folded : undefined;
  const isExpanded = useMemo(
    () => (include ? (n: TreeNode) => !folded?.has(n.key) : (n: TreeNode) => expanded.has(n.key)),
    [include, folded, expanded],
  );
  const rows = useMemo(() => visibleRows(tree, order, isExpanded, include), [tree, order, isExpanded, include]);
  // The focused path, or its nearest shown ancestor once a fold, a filter or the slider hid it:
  // one scan when the rows or the focus change, never on scroll (a map of every row, rebuilt per
  // filter, cost more than the filter itself with a million rows).
  const focusIndex = useMemo(() => nearestRow(rows, focusedPath), [rows, focusedPath]);
  const focusNode = focusIndex >= 0 ? rows[focusIndex] : undefined;
  const openedNode = useMemo(() => (openedPath === undefined ? undefined : rows.find((n) => n.key === openedPath)), [rows, openedPath]);

  // A reveal request is taken in during render (state adjusted from a new prop, no effect
  // cascade); the DOM part — scroll the tree into view, focus it — follows in an effect.
  const [revealNotice, setRevealNotice] = useState<string | undefined>(undefined);
  const [handledReveal, setHandledReveal] = useState<{ readonly path: string } | undefined>(undefined);
  if (reveal && reveal !== handledReveal) {
    setHandledReveal(reveal);
    const path = reveal.path;
    if (!info.has(path)) {
      setRevealNotice(`/${path} is not in the merged filesystem at the top layer (a later layer deleted it, or it is still being read).`);
    } else {
      setRevealNotice(undefined);
      setQuery("");
      const next = new Set(expanded);
      for (let p = parentOf(path); p !== undefined; p = parentOf(p)) next.add(p);
      setExpanded(next);
      setFocusedPath(path);
      setOpenedPath(path);
    }
  }
  // Declared before the scroll effect below, which then brings the focused row into view.
  useRevealInDom(handledReveal, scrollRef, revealFocus);

  const lastRows = useRef(rows);
  useEffect(() => {
    const rowsChanged = lastRows.current !== rows;
    lastRows.current = rows;
    if (!revealFocus.current && !rowsChanged) return;
    revealFocus.current = false;
    const el = scrollRef.current;
    if (!el || focusIndex < 0) return;
    const top = focusIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [focusIndex, rows]);

  const setOpen = (node: TreeNode, open: boolean): void => {
    if (include) {
      const next = new Set(folded ?? []);
      if (open) next.delete(node.key);
      else next.add(node.key);
      setFilterFolds({ query: deferredQuery, folded: next });
    } else {
      const next = new Set(expanded);
      if (open) next.add(node.key);
      else next.delete(node.key);
      setExpanded(next);
    }
  };

  const focusAt = (i: number): void => {
    const n = rows[Math.max(0, Math.min(rows.length - 1, i))];
    if (!n) return;
    revealFocus.current = true;
    setFocusedPath(n.key);
  };

  const activate = (node: TreeNode): void => {
    setOpenedPath(node.key);
    if (node.descendants > 0) setOpen(node, !isExpanded(node));
  };

  const openFile = useOpenFile();
  const openNode = (node: TreeNode | undefined): boolean => {
    const row = node ? info.get(node.key) : undefined;
    return node !== undefined && row?.kind === "present" && openFile(row.entry.version.layer, node.path, row.entry.version.type);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === "Enter" && !e.altKey && !e.ctrlKey && !e.metaKey) openNode(focusNode);
    onTreeKeyDown(e, {
      rows,
      focusIndex,
      pageRows: Math.max(1, Math.floor(VIEWPORT_HEIGHT / ROW_HEIGHT) - 1),
      focusAt,
      focusNode: (n) => {
        revealFocus.current = true;
        setFocusedPath(n.key);
      },
      isExpanded,
      setOpen,
      activate,
      focusFilter: () => {
        filterRef.current?.focus();
        filterRef.current?.select();
      },
      extra: (key, node) => {
        if (key !== "l" && key !== "L") return false;
        // Go to the layer that provides (or removed) the focused path.
        const row = node ? info.get(node.key) : undefined;
        if (row) onLayer(row.kind === "present" ? row.entry.version.layer : row.deleted.removedBy);
        return true;
      },
    });
  };

  const onFilterKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === "Escape") {
      if (query !== "") setQuery("");
      else scrollRef.current?.focus();
      e.preventDefault();
    } else if (e.key === "ArrowDown" || e.key === "Enter") {
      e.preventDefault();
      if (focusIndex < 0) focusAt(0);
      scrollRef.current?.focus();
    }
  };

  const setAll = (open: boolean): void => {
    const dirs = (nodes: Iterable<TreeNode>): Set<string> => {
      const s = new Set<string>();
      for (const n of nodes) if (n.descendants > 0) s.add(n.key);
      return s;
    };
    if (include) setFilterFolds({ query: deferredQuery, folded: open ? new Set() : dirs(include) });
    else setExpanded(open ? dirs(tree.nodes) : new Set());
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + VIEWPORT_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const rowId = (i: number): string => `${id}-row-${i}`;
  const filtering = include !== undefined;
  const stale = query !== deferredQuery;

  return (
    <div className="min-w-0">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2">
        <label className="flex min-w-[14rem] flex-1 items-center gap-2 text-xs text-slate-600">
          <span className="sr-only">Filter the merged filesystem by path</span>
          <input
            ref={filterRef}
            data-testid="merged-filter"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onFilterKeyDown}
            placeholder="Filter by path  ( / )"
            spellCheck={false}
            autoComplete="off"
            className="w-full min-w-0 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-[12.5px] text-slate-900 placeholder:font-sans placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600"
          />
        </label>
        <label className="flex items-center gap-1.5 text-xs text-slate-600">
          Sort
          <select
            data-testid="merged-sort"
            value={order}
            onChange={(e) => setOrder(e.target.value === "size" ? "size" : "name")}
            className="rounded border border-slate-300 bg-white px-1.5 py-1 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            <option value="name">by name</option>
            <option value="size">by size</option>
          </select>
        </label>
        <label className="flex items-center gap-1.5 text-xs text-slate-700" title="Add the paths removed by whiteouts and opaque markers, struck through">
          <input
            type="checkbox"
            data-testid="merged-show-deleted"
            checked={showDeleted}
            onChange={(e) => onShowDeleted(e.target.checked)}
            className="size-3.5 accent-indigo-600"
          />
          Show deleted
        </label>
        <button type="button" onClick={() => setAll(true)} className={toolButton} data-testid="merged-expand-all">
          Expand all
        </button>
        <button type="button" onClick={() => setAll(false)} className={toolButton} data-testid="merged-collapse-all">
          Collapse all
        </button>
        <span data-testid="merged-count" className={`text-xs tabular-nums text-slate-500 ${stale ? "opacity-60" : ""}`} aria-live="polite">
          {filtering ? `${include.size.toLocaleString("en-US")} matching or leading to a match · ` : ""}
          {rows.length.toLocaleString("en-US")} rows shown · {merged.presentCount.toLocaleString("en-US")} paths
          {showDeleted ? ` + ${merged.deletedCount.toLocaleString("en-US")} deleted` : ""}
        </span>
      </div>
      {revealNotice !== undefined && (
        <p role="status" data-testid="merged-reveal-notice" className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-950">
          <SafeText text={clip(revealNotice, 600).text} />
        </p>
      )}
      <div role="row" aria-hidden="true" className={`${GRID} border-b border-slate-200 bg-slate-50 px-4 py-1 text-[11px] font-medium uppercase tracking-wide text-slate-500`}>
        <span>Name</span>
        <span title="The layer that provides this path">Layer</span>
        <span title="Lower versions of this path that the provider hides">Hides</span>
        <span>Mode</span>
        <span>Owner</span>
        <span className="text-right">Size</span>
      </div>
      <div
        ref={scrollRef}
        data-testid="merged-tree"
        role="tree"
        aria-label="Merged filesystem"
        aria-activedescendant={focusIndex >= first && focusIndex < last ? rowId(focusIndex) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onDoubleClick={(e) => {
          const path = (e.target as HTMLElement).closest<HTMLElement>("[data-testid=merged-row]")?.dataset.path;
          openNode(rows.find((n) => n.path === path));
        }}
        onFocus={() => {
          if (focusIndex < 0 && rows.length > 0) setFocusedPath((rows[Math.min(first + OVERSCAN, rows.length - 1)] ?? rows[0])?.key);
        }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        style={{ height: Math.min(VIEWPORT_HEIGHT, Math.max(3, rows.length) * ROW_HEIGHT + 2) }}
        className="relative overflow-y-auto overflow-x-hidden outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-600"
      >
        {rows.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-600">{filtering ? "No path matches the filter." : "Nothing in the filesystem at this layer."}</p>
        ) : (
          <div style={{ height: rows.length * ROW_HEIGHT }} className="relative">
            <div style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
              {rows.slice(first, last).map((node, k) => {
                const i = first + k;
                return (
                  <MergedTreeRow
                    key={node.key}
                    id={rowId(i)}
                    node={node}
                    row={info.get(node.key)}
                    createdBy={createdBy}
                    untrusted={untrusted}
                    expanded={node.descendants > 0 ? isExpanded(node) : undefined}
                    focused={i === focusIndex}
                    opened={node === openedNode}
                    onLayer={onLayer}
                    onClick={() => {
                      setFocusedPath(node.key);
                      activate(node);
                      scrollRef.current?.focus({ preventScroll: true });
                    }}
                    onToggle={() => {
                      setFocusedPath(node.key);
                      setOpen(node, !isExpanded(node));
                      scrollRef.current?.focus({ preventScroll: true });
                    }}
                  />
                );
              })}
            </div>
          </div>
        )}
      </div>
      <p className="border-t border-slate-200 px-4 py-1.5 text-[11px] text-slate-500">
        ↑/↓ move · ←/→ fold and unfold · Enter open · L go to the providing layer · / filter · Home/End · Page Up/Down
        {focusNode && (
          <span className="ml-2 font-mono text-slate-600">
            row {(focusIndex + 1).toLocaleString("en-US")} of {rows.length.toLocaleString("en-US")}
          </span>
        )}
      </p>
      {openedNode && (
        <MergedDetails node={openedNode} row={info.get(openedNode.key)} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer}>
          <MergedEntryActions node={openedNode} rows={info} />
        </MergedDetails>
      )}
    </div>
  );
}

/** Index of the row keyed `path`, or else of its nearest ancestor among the rows; -1 if none. */
export function nearestRow(rows: readonly TreeNode[], path: string | undefined): number {
  if (path === undefined) return -1;
  const depth = new Map<string, number>();
  let d = 0;
  for (let p: string | undefined = path; p !== undefined; p = parentOf(p)) depth.set(p, d++);
  let best = -1;
  let bestDepth = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rows.length; i++) {
    const k = depth.get((rows[i] as TreeNode).key);
    if (k === undefined || k >= bestDepth) continue;
    best = i;
    bestDepth = k;
    if (k === 0) break;
  }
  return best;
}

function parentOf(path: string): string | undefined {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? undefined : path.slice(0, slash);
}

const toolButton =
  "rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600";

/** "L1 12.8 kB" for a hidden version (directories and links by type, as they have no body). */
function versionLabel(v: PathVersion): string {
  const what = v.type === "dir" ? "dir" : v.type === "symlink" ? "link" : formatBytes(v.size);
  return `${label(v.layer)} ${what}`;
}

function MergedTreeRow({
  id,
  node,
  row,
  createdBy,
  untrusted,
  expanded,
  focused,
  opened,
  onLayer,
  onClick,
  onToggle,
}: {
  readonly id: string;
  readonly node: TreeNode;
  readonly row: MergedRow | undefined;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly expanded: boolean | undefined;
  readonly focused: boolean;
  readonly opened: boolean;
  readonly onLayer: (layer: number) => void;
  readonly onClick: () => void;
  readonly onToggle: () => void;
}) {
  const deleted = row?.kind === "deleted";
  const version = row ? (row.kind === "present" ? row.entry.version : row.deleted.last) : undefined;
  const hides = row?.kind === "present" ? row.entry.hides : [];
  const implied = row?.kind === "present" && row.entry.implied;
  const e = node.entry;
  const isDir = node.isDir || version?.type === "dir";
  const indent = Math.min(node.depth, MAX_INDENT_DEPTH);
  const owner = version ? ownerLabel({ uid: version.uid, gid: version.gid, uname: version.uname ?? "", gname: version.gname ?? "" }) : undefined;
  const fullName = node.name;
  // A present file that deleted paths hang under is still a file: its own size, not its children's.
  const size = version && version.type !== "dir" && !deleted ? version.size : node.size;
  return (
    <div
      id={id}
      role="treeitem"
      data-testid="merged-row"
      data-path={node.path}
      data-layer={version && !implied ? version.layer : undefined}
      data-hidden-count={hides.length}
      data-type={version?.type ?? (isDir ? "dir" : undefined)}
      data-size={version && version.type !== "dir" ? version.size : undefined}
      data-link={version?.linkname}
      data-change={deleted ? "deleted" : undefined}
      data-removed-by={deleted ? row.deleted.removedBy : undefined}
      aria-level={node.depth + 1}
      aria-expanded={expanded}
      aria-selected={focused}
      onClick={onClick}
      style={{ height: ROW_HEIGHT }}
      className={`${GRID} cursor-default items-center border-l-[3px] pr-4 text-[12.5px] leading-none ${
        deleted ? "border-l-rose-500" : hides.length > 0 ? "border-l-amber-400" : "border-l-transparent"
      } ${focused ? "bg-indigo-100/80" : opened ? "bg-slate-100" : "hover:bg-slate-50"}`}
    >
      <div className="flex min-w-0 items-center gap-1" style={{ paddingLeft: 10 + indent * 14 }}>
        {node.depth > MAX_INDENT_DEPTH && (
          <span className="shrink-0 rounded bg-slate-200 px-1 text-[10px] text-slate-600" title={`${node.depth + 1} levels deep`}>
            +{node.depth - MAX_INDENT_DEPTH}
          </span>
        )}
        {expanded !== undefined ? (
          <button
            type="button"
            tabIndex={-1}
            aria-hidden="true"
            onClick={(ev) => {
              ev.stopPropagation();
              onToggle();
            }}
            className="flex size-4 shrink-0 items-center justify-center rounded text-[10px] text-slate-500 hover:bg-slate-200"
          >
            {expanded ? "▾" : "▸"}
          </button>
        ) : (
          <span className="size-4 shrink-0" />
        )}
        <EntryIcon entry={e} isDir={isDir} />
        <span
          className={`min-w-0 truncate font-mono ${version?.linkname !== undefined ? "max-w-[60%] shrink-0" : ""} ${
            deleted ? "text-rose-700 line-through decoration-rose-500" : isDir ? "font-medium text-slate-900" : "text-slate-900"
          }`}
          title={escapeInvisible(clip(deleted ? `${fullName} (deleted)` : isDir ? `${fullName}/` : fullName, 4096).text)}
        >
          <Name parts={[{ text: fullName }]} max={MAX_NAME_CHARS} />
          {isDir && !deleted && <span className="text-slate-400">/</span>}
        </span>
        {version?.linkname !== undefined && !deleted && (
          <span
            className="min-w-0 flex-1 truncate font-mono text-slate-500"
            title={`${version.type === "hardlink" ? "hard link to" : "symbolic link to"} ${escapeInvisible(clip(version.linkname, 4096).text)}`}
          >
            {version.type === "hardlink" ? " ⇒ " : " → "}
            <SafeText text={clip(version.linkname, MAX_NAME_CHARS).text} />
          </span>
        )}
      </div>
      <span className="flex items-center">
        {row?.kind === "deleted" ? (
          <LayerChip layer={row.deleted.removedBy} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} tone="deleted" prefix="removed by " />
        ) : implied ? (
          <span className="text-[11px] text-slate-400" title="No layer wrote this directory: it is implied by deeper paths">
            implied
          </span>
        ) : version ? (
          <LayerChip layer={version.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
        ) : (
          <span className="text-slate-300">—</span>
        )}
      </span>
      <span className="min-w-0 truncate text-[11.5px]">
        {row?.kind === "deleted" ? (
          <span className="text-rose-800" title={escapeInvisible(clip(`${row.deleted.how === "opaque" ? "opaque marker" : row.deleted.how === "whiteout" ? "whiteout" : "replaced by a non-directory"} ${row.deleted.marker} in layer ${row.deleted.removedBy + 1}; last written by layer ${row.deleted.last.layer + 1}`, 4096).text)}>
            <span className="font-mono">
              <SafeText text={clip(baseName(row.deleted.marker), 80).text} />
            </span>
            <span className="text-rose-600"> · was {label(row.deleted.last.layer)}</span>
          </span>
        ) : hides.length > 0 ? (
          <HistoryLink path={node.path}>
            <span
              data-testid="merged-hides"
              className="text-amber-900"
              title={`Hides ${hides.map((v) => `layer ${v.layer + 1}'s ${v.type} (${formatExactBytes(v.size)})`).join(", ")}`}
            >
              hides {hides.slice(0, HIDES_SHOWN).map(versionLabel).join(", ")}
              {hides.length > HIDES_SHOWN && <span className="text-amber-700"> +{hides.length - HIDES_SHOWN}</span>}
            </span>
          </HistoryLink>
        ) : (
          <span className="text-slate-300">—</span>
        )}
      </span>
      <span className="truncate font-mono text-[12px] text-slate-700" title={version ? (version.mode & 0o7777).toString(8).padStart(4, "0") : undefined}>
        {version && !deleted ? modeString(version.type, version.mode) : <span className="text-slate-300">—</span>}
      </span>
      <span className="truncate font-mono text-[12px] text-slate-700" title={owner?.title}>
        {owner && !deleted ? owner.text : <span className="text-slate-300">—</span>}
      </span>
      <span
        className={`text-right tabular-nums ${isDir ? "text-slate-500" : "text-slate-800"}`}
        title={isDir ? `${formatExactBytes(node.size)} in ${node.descendants.toLocaleString("en-US")} entries` : formatExactBytes(size)}
      >
        {deleted ? <span className="text-rose-700 line-through">{isDir ? "" : formatBytes(version?.size ?? 0)}</span> : formatBytes(size)}
      </span>
    </div>
  );
}

function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

/** Paths this long are cut in the details too (100 KB names, U3). */
const MAX_DETAIL_CHARS = 8192;

function MergedDetails({
  node,
  row,
  createdBy,
  untrusted,
  onLayer,
  children,
}: {
  readonly children?: ReactNode;
  readonly node: TreeNode;
  readonly row: MergedRow | undefined;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  const version = row ? (row.kind === "present" ? row.entry.version : row.deleted.last) : undefined;
  return (
    <div data-testid="merged-details" data-path={node.path} className="border-t border-slate-200 bg-slate-50/60 px-4 py-2 text-[12.5px]">
      <dl className="grid grid-cols-1 gap-x-4 gap-y-0.5 sm:grid-cols-[8rem_minmax(0,1fr)]">
        <Row label={row?.kind === "deleted" ? "Deleted" : "Path"}>
          <span className="inline-flex max-w-full items-start gap-2">
            <code className="max-h-24 min-w-0 overflow-auto font-mono [overflow-wrap:anywhere]">
              <SafeText text={clip(node.path, MAX_DETAIL_CHARS).text} />
            </code>
            <HistoryButton path={node.path} />
          </span>
        </Row>
        {row?.kind === "present" && (
          <Row label="Provided by">
            {row.entry.implied ? (
              <span className="text-slate-600">no layer: a directory implied by deeper paths</span>
            ) : (
              <LayerLine layer={row.entry.version.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
            )}
          </Row>
        )}
        {row?.kind === "deleted" && (
          <>
            <Row label="Removed by">
              <LayerLine layer={row.deleted.removedBy} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
            </Row>
            <Row label="Marker">
              <code className="font-mono [overflow-wrap:anywhere]">
                <SafeText text={clip(row.deleted.marker, MAX_DETAIL_CHARS).text} />
              </code>{" "}
              <span className="text-slate-500">
                ({row.deleted.how === "whiteout" ? "a whiteout" : row.deleted.how === "opaque" ? "an opaque marker: the directory's lower contents" : "a higher layer wrote a non-directory at an ancestor path"})
              </span>
            </Row>
            <Row label="Last written by">
              <LayerLine layer={row.deleted.last.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
            </Row>
          </>
        )}
        {version && (
          <>
            <Row label="Type">{version.type}</Row>
            <Row label="Mode">
              <span className="font-mono">
                {modeString(version.type, version.mode)} ({(version.mode & 0o7777).toString(8).padStart(4, "0")})
              </span>
            </Row>
            <Row label="Owner">uid {version.uid}, gid {version.gid}</Row>
            <Row label="Size">
              {formatBytes(version.size)} <span className="text-slate-500">({formatExactBytes(version.size)})</span>
            </Row>
            {version.linkname !== undefined && (
              <Row label={version.type === "hardlink" ? "Hard link to" : "Link target"}>
                <code className="font-mono [overflow-wrap:anywhere]">
                  <SafeText text={clip(version.linkname, MAX_DETAIL_CHARS).text} />
                </code>
              </Row>
            )}
          </>
        )}
        {row?.kind === "present" && row.entry.hides.length > 0 && (
          <Row label="Hides">
            <ul className="space-y-0.5">
              {row.entry.hides.map((v, i) => (
                <li key={i} className="flex flex-wrap items-center gap-x-2">
                  <LayerChip layer={v.layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
                  <span>
                    {v.type}, {formatBytes(v.size)}, <span className="font-mono">{modeString(v.type, v.mode)}</span>, uid {v.uid} gid {v.gid}
                  </span>
                </li>
              ))}
            </ul>
            <HistoryButton path={node.path} label={`History of all ${row.entry.hides.length + 1} versions`} />
          </Row>
        )}
        {node.isDir && (
          <Row label="Contents">
            {node.descendants.toLocaleString("en-US")} entries, {formatBytes(node.size)}
          </Row>
        )}
      </dl>
      {children}
    </div>
  );
}

function LayerLine({
  layer,
  createdBy,
  untrusted,
  onLayer,
}: {
  readonly layer: number;
  readonly createdBy: readonly (string | undefined)[] | undefined;
  readonly untrusted: ReadonlySet<number>;
  readonly onLayer: (layer: number) => void;
}) {
  return (
    <span className="inline-flex max-w-full items-center gap-2">
      <LayerChip layer={layer} createdBy={createdBy} untrusted={untrusted} onLayer={onLayer} />
      <span className="min-w-0 truncate font-mono text-[12px] text-slate-700" title={layerTitle(layer, createdBy)}>
        <SafeText text={clip(createdBy?.[layer] ?? "no history entry", 300).text} />
      </span>
    </span>
  );
}

function Row({ label: text, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-500 sm:pt-0.5">{text}</dt>
      <dd className="min-w-0 text-slate-900">{children}</dd>
    </>
  );
}
