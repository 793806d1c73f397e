/**
 * The squarified treemap layout of Bruls, Huizing and van Wijk ("Squarified Treemaps", 2000):
 * items, biggest first, are laid out in rows along the shorter side of the space left; an item
 * joins the current row while that does not make the row's worst aspect ratio worse, otherwise
 * the row is fixed and a new one starts in the remaining strip.
 *
 * Pure and deterministic: the same sizes and bounds give the same rectangles, bit for bit.
 * Units are the caller's (pixels for the page); areas are proportional to sizes, and each row's
 * last rectangle ends exactly on the row's edge so floating-point error never leaves a gap or an
 * overlap.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The worst aspect ratio (≥ 1) of a row of areas summing to `sum`, laid along a side of length `side`. */
function worst(sum: number, min: number, max: number, side: number): number {
  const s2 = sum * sum;
  const w2 = side * side;
  return Math.max((w2 * max) / s2, s2 / (w2 * min));
}

/**
 * Rectangles for `sizes` (≥ 0; sorted biggest first for the algorithm's guarantees, though any
 * order gives a valid tiling) inside `bounds`, in the same order. A size of 0 (or a non-finite
 * one) gets a zero-area rectangle at the bounds' corner, never NaN; so does every item when the
 * bounds have no area.
 */
export function squarify(sizes: readonly number[], bounds: Rect): Rect[] {
  const n = sizes.length;
  const out: Rect[] = new Array<Rect>(n);
  const empty: Rect = { x: bounds.x, y: bounds.y, w: 0, h: 0 };
  let total = 0;
  for (const s of sizes) if (s > 0 && Number.isFinite(s)) total += s;
  if (total <= 0 || !(bounds.w > 0) || !(bounds.h > 0)) return out.fill(empty);
  // Areas in the bounds' units: one scale for every item, so areas stay proportional to sizes.
  const scale = (bounds.w * bounds.h) / total;
  const area = (i: number): number => {
    const s = sizes[i] as number;
    return s > 0 && Number.isFinite(s) ? s * scale : 0;
  };

  let lastPositive = n - 1;
  while (lastPositive >= 0 && area(lastPositive) === 0) lastPositive--;

  let { x, y, w, h } = bounds;
  let i = 0;
  while (i < n) {
    if (area(i) === 0) {
      out[i++] = empty;
      continue;
    }
    const side = Math.min(w, h);
    // Grow the row while its worst aspect ratio does not get worse.
    let sum = area(i);
    let min = sum;
    let max = sum;
    let j = i + 1;
    while (j < n) {
      const a = area(j);
      if (a === 0) break;
      const nSum = sum + a;
      const nMin = Math.min(min, a);
      const nMax = Math.max(max, a);
      if (worst(nSum, nMin, nMax, side) > worst(sum, min, max, side)) break;
      sum = nSum;
      min = nMin;
      max = nMax;
      j++;
    }
    const last = j > lastPositive;
    // The row's thickness; the last row takes whatever is left so rounding leaves no sliver.
    if (w >= h) {
      // A column at the left, as tall as the strip.
      const thick = last ? w : Math.min(w, sum / h);
      let cy = y;
      for (let k = i; k < j; k++) {
        const hk = k === j - 1 ? y + h - cy : area(k) / thick;
        out[k] = { x, y: cy, w: thick, h: hk };
        cy += hk;
      }
      x += thick;
      w -= thick;
    } else {
      // A row at the top, as wide as the strip.
      const thick = last ? h : Math.min(h, sum / w);
      let cx = x;
      for (let k = i; k < j; k++) {
        const wk = k === j - 1 ? x + w - cx : area(k) / thick;
        out[k] = { x: cx, y, w: wk, h: thick };
        cx += wk;
      }
      y += thick;
      h -= thick;
    }
    i = j;
  }
  return out;
}
