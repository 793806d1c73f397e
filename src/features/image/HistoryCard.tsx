import { useMemo, useState } from "react";
import type { Descriptor, HistoryRow, ImageConfig, ImageManifest } from "../../core/oci";
import { alignHistory } from "../../core/oci";
import { Badge, Card } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes, formatExactBytes, formatRelative, shortDigest } from "../../lib/format";
import { cleanCreatedBy } from "./history";
import { layerTypeName } from "./mediaTypeNames";

/**
 * The config history as `docker history` shows it, aligned with rootfs.diff_ids and the
 * manifest's layers. Base first (the config's order). Count mismatches are shown, never hidden.
 */
export function HistoryCard({ manifest, config }: { readonly manifest: ImageManifest; readonly config: ImageConfig }) {
  const alignment = useMemo(() => alignHistory(manifest, config), [manifest, config]);
  // View state: which rows show full digests. Keyed by row position, never stored in the rows.
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const [now] = useState(() => Date.now());
  const layerRows = alignment.rows.filter((r) => r.layer !== undefined).length;
  const toggle = (i: number) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });

  return (
    <Card
      anchor="history"
      title="History"
      aside={
        <span>
          {alignment.rows.length} steps · {layerRows} layers · base layer first (<code className="font-mono">docker history</code> lists
          newest first)
        </span>
      }
    >
      {alignment.problems.length > 0 && (
        <div data-testid="layer-count-problem" role="note" className="m-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-2.5 text-sm text-amber-950">
          <p className="font-semibold">History and layers do not line up</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5">
            {alignment.problems.map((p, i) => (
              <li key={i}>
                <SafeText text={p} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {alignment.rows.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-600">The config has no history and the manifest no layers.</p>
      ) : (
        <div className="overflow-x-auto">
          <table data-testid="history" className="w-full min-w-[56rem] table-fixed border-collapse text-left text-[13px]">
            <colgroup>
              <col className="w-10" />
              <col />
              <col className="w-32" />
              <col className="w-44" />
              <col className="w-[19rem]" />
            </colgroup>
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">#</th>
                <th scope="col" className="px-3 py-2 font-medium">Created by</th>
                <th scope="col" className="px-3 py-2 font-medium">Created</th>
                <th scope="col" className="px-3 py-2 font-medium">Comment</th>
                <th scope="col" className="px-3 py-2 font-medium">Layer</th>
              </tr>
            </thead>
            <tbody>
              {alignment.rows.map((row, i) => (
                <HistoryTableRow key={i} n={i + 1} row={row} now={now} expanded={expanded.has(i)} onToggle={() => toggle(i)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function HistoryTableRow({
  n,
  row,
  now,
  expanded,
  onToggle,
}: {
  readonly n: number;
  readonly row: HistoryRow;
  readonly now: number;
  readonly expanded: boolean;
  readonly onToggle: () => void;
}) {
  // A step that made no layer; a non-empty step left without a layer (counts disagree) is shown as missing instead.
  const empty = row.history?.empty_layer === true && row.layer === undefined && row.diffId === undefined;
  const createdBy = row.history?.created_by;
  const cleaned = createdBy !== undefined ? cleanCreatedBy(createdBy) : undefined;
  return (
    <tr
      data-testid="history-row"
      data-empty-layer={empty ? "true" : "false"}
      className={`border-t border-slate-200 align-top ${empty ? "bg-slate-50/60 text-slate-600" : ""}`}
    >
      <td className="px-3 py-2 font-mono text-xs tabular-nums text-slate-500">{n}</td>
      <td className="px-3 py-2">
        {cleaned !== undefined ? (
          <div
            className="max-h-60 overflow-auto whitespace-pre-wrap font-mono text-[12px] leading-5 text-slate-900 [overflow-wrap:anywhere]"
            title={escapeInvisible(createdBy ?? "", { multiline: true })}
          >
            <SafeText text={cleaned} multiline />
          </div>
        ) : (
          <span className="text-slate-400">{row.history ? "—" : "no history entry for this layer"}</span>
        )}
        {row.history?.author && (
          <div className="mt-0.5 text-xs text-slate-500">
            by <SafeText text={row.history.author} />
          </div>
        )}
      </td>
      <td className="px-3 py-2 text-xs">
        <CreatedCell iso={row.history?.created} now={now} />
      </td>
      <td className="px-3 py-2 text-xs break-words">
        {row.history?.comment ? <SafeText text={row.history.comment} /> : <span className="text-slate-400">—</span>}
      </td>
      <td className="px-3 py-2">
        {empty ? (
          <Badge title="This step changed only metadata (ENV, CMD, LABEL…) and made no filesystem layer">no layer</Badge>
        ) : (
          <LayerCell layer={row.layer} diffId={row.diffId} index={row.layerIndex} expanded={expanded} onToggle={onToggle} />
        )}
      </td>
    </tr>
  );
}

function CreatedCell({ iso, now }: { readonly iso?: string; readonly now: number }) {
  if (!iso) return <span className="text-slate-400">—</span>;
  const relative = formatRelative(iso, now);
  const date = relative ? iso.slice(0, 10) : iso;
  return (
    <span title={escapeInvisible(iso)}>
      <span className="font-mono">
        <SafeText text={date} />
      </span>
      {relative && <span className="block text-slate-500">{relative}</span>}
    </span>
  );
}

function LayerCell({
  layer,
  diffId,
  index,
  expanded,
  onToggle,
}: {
  readonly layer?: Descriptor;
  readonly diffId?: string;
  readonly index?: number;
  readonly expanded: boolean;
  readonly onToggle: () => void;
}) {
  const typeName = layer ? layerTypeName(layer.mediaType) : undefined;
  return (
    <div className="space-y-1 text-xs">
      <div className="flex flex-wrap items-center gap-1.5">
        {layer ? (
          <span className="font-medium tabular-nums text-slate-900" title={formatExactBytes(layer.size)}>
            {formatBytes(layer.size)}
          </span>
        ) : (
          <Badge tone="warn">no layer descriptor</Badge>
        )}
        {layer && (
          <Badge tone={typeName ? "neutral" : "warn"} title={layer.mediaType}>
            {typeName ?? <SafeText text={layer.mediaType} />}
          </Badge>
        )}
        {layer?.urls && layer.urls.length > 0 && <Badge tone="warn" title="Foreign layer: served from URLs outside the registry">foreign</Badge>}
        {index !== undefined && <span className="text-slate-400">layer {index + 1}</span>}
      </div>
      <DigestLine label="digest" value={layer?.digest} expanded={expanded} onToggle={onToggle} />
      <DigestLine label="diff_id" value={diffId} expanded={expanded} onToggle={onToggle} />
    </div>
  );
}

function DigestLine({
  label,
  value,
  expanded,
  onToggle,
}: {
  readonly label: string;
  readonly value?: string;
  readonly expanded: boolean;
  readonly onToggle: () => void;
}) {
  if (value === undefined) {
    return (
      <div className="flex items-center gap-1.5">
        <span className="w-11 shrink-0 text-slate-500">{label}</span>
        <Badge tone="warn">missing</Badge>
      </div>
    );
  }
  return (
    <div className="flex items-start gap-1.5">
      <span className="w-11 shrink-0 pt-0.5 text-slate-500">{label}</span>
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={expanded}
        title={expanded ? "Show short form" : value}
        className="min-w-0 flex-1 rounded px-0.5 text-left font-mono text-[11.5px] text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 [overflow-wrap:anywhere]"
      >
        <SafeText text={expanded ? value : shortDigest(value)} />
      </button>
      <CopyButton text={value} />
    </div>
  );
}
