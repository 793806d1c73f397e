/**
 * A bounded line diff between two versions of a file: Myers' O((N+M)·D) greedy algorithm
 * ("An O(ND) Difference Algorithm and Its Variations", 1986), the one GNU diff and git use by
 * default, after trimming the common prefix and suffix. The output is hunks with line numbers,
 * for a unified view and a side-by-side view.
 *
 * Bounds, so a hostile or huge file never hangs the page or fills memory:
 * - each side is cut at `maxLines` lines (the bytes were already cut by the reader at its own
 *   limit); a cut is reported in `cut`, never silent;
 * - the edit distance D explored is capped at `maxEdits`: the greedy search keeps one vector of
 *   2D+1 ints per step (O(D²) memory), so past the cap the remaining middle is shown as one
 *   block replaced by another (`coarse`), which is still a correct diff, only not a minimal one.
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
/** Edit-distance cap of the Myers search (memory ~ 2·D² ints: 2 000 → ~32 MB worst case, typical far less). */
export const DEFAULT_MAX_EDITS = 2_000;

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

  // Common prefix and suffix first: most versions differ in a few places.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const midA = a.subarray(pre, a.length - suf);
  const midB = b.subarray(pre, b.length - suf);
  let middle = myers(midA, midB, maxEdits);
  let coarse = false;
  if (middle === undefined) {
    coarse = true;
    middle = [...(new Array(midA.length).fill(DEL) as Op[]), ...(new Array(midB.length).fill(ADD) as Op[])];
  }
  const ops: Op[] = [...(new Array(pre).fill(SAME) as Op[]), ...middle, ...(new Array(suf).fill(SAME) as Op[])];

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
    const firstOld = lines.find((l) => l.oldNo !== undefined)?.oldNo;
    const firstNew = lines.find((l) => l.newNo !== undefined)?.newNo;
    const oldLines = lines.filter((l) => l.kind !== "add").length;
    const newLines = lines.filter((l) => l.kind !== "del").length;
    // As GNU diff: an empty range starts at the line before it (0 for the start of the file).
    const oldBefore = all.slice(0, start).filter((l) => l.kind !== "add").length;
    const newBefore = all.slice(0, start).filter((l) => l.kind !== "del").length;
    hunks.push({
      oldStart: oldLines === 0 ? oldBefore : (firstOld ?? oldBefore + 1),
      oldLines,
      newStart: newLines === 0 ? newBefore : (firstNew ?? newBefore + 1),
      newLines,
      lines,
    });
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
