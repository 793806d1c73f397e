import type { ReactNode } from "react";
import { CopyButton } from "../../components/CopyButton";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { HistoryButton } from "../history/HistoryButton";
import { clip, modeString, nameParts, ownerLabel, partsToString } from "./format";
import type { LayerChanges } from "./model";
import type { TreeNode } from "./tree";

/** Paths this long are cut in the details too (100 KB names, U3); the copy button has all of it. */
const MAX_DETAIL_CHARS = 8192;

/** Everything the tar header says about one opened entry. */
export function EntryDetails({ node, changes, actions }: { readonly node: TreeNode; readonly changes: LayerChanges | undefined; readonly actions?: ReactNode }) {
  const e = node.entry;
  const change = changes?.changeOf(node);
  const below = changes?.providerOf(node.path);
  const invalid = e?.flags?.includes("invalid-utf8") === true;
  const rawHex = invalid && e ? [...e.rawPath].map((b) => b.toString(16).padStart(2, "0")).join(" ") : undefined;
  return (
    <div data-testid="entry-details" data-path={node.path} className="border-t border-slate-200 bg-slate-50/60 px-4 py-2 text-[12.5px]">
      <dl className="grid grid-cols-1 gap-x-4 gap-y-0.5 sm:grid-cols-[8rem_minmax(0,1fr)]">
        <Row label={e?.whiteout === "whiteout" ? "Deletes" : "Path"}>
          <span className="inline-flex max-w-full items-start gap-2">
            <code className="max-h-24 min-w-0 overflow-auto font-mono [overflow-wrap:anywhere]">
              <SafeText text={clip(node.path, MAX_DETAIL_CHARS).text} />
            </code>
            <CopyButton text={node.path} />
            <HistoryButton path={node.path} />
          </span>
        </Row>
        {e && e.path !== node.path && (
          <Row label="Tar name">
            <code className="font-mono [overflow-wrap:anywhere]">
              <SafeText text={clip(e.path, MAX_DETAIL_CHARS).text} />
            </code>
          </Row>
        )}
        {invalid && (
          <Row label="Raw bytes">
            <span className="font-mono [overflow-wrap:anywhere]" title="The name is not valid UTF-8">
              {partsToString(nameParts(node.name, e))} <span className="text-slate-500">({clip(rawHex ?? "", 3000).text})</span>
            </span>
          </Row>
        )}
        <Row label="Type">
          {e ? (
            <span>
              {e.whiteout === "whiteout" ? "whiteout" : e.type} <span className="text-slate-500">(typeflag <SafeText text={JSON.stringify(e.typeflag)} />)</span>
            </span>
          ) : (
            <span className="text-slate-600">directory implied by deeper paths (not in this layer's tar)</span>
          )}
        </Row>
        {change && (
          <Row label="Change">
            {change}
            {below !== undefined && change !== "added" && <span className="text-slate-500"> · last provided by layer {below + 1}</span>}
          </Row>
        )}
        {e && (
          <>
            <Row label="Mode">
              <span className="font-mono">
                {modeString(e.type, e.mode)} ({(e.mode & 0o7777).toString(8).padStart(4, "0")})
              </span>
            </Row>
            <Row label="Owner">
              <SafeText text={ownerLabel(e).title} />
            </Row>
            <Row label="Size">
              {formatBytes(e.size)} <span className="text-slate-500">({formatExactBytes(e.size)})</span>
            </Row>
            <Row label="Modified">
              <span className="font-mono">{mtime(e.mtime)}</span>
            </Row>
            {e.linkname !== undefined && (
              <Row label={e.type === "hardlink" ? "Hard link to" : "Link target"}>
                <code className="max-h-24 overflow-auto font-mono [overflow-wrap:anywhere]">
                  <SafeText text={clip(e.linkname, MAX_DETAIL_CHARS).text} />
                </code>
              </Row>
            )}
            <Row label="Offsets">
              <span className="font-mono text-slate-700">
                header {e.headerOffset.toLocaleString("en-US")} · data {e.dataOffset.toLocaleString("en-US")}
              </span>
            </Row>
            {e.flags && e.flags.length > 0 && <Row label="Flags">{e.flags.join(", ")}</Row>}
          </>
        )}
        {node.isDir && (
          <Row label="Contents">
            {node.descendants.toLocaleString("en-US")} entries, {formatBytes(node.size)}
          </Row>
        )}
        {node.duplicates > 0 && <Row label="Duplicates">{node.duplicates} earlier entries at this path (the last one wins)</Row>}
      </dl>
      {actions}
    </div>
  );
}

function Row({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-500 sm:pt-0.5">{label}</dt>
      <dd className="min-w-0 text-slate-900">{children}</dd>
    </>
  );
}

function mtime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString().replace(".000Z", "Z");
}
