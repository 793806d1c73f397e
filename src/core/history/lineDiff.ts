/**
 * A bounded line diff between two versions of a file: the common prefix and suffix trimmed,
 * patience anchors (lines unique in both sides, as `git diff --patience`), and between them
 * Myers' O((N+M)·D) greedy algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986),
 * the one GNU diff and git use by default. The output is hunks with line numbers,
 * for a unified view and a side-by-side view.
 *
 * Bounds, so a hostile or huge file never hangs the page or fills memory:
 * - each side is cut at `maxLines` lines (the bytes were already cut by the reader at its own
 *   limit); a cut is reported in `cut`, never silent;
 * - the edits the Myers searches may find are capped at `maxEdits` in all: the greedy search
 *   keeps one vector of 2D+1 ints per step (O(D²) memory), so past the cap a gap between
 *   anchors is shown as one block replaced by another (`coarse`), which is still a correct
 *   diff, only maybe not a minimal one.
 *
 * Lines are split on "\n" only; a "\r" before it stays part of the line, so a CRLF ↔ LF change
 * shows as changed lines (the view makes "\r" visible). A last line without "\n" differs from
 * the same text with one, as in GNU diff ("\ No newline at end of file").
 *
 * Binary detection follows git (`buffer_is_binary`): a NUL byte in the first 8000 bytes.
 */

/** Git looks at this many leading bytes for a NUL to call a file binary. */
export const BINARY_SNIFF_BYTES = 8000;
/** Lines of context around each change in a hunk (GNU diff -u and git default). */
export const DEFAULT_CONTEXT = 3;
/** Lines per side beyond which the diff is cut. */
export const DEFAULT_MAX_LINES = 20_000;
/**
 * Edits the Myers searches of one diff may find in all (their memory is ~2·D² ints, their time
 * O((N+M)·D)): 1 000 keeps a worst case near 100 ms on the page. Patience anchors split most
 * diffs into small searches first, so the cap is rarely met.
 */
export const DEFAULT_MAX_EDITS = 1_000;

export interface DiffOptions {
  readonly context?: number;
  readonly maxLines?: number;
  readonly maxEdits?: number;
}

/** One text of a diff, split into lines. */
export interface SplitText {
  readonly lines: readonly string[];
  /** The text does not end with "\n" (and is not empty). */
  readonly noFinalNewline: boolean;
}

export type DiffLineKind = "same" | "del" | "add";

export interface DiffLine {
  readonly kind: DiffLineKind;
  /** 1-based line number in the old text ("same" and "del"). */
  readonly oldNo?: number;
  /** 1-based line number in the new text ("same" and "add"). */
  readonly newNo?: number;
  readonly text: string;
  /** This is the text's last line and it has no "\n" after it. */
  readonly noNewline?: boolean;
}

export interface Hunk {
  /** 1-based first line and line count in each text, as in "@@ -oldStart,oldLines +newStart,newLines @@". */
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly lines: readonly DiffLine[];
}

export interface LineDiff {
  readonly hunks: readonly Hunk[];
  readonly added: number;
  readonly removed: number;
  readonly identical: boolean;
  /** Why the diff is not of the whole texts (e.g. "the old version has more than 20 000 lines; only the first 20 000 are compared"). */
  readonly cut: readonly string[];
  /** True when the edit cap was hit and part of the diff is one block replaced by another. */
  readonly coarse: boolean;
}

/** Splits a text into lines on "\n" (see the module comment for "\r" and the final newline). */
export function splitLines(text: string): SplitText {
  if (text === "") return { lines: [], noFinalNewline: false };
  const lines = text.split("\n");
  const noFinalNewline = lines[lines.length - 1] !== "";
  if (!noFinalNewline) lines.pop();
  return { lines, noFinalNewline };
}

/** True when `bytes` look binary to git: a NUL among the first 8000 bytes. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

type Op = 0 | 1 | 2; // same, del, add
const SAME: Op = 0;
const DEL: Op = 1;
const ADD: Op = 2;

/**
 * The edit script from `a` to `b` (integer line ids), or undefined when it needs more than
 * `maxEdits` edits. Myers' forward greedy search with one saved V per D, then a backtrack.
 */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) x = v[offset + k + 1] as number;
      else x = (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(next);
        return backtrack(trace, n, m, offset);
      }
    }
    trace.push(next);
    v = next;
  }
  return undefined;
}

function backtrack(trace: readonly Int32Array[], n: number, m: number, offset: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const v = trace[d - 1] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push(SAME);
      x--;
      y--;
    }
    ops.push(down ? ADD : DEL);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push(SAME);
    x--;
    y--;
  }
  return ops.reverse();
}

/** Edits left for the Myers searches of one diff, and whether some gap had to be shown coarsely. */
interface Budget {
  edits: number;
  coarse: boolean;
}

const repeat = (op: Op, n: number): Op[] => new Array<Op>(n).fill(op);

