/** A section's loading state. */
export function Loading({ label }: { readonly label: string }) {
  return (
    <div data-testid="loading" role="status" aria-live="polite" className="flex items-center gap-2 px-4 py-3 text-sm text-slate-600">
      <span className="size-3.5 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" aria-hidden="true" />
      {label}
    </div>
  );
}
