/**
 * Runs a parsed search over one image: the merged filesystem (as of the top layer) and/or each
 * layer's own entries. Pure and synchronous; the page runs it in the filetree worker (see
 * src/lib/filetree/client.ts) so a big image or a slow pattern never blocks the page.
 *
 * Bounded work, said out loud (SECURITY T11): at most `limit` hits are kept (the best by rank;
 * all matches are counted), a pattern is not tested on paths longer than `maxPatternPath`
 * (counted), and the scan stops after `budgetMs`, reporting how far it got. A regex that
 * backtracks inside one test cannot be interrupted from here: the worker's watchdog is the
 * guard for that (and query.ts refuses the known-exponential shapes up front).
 *
 * Ranking, best first: a match in the last path segment before one elsewhere (for substring
 * search, a segment equal to the text first of all), then shorter paths, then by path (UTF-16
 * order, like the trees), then merged before layer 1 before layer 2…
 */
import type { MergedFilesystem, MergeInput, PathVersion } from "../filetree";
import { hardlinkTargetPath } from "../filetree/merge";
import type { EntryType } from "../pipeline/types";
import { resolveSymlink, type LinkLookup } from "./links";
import { inIdSet, kindOf, type EntryKind, type SearchQuery } from "./query";

/** The page shows this many hits; the rest are counted. */
export const DEFAULT_HIT_LIMIT = 1000;
/** A scan that takes longer stops with what it found (the page says so). */
export const DEFAULT_BUDGET_MS = 5000;
/** Patterns are tested only on paths up to this long (4 × PATH_MAX): a 100 KB name (U3) can make even a fair regex slow. */
export const MAX_PATTERN_PATH = 16_384;
/** The clock is read once per this many entries. */
const CHECK_EVERY = 2048;

export interface SearchData {
  /** Each layer's entries, base first, in tar order. */
  readonly layers: readonly (readonly MergeInput[])[];
  /** The merged filesystem as of the top layer: searched in scope "merged", and where links are resolved. */
  readonly merged: MergedFilesystem;
}

/** One match: the entry's own fields (as a PathVersion names them) and where it was found. */
export interface SearchHit extends Pick<PathVersion, "type" | "size" | "mode" | "uid" | "gid" | "uname" | "gname" | "linkname"> {
  /** Normalised path (no leading "/"); for a layer entry, its literal path (".wh." names included). */
  readonly path: string;
  /** Where it was found: the merged view, or a layer (0-based). */
  readonly scope: "merged" | number;
  /** For a merged hit, the layer that provides the version shown; for a layer hit, that layer. */
  readonly layer: number;
  readonly kind: EntryKind;
  /** Why a link is broken (broken-symlink and missing-hardlink-target searches). */
  readonly problem?: string;
}

export interface SearchOutcome {
  /** The best hits, ranked, at most `limit`. */
  readonly hits: readonly SearchHit[];
  /** Every match found (may exceed hits.length). */
  readonly total: number;
  /** Entries examined, and how many there were in scope. */
  readonly examined: number;
  readonly inScope: number;
  /** Paths a pattern was not tested on because they are longer than MAX_PATTERN_PATH. */
  readonly skippedLong: number;
  /** Set when the scan stopped before the end: hits and total cover only `examined` entries. */
  readonly cut?: { readonly reason: "time"; readonly budgetMs: number };
  readonly elapsedMs: number;
}

export interface SearchOptions {
  readonly limit?: number;
  readonly budgetMs?: number;
  readonly maxPatternPath?: number;
  /** Milliseconds; injectable for tests. */
  readonly now?: () => number;
}

interface Candidate {
  readonly path: string;
  readonly scope: "merged" | number;
  readonly layer: number;
  readonly type: EntryType;
  readonly kind: EntryKind;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname?: string | undefined;
  readonly gname?: string | undefined;
  readonly linkname?: string | undefined;
}

interface Ranked {
  readonly hit: SearchHit;
  readonly score: number;
  readonly order: number;
}

const SETUID = 0o4000;
const SETGID = 0o2000;
const OTHER_WRITE = 0o002;

const compareRanked = (a: Ranked, b: Ranked): number =>
  a.score - b.score || a.hit.path.length - b.hit.path.length || (a.hit.path < b.hit.path ? -1 : a.hit.path > b.hit.path ? 1 : 0) || a.order - b.order;

/** Candidates in scope, in a fixed order: merged (map order), then layers base first, tar order. */
function* candidates(data: SearchData, scope: SearchQuery["scope"]): Generator<Candidate> {
  if (scope === "merged") {
    for (const [path, e] of data.merged.entries) {
      if (path === "") continue; // the root itself is not a result
      const v = e.version;
      yield { path, scope, layer: v.layer, type: v.type, kind: kindOf(v.type), size: v.size, mode: v.mode, uid: v.uid, gid: v.gid, uname: v.uname, gname: v.gname, linkname: v.linkname };
    }
    return;
  }
  const layers = scope === "layers" ? data.layers.map((l, i) => [l, i] as const) : data.layers[scope] ? [[data.layers[scope], scope] as const] : [];
  for (const [entries, layer] of layers) {
    for (const e of entries) {
      if (e.path === "") continue;
      yield { path: e.path, scope: layer, layer, type: e.type, kind: kindOf(e.type, e.whiteout), size: e.size, mode: e.mode, uid: e.uid, gid: e.gid, uname: e.uname, gname: e.gname, linkname: e.linkname };
    }
  }
}

