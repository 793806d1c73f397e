import { useState, useSyncExternalStore } from "react";
import { SafeText } from "../../components/SafeText";
import { appCache, appCacheFallbackReason, setAppCacheCap, type CacheUsage } from "../../lib/cache";
import { formatBytes } from "../../lib/format";

/** The caps offered (decimal bytes, as every size on the page); 0 keeps nothing. */
const CAPS: readonly number[] = [0, 100e6, 250e6, 500e6, 1e9, 2e9, 5e9];

const EXPLAIN =
  "Verified layer indexes, manifests and configs are kept in this browser, keyed by digest, so reopening an image (or another tag sharing its base layers) downloads nothing already verified. A tag is always resolved at the registry; whatever it names by digest comes from here. Least recently used entries go first when the cap is reached.";

function subscribe(onChange: () => void): () => void {
  return appCache().subscribe(onChange);
}
function getUsage(): CacheUsage {
  return appCache().getUsage();
}

/** "Cache: 123 MB of 1 GB, 12 layers · Clear", and the cap — in the page header. */
export function CacheControl() {
  const usage = useSyncExternalStore(subscribe, getUsage, getUsage);
  const [busy, setBusy] = useState(false);
  const memoryOnly = usage.backend === "memory";
  const fallback = memoryOnly ? appCacheFallbackReason() : undefined;
  const capOptions = CAPS.includes(usage.capBytes) ? CAPS : [...CAPS, usage.capBytes].sort((a, b) => a - b);

  const clear = (): void => {
    setBusy(true);
    void appCache()
      .clear()
      .finally(() => setBusy(false));
  };

  return (
    <div
      data-testid="cache-control"
      data-bytes={usage.bytes}
      data-layers={usage.layers}
      data-blobs={usage.blobs}
      data-cap={usage.capBytes}
      data-backend={usage.backend}
      title={EXPLAIN}
      className="ml-auto flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md border border-slate-200 bg-slate-50 px-2 py-1 text-xs text-slate-700"
    >
      <CacheIcon />
      <span data-testid="cache-usage" className="tabular-nums">
        Cache:{" "}
        {usage.known ? (
          <>
            <span className="font-medium text-slate-900">{formatBytes(usage.bytes)}</span> of {usage.capBytes === 0 ? "0 B (off)" : formatBytes(usage.capBytes)},{" "}
            {usage.layers === 1 ? "1 layer" : `${usage.layers.toLocaleString("en-US")} layers`}
            {usage.blobs > 0 ? `, ${usage.blobs.toLocaleString("en-US")} ${usage.blobs === 1 ? "document" : "documents"}` : ""}
          </>
        ) : (
          "counting…"
        )}
      </span>
      {memoryOnly && usage.known && (
        <span className="rounded bg-amber-100 px-1 py-px text-[11px] font-medium text-amber-900 ring-1 ring-inset ring-amber-300" title={fallback ?? "IndexedDB is not available here"}>
          this tab only
        </span>
      )}
      {usage.problem !== undefined && (
        <span data-testid="cache-problem" className="max-w-64 truncate text-amber-800" title={usage.problem}>
          ⚠ <SafeText text={usage.problem} />
        </span>
      )}
      <span aria-hidden="true" className="text-slate-300">
        ·
      </span>
      <label className="inline-flex items-center gap-1">
        <span className="text-slate-500">cap</span>
        <select
          data-testid="cache-cap"
          aria-label="Cache size cap"
          value={usage.capBytes}
          onChange={(e) => void setAppCacheCap(Number(e.target.value))}
          className="rounded border border-slate-300 bg-white px-1 py-px text-xs text-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          {capOptions.map((c) => (
            <option key={c} value={c}>
              {c === 0 ? "off" : formatBytes(c)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        data-testid="cache-clear"
        onClick={clear}
        disabled={busy || (usage.known && usage.bytes === 0)}
        className="rounded border border-slate-300 bg-white px-2 py-px text-[11px] font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:opacity-40"
      >
        {busy ? "Clearing…" : "Clear"}
      </button>
    </div>
  );
}

function CacheIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="13" height="13" className="text-slate-500" fill="none" stroke="currentColor" strokeWidth="1.4">
      <ellipse cx="8" cy="3.5" rx="5.5" ry="2" />
      <path d="M2.5 3.5v9c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2v-9" />
      <path d="M2.5 8c0 1.1 2.5 2 5.5 2s5.5-.9 5.5-2" />
    </svg>
  );
}
