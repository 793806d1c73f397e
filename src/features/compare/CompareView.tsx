import { useEffect, useId, useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { compareLayers } from "../../core/compare";
import { parseReference, type Reference } from "../../core/reference";
import { Card } from "../../components/Card";
import { CopyableMono } from "../../components/Mono";
import { Loading } from "../../components/Loading";
import { SafeText } from "../../components/SafeText";
import { ErrorPanel } from "../image/ErrorPanel";
import { FileDiffSection } from "./FileDiffSection";
import { LayerComparisonView } from "./LayerComparisonView";
import { useSide, type ResolvedSide, type SideState } from "./useSide";

export type Side = "a" | "b";

/**
 * `?image=A&compare=B` (issue 4, "Compare two references"): both references resolved to one
 * platform each, their layers aligned by diff_id and chain ID, then a file-level diff of the two
 * merged filesystems once every layer of both has been read.
 */
export function CompareView({
  a,
  b,
  platformA,
  platformB,
  onPickPlatform,
}: {
  readonly a: string;
  readonly b: string;
  readonly platformA?: string;
  readonly platformB?: string;
  readonly onPickPlatform: (side: Side, platform: string) => void;
}) {
  const ra = useMemo(() => parseReference(a), [a]);
  const rb = useMemo(() => parseReference(b), [b]);
  useEffect(() => {
    document.title = `Compare ${a} with ${b} · Layerscope`;
    return () => {
      document.title = "Layerscope";
    };
  }, [a, b]);
  if (!ra.ok || !rb.ok) {
    return (
      <div data-testid="compare" className="space-y-3">
        {!ra.ok && <SideError side="a" error={<ErrorPanel compact error={ra.error} />} />}
        {!rb.ok && <SideError side="b" error={<ErrorPanel compact error={rb.error} />} />}
      </div>
    );
  }
  return <ParsedCompare a={ra.value} b={rb.value} platformA={platformA} platformB={platformB} onPickPlatform={onPickPlatform} />;
}

function SideError({ side, error }: { readonly side: Side; readonly error: React.ReactNode }) {
  return (
    <div data-testid={`compare-error-${side}`}>
      <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Image {side.toUpperCase()}</p>
      {error}
    </div>
  );
}

function ParsedCompare({
  a,
  b,
  platformA,
  platformB,
  onPickPlatform,
}: {
  readonly a: Reference;
  readonly b: Reference;
  readonly platformA?: string;
  readonly platformB?: string;
  readonly onPickPlatform: (side: Side, platform: string) => void;
}) {
  const sideA = useSide(a, platformA, undefined, false);
  // B follows A's platform unless the URL names one: linux/arm64 of A compares with linux/arm64 of B.
  const sideB = useSide(b, platformB, sideA.platform, sideA.status === "loading");
  const ready = sideA.status === "ready" && sideB.status === "ready" ? { a: sideA, b: sideB } : undefined;

  return (
    <div data-testid="compare" className="space-y-4">
      <div className="grid gap-4 md:grid-cols-2">
        <SideCard side="a" state={sideA} onPick={(p) => onPickPlatform("a", p)} />
        <SideCard side="b" state={sideB} onPick={(p) => onPickPlatform("b", p)} />
      </div>
      {ready && <Comparison key={`${ready.a.manifestDigest} ${ready.b.manifestDigest}`} a={ready.a} b={ready.b} />}
    </div>
  );
}

function Comparison({ a, b }: { readonly a: ResolvedSide; readonly b: ResolvedSide }) {
  // Content-addressed inputs: the result never goes stale (STYLE 10).
  const layers = useQuery({
    queryKey: ["compare-layers", a.manifestDigest, a.configDigest, b.manifestDigest, b.configDigest],
    queryFn: () => compareLayers({ manifest: a.manifest, config: a.config }, { manifest: b.manifest, config: b.config }),
    staleTime: "static",
  });
  if (layers.isError) return <ErrorPanel compact error={{ kind: "unexpected", message: String(layers.error) }} />;
  if (!layers.data) return <Loading label="Aligning the layers…" />;
  return (
    <div className="space-y-4">
      <LayerComparisonView comparison={layers.data} />
      <FileDiffSection a={a} b={b} />
    </div>
  );
}

function SideCard({ side, state, onPick }: { readonly side: Side; readonly state: SideState; readonly onPick: (platform: string) => void }) {
  const id = useId();
  const label = side === "a" ? "A" : "B";
  const platforms = state.status === "ready" ? state.index?.platforms : state.platforms;
  return (
    <Card
      testId={`compare-side-${side}`}
      title={
        <span className="flex items-baseline gap-2">
          <span className={`rounded px-1.5 text-xs font-bold text-white ${side === "a" ? "bg-sky-700" : "bg-violet-700"}`}>{label}</span>
          {state.status === "ready" ? (
            <span className="font-mono text-[13px] [overflow-wrap:anywhere]">
              <SafeText text={state.familiar} />
            </span>
          ) : (
            <span className="text-slate-500">Image {label}</span>
          )}
        </span>
      }
    >
      <div className="space-y-2 px-4 py-3 text-sm">
        {platforms && platforms.length > 0 && (
          <div className="flex items-center gap-3">
            <label htmlFor={id} className="w-[7.5rem] text-[13px] text-slate-500">
              Platform
            </label>
            <select
              id={id}
              data-testid={`compare-platform-${side}`}
              value={state.platform ?? ""}
              onChange={(e) => onPick(e.target.value)}
              className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-[13px] focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {state.platform === undefined && <option value="">—</option>}
              {platforms.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
        )}
        {state.status === "loading" && <Loading label={state.label} />}
        {state.status === "error" && <ErrorPanel compact error={state.error} onRetry={state.retry} />}
        {state.status === "ready" && (
          <dl className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-[13px]">
            {!platforms && (
              <>
                <dt className="text-slate-500">Platform</dt>
                <dd data-testid={`compare-platform-${side}`} className="font-mono">
                  <SafeText text={state.platform} />
                </dd>
              </>
            )}
            <dt className="text-slate-500">Manifest</dt>
            <dd data-testid={`compare-manifest-${side}`}>
              <CopyableMono value={state.manifestDigest} />
            </dd>
            <dt className="text-slate-500">Image ID</dt>
            <dd>
              <CopyableMono value={state.configDigest} />
            </dd>
            <dt className="text-slate-500">Layers</dt>
            <dd>{state.manifest.layers.length}</dd>
          </dl>
        )}
      </div>
    </Card>
  );
}