export function countInScope(data: SearchData, scope: SearchQuery["scope"]): number {
  if (scope === "merged") return Math.max(0, data.merged.entries.size - (data.merged.entries.has("") ? 1 : 0));
  if (scope === "layers") return data.layers.reduce((n, l) => n + l.length, 0);
  return data.layers[scope]?.length ?? 0;
}

export function runSearch(data: SearchData, query: SearchQuery, options: SearchOptions = {}): SearchOutcome {
  const limit = Math.max(1, options.limit ?? DEFAULT_HIT_LIMIT);
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const maxPatternPath = options.maxPatternPath ?? MAX_PATTERN_PATH;
  const now = options.now ?? (() => globalThis.performance?.now() ?? Date.now());
  const started = now();
  const deadline = started + budgetMs;
  const m = query.matcher;
  const lookup: LinkLookup = (p) => data.merged.entries.get(p)?.version;

  let kept: Ranked[] = [];
  let total = 0;
  let examined = 0;
  let skippedLong = 0;
  let cut: SearchOutcome["cut"];

  for (const c of candidates(data, query.scope)) {
    if (examined % CHECK_EVERY === 0 && examined > 0 && now() > deadline) {
      cut = { reason: "time", budgetMs };
      break;
    }
    examined++;
    // Cheap metadata first, the path next, links (a walk) last.
    if (query.kinds && !query.kinds.has(c.kind)) continue;
    if (query.sizeMin !== undefined && c.size < query.sizeMin) continue;
    if (query.sizeMax !== undefined && c.size > query.sizeMax) continue;
    if (query.setuid && (c.mode & SETUID) === 0) continue;
    if (query.setgid && (c.mode & SETGID) === 0) continue;
    // A symlink's own mode (0777 on Linux) grants nothing: only its target's counts.
    if (query.worldWritable && ((c.mode & OTHER_WRITE) === 0 || c.type === "symlink")) continue;
    if (query.uid && !inIdSet(query.uid, c.uid)) continue;
    if (query.gid && !inIdSet(query.gid, c.gid)) continue;

    let score = 0;
    if (m.mode !== "all") {
      const hay = `/${c.path}`;
      const slash = hay.lastIndexOf("/");
      if (m.mode === "substring") {
        const h = m.caseSensitive ? hay : hay.toLowerCase();
        const at = h.indexOf(m.needle);
        if (at < 0) continue;
        score = h.slice(slash + 1) === m.needle ? 0 : at > slash ? 1 : 2;
      } else {
        if (hay.length > maxPatternPath) {
          skippedLong++;
          continue;
        }
        const found = m.re.exec(hay);
        if (!found) continue;
        score = found.index >= slash ? 1 : 2;
      }
    }

    let problem: string | undefined;
    if (query.links === "broken-symlinks") {
      if (c.type !== "symlink") continue;
      const r = resolveSymlink(lookup, c.path, c.linkname);
      if (r.ok) continue;
      problem = r.message;
    } else if (query.links === "hardlinks") {
      if (c.type !== "hardlink") continue;
    } else if (query.links === "hardlinks-missing-target") {
      if (c.type !== "hardlink") continue;
      const target = hardlinkTargetPath(c.linkname ?? "");
      if (target !== undefined && target !== "" && data.merged.entries.has(target)) continue;
      problem = target === undefined ? "the target climbs above the root" : `/${target} is not in the merged filesystem`;
    }

    total++;
    const hit: SearchHit = {
      path: c.path,
      scope: c.scope,
      layer: c.layer,
      kind: c.kind,
      type: c.type,
      size: c.size,
      mode: c.mode,
      uid: c.uid,
      gid: c.gid,
      ...(c.uname ? { uname: c.uname } : {}),
      ...(c.gname ? { gname: c.gname } : {}),
      ...(c.linkname !== undefined ? { linkname: c.linkname } : {}),
      ...(problem !== undefined ? { problem } : {}),
    };
    kept.push({ hit, score, order: examined });
    // Keep the best `limit` without holding every match: sort and trim when twice as many.
    if (kept.length >= 2 * limit) kept = kept.sort(compareRanked).slice(0, limit);
  }
  kept = kept.sort(compareRanked).slice(0, limit);
  return {
    hits: kept.map((r) => r.hit),
    total,
    examined,
    inScope: countInScope(data, query.scope),
    skippedLong,
    ...(cut ? { cut } : {}),
    elapsedMs: now() - started,
  };
}
