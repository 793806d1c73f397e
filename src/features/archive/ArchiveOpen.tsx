import { useEffect, useRef, useState, type ReactNode } from "react";
import { ErrorPanel } from "../image/ErrorPanel";
import { SafeText } from "../../components/SafeText";
import { dismissOpenStatus, useOpenArchive, useOpenStatus } from "./opener";

/** The promise every archive surface makes, in the same words. */
export const NOTHING_UPLOADED = "The file is read in this tab, from your disk: nothing is uploaded.";

/** "Open a local archive…": a button over a hidden file input. */
export function OpenArchiveButton({ label = "Open a local archive…", testId = "archive-open" }: { readonly label?: string; readonly testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const open = useOpenArchive();
  return (
    <>
      <button
        type="button"
        data-testid={testId}
        onClick={() => input.current?.click()}
        className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        {label}
      </button>
      <input
        ref={input}
        type="file"
        data-testid={`${testId}-input`}
        accept=".tar,application/x-tar"
        className="hidden"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ""; // picking the same file again still fires change
          if (file) open(file);
        }}
      />
    </>
  );
}

/** The start page's card: drop here or pick. */
export function ArchiveDropCard() {
  return (
    <section
      data-testid="archive-drop-card"
      className="flex flex-wrap items-center justify-between gap-3 rounded-lg border-2 border-dashed border-slate-300 bg-white px-4 py-3 text-sm text-slate-700"
    >
      <div className="min-w-0">
        <h2 className="text-sm font-semibold text-slate-900">No registry? Open a local archive</h2>
        <p>
          Drop a <code className="font-mono text-[12.5px]">docker save</code> tarball (classic or Docker 25+), an OCI layout archive (
          <code className="font-mono text-[12.5px]">oci-archive</code>) or a kaniko tarball anywhere on this page, or pick one. {NOTHING_UPLOADED}
        </p>
      </div>
      <OpenArchiveButton />
    </section>
  );
}

const hasFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes("Files") ?? false;

/** A file dragged over any part of the page: the whole page is the drop zone. */
export function ArchiveDropOverlay() {
  const [over, setOver] = useState(false);
  const open = useOpenArchive();
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  });
  useEffect(() => {
    // dragenter/dragleave fire for every child crossed: count them to know when the page is left.
    let depth = 0;
    const enter = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // without this the browser opens the file itself
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file) openRef.current(file);
    };
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragleave", leave);
    window.addEventListener("dragover", overHandler);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("dragover", overHandler);
      window.removeEventListener("drop", drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div data-testid="archive-drop-overlay" className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-indigo-900/30 p-6 backdrop-blur-[1px]">
      <div className="rounded-xl border-2 border-dashed border-indigo-400 bg-white px-8 py-6 text-center shadow-xl">
        <p className="text-base font-semibold text-slate-900">Drop to open the archive</p>
        <p className="mt-1 text-sm text-slate-600">{NOTHING_UPLOADED}</p>
      </div>
    </div>
  );
}

/** What the last open attempt is doing: reading, or why it failed. */
export function ArchiveStatus() {
  const status = useOpenStatus();
  if (status.state === "idle") return null;
  if (status.state === "opening") {
    return (
      <Banner testId="archive-status">
        Reading the members of <strong className="font-medium">
          <SafeText text={status.name} />
        </strong>
        …
      </Banner>
    );
  }
  return (
    <div data-testid="archive-error" className="mt-3 space-y-1">
      <p className="text-xs text-slate-600">
        Could not open <SafeText text={status.name} />{" "}
        <button type="button" onClick={dismissOpenStatus} className="ml-1 underline hover:text-slate-900">
          Dismiss
        </button>
      </p>
      <ErrorPanel compact error={status.error} />
    </div>
  );
}

function Banner({ children, testId }: { readonly children: ReactNode; readonly testId: string }) {
  return (
    <p data-testid={testId} className="mt-3 rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900 ring-1 ring-indigo-200">
      {children}
    </p>
  );
}
