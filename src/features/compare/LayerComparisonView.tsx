import type { ReactNode } from "react";
import type { ConfigChange, LayerComparison, LayerRow, LayerRowKind, LayerSide } from "../../core/compare";
import { Badge, Card } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import { layerTypeName } from "../image/mediaTypeNames";

const KIND_LABEL: Record<LayerRowKind, string> = {
  shared: "shared",
  recompressed: "recompressed",
  "only-a": "only in A",
  "only-b": "only in B",
};

const KIND_TONE: Record<LayerRowKind, "good" | "info" | "warn" | "neutral"> = {
  shared: "good",
  recompressed: "warn",
  "only-a": "neutral",
  "only-b": "info",
};

const plural = (n: number, noun: string): string => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;

/** The layer alignment: a summary of what B costs a machine with A, then the rows side by side. */
export function LayerComparisonView({ comparison: c }: { readonly comparison: LayerComparison }) {
  const count = (k: LayerRowKind): number => c.rows.filter((r) => r.kind === k).length;
  const onlyA = count("only-a");
  const onlyB = count("only-b");
  const recompressed = count("recompressed");
  return (
    <Card title="Layers, aligned by diff_id" aside={`${plural(c.a.layers.length, "layer")} in A · ${plural(c.b.layers.length, "layer")} in B`} testId="compare-layers">
      <div data-testid="compare-summary" className="grid gap-4 border-b border-slate-200 px-4 py-3 text-sm lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <div className="space-y-1.5">
          <p data-testid="shared-base" data-layers={c.sharedBase.layers}>
            <strong className="font-semibold">Shared base:</strong>{" "}
            {c.sharedBase.layers === 0 ? (
              "none — the images differ from the first layer"
            ) : (
              <>
                {plural(c.sharedBase.layers, "layer")} (
                <span title={formatExactBytes(c.sharedBase.bytesB)}>{formatBytes(c.sharedBase.bytesB)}</span>
                {c.sharedBase.bytesA !== c.sharedBase.bytesB && <> in B, {formatBytes(c.sharedBase.bytesA)} in A</>})
              </>
            )}
          </p>
          <p>
            <span data-testid="only-a-count" data-count={onlyA}>
              {plural(onlyA, "layer")} only in A
            </span>
            {" · "}
            <span data-testid="only-b-count" data-count={onlyB}>
              {plural(onlyB, "layer")} only in B
            </span>
            {" · "}
            <span data-testid="recompressed-count" data-count={recompressed} title="Same diff_id and base, shipped as another blob (other compression or media type)">
              {recompressed.toLocaleString("en-US")} recompressed
            </span>
          </p>
          <p className="text-xs text-slate-600">
            Platforms: A <SafeText text={c.a.platform} />, B <SafeText text={c.b.platform} />. Total compressed: A {formatBytes(c.a.bytes)}, B {formatBytes(c.b.bytes)}.
          </p>
        </div>
        <div className="rounded-md border border-indigo-200 bg-indigo-50/60 px-3 py-2">
          <p className="text-xs font-medium uppercase tracking-wide text-indigo-900">A machine that already has A pulls, to run B</p>
          <p className="text-2xl font-bold text-indigo-950">
            <span data-testid="bytes-to-pull" data-bytes={c.bytesToPull} title={formatExactBytes(c.bytesToPull)}>
              {formatBytes(c.bytesToPull)}
            </span>
            <span className="ml-2 text-sm font-normal text-indigo-900/80">of {formatBytes(c.bytesB)} for a cold pull</span>
          </p>
          <details className="mt-1 text-xs text-slate-700" data-testid="pull-models">
            <summary className="cursor-pointer text-indigo-900">Depends on the runtime</summary>
            <ul className="mt-1 list-disc space-y-0.5 pl-4">
              <li>
                By chain ID (containerd with A's blobs gone; the lower bound for any runtime that unpacks): {formatBytes(c.bytesToPull)}.
              </li>
              <li data-testid="bytes-with-content-store">containerd keeping A's blobs in its content store: {formatBytes(c.bytesWithContentStore)}.</li>
              <li data-testid="bytes-docker-classic">Docker's classic store (looks layers up by blob digest): {formatBytes(c.bytesDockerClassic)}.</li>
              <li data-testid="bytes-blobs-only">Blobs only (a registry copy, ignoring snapshots): {formatBytes(c.bytesIfBlobsOnly)}.</li>
            </ul>
          </details>
        </div>
      </div>
      {c.problems.length > 0 && (
        <ul data-testid="compare-problems" className="space-y-1 border-b border-slate-200 bg-amber-50 px-4 py-2 text-xs text-amber-950">
          {c.problems.map((p, i) => (
            <li key={i}>
              <SafeText text={p} />
            </li>
          ))}
        </ul>
      )}
      <div className="overflow-x-auto">
        <table className="w-full min-w-[52rem] text-left text-[13px]">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600">
            <tr>
              <th className="px-3 py-1.5 font-medium">Alignment</th>
              <th className="px-3 py-1.5 font-medium">A: layer · diff_id</th>
              <th className="px-3 py-1.5 font-medium">size · type</th>
              <th className="px-3 py-1.5 font-medium">B: layer · diff_id</th>
              <th className="px-3 py-1.5 font-medium">size · type</th>
              <th className="px-3 py-1.5 font-medium">Pull</th>
            </tr>
          </thead>
          <tbody>
            {c.rows.map((r, i) => (
              <Row key={i} row={r} />
            ))}
          </tbody>
        </table>
      </div>
      <ConfigChanges changes={c.config} />
    </Card>
  );
}

function Row({ row }: { readonly row: LayerRow }) {
  return (
    <tr
      data-testid="compare-layer-row"
      data-kind={row.kind}
      data-index-a={row.a?.index}
      data-index-b={row.b?.index}
      className={`border-b border-slate-100 align-top ${row.kind === "only-a" ? "bg-slate-50/60" : row.kind === "only-b" ? "bg-indigo-50/40" : ""}`}
    >
      <td className="px-3 py-1.5">
        <Badge tone={KIND_TONE[row.kind]} title={kindTitle(row)}>
          {KIND_LABEL[row.kind]}
        </Badge>
        {row.sameDiffIdIn.length > 0 && (
          <div className="mt-0.5 text-[11px] text-slate-500" title="The same tar, on another base: another chain ID">
            same diff_id as {row.kind === "only-a" ? "B" : "A"} layer {row.sameDiffIdIn.map((n) => n + 1).join(", ")}
          </div>
        )}
      </td>
      <SideCells side={row.a} />
      <SideCells side={row.b} highlight={row.recompressed} />
      <td className="px-3 py-1.5 text-xs">
        {row.pull ? (
          row.pull.fetchedByChainId ? (
            <span className="font-medium text-indigo-800" data-testid="pulled">
              download
            </span>
          ) : (
            <span className="text-slate-500">{row.pull.snapshotPresent ? "present" : "already counted"}</span>
          )
        ) : null}
      </td>
    </tr>
  );
}

function kindTitle(row: LayerRow): string {
  switch (row.kind) {
    case "shared":
      return "Same chain ID and same blob: the layer is reused as is";
    case "recompressed":
      return `Same chain ID, shipped differently: ${[row.recompressed?.digest ? "another compressed digest" : "", row.recompressed?.mediaType ? "another media type" : ""].filter(Boolean).join(" and ")}`;
    case "only-a":
      return "A layer of A above the shared base";
    case "only-b":
      return "A layer of B above the shared base";
  }
}

function SideCells({ side, highlight }: { readonly side?: LayerSide; readonly highlight?: { readonly digest: boolean; readonly mediaType: boolean } }) {
  if (!side) {
    return (
      <>
        <td className="px-3 py-1.5 text-slate-300">—</td>
        <td className="px-3 py-1.5" />
      </>
    );
  }
  const type = side.mediaType === undefined ? undefined : `${side.mediaType.startsWith("application/vnd.docker.") ? "Docker" : "OCI"} ${layerTypeName(side.mediaType) ?? "?"}`;
  return (
    <>
      <td className="px-3 py-1.5">
        <div className="flex items-center gap-1.5">
          <span className="text-xs text-slate-500">{side.index + 1}</span>
          {side.diffId !== undefined ? (
            <>
              <code className="font-mono text-[12px]" title={side.diffId} data-testid="diff-id">
                <SafeText text={shortDigest(side.diffId)} />
              </code>
              <CopyButton text={side.diffId} />
            </>
          ) : (
            <span className="text-xs text-rose-700">no diff_id</span>
          )}
        </div>
        {side.digest !== undefined && (
          <div className={`font-mono text-[11px] ${highlight?.digest ? "font-semibold text-amber-800" : "text-slate-500"}`} title={`blob ${side.digest}`}>
            blob <SafeText text={shortDigest(side.digest)} />
          </div>
        )}
      </td>
      <td className="px-3 py-1.5 text-xs">
        {side.size !== undefined && <div title={formatExactBytes(side.size)}>{formatBytes(side.size)}</div>}
        {type !== undefined && side.mediaType !== undefined && (
          <div className={highlight?.mediaType ? "font-semibold text-amber-800" : "text-slate-500"} title={side.mediaType}>
            <SafeText text={type} />
          </div>
        )}
      </td>
    </>
  );
}

function ConfigChanges({ changes }: { readonly changes: readonly ConfigChange[] }) {
  return (
    <div data-testid="config-changes" data-count={changes.length} className="border-t border-slate-200 px-4 py-3 text-sm">
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">Config changes</h3>
      {changes.length === 0 ? (
        <p className="text-slate-600">None: the runtime defaults, labels and platform are the same.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-[13px]">
          {changes.map((ch, i) => (
            <li
              key={i}
              data-testid="config-change"
              data-field={ch.field}
              data-change={ch.change}
              className="grid gap-x-3 py-1 sm:grid-cols-[14rem_5rem_minmax(0,1fr)]"
            >
              <span className="font-mono text-xs [overflow-wrap:anywhere]">
                {ch.field}
                {ch.key !== undefined && (
                  <>
                    {" "}
                    <SafeText text={ch.key} />
                  </>
                )}
              </span>
              <span className="text-xs text-slate-500">{ch.change}</span>
              <span className="font-mono text-xs [overflow-wrap:anywhere]">
                <Value v={ch.a} /> <span className="text-slate-400">→</span> <Value v={ch.b} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Value({ v }: { readonly v?: string }): ReactNode {
  if (v === undefined) return <span className="text-slate-400">(unset)</span>;
  return <SafeText text={v} />;
}
