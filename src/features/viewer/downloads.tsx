import { useEffect, useRef, useState } from "react";
import { describeError, type LayerscopeError } from "../../core/errors";
import type { Result } from "../../core/result";
import { formatBytes } from "../../lib/format";
import { saveBlob } from "../../lib/download";
import { downloadDirectory, downloadFile, downloadLayerTar, type DirectoryItem, type DownloadResult } from "../../lib/extract/download";
import type { LayerJobs } from "../../lib/layers/types";

export type DownloadRequest =
  | { readonly kind: "file"; readonly layer: number; readonly path: string }
  | { readonly kind: "directory"; readonly dir: string; readonly items: () => readonly DirectoryItem[] }
  | { readonly kind: "layer"; readonly layer: number };

type Status = { readonly state: "idle" } | { readonly state: "running"; readonly bytes?: number } | { readonly state: "done"; readonly note: string } | { readonly state: "error"; readonly error: LayerscopeError };

/** Runs one download at a time for a button; cancelled when the component goes away. */
export function useDownload(jobs: LayerJobs) {
  const [status, setStatus] = useState<Status>({ state: "idle" });
  const controller = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => controller.current?.abort(), []);

  const start = (req: DownloadRequest): void => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setStatus({ state: "running" });
    const run: Promise<Result<DownloadResult, LayerscopeError>> =
      req.kind === "file"
        ? downloadFile(jobs, req.layer, req.path, c.signal)
        : req.kind === "layer"
          ? downloadLayerTar(jobs, req.layer, c.signal, (bytes) => setStatus({ state: "running", bytes }))
          : downloadDirectory(jobs, req.dir, req.items(), c.signal);
    run.then(
      (r) => {
        if (c.signal.aborted) return;
        if (!r.ok) {
          setStatus(r.error.kind === "aborted" ? { state: "idle" } : { state: "error", error: r.error });
          return;
        }
        saveBlob(r.value.blob, r.value.name);
        const v = r.value.verdicts;
        const note = v
          ? `${formatBytes(r.value.blob.size)} saved · digest ${v.digestVerdict.status}, diff_id ${v.diffIdVerdict.status}`
          : `${formatBytes(r.value.blob.size)} saved${r.value.trusted ? "" : " · from an unverified layer"}`;
        setStatus({ state: "done", note });
      },
      (e: unknown) => setStatus({ state: "error", error: { kind: "internal", detail: e instanceof Error ? e.message : String(e) } }),
    );
  };
  const cancel = (): void => {
    controller.current?.abort();
    setStatus({ state: "idle" });
  };
  return { status, start, cancel };
}

/** A download button with its own status line (running, saved, or the error in words). */
export function DownloadButton({
  jobs,
  request,
  label,
  testId,
  className = buttonClass,
}: {
  readonly jobs: LayerJobs;
  readonly request: DownloadRequest;
  readonly label: string;
  readonly testId: string;
  readonly className?: string;
}) {
  const { status, start, cancel } = useDownload(jobs);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      {status.state === "running" ? (
        <button type="button" className={className} onClick={cancel} data-testid={`${testId}-cancel`}>
          Cancel {status.bytes !== undefined ? `(${formatBytes(status.bytes)} read)` : "…"}
        </button>
      ) : (
        <button type="button" className={className} onClick={() => start(request)} data-testid={testId}>
          <DownloadIcon /> {label}
        </button>
      )}
      {status.state === "done" && (
        <span className="text-xs text-slate-600" data-testid={`${testId}-done`}>
          {status.note}
        </span>
      )}
      {status.state === "error" && (
        <span role="alert" className="text-xs text-rose-700" data-testid={`${testId}-error`} data-kind={status.error.kind}>
          {describeError(status.error).title}: {describeError(status.error).detail}
        </span>
      )}
    </span>
  );
}

export const buttonClass =
  "inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-40 focus-visible:outline-2 focus-visible:outline-indigo-600";

export const primaryButtonClass =
  "inline-flex items-center gap-1 rounded border border-indigo-600 bg-indigo-600 px-2 py-1 text-xs font-medium text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600";

function DownloadIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.6">
      <path d="M8 2v8m0 0L5 7m3 3 3-3M3 13h10" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
