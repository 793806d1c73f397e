import type { ReactNode } from "react";
import { CopyButton } from "./CopyButton";
import { SafeText } from "./SafeText";

/** A full digest (or other identifier) in monospace with a copy button beside it. */
export function CopyableMono({ value, testId }: { readonly value: string; readonly testId?: string }): ReactNode {
  return (
    <span className="inline-flex max-w-full flex-wrap items-center gap-x-2 gap-y-1">
      <code data-testid={testId} className="min-w-0 font-mono text-[12.5px] text-slate-900 [overflow-wrap:anywhere]">
        <SafeText text={value} />
      </code>
      <CopyButton text={value} />
    </span>
  );
}
