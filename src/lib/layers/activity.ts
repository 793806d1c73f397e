/**
 * Whether layers are being read, app-wide — or their results are being worked on before the page
 * can show them (a big image's merged view, features/merged/useMergedView). Work that can wait — the efficiency report and the
 * treemap's size tree (lib/filetree) — waits until no layer is, so it does not take the two cores
 * from the layer workers while they stream: an analysis started as each layer finished was
 * superseded by the next one anyway (latest wins), after a structured clone of every entry read so
 * far and a merge in another worker (bench/README.md, "Open to merged").
 */
export interface LayerActivity {
  /** A layer run started; call the returned function once when it stops (done, failed, cancelled). */
  begin(): () => void;
  /** Runs being read now. */
  readonly active: number;
  /**
   * Resolves when no layer is being read (at once if none is; else in a task after the last run
   * stopped), or after `maxWaitMs` if given,
   * so a stalled download never holds the work back for long; rejects with an AbortError if
   * `signal` aborts first.
   */
  whenIdle(options?: { readonly signal?: AbortSignal; readonly maxWaitMs?: number }): Promise<void>;
}

export function createLayerActivity(): LayerActivity {
  let active = 0;
  const waiters = new Set<() => void>();
  return {
    begin() {
      active++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        active--;
        // In a later task: the results that ended the activity are rendered first, so work asked
        // for the layers before them (now superseded, its signal aborted) is dropped, not started.
        if (active === 0)
          setTimeout(() => {
            if (active === 0) for (const w of [...waiters]) w();
          }, 0);
      };
    },
    get active() {
      return active;
    },
    whenIdle({ signal, maxWaitMs } = {}) {
      if (signal?.aborted === true) return Promise.reject(abortError());
      if (active === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = maxWaitMs === undefined ? undefined : setTimeout(() => settle(), maxWaitMs);
        const onAbort = (): void => settle(abortError());
        const settle = (error?: Error): void => {
          waiters.delete(wake);
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve();
        };
        const wake = (): void => settle();
        waiters.add(wake);
        signal?.addEventListener("abort", onAbort);
      });
    },
  };
}

function abortError(): Error {
  const e = new Error("Aborted");
  e.name = "AbortError";
  return e;
}

/** The page's: every layer-jobs store reports its runs here. */
export const layerActivity: LayerActivity = createLayerActivity();
