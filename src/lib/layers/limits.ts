/**
 * The layer pipeline's safety limits as the page applies them (SECURITY T10, T11): the core's
 * defaults (16 GiB uncompressed, one million entries), unless localStorage holds a lower or
 * higher figure, so an operator (or a test) can set the cap the row calls "configurable":
 *
 * - `layerscope.limits.maxUncompressedBytes`: bytes a layer may decompress to (gzip bomb cap).
 * - `layerscope.limits.maxEntries`: tar entries indexed per layer (entry budget).
 *
 * A value that is not a positive integer is ignored (the default applies).
 */
import type { LayerLimits } from "../../core/pipeline";

export const LIMIT_STORAGE_KEYS = {
  maxUncompressedBytes: "layerscope.limits.maxUncompressedBytes",
  maxEntries: "layerscope.limits.maxEntries",
} as const;

/** The limits stored in `storage` (default: localStorage), or undefined when none is set. */
export function readLayerLimits(storage: Pick<Storage, "getItem"> | undefined = safeLocalStorage()): LayerLimits | undefined {
  const read = (key: string): number | undefined => {
    let raw: string | null | undefined;
    try {
      raw = storage?.getItem(key);
    } catch {
      return undefined;
    }
    if (raw === null || raw === undefined || !/^\d{1,16}$/.test(raw.trim())) return undefined;
    const n = Number(raw.trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };
  const maxUncompressedBytes = read(LIMIT_STORAGE_KEYS.maxUncompressedBytes);
  const maxEntries = read(LIMIT_STORAGE_KEYS.maxEntries);
  if (maxUncompressedBytes === undefined && maxEntries === undefined) return undefined;
  return { ...(maxUncompressedBytes !== undefined ? { maxUncompressedBytes } : {}), ...(maxEntries !== undefined ? { maxEntries } : {}) };
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // a sandboxed frame or blocked storage throws on access
  }
}
