import { useEffect, useRef, useState } from "react";
import { blobFromChunks, saveBlob } from "../../lib/download";

export type ExportFormat = "json" | "csv";

const MIME: Readonly<Record<ExportFormat, string>> = { json: "application/json", csv: "text/csv;charset=utf-8" };

const CSV_TITLE =
  "CSV (RFC 4180, one header row). Cells starting with = + - @, a tab or a carriage return get a leading apostrophe, so a spreadsheet shows a hostile file name as text instead of running it as a formula.";
const JSON_TITLE = "JSON with a schema name and version; layers are 0-based positions in the manifest.";

const button =
  "rounded border border-slate-300 bg-white px-2 py-0.5 text-[11px] font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600";

/**
 * "Export: JSON · CSV" for one view. `build` returns the document as string chunks (the core's
 * formatters); the chunks become a Blob in slices (src/lib/download.ts), so the page stays
 * responsive while a big listing is written.
 */
export function ExportButtons({
  testId,
  what,
  build,
  fileName,
}: {
  readonly testId: string;
  /** "the merged filesystem", for labels. */
  readonly what: string;
  readonly build: (format: ExportFormat) => Iterable<string>;
  readonly fileName: (format: ExportFormat) => string;
}) {
  const [busy, setBusy] = useState<ExportFormat | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);

  const run = async (format: ExportFormat): Promise<void> => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setBusy(format);
    setError(undefined);
    try {
      const blob = await blobFromChunks(build(format), MIME[format], controller.signal);
      saveBlob(blob, fileName(format));
    } catch (e) {
      if (!(e instanceof Error && e.name === "AbortError")) setError(e instanceof Error ? e.message : String(e));
    } finally {
      if (abort.current === controller) setBusy(undefined);
    }
  };

  return (
    <span data-testid={testId} className="inline-flex items-center gap-1 text-[11px] text-slate-500">
      <span>Export</span>
      {(["json", "csv"] as const).map((f) => (
        <button
          key={f}
          type="button"
          data-testid={`${testId}-${f}`}
          disabled={busy !== undefined}
          title={f === "csv" ? CSV_TITLE : JSON_TITLE}
          aria-label={`Export ${what} as ${f.toUpperCase()}`}
          onClick={() => void run(f)}
          className={button}
        >
          {busy === f ? "…" : f.toUpperCase()}
        </button>
      ))}
      {error !== undefined && (
        <span role="alert" className="text-rose-700">
          export failed: {error}
        </span>
      )}
    </span>
  );
}
