import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { describeError, type LayerscopeError } from "../../core/errors";
import { guessText, isActiveContentName, readTrust, sniffImage } from "../../core/extract";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import { layerEntryAt, locateFile, readLayerFile, type FileBytes } from "../../lib/extract/readFile";
import type { LayerJobs } from "../../lib/layers/types";
import { useFileAction, useFileActions } from "../files/actions";
import { HexView, ImageView, TextView, encodingLabel } from "./ContentViews";
import { buttonClass, DownloadButton } from "./downloads";
import { PREVIEW_BYTES, providerOf, symlinkTargetPath } from "./model";

interface Target {
  readonly layer: number;
  readonly path: string;
}

/**
 * The file viewer: a modal dialog opened by the image's `open-file` action (from the trees,
 * search, history, the treemap). Esc or Close shuts it and gives focus back to where it was.
 */
export function FileViewer({ jobs }: { readonly jobs: LayerJobs }) {
  const [target, setTarget] = useState<Target | undefined>(undefined);
  const returnFocus = useRef<HTMLElement | null>(null);
  const onOpen = useCallback((a: { readonly layer: number; readonly path: string }) => {
    if (!returnFocus.current) returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setTarget({ layer: a.layer, path: a.path });
  }, []);
  useFileAction("open-file", onOpen);
  const close = useCallback(() => {
    setTarget(undefined);
    const el = returnFocus.current;
    returnFocus.current = null;
    // After the dialog left the top layer, so the focus lands in the page.
    setTimeout(() => el?.focus({ preventScroll: true }), 0);
  }, []);
  if (!target) return null;
  return <ViewerDialog jobs={jobs} target={target} onClose={close} onNavigate={setTarget} />;
}

