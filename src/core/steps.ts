/**
 * Long pure computations as generators that pause every so often (`yield`), so one core
 * function serves both a worker or a test, which runs it to the end at once ({@link runSteps}),
 * and the page, which runs it in slices with a paint between them (lib/yield.ts `runSliced`).
 * A pause costs nothing to the computation but the generator's bookkeeping.
 */

/** A computation that pauses between steps and returns a T. */
export type Steps<T> = Generator<void, T, void>;

/** Work items (entries, nodes) between two pauses: a few milliseconds of work each. */
export const ITEMS_PER_STEP = 4096;

/** Runs `steps` to the end now. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}