/**
 * The script from `a` to `b`: common prefix and suffix trimmed, then patience anchors (lines
 * that occur once in each side, in increasing order on both: Bram Cohen's patience diff, as
 * `git diff --patience`), then Myers between consecutive anchors within the edit budget. A gap
 * past the budget is one block replaced by another (`budget.coarse`). Anchors keep the search
 * small: a file with a thousand scattered one-line edits is a thousand tiny searches, not one
 * with D = 2000.
 */
function diffIds(a: Int32Array, b: Int32Array, budget: Budget): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const midA = a.subarray(pre, a.length - suf);
  const midB = b.subarray(pre, b.length - suf);
  const out: Op[] = repeat(SAME, pre);
  const anchors = patienceAnchors(midA, midB);
  let ia = 0;
  let ib = 0;
  for (const [x, y] of [...anchors, [midA.length, midB.length] as const]) {
    for (const op of gap(midA.subarray(ia, x), midB.subarray(ib, y), budget)) out.push(op);
    if (x < midA.length) out.push(SAME);
    ia = x + 1;
    ib = y + 1;
  }
  for (const op of repeat(SAME, suf)) out.push(op);
  return out;
}

/** One gap between anchors: trimmed, then Myers within the budget, else coarse. */
function gap(a: Int32Array, b: Int32Array, budget: Budget): Op[] {
  if (a.length === 0 || b.length === 0) return [...repeat(DEL, a.length), ...repeat(ADD, b.length)];
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const midA = a.subarray(pre, a.length - suf);
  const midB = b.subarray(pre, b.length - suf);
  let middle = budget.edits > 0 ? myers(midA, midB, budget.edits) : undefined;
  if (middle === undefined) {
    // One changed line on a side is already minimal as a block; anything bigger may not be.
    if (midA.length > 1 && midB.length > 1) budget.coarse = true;
    budget.edits = 0;
    middle = [...repeat(DEL, midA.length), ...repeat(ADD, midB.length)];
  } else {
    for (const op of middle) if (op !== SAME) budget.edits--;
  }
  return [...repeat(SAME, pre), ...middle, ...repeat(SAME, suf)];
}

/** Pairs (i in a, j in b) of lines unique in both, longest run increasing in both (patience sorting, O(k log k)). */
function patienceAnchors(a: Int32Array, b: Int32Array): (readonly [number, number])[] {
  // id → [count in a, index in a, count in b, index in b]
  const seen = new Map<number, [number, number, number, number]>();
  for (let i = 0; i < a.length; i++) {
    const s = seen.get(a[i] as number);
    if (s) s[0]++;
    else seen.set(a[i] as number, [1, i, 0, -1]);
  }
  for (let j = 0; j < b.length; j++) {
    const s = seen.get(b[j] as number);
    if (s) {
      s[2]++;
      s[3] = j;
    }
  }
  const pairs: [number, number][] = [];
  for (const [ca, i, cb, j] of seen.values()) if (ca === 1 && cb === 1) pairs.push([i, j]);
  if (pairs.length === 0) return [];
  pairs.sort((p, q) => p[0] - q[0]);
  // Longest increasing subsequence on j: tails[k] is the pair index ending the best run of length k+1.
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const j = (pairs[k] as [number, number])[1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pairs[tails[mid] as number] as [number, number])[1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1] as number;
    tails[lo] = k;
  }
  const run: [number, number][] = [];
  for (let k = tails[tails.length - 1] as number; k >= 0; k = prev[k] as number) run.push(pairs[k] as [number, number]);
  return run.reverse();
}

/**
 * The line diff of two texts, in hunks with `context` lines around each change.
 * Equal lines compare by exact string (the final line's missing newline counts, see above).
 */
