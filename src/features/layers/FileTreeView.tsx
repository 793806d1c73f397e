import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { useRevealInDom } from "./reveal";
import type { ChangeKind } from "../../core/filetree/changes";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { clip, modeString, nameParts, ownerLabel, partsToString, type NamePart } from "./format";
import { EntryIcon } from "./Icons";
import type { LayerChanges } from "./model";
import { filterTree, visibleRows, type FileTree, type SortOrder, type TreeNode } from "./tree";
import { EntryDetails } from "./EntryDetails";
import { onTreeKeyDown } from "./treeKeys";
import { LayerEntryActions, useOpenFile } from "../viewer/EntryActions";

/** Fixed row height (px): the virtual list positions rows by index × this. */
export const ROW_HEIGHT = 26;
/** Height of the scroll viewport (px). */
const VIEWPORT_HEIGHT = ROW_HEIGHT * 20;
/** Rows rendered above and below the viewport, so fast scrolling does not show blanks. */
const OVERSCAN = 12;
/** Indentation stops growing here, so 5,000-deep paths (T11) do not push names off screen. */
const MAX_INDENT_DEPTH = 24;
/** The opaque marker's name (image-spec layer.md): it is not a row of its own. */
const OPAQUE = ".wh..wh..opq";
/** Characters of a name or link target drawn in a row (the rest is in the title and the details). */
const MAX_NAME_CHARS = 512;

const CHANGE_STYLE: Readonly<Record<ChangeKind, { letter: string; cls: string; border: string; label: string }>> = {
  added: { letter: "A", cls: "bg-emerald-100 text-emerald-800", border: "border-l-emerald-500", label: "added in this layer" },
  modified: { letter: "M", cls: "bg-amber-100 text-amber-900", border: "border-l-amber-500", label: "modified: also present in a lower layer" },
  deleted: { letter: "D", cls: "bg-rose-100 text-rose-800", border: "border-l-rose-500", label: "deleted by a whiteout in this layer" },
  opaque: { letter: "O", cls: "bg-violet-100 text-violet-800", border: "border-l-violet-500", label: "opaque: hides this directory's contents in lower layers" },
};

/**
 * One layer's files as a keyboard-navigable, virtualised tree: only the rows in view (plus
 * overscan) are in the DOM, so 200 000 entries scroll smoothly. View state (expanded, focused,
 * filter, sort) lives here, never in the tree model.
 */
