import { useCallback, useMemo, useState, type ReactNode } from "react";
import { decodeText, type ImageMime, type TextGuess } from "../../core/extract";
import { escapeInvisible } from "../../components/SafeText";
import { HEX_PAGE_ROWS, HEX_ROW_BYTES, hexRows, pageCount, splitLines, TEXT_PAGE_LINES } from "./model";

const ENCODING_LABEL: Readonly<Record<TextGuess["encoding"], string>> = {
  "utf-8": "UTF-8",
  "utf-16le": "UTF-16 LE",
  "utf-16be": "UTF-16 BE",
  "latin-1": "Latin-1 (windows-1252)",
};

export function encodingLabel(guess: TextGuess): string {
  return `${ENCODING_LABEL[guess.encoding]}${guess.bom > 0 ? " with BOM" : ""}`;
}

/** Text with line numbers, a page of lines at a time. Rendered as text nodes only. */
export function TextView({ bytes, guess }: { readonly bytes: Uint8Array; readonly guess: TextGuess }) {
  const lines = useMemo(() => splitLines(decodeText(bytes, guess)), [bytes, guess]);
  const pages = pageCount(lines.length, TEXT_PAGE_LINES);
  const [page, setPage] = useState(0);
  const first = page * TEXT_PAGE_LINES;
  const shown = lines.slice(first, first + TEXT_PAGE_LINES);
  const width = String(Math.min(lines.length, first + TEXT_PAGE_LINES)).length;
  return (
    <div data-testid="viewer-text" data-encoding={guess.encoding} className="flex min-h-0 flex-1 flex-col">
      <Pager page={page} pages={pages} onPage={setPage} label={`Lines ${(first + 1).toLocaleString("en-US")}–${(first + shown.length).toLocaleString("en-US")} of ${lines.length.toLocaleString("en-US")}`} />
      <div className="min-h-0 flex-1 overflow-auto bg-white">
        <table className="w-full border-collapse font-mono text-[12.5px] leading-5">
          <tbody>
            {shown.map((line, i) => (
              <tr key={first + i} data-testid="viewer-line">
                <td
                  aria-hidden="true"
                  style={{ minWidth: `${width + 2}ch` }}
                  className="w-[1%] select-none whitespace-nowrap border-r border-slate-200 bg-slate-50 px-3 text-right align-top tabular-nums text-slate-400"
                >
                  {first + i + 1}
                </td>
                <td className="whitespace-pre px-3 align-top text-slate-900">{escapeInvisible(line, { multiline: true }) || " "}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A hex dump, 4 KiB a page. */
export function HexView({ bytes }: { readonly bytes: Uint8Array }) {
  const pages = pageCount(bytes.length, HEX_PAGE_ROWS * HEX_ROW_BYTES);
  const [page, setPage] = useState(0);
  const rows = useMemo(() => hexRows(bytes, page), [bytes, page]);
  const from = page * HEX_PAGE_ROWS * HEX_ROW_BYTES;
  const to = Math.min(bytes.length, from + HEX_PAGE_ROWS * HEX_ROW_BYTES);
  return (
    <div data-testid="viewer-hex" className="flex min-h-0 flex-1 flex-col">
      <Pager page={page} pages={pages} onPage={setPage} label={`Bytes ${from.toLocaleString("en-US")}–${Math.max(from, to - 1).toLocaleString("en-US")} of ${bytes.length.toLocaleString("en-US")}`} />
      <pre className="min-h-0 flex-1 overflow-auto bg-white px-3 py-1 font-mono text-[12.5px] leading-5 text-slate-900">
        {rows.map((r) => (
          <div key={r.offset} data-testid="viewer-hex-row">
            <span className="select-none text-slate-400">{r.offset.toString(16).padStart(8, "0")}</span>
            {"  "}
            <span>{r.hex.padEnd(HEX_ROW_BYTES * 3, " ")}</span>
            {"  "}
            <span className="text-slate-600">{r.ascii}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}

/**
 * A raster image by its sniffed type, through a blob: URL (allowed by the CSP's img-src). Only
 * PNG/JPEG/GIF/WebP/BMP/ICO get here: an <img> cannot run script, and SVG is never sniffed as
 * an image (SECURITY U4).
 */
export function ImageView({ bytes, mime, name }: { readonly bytes: Uint8Array; readonly mime: ImageMime; readonly name: string }) {
  const [size, setSize] = useState<{ w: number; h: number } | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  // The object URL lives exactly as long as the <img> it is given to (a ref with a cleanup).
  const attach = useCallback(
    (img: HTMLImageElement | null) => {
      if (!img) return;
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
      img.src = url;
      return () => URL.revokeObjectURL(url);
    },
    [bytes, mime],
  );
  return (
    <div data-testid="viewer-image" className="flex min-h-0 flex-1 flex-col items-center justify-center gap-2 overflow-auto bg-[repeating-conic-gradient(#f1f5f9_0%_25%,#ffffff_0%_50%)] bg-[length:16px_16px] p-4">
      {failed ? (
        <p className="rounded bg-white px-3 py-2 text-sm text-slate-700">The browser could not decode this {mime} image. Try the hex view.</p>
      ) : (
        (
          <img
            ref={attach}
            alt={`${name} (${mime})`}
            onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
            onError={() => setFailed(true)}
            // Icons and sprites are tiny: shown at a whole-number zoom, pixels kept sharp.
            style={size ? { width: size.w * zoomFor(size), imageRendering: zoomFor(size) > 1 ? "pixelated" : "auto" } : undefined}
            className="max-h-full max-w-full object-contain shadow-sm"
          />
        )
      )}
      {size && (
        <p data-testid="viewer-image-size" className="rounded bg-white/90 px-2 py-0.5 text-xs text-slate-600">
          {size.w} × {size.h} px · {mime}
          {zoomFor(size) > 1 ? ` · shown at ${zoomFor(size)}×` : ""}
        </p>
      )}
    </div>
  );
}

/** Whole-number zoom that brings a small image towards 256 px, at most 8×. */
function zoomFor(size: { readonly w: number; readonly h: number }): number {
  return Math.max(1, Math.min(8, Math.floor(256 / Math.max(size.w, size.h, 1))));
}

function Pager({ page, pages, onPage, label }: { readonly page: number; readonly pages: number; readonly onPage: (p: number) => void; readonly label: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-600">
      <span data-testid="viewer-range" className="tabular-nums">
        {label}
      </span>
      {pages > 1 && (
        <span className="ml-auto inline-flex items-center gap-1">
          <button type="button" className={pagerButton} disabled={page === 0} onClick={() => onPage(page - 1)} data-testid="viewer-prev">
            ← Previous
          </button>
          <span data-testid="viewer-page" className="tabular-nums">
            page {page + 1} of {pages}
          </span>
          <button type="button" className={pagerButton} disabled={page >= pages - 1} onClick={() => onPage(page + 1)} data-testid="viewer-next">
            Next →
          </button>
        </span>
      )}
    </div>
  );
}

const pagerButton =
  "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40 focus-visible:outline-2 focus-visible:outline-indigo-600";