export function diffLines(oldText: SplitText, newText: SplitText, options: DiffOptions = {}): LineDiff {
  const context = Math.max(0, options.context ?? DEFAULT_CONTEXT);
  const maxLines = Math.max(1, options.maxLines ?? DEFAULT_MAX_LINES);
  const maxEdits = Math.max(1, options.maxEdits ?? DEFAULT_MAX_EDITS);
  const cut: string[] = [];
  const take = (t: SplitText, which: string): { lines: readonly string[]; noNl: boolean } => {
    if (t.lines.length <= maxLines) return { lines: t.lines, noNl: t.noFinalNewline };
    cut.push(`the ${which} version has ${t.lines.length.toLocaleString("en-US")} lines; only the first ${maxLines.toLocaleString("en-US")} are compared`);
    return { lines: t.lines.slice(0, maxLines), noNl: false };
  };
  const oldSide = take(oldText, "old");
  const newSide = take(newText, "new");

  // Lines → small integers (a Map, so "__proto__" is a plain line); the final line without a
  // newline gets its own id, different from the same text with one.
  const ids = new Map<string, number>();
  const idOf = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const encode = (side: { lines: readonly string[]; noNl: boolean }): Int32Array => {
    const out = new Int32Array(side.lines.length);
    for (let i = 0; i < side.lines.length; i++) out[i] = idOf(side.noNl && i === side.lines.length - 1 ? `${side.lines[i] as string}\n\0no-newline` : (side.lines[i] as string));
    return out;
  };
  const a = encode(oldSide);
  const b = encode(newSide);

  const budget = { edits: maxEdits, coarse: false };
  const ops = diffIds(a, b, budget);
  const coarse = budget.coarse;

  // The script as lines with numbers.
  const all: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  const oldLast = oldSide.lines.length - 1;
  const newLast = newSide.lines.length - 1;
  for (const op of ops) {
    if (op === SAME) {
      all.push({ kind: "same", oldNo: i + 1, newNo: j + 1, text: oldSide.lines[i] as string, ...(oldSide.noNl && i === oldLast ? { noNewline: true } : {}) });
      i++;
      j++;
    } else if (op === DEL) {
      all.push({ kind: "del", oldNo: i + 1, text: oldSide.lines[i] as string, ...(oldSide.noNl && i === oldLast ? { noNewline: true } : {}) });
      i++;
      removed++;
    } else {
      all.push({ kind: "add", newNo: j + 1, text: newSide.lines[j] as string, ...(newSide.noNl && j === newLast ? { noNewline: true } : {}) });
      j++;
      added++;
    }
  }
  return { hunks: toHunks(all, context), added, removed, identical: added === 0 && removed === 0, cut, coarse };
}

/** Groups lines into hunks: each change with `context` lines around it, close changes merged. */
function toHunks(all: readonly DiffLine[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  // Old and new lines before each position of the script (one pass, so hunks need no rescans).
  const oldAt = new Int32Array(all.length + 1);
  const newAt = new Int32Array(all.length + 1);
  for (let i = 0; i < all.length; i++) {
    const kind = (all[i] as DiffLine).kind;
    oldAt[i + 1] = (oldAt[i] as number) + (kind !== "add" ? 1 : 0);
    newAt[i + 1] = (newAt[i] as number) + (kind !== "del" ? 1 : 0);
  }
  let k = 0;
  while (k < all.length) {
    while (k < all.length && all[k]?.kind === "same") k++;
    if (k >= all.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend while the next change is within 2·context lines of the last one.
    for (;;) {
      while (end < all.length && all[end]?.kind !== "same") end++;
      let gap = end;
      while (gap < all.length && all[gap]?.kind === "same") gap++;
      if (gap < all.length && gap - end <= 2 * context) end = gap;
      else {
        end = Math.min(all.length, end + context);
        break;
      }
    }
    const lines = all.slice(start, end);
    let oldLines = 0;
    let newLines = 0;
    for (const l of lines) {
      if (l.kind !== "add") oldLines++;
      if (l.kind !== "del") newLines++;
    }
    const oldBefore = oldAt[start] as number;
    const newBefore = newAt[start] as number;
    // As GNU diff: an empty range starts at the line before it (0 for the start of the file).
    hunks.push({ oldStart: oldLines === 0 ? oldBefore : oldBefore + 1, oldLines, newStart: newLines === 0 ? newBefore : newBefore + 1, newLines, lines });
    k = end;
  }
  return hunks;
}

/** One row of a side-by-side view: the old line on the left, the new on the right (either may be absent). */
export interface SideBySideRow {
  readonly left?: DiffLine;
  readonly right?: DiffLine;
}

/** Pairs a hunk's lines for a side-by-side view: unchanged lines face each other, a run of deletions faces the run of additions after it. */
export function sideBySide(hunk: Hunk): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  const lines = hunk.lines;
  let k = 0;
  while (k < lines.length) {
    const line = lines[k] as DiffLine;
    if (line.kind === "same") {
      rows.push({ left: line, right: line });
      k++;
      continue;
    }
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    while (k < lines.length && lines[k]?.kind === "del") dels.push(lines[k++] as DiffLine);
    while (k < lines.length && lines[k]?.kind === "add") adds.push(lines[k++] as DiffLine);
    for (let r = 0; r < Math.max(dels.length, adds.length); r++) {
      const left = dels[r];
      const right = adds[r];
      rows.push({ ...(left ? { left } : {}), ...(right ? { right } : {}) });
    }
  }
  return rows;
}

/** The diff as GNU `diff -u` prints its hunks (no file header lines): for tests and copying. */
export function unifiedText(diff: LineDiff): string {
  const out: string[] = [];
  const range = (start: number, count: number): string => (count === 1 ? String(start) : `${start},${count}`);
  for (const h of diff.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const l of h.lines) {
      out.push(`${l.kind === "same" ? " " : l.kind === "del" ? "-" : "+"}${l.text}`);
      if (l.noNewline === true) out.push("\\ No newline at end of file");
    }
  }
  return out.join("\n");
}
