import { useId, useState, type FormEvent } from "react";
import { parseReference } from "../../core/reference";
import type { LayerscopeError } from "../../core/errors";
import { SAMPLE_REFERENCE } from "../../lib/sample";
import { ErrorPanel } from "./ErrorPanel";
import { InternalLink } from "./InternalLink";

const EXAMPLES = ["nginx:1.27", "alpine:3.20", "ghcr.io/astral-sh/uv:latest", "gcr.io/distroless/static"] as const;

/**
 * The reference box. Parses on submit so a typo is named right here, with no request sent; a
 * good reference goes into the URL (?image=…), which is what the page renders from.
 */
export function ReferenceForm({
  urlImage,
  urlCompare,
  onOpen,
  onCompare,
  error,
  onError,
}: {
  readonly urlImage?: string;
  /** The reference the URL compares with (?compare=…): the second box shows it. */
  readonly urlCompare?: string;
  readonly onOpen: (image: string) => void;
  /** Opens the comparison of the two boxes (?image=A&compare=B). Without it there is no second box. */
  readonly onCompare?: (image: string, compare: string) => void;
  /** The bad-reference error of the last submit, owned by the page (it hides a second copy). */
  readonly error?: LayerscopeError;
  readonly onError: (error: LayerscopeError | undefined) => void;
}) {
  const id = useId();
  const [text, setText] = useState(urlImage ?? "");
  const [compareText, setCompareText] = useState(urlCompare ?? "");
  const [compareOpen, setCompareOpen] = useState(false);
  const [compareError, setCompareError] = useState<LayerscopeError | undefined>(undefined);
  // The box follows the URL (deep links, back/forward): adjust state while rendering, as React
  // recommends for derived resets, instead of an effect that would flash the old value.
  const [followed, setFollowed] = useState(urlImage);
  if (followed !== urlImage) {
    setFollowed(urlImage);
    setText(urlImage ?? "");
  }
  const [followedCompare, setFollowedCompare] = useState(urlCompare);
  if (followedCompare !== urlCompare) {
    setFollowedCompare(urlCompare);
    setCompareText(urlCompare ?? "");
    setCompareError(undefined);
  }
  const showCompare = onCompare !== undefined && (compareOpen || urlCompare !== undefined);

  function submitCompare(e: FormEvent<HTMLFormElement>): void {
    e.preventDefault();
    if (!onCompare) return;
    const a = text.trim();
    const b = compareText.trim();
    const pa = parseReference(a);
    if (!pa.ok) {
      onError(pa.error);
      return;
    }
    onError(undefined);
    const pb = parseReference(b);
    if (!pb.ok) {
      setCompareError(pb.error);
      return;
    }
    setCompareError(undefined);
    onCompare(a, b);
  }

  function submit(e: FormEvent<HTMLFormElement>): void {
    e.preventDefault();
    const input = text.trim();
    const parsed = parseReference(input);
    if (!parsed.ok) {
      onError(parsed.error);
      return;
    }
    onError(undefined);
    onOpen(input);
  }

  return (
    <div>
      <form onSubmit={submit} className="flex flex-col gap-1.5" role="search">
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          Image reference
        </label>
        <div className="flex flex-wrap gap-2 sm:flex-nowrap">
          <input
            id={id}
            data-testid="ref-input"
            type="text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="nginx:1.27 or ghcr.io/org/app@sha256:…"
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            className="min-w-[12rem] flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-3 focus:outline-indigo-500/30 aria-invalid:border-rose-400 sm:min-w-0"
          />
          <button
            type="submit"
            data-testid="ref-submit"
            className="rounded-md bg-indigo-600 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            Open
          </button>
          {onCompare && (
            <button
              type="button"
              data-testid="compare-toggle"
              aria-expanded={showCompare}
              aria-controls={`${id}-compare`}
              onClick={() => setCompareOpen((v) => !v)}
              className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              Compare with…
            </button>
          )}
        </div>
      </form>
      {error && (
        <div id={`${id}-error`} className="mt-2">
          <ErrorPanel compact error={error} />
        </div>
      )}
      {showCompare && (
        <form id={`${id}-compare`} onSubmit={submitCompare} className="mt-2 flex flex-col gap-1.5" aria-label="Compare two references">
          <label htmlFor={`${id}-b`} className="text-sm font-medium text-slate-800">
            Compare with <span className="font-normal text-slate-500">(image B; the box above is image A)</span>
          </label>
          <div className="flex gap-2">
            <input
              id={`${id}-b`}
              data-testid="compare-input"
              type="text"
              value={compareText}
              onChange={(e) => setCompareText(e.target.value)}
              placeholder="nginx:1.28"
              autoComplete="off"
              autoCapitalize="off"
              autoCorrect="off"
              spellCheck={false}
              aria-invalid={compareError ? true : undefined}
              aria-describedby={compareError ? `${id}-compare-error` : undefined}
              className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-3 focus:outline-indigo-500/30 aria-invalid:border-rose-400"
            />
            <button
              type="submit"
              data-testid="compare-submit"
              className="rounded-md bg-slate-800 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              Compare
            </button>
          </div>
          {compareError && (
            <div id={`${id}-compare-error`}>
              <ErrorPanel compact error={compareError} />
            </div>
          )}
        </form>
      )}
      <div className="mt-3 flex flex-wrap items-center gap-x-2 gap-y-2 text-sm">
        <InternalLink
          to={{ image: SAMPLE_REFERENCE }}
          testId="open-sample"
          className="inline-flex items-center gap-1.5 rounded-md border border-indigo-300 bg-indigo-50 px-3 py-1 font-medium text-indigo-800 hover:border-indigo-400 hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Open the sample image
          <span className="text-xs font-normal text-indigo-700/80">works offline</span>
        </InternalLink>
        <span className="ml-2 text-slate-500">or try</span>
        {EXAMPLES.map((ex) => (
          <InternalLink
            key={ex}
            to={{ image: ex }}
            testId="example"
            className="rounded-md border border-slate-200 bg-white px-2 py-0.5 font-mono text-[13px] text-slate-700 hover:border-slate-400 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {ex}
          </InternalLink>
        ))}
      </div>
    </div>
  );
}
