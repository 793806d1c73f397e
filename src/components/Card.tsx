import { useId, type ReactNode } from "react";

/** A titled section of the page. */
export function Card({
  title,
  aside,
  children,
  testId,
  anchor,
}: {
  readonly title: ReactNode;
  readonly aside?: ReactNode;
  readonly children: ReactNode;
  readonly testId?: string;
  /** An element id for in-page links (the section nav); scroll-margin keeps it clear of the sticky nav. */
  readonly anchor?: string;
}) {
  const id = useId();
  return (
    <section id={anchor} aria-labelledby={id} data-testid={testId} className="min-w-0 scroll-mt-14 rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-slate-200 px-4 py-2.5">
        <h2 id={id} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {aside && <div className="text-xs text-slate-600">{aside}</div>}
      </header>
      {children}
    </section>
  );
}

/** A definition list laid out as a two-column grid of label → value. */
export function Fields({ children }: { readonly children: ReactNode }) {
  return <dl className="grid grid-cols-1 gap-x-6 px-4 py-2 text-sm sm:grid-cols-[11rem_minmax(0,1fr)]">{children}</dl>;
}

export function Field({ label, children, testId }: { readonly label: ReactNode; readonly children: ReactNode; readonly testId?: string }) {
  return (
    <>
      <dt className="pt-1.5 text-xs font-medium uppercase tracking-wide text-slate-500 sm:py-1.5">{label}</dt>
      <dd data-testid={testId} className="min-w-0 border-b border-slate-100 pb-1.5 text-slate-900 [overflow-wrap:anywhere] sm:py-1.5">
        {children}
      </dd>
    </>
  );
}

/** The "—" for a field the document does not have. */
export function Missing() {
  return (
    <span className="text-slate-400" title="Not set in the document">
      —
    </span>
  );
}

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

const tones: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-300",
  good: "bg-emerald-50 text-emerald-800 ring-emerald-300",
  warn: "bg-amber-50 text-amber-900 ring-amber-300",
  bad: "bg-rose-50 text-rose-800 ring-rose-300",
  info: "bg-indigo-50 text-indigo-800 ring-indigo-200",
};

export function Badge({ tone = "neutral", children, title }: { readonly tone?: Tone; readonly children: ReactNode; readonly title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center rounded px-1.5 py-px text-[11px] font-medium ring-1 ring-inset ${tones[tone]}`}>
      {children}
    </span>
  );
}