function ViewerDialog({
  jobs,
  target,
  onClose,
  onNavigate,
}: {
  readonly jobs: LayerJobs;
  readonly target: Target;
  readonly onClose: () => void;
  readonly onNavigate: (t: Target) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const states = useSyncExternalStore(jobs.subscribe, jobs.getSnapshot);
  const state = states[target.layer];
  const entry = state?.result ? layerEntryAt(state.result, target.path) : undefined;

  return (
    <dialog
      ref={ref}
      data-testid="file-viewer"
      data-path={target.path}
      data-layer={target.layer}
      aria-labelledby="file-viewer-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto flex h-[min(52rem,92vh)] w-[min(72rem,96vw)] max-w-none flex-col overflow-hidden rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/50"
    >
      <header className="flex items-start gap-3 border-b border-slate-200 px-4 py-2.5">
        <div className="min-w-0 flex-1">
          <h2 id="file-viewer-title" className="truncate font-mono text-sm font-semibold" title={target.path}>
            <SafeText text={`/${target.path}`} />
          </h2>
          <p className="mt-0.5 text-xs text-slate-600">
            Layer {target.layer + 1}
            {state && <span className="font-mono"> · {shortDigest(state.descriptor.digest)}</span>}
            {entry && (
              <>
                {" "}
                · {entry.type} · {formatBytes(entry.size)}
              </>
            )}
          </p>
        </div>
        <button type="button" onClick={onClose} className={buttonClass} data-testid="viewer-close" autoFocus>
          Close <kbd className="ml-1 rounded border border-slate-300 px-1 text-[10px] text-slate-500">Esc</kbd>
        </button>
      </header>
      {entry?.type === "symlink" ? (
        <SymlinkView jobs={jobs} target={target} linkname={entry.linkname ?? ""} onNavigate={onNavigate} />
      ) : (
        <FileBody key={`${target.layer}\n${target.path}\n${String(state?.result !== undefined)}`} jobs={jobs} target={target} ready={state?.result !== undefined} />
      )}
    </dialog>
  );
}

type Load = { readonly state: "loading" } | { readonly state: "error"; readonly error: LayerscopeError } | { readonly state: "done"; readonly file: FileBytes };

function FileBody({ jobs, target, ready }: { readonly jobs: LayerJobs; readonly target: Target; readonly ready: boolean }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  // Mounted afresh (keyed) per file and once the layer is indexed: it may open while the layer downloads.
  useEffect(() => {
    const c = new AbortController();
    void readLayerFile(jobs, target.layer, target.path, { maxBytes: PREVIEW_BYTES, signal: c.signal }).then((r) => {
      if (!c.signal.aborted) setLoad(r.ok ? { state: "done", file: r.value } : { state: "error", error: r.error });
    });
    return () => c.abort();
  }, [jobs, target.layer, target.path, ready]);

  const located = useMemo(() => (ready ? locateFile(jobs, target.layer, target.path) : undefined), [jobs, target, ready]);
  const where = located?.ok ? located.value : undefined;
  const source = where ? jobs.getSnapshot()[where.bodyLayer] : undefined;

  if (load.state === "error") return <ViewerError error={load.error} />;
  if (load.state === "loading" || !where) {
    return (
      <div className="flex flex-1 items-center justify-center text-sm text-slate-600" data-testid="viewer-loading" role="status">
        Reading layer {(where?.bodyLayer ?? target.layer) + 1} up to this file…
      </div>
    );
  }
  const trust = readTrust(where.bodyIndex);
  return (
    <>
      {!load.file.trusted && (
        <div data-testid="viewer-unverified" role="alert" className="border-b border-amber-300 bg-amber-100 px-4 py-2 text-sm font-medium text-amber-950">
          ⚠ Unverified: {trust.allowed && !trust.trusted ? trust.reason : "the layer is not verified"}. These bytes may not be what the image's digests name.
        </div>
      )}
      <Contents file={load.file} path={target.path} />
      <footer className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-slate-200 bg-slate-50 px-4 py-2 text-xs text-slate-600">
        <span data-testid="viewer-provenance">
          Read from layer {where.bodyLayer + 1} <span className="font-mono">{source ? shortDigest(source.descriptor.digest) : ""}</span>
          {where.linkedPath !== undefined && (
            <>
              {" "}
              (hardlink to <code className="font-mono"><SafeText text={`/${where.linkedPath}`} /></code>)
            </>
          )}
          {load.file.trusted ? (
            <span data-testid="viewer-verified" className="ml-1 font-medium text-emerald-800">
              · a verified layer (digest and diff_id)
            </span>
          ) : (
            <span className="ml-1 font-medium text-amber-900">· not verified</span>
          )}
        </span>
        <span className="tabular-nums">
          {formatExactBytes(load.file.size)}
          {load.file.truncated && <span data-testid="viewer-truncated"> · first {formatBytes(load.file.bytes.length)} shown; download for all of it</span>}
        </span>
        <span className="ml-auto">
          <DownloadButton jobs={jobs} request={{ kind: "file", layer: target.layer, path: target.path }} label="Download file" testId="viewer-download" />
        </span>
      </footer>
    </>
  );
}

type Mode = "text" | "hex" | "image";

function Contents({ file, path }: { readonly file: FileBytes; readonly path: string }) {
  const image = useMemo(() => (file.truncated ? undefined : sniffImage(file.bytes)), [file]);
  const guess = useMemo(() => guessText(file.bytes), [file]);
  const [mode, setMode] = useState<Mode>(image ? "image" : guess ? "text" : "hex");
  const active = isActiveContentName(path);
  const modes: { id: Mode; label: string; available: boolean }[] = [
    { id: "image", label: "Image", available: image !== undefined },
    { id: "text", label: guess ? `Text · ${encodingLabel(guess)}` : "Text", available: guess !== undefined },
    { id: "hex", label: "Hex", available: true },
  ];
  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="viewer-contents" data-mode={mode}>
      <div role="tablist" aria-label="View as" className="flex flex-wrap items-center gap-1 border-b border-slate-200 px-3 py-1.5">
        {modes
          .filter((m) => m.available)
          .map((m) => (
            <button
              key={m.id}
              type="button"
              role="tab"
              aria-selected={mode === m.id}
              data-testid={`viewer-mode-${m.id}`}
              onClick={() => setMode(m.id)}
              className={`rounded px-2 py-0.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-indigo-600 ${mode === m.id ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {m.label}
            </button>
          ))}
        {!guess && !image && <span className="ml-2 text-xs text-slate-500">binary: no text encoding fits</span>}
        {active && (
          <span data-testid="viewer-active-note" className="ml-auto rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700 ring-1 ring-inset ring-slate-300">
            Shown as text: HTML, SVG and XML are never rendered here (they could run script on this page).
          </span>
        )}
      </div>
      {file.size === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-600" data-testid="viewer-empty">
          This file is empty (0 bytes).
        </p>
      ) : mode === "image" && image ? (
        <ImageView bytes={file.bytes} mime={image} name={path.slice(path.lastIndexOf("/") + 1)} />
      ) : mode === "text" && guess ? (
        <TextView bytes={file.bytes} guess={guess} />
      ) : (
        <HexView bytes={file.bytes} />
      )}
    </div>
  );
}

function SymlinkView({ jobs, target, linkname, onNavigate }: { readonly jobs: LayerJobs; readonly target: Target; readonly linkname: string; readonly onNavigate: (t: Target) => void }) {
  const actions = useFileActions();
  const resolved = symlinkTargetPath(target.path, linkname);
  const states = jobs.getSnapshot();
  const provider = useMemo(
    () => providerOf(states.map((s) => s.result?.entries ?? []), target.layer, resolved),
    [states, target.layer, resolved],
  );
  return (
    <div className="flex-1 space-y-3 px-4 py-4 text-sm" data-testid="viewer-symlink">
      <p>
        <span className="font-medium">Symbolic link</span> to{" "}
        <code className="rounded bg-slate-100 px-1 font-mono" data-testid="viewer-link-target">
          <SafeText text={linkname} />
        </code>
        {resolved !== linkname && (
          <span className="text-slate-600">
            {" "}
            (resolves to <code className="font-mono"><SafeText text={`/${resolved}`} /></code>)
          </span>
        )}
      </p>
      {provider !== undefined ? (
        <p className="flex flex-wrap items-center gap-2">
          <button type="button" className={buttonClass} data-testid="viewer-follow-link" onClick={() => onNavigate({ layer: provider, path: resolved })}>
            Open the target
          </button>
          <span className="text-slate-600">provided by layer {provider + 1} in the filesystem as of layer {target.layer + 1}</span>
          {actions?.handles("reveal-merged") && (
            <button type="button" className={buttonClass} onClick={() => actions.emit({ type: "reveal-merged", path: resolved })}>
              Show in the merged tree
            </button>
          )}
        </p>
      ) : (
        <p className="text-amber-900" data-testid="viewer-link-dangling">
          No layer up to layer {target.layer + 1} provides /{resolved}: the link dangles there (or points through another symlink, which is not followed).
        </p>
      )}
    </div>
  );
}

function ViewerError({ error }: { readonly error: LayerscopeError }): ReactNode {
  const d = describeError(error);
  const refused = error.kind === "file-unavailable" && error.why === "untrusted";
  return (
    <div className="flex-1 px-4 py-4">
      <div
        role="alert"
        data-testid="viewer-error"
        data-kind={error.kind}
        className={`rounded-md border px-3 py-2 text-sm ${refused ? "border-rose-300 bg-rose-50 text-rose-900" : "border-amber-300 bg-amber-50 text-amber-950"}`}
      >
        <p className="font-semibold">{d.title}</p>
        <p className="mt-1">
          <SafeText text={d.detail} />
        </p>
        <p className="mt-1 text-slate-700">{d.action}</p>
      </div>
    </div>
  );
}
