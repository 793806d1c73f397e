import { useSyncExternalStore } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { LayerscopeError } from "../../core/errors";
import { archiveKeyFor, archiveReference, openLocalArchive, type PickedFile } from "../../lib/archive";
import { navigate, parseUrlState } from "../../lib/urlState";

/** Where the last open attempt stands: one at a time, shown by {@link ArchiveStatus}. */
export type OpenStatus =
  | { readonly state: "idle" }
  | { readonly state: "opening"; readonly name: string }
  | { readonly state: "failed"; readonly name: string; readonly error: LayerscopeError };

let status: OpenStatus = { state: "idle" };
const listeners = new Set<() => void>();

function setStatus(next: OpenStatus): void {
  status = next;
  for (const l of [...listeners]) l();
}

const subscribe = (l: () => void): (() => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useOpenStatus(): OpenStatus {
  return useSyncExternalStore(subscribe, () => status);
}

export function dismissOpenStatus(): void {
  setStatus({ state: "idle" });
}

/**
 * Opens a picked or dropped file and shows it: its only image, or the picker when it holds
 * several. Queries cached for an earlier file under the same key are dropped first (same name,
 * size and date does not prove same bytes).
 */
async function openFile(queryClient: QueryClient, file: PickedFile): Promise<void> {
  setStatus({ state: "opening", name: file.name });
  // Dropped before the archive is served: a view waiting for it starts its queries afresh.
  const repository = `archive/${await archiveKeyFor(file)}`;
  queryClient.removeQueries({ predicate: (q) => q.queryKey[2] === repository });
  const r = await openLocalArchive(file);
  if (!r.ok) {
    setStatus({ state: "failed", name: file.name, error: r.error });
    return;
  }
  setStatus({ state: "idle" });
  // The same file picked again after a reload: the URL already names it, and stays.
  if (parseUrlState(window.location.search).image?.includes(`/${repository}:`) === true) return;
  navigate({ image: archiveReference(r.value.key, r.value.archive.images.length === 1 ? 1 : undefined) });
}

/** `open(file)` for buttons, file inputs and drops. */
export function useOpenArchive(): (file: PickedFile) => void {
  const queryClient = useQueryClient();
  return (file) => void openFile(queryClient, file);
}
