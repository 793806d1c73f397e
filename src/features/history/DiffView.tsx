import { Fragment, useState } from "react";
import type { ContentDiff, DiffLine, Hunk } from "../../core/history";
import { sideBySide } from "../../core/history";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { clip } from "../layers/format";

/** Lines drawn at most (hunks beyond are counted, not drawn), so a huge diff never floods the DOM. */
const MAX_LINES_SHOWN = 4000;
/** Characters of one line drawn; the rest is cut with a note (U3). */
const MAX_LINE_CHARS = 2000;

export type DiffLayout = "unified" | "split";

/** Either layout of a computed content diff, with line numbers. */
export function DiffView({ diff, layout }: { readonly diff: ContentDiff; readonly layout: DiffLayout }) {
  if (diff.kind === "binary") {
    return (
      <div data-testid="history-diff-binary" className="space-y-1 px-3 py-2 text-[12.5px] text-slate-800">
        <p className="font-medium">
          {diff.identical === true ? "Binary files are identical" : diff.identical === false ? "Binary files differ" : "Binary files (compared in part)"}
        </p>
        {(["old", "new"] as const).map((side) => {
          const s = diff[side];
          return (
            <p key={side} className="font-mono text-[11.5px] text-slate-700 [overflow-wrap:anywhere]">
              <span className="inline-block w-10 font-sans text-slate-500">{side}</span>
              {formatBytes(s.size)} ({formatExactBytes(s.size)}) · sha256 {s.sha256}
              {s.truncated && <span className="font-sans text-amber-800"> (of the first {formatExactBytes(s.hashedBytes)} only)</span>}
            </p>
          );
        })}
      </div>
    );
  }
  const d = diff.diff;
  if (d.identical) {
    return (
      <p data-testid="history-diff-identical" className="px-3 py-2 text-[12.5px] text-slate-600">
        The contents are identical{diff.cut.length > 0 ? " (in the part compared)" : ""}.
      </p>
    );
  }
  let budget = MAX_LINES_SHOWN;
  const shown: Hunk[] = [];
  for (const h of d.hunks) {
    if (budget <= 0) break;
    shown.push(h);
    budget -= h.lines.length;
  }
  const hiddenHunks = d.hunks.length - shown.length;
  return (
    <div data-testid="history-diff" data-layout={layout} className="overflow-x-auto font-mono text-[12px] leading-[18px]">
      <table className="w-full border-collapse">
        <tbody>
          {shown.map((h, i) => (
            <Fragment key={i}>
              <tr className="bg-indigo-50/70 text-indigo-900">
                <td colSpan={layout === "unified" ? 3 : 4} className="px-2 py-0.5 text-[11px]" data-testid="history-diff-hunk">
                  @@ -{h.oldStart},{h.oldLines} +{h.newStart},{h.newLines} @@
                </td>
              </tr>
              {layout === "unified" ? h.lines.map((l, j) => <UnifiedRow key={j} line={l} />) : sideBySide(h).map((r, j) => <SplitRow key={j} left={r.left} right={r.right} />)}
            </Fragment>
          ))}
        </tbody>
      </table>
      {hiddenHunks > 0 && (
        <p className="border-t border-slate-200 px-3 py-1.5 font-sans text-[11.5px] text-amber-900">
          {hiddenHunks.toLocaleString("en-US")} more {hiddenHunks === 1 ? "hunk" : "hunks"} not drawn (over {MAX_LINES_SHOWN.toLocaleString("en-US")} lines).
        </p>
      )}
    </div>
  );
}

const MARK = { same: " ", del: "−", add: "+" } as const;
const ROW_TONE = { same: "", del: "bg-rose-50 text-rose-950", add: "bg-emerald-50 text-emerald-950" } as const;
const num = "w-10 select-none border-r border-slate-200 px-1.5 text-right align-top text-[11px] tabular-nums text-slate-400";

function Text({ line }: { readonly line: DiffLine }) {
  const cut = clip(line.text, MAX_LINE_CHARS);
  return (
    <>
      <SafeText text={cut.text} multiline />
      {cut.cut && <span className="font-sans text-[10.5px] text-slate-500"> … (line cut at {MAX_LINE_CHARS.toLocaleString("en-US")} characters)</span>}
      {line.noNewline === true && <span className="ml-2 font-sans text-[10.5px] text-slate-500">⏎̸ no newline at end of file</span>}
    </>
  );
}

function UnifiedRow({ line }: { readonly line: DiffLine }) {
  return (
    <tr className={ROW_TONE[line.kind]} data-kind={line.kind} data-testid="history-diff-line">
      <td className={num}>{line.oldNo ?? ""}</td>
      <td className={num}>{line.newNo ?? ""}</td>
      <td className="px-2 whitespace-pre-wrap [overflow-wrap:anywhere]">
        <span aria-hidden="true" className="mr-1 inline-block w-2 select-none text-slate-500">
          {MARK[line.kind]}
        </span>
        <span className="sr-only">{line.kind === "del" ? "removed: " : line.kind === "add" ? "added: " : ""}</span>
        <Text line={line} />
      </td>
    </tr>
  );
}

function SplitRow({ left, right }: { readonly left: DiffLine | undefined; readonly right: DiffLine | undefined }) {
  const same = left?.kind === "same";
  return (
    <tr data-testid="history-diff-line" data-kind={same ? "same" : "change"}>
      <td className={num}>{left?.oldNo ?? ""}</td>
      <td className={`w-1/2 border-r border-slate-200 px-2 whitespace-pre-wrap [overflow-wrap:anywhere] ${left && !same ? ROW_TONE.del : left ? "" : "bg-slate-50"}`}>{left && <Text line={left} />}</td>
      <td className={num}>{right?.newNo ?? ""}</td>
      <td className={`w-1/2 px-2 whitespace-pre-wrap [overflow-wrap:anywhere] ${right && !same ? ROW_TONE.add : right ? "" : "bg-slate-50"}`}>{right && <Text line={right} />}</td>
    </tr>
  );
}

/** The unified / side-by-side switch. */
export function LayoutSwitch({ layout, onChange }: { readonly layout: DiffLayout; readonly onChange: (l: DiffLayout) => void }) {
  return (
    <div role="radiogroup" aria-label="Diff layout" className="inline-flex overflow-hidden rounded border border-slate-300 text-[11.5px]">
      {(["unified", "split"] as const).map((l) => (
        <button
          key={l}
          type="button"
          role="radio"
          aria-checked={layout === l}
          data-testid={`history-layout-${l}`}
          onClick={() => onChange(l)}
          className={`px-2 py-0.5 focus-visible:outline-2 focus-visible:outline-indigo-600 ${layout === l ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"}`}
        >
          {l === "unified" ? "Unified" : "Side by side"}
        </button>
      ))}
    </div>
  );
}

export function useDiffLayout(): [DiffLayout, (l: DiffLayout) => void] {
  return useState<DiffLayout>("unified");
}
