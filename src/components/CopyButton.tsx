import { useEffect, useState } from "react";

type CopyState = "idle" | "copied" | "failed";

/** Copies `text` with the async clipboard API and says so for a moment. */
export function CopyButton({ text, label = "Copy" }: { readonly text: string; readonly label?: string }) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const t = window.setTimeout(() => setState("idle"), 1600);
    return () => window.clearTimeout(t);
  }, [state]);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // Clipboard needs a secure context and permission; say so instead of failing silently.
      setState("failed");
    }
  }

  return (
    <button
      type="button"
      data-testid="copy"
      onClick={() => void copy()}
      aria-label={`${label} ${text}`}
      title={state === "failed" ? "Clipboard not available here — select the text instead" : `Copy ${text}`}
      className={`inline-flex shrink-0 items-center gap-1 rounded border px-1.5 py-0.5 text-[11px] font-medium leading-4 transition-colors focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600 ${
        state === "copied"
          ? "border-emerald-300 bg-emerald-50 text-emerald-800"
          : state === "failed"
            ? "border-rose-300 bg-rose-50 text-rose-800"
            : "border-slate-300 bg-white text-slate-600 hover:border-slate-400 hover:bg-slate-50 hover:text-slate-900"
      }`}
    >
      <span aria-live="polite">{state === "copied" ? "Copied ✓" : state === "failed" ? "Copy failed" : label}</span>
    </button>
  );
}