export function FileTreeView({
  tree,
  changes,
  label,
  layer,
  reveal,
}: {
  readonly tree: FileTree;
  readonly changes: LayerChanges | undefined;
  readonly label: string;
  /** The layer (0-based) these files are in: enables Open (Enter, double-click) and Download. */
  readonly layer?: number;
  /** A request to show `path` (a new object each time): expand its parents, select it, scroll to it, focus the tree. */
  readonly reveal?: { readonly path: string } | undefined;
}) {
  const id = useId();
  const [order, setOrder] = useState<SortOrder>("name");
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const [expanded, setExpanded] = useState<ReadonlySet<TreeNode>>(() => (tree.roots.length === 1 ? new Set(tree.roots) : new Set()));
  // Under a filter everything that leads to a match starts open; folding then records exceptions.
  const [filterFolds, setFilterFolds] = useState<{ readonly query: string; readonly folded: ReadonlySet<TreeNode> }>({ query: "", folded: new Set() });
  const [focused, setFocused] = useState<TreeNode | undefined>(undefined);
  const [opened, setOpened] = useState<TreeNode | undefined>(undefined);
  const [scrollTop, setScrollTop] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const revealFocus = useRef(false);

  const include = useMemo(() => filterTree(tree, deferredQuery.trim()), [tree, deferredQuery]);
  const folded = filterFolds.query === deferredQuery ? filterFolds.folded : undefined;
  const isExpanded = useMemo(
    () => (include ? (n: TreeNode) => !folded?.has(n) : (n: TreeNode) => expanded.has(n)),
    [include, folded, expanded],
  );
  const rows = useMemo(() => visibleRows(tree, order, isExpanded, include), [tree, order, isExpanded, include]);
  const indexOf = useMemo(() => {
    const m = new Map<TreeNode, number>();
    rows.forEach((n, i) => m.set(n, i));
    return m;
  }, [rows]);

  // The focused node, or its nearest visible ancestor once a fold or a filter hid it.
  let focusIndex = -1;
  for (let n = focused; n && focusIndex < 0; n = n.parent) focusIndex = indexOf.get(n) ?? -1;
  const focusNode = focusIndex >= 0 ? rows[focusIndex] : undefined;

  // A reveal request is taken in during render (state adjusted from a new prop); the DOM part —
  // scroll the tree into view, focus it — follows in an effect.
  const [revealNotice, setRevealNotice] = useState<string | undefined>(undefined);
  const [handledReveal, setHandledReveal] = useState<{ readonly path: string } | undefined>(undefined);
  if (reveal && reveal !== handledReveal) {
    setHandledReveal(reveal);
    // The entry's literal path is its node's key (a whiteout's too); an opaque marker has no node: show its directory.
    const path = reveal.path === OPAQUE ? "" : reveal.path.endsWith(`/${OPAQUE}`) ? reveal.path.slice(0, -OPAQUE.length - 1) : reveal.path;
    const node = tree.nodes.find((n) => n.key === path) ?? tree.nodes.find((n) => n.path === path);
    if (!node) setRevealNotice(`/${reveal.path} is not in this layer's tree.`);
    else {
      setRevealNotice(undefined);
      setQuery("");
      const next = new Set(expanded);
      for (let p = node.parent; p; p = p.parent) next.add(p);
      setExpanded(next);
      setFocused(node);
      setOpened(node);
    }
  }
  // Declared before the scroll effect below, which then brings the focused row into view.
  useRevealInDom(handledReveal, scrollRef, revealFocus);

  // After a keyboard move, or new rows (filter, sort, fold), bring the focused row — or its
  // nearest shown ancestor — into view.
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
      if (open) next.delete(node);
      else next.add(node);
      setFilterFolds({ query: deferredQuery, folded: next });
    } else {
      const next = new Set(expanded);
      if (open) next.add(node);
      else next.delete(node);
      setExpanded(next);
    }
  };

  const focusAt = (i: number): void => {
    const n = rows[Math.max(0, Math.min(rows.length - 1, i))];
    if (!n) return;
    revealFocus.current = true;
    setFocused(n);
  };

  const activate = (node: TreeNode): void => {
    setOpened(node);
    if (node.children.length > 0) setOpen(node, !isExpanded(node));
  };

  const openFile = useOpenFile();
  const openNode = (node: TreeNode | undefined): boolean =>
    layer !== undefined && node?.entry !== undefined && node.entry.whiteout === "none" && openFile(layer, node.path, node.entry.type);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === "Enter" && !e.altKey && !e.ctrlKey && !e.metaKey) openNode(focusNode);
    onTreeKeyDown(e, {
      rows,
      focusIndex,
      pageRows: Math.max(1, Math.floor(VIEWPORT_HEIGHT / ROW_HEIGHT) - 1),
      focusAt,
      focusNode: (n) => {
        revealFocus.current = true;
        setFocused(n);
      },
      isExpanded,
      setOpen,
      activate,
      focusFilter: () => {
        filterRef.current?.focus();
        filterRef.current?.select();
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
    if (include) setFilterFolds({ query: deferredQuery, folded: open ? new Set() : new Set([...include].filter((n) => n.children.length > 0)) });
    else setExpanded(open ? new Set(tree.nodes.filter((n) => n.children.length > 0)) : new Set());
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
          <span className="sr-only">Filter by path</span>
          <input
            ref={filterRef}
            data-testid="tree-filter"
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
            data-testid="tree-sort"
            value={order}
            onChange={(e) => setOrder(e.target.value === "size" ? "size" : "name")}
            className="rounded border border-slate-300 bg-white px-1.5 py-1 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            <option value="name">by name</option>
            <option value="size">by size</option>
          </select>
        </label>
        <button type="button" onClick={() => setAll(true)} className={toolButton} data-testid="tree-expand-all">
          Expand all
        </button>
        <button type="button" onClick={() => setAll(false)} className={toolButton} data-testid="tree-collapse-all">
          Collapse all
        </button>
        <span data-testid="tree-count" className={`text-xs tabular-nums text-slate-500 ${stale ? "opacity-60" : ""}`} aria-live="polite">
          {filtering ? `${include.size.toLocaleString("en-US")} matching or leading to a match · ` : ""}
          {rows.length.toLocaleString("en-US")} rows shown · {tree.nodes.length.toLocaleString("en-US")} in the tree
        </span>
      </div>
      {revealNotice !== undefined && (
        <p role="status" data-testid="tree-reveal-notice" className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-950">
          <SafeText text={clip(revealNotice, 600).text} />
        </p>
      )}
      <div
        role="row"
        aria-hidden="true"
        className="grid grid-cols-[minmax(0,1fr)_1.75rem_6.5rem_7.5rem_5.5rem] gap-x-2 border-b border-slate-200 bg-slate-50 px-4 py-1 text-[11px] font-medium uppercase tracking-wide text-slate-500"
      >
        <span>Name</span>
        <span title="Change against the layers below">Δ</span>
        <span>Mode</span>
        <span>Owner</span>
        <span className="text-right">Size</span>
      </div>
      <div
        ref={scrollRef}
        data-testid="filetree"
        role="tree"
        aria-label={label}
        aria-activedescendant={focusIndex >= first && focusIndex < last ? rowId(focusIndex) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onDoubleClick={(e) => {
          const path = (e.target as HTMLElement).closest<HTMLElement>("[data-testid=tree-row]")?.dataset.path;
          openNode(rows.find((n) => n.path === path));
        }}
        onFocus={() => {
          if (focusIndex < 0 && rows.length > 0) setFocused(rows[Math.min(first + OVERSCAN, rows.length - 1)] ?? rows[0]);
        }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        style={{ height: VIEWPORT_HEIGHT }}
        className="relative overflow-y-auto overflow-x-hidden outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-600"
      >
        {rows.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-600">{filtering ? "No path matches the filter." : "This layer has no entries."}</p>
        ) : (
          <div style={{ height: rows.length * ROW_HEIGHT }} className="relative">
            <div style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>
              {rows.slice(first, last).map((node, k) => {
                const i = first + k;
                return (
                  <TreeRow
                    key={node.key}
                    id={rowId(i)}
                    node={node}
                    change={changes?.changeOf(node)}
                    noop={node.entry?.whiteout === "whiteout" && changes !== undefined && changes.incompleteBelow.length === 0 && !changes.existsBelow(node.path)}
                    expanded={node.children.length > 0 ? isExpanded(node) : undefined}
                    focused={i === focusIndex}
                    opened={node === opened}
                    onClick={() => {
                      setFocused(node);
                      activate(node);
                      scrollRef.current?.focus({ preventScroll: true });
                    }}
                    onToggle={() => {
                      setFocused(node);
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
        ↑/↓ move · ←/→ fold and unfold · Enter open · / filter · Home/End · Page Up/Down
        {focusNode && (
          <span className="ml-2 font-mono text-slate-600">
            row {(focusIndex + 1).toLocaleString("en-US")} of {rows.length.toLocaleString("en-US")}
          </span>
        )}
      </p>
      {opened && <EntryDetails node={opened} changes={changes} actions={layer !== undefined ? <LayerEntryActions node={opened} layer={layer} /> : undefined} />}
    </div>
  );
}

const toolButton =
  "rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600";

function TreeRow({
  id,
  node,
  change,
  noop,
  expanded,
  focused,
  opened,
  onClick,
  onToggle,
}: {
  readonly id: string;
  readonly node: TreeNode;
  readonly change: ChangeKind | undefined;
  /** A whiteout of a path that does not exist below. */
  readonly noop: boolean;
  readonly expanded: boolean | undefined;
  readonly focused: boolean;
  readonly opened: boolean;
  readonly onClick: () => void;
  readonly onToggle: () => void;
}) {
  const e = node.entry;
  const style = change ? CHANGE_STYLE[change] : undefined;
  const deleted = e?.whiteout === "whiteout";
  const indent = Math.min(node.depth, MAX_INDENT_DEPTH);
  const parts = nameParts(node.name, e);
  const owner = e ? ownerLabel(e) : undefined;
  const fullName = partsToString(parts);
  return (
    <div
      id={id}
      role="treeitem"
      data-testid="tree-row"
      data-path={node.path}
      data-change={change}
      data-type={e ? (e.whiteout === "whiteout" ? "whiteout" : e.type) : "dir"}
      aria-level={node.depth + 1}
      aria-expanded={expanded}
      aria-selected={focused}
      onClick={onClick}
      style={{ height: ROW_HEIGHT }}
      className={`grid cursor-default grid-cols-[minmax(0,1fr)_1.75rem_6.5rem_7.5rem_5.5rem] items-center gap-x-2 border-l-[3px] pr-4 text-[12.5px] leading-none ${
        style?.border ?? "border-l-transparent"
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
        <EntryIcon entry={e} isDir={node.isDir} />
        <span
          className={`min-w-0 truncate font-mono ${e?.linkname !== undefined ? "max-w-[60%] shrink-0" : ""} ${deleted ? "text-rose-700 line-through decoration-rose-500" : node.isDir ? "font-medium text-slate-900" : "text-slate-900"}`}
          title={escapeInvisible(clip(deleted ? `${fullName} (whited out)` : node.isDir ? `${fullName}/` : fullName, 4096).text)}
        >
          <Name parts={parts} />
          {node.isDir && !deleted && <span className="text-slate-400">/</span>}
        </span>
        {e?.linkname !== undefined && (
          <span
            className="min-w-0 flex-1 truncate font-mono text-slate-500"
            title={`${e.type === "hardlink" ? "hard link to" : "symbolic link to"} ${escapeInvisible(clip(e.linkname, 4096).text)}`}
          >
            {e.type === "hardlink" ? " ⇒ " : " → "}
            <SafeText text={clip(e.linkname, MAX_NAME_CHARS).text} />
          </span>
        )}
        <RowBadges node={node} noop={noop} />
      </div>
      <span
        className={`inline-flex size-5 items-center justify-center rounded text-[10px] font-bold ${style?.cls ?? "text-slate-300"}`}
        title={style?.label ?? "comparing with lower layers…"}
        aria-label={change ?? "unknown"}
      >
        {style?.letter ?? "·"}
      </span>
      <span className="truncate font-mono text-[12px] text-slate-700" title={e ? `${(e.mode & 0o7777).toString(8).padStart(4, "0")}` : "Not in this layer's tar: implied by deeper paths"}>
        {e && !deleted ? modeString(e.type, e.mode) : <span className="text-slate-300">—</span>}
      </span>
      <span className="truncate font-mono text-[12px] text-slate-700" title={owner ? escapeInvisible(owner.title) : undefined}>
        {owner && !deleted ? <SafeText text={clip(owner.text, 64).text} /> : <span className="text-slate-300">—</span>}
      </span>
      <span
        className={`text-right tabular-nums ${node.isDir ? "text-slate-500" : "text-slate-800"}`}
        title={node.isDir ? `${formatExactBytes(node.size)} in ${node.descendants.toLocaleString("en-US")} entries` : formatExactBytes(node.size)}
      >
        {deleted ? "" : formatBytes(node.size)}
      </span>
    </div>
  );
}

function RowBadges({ node, noop }: { readonly node: TreeNode; readonly noop: boolean }): ReactNode {
  const e = node.entry;
  const flags = e?.flags ?? [];
  const items: ReactNode[] = [];
  if (node.opaqueEntry)
    items.push(
      <span key="opq" data-testid="opaque-marker" className={`${chip} bg-violet-100 text-violet-800 ring-violet-300`} title="This layer hides the lower layers' contents of this directory (.wh..wh..opq)">
        opaque
      </span>,
    );
  if (e?.whiteout === "whiteout")
    items.push(
      <span key="wh" className={`${chip} bg-rose-50 text-rose-700 ring-rose-200`} title="A whiteout: this layer deletes the path from the layers below">
        deleted
      </span>,
    );
  if (noop)
    items.push(
      <span key="noop" className={`${chip} bg-slate-100 text-slate-600 ring-slate-300`} title="Nothing at this path in the layers below: the whiteout is a harmless no-op">
        hides nothing
      </span>,
    );
  if (e?.whiteout === "bad")
    items.push(
      <span key="bad" className={`${chip} bg-amber-50 text-amber-900 ring-amber-300`} title="A .wh. name that is not a valid whiteout; kept as a plain entry">
        odd .wh. name
      </span>,
    );
  if (flags.includes("unsafe-path"))
    items.push(
      <span key="unsafe" data-testid="unsafe-path" className={`${chip} bg-rose-100 text-rose-800 ring-rose-300`} title="This path escapes the image root; it is kept out of the merged view">
        unsafe path
      </span>,
    );
  if (flags.includes("unsafe-link"))
    items.push(
      <span key="unsafe-link" data-testid="unsafe-link" className={`${chip} bg-rose-100 text-rose-800 ring-rose-300`} title="This link's target climbs above the image root; it is listed, never followed">
        link escapes root
      </span>,
    );
  if (flags.includes("invalid-utf8"))
    items.push(
      <span key="utf8" className={`${chip} bg-amber-50 text-amber-900 ring-amber-300`} title="The name is not valid UTF-8; invalid bytes are shown as ⟨\xNN⟩">
        bytes
      </span>,
    );
  if (node.duplicates > 0 || flags.includes("duplicate"))
    items.push(
      <span key="dup" className={`${chip} bg-amber-50 text-amber-900 ring-amber-300`} title="The same path appears more than once in this layer; the last one wins">
        duplicate
      </span>,
    );
  return items.length > 0 ? <span className="flex shrink-0 gap-1 pl-1">{items}</span> : null;
}

const chip = "rounded px-1 py-px text-[10px] font-medium ring-1 ring-inset";

/** A name's parts: text through SafeText (invisible characters become markers), raw bytes as ⟨\xNN⟩. */
export function Name({ parts, max = MAX_NAME_CHARS }: { readonly parts: readonly NamePart[]; readonly max?: number }): ReactNode {
  let budget = max;
  const out: ReactNode[] = [];
  for (let i = 0; i < parts.length && budget > 0; i++) {
    const p = parts[i] as NamePart;
    if ("text" in p) {
      const c = clip(p.text, budget);
      budget -= p.text.length;
      out.push(<SafeText key={i} text={c.text} />);
    } else {
      budget -= 4;
      out.push(
        <span key={i} className="mx-px rounded-sm bg-amber-100 px-0.5 text-[0.85em] text-amber-900 ring-1 ring-amber-300" title="A byte that is not valid UTF-8">
          ⟨\x{p.byte.toString(16).toUpperCase().padStart(2, "0")}⟩
        </span>,
      );
    }
  }
  return <>{out}</>;
}

