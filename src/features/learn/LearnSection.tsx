import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { chainIds as computeChainIds, formatPlatform, type ImageManifest, type Platform } from "../../core/oci";
import { familiarReference, parseReference, type Reference } from "../../core/reference";
import { registryApiHost, type FetchedConfig, type FetchedManifest } from "../../core/registry";
import { Badge } from "../../components/Card";
import { SafeText, escapeInvisible } from "../../components/SafeText";
import { formatBytes } from "../../lib/format";
import { blobRequest } from "../../lib/layers/jobs";
import type { LayerJobState } from "../../lib/layers/types";
import { registryClientFor } from "../../lib/registry";
import { requestLog, type LayerTiming, type RequestRecord } from "../../lib/requestLog";
import { isArchiveRegistry } from "../../lib/archive";
import { isSampleRegistry } from "../../lib/sample";
import { useUrlState } from "../../lib/urlState";
import { useSharedLayerJobs } from "../layers/LayerJobsContext";
import { LANGUAGES, messagesFor, setLang, useLang, type Lang, type Messages } from "./i18n";
import {
  countVerdicts,
  historyStory,
  layerVerdicts,
  overlayCommand,
  pullRequests,
  shortHex,
  type HistoryQuirk,
  type Verdict,
} from "./model";

/**
 * "How this image is built": the teaching view. Every sentence is a message of the current
 * catalogue applied to values of the image on screen: the fetched manifest (and any index on
 * the way), the verified config, the shared layer-jobs snapshot and the page's request log.
 */
export function LearnSection({
  registry,
  repository,
  fetched,
  ancestors,
  viaPlatform,
  config,
}: {
  readonly registry: string;
  readonly repository: string;
  /** The image manifest as fetched (by tag, or by digest from an index). */
  readonly fetched: FetchedManifest & { readonly document: ImageManifest };
  /** The indexes followed to reach it, outermost first. */
  readonly ancestors: readonly FetchedManifest[];
  readonly viaPlatform?: Platform;
  readonly config: FetchedConfig;
}) {
  const lang = useLang();
  const t = messagesFor(lang);
  const manifest = fetched.document;
  const c = config.config;
  const platform = formatPlatform({ os: c.os, architecture: c.architecture, ...(c.variant !== undefined ? { variant: c.variant } : {}) });
  const [url] = useUrlState();
  const reference = useMemo(() => openedReference(url.image, registry, repository), [url.image, registry, repository]);
  const top = ancestors[0] ?? fetched;
  const shownRef = reference ? familiarReference(reference) : `${registry}/${repository}@${top.digest}`;
  const chains = useChainIds(c.rootfs.diff_ids);
  const htmlLang = LANGUAGES.find((l) => l.lang === lang)?.htmlLang ?? "en";

  return (
    <section
      id="learn"
      data-testid="learn"
      lang={htmlLang}
      aria-labelledby="learn-title"
      className="min-w-0 scroll-mt-14 rounded-lg border border-slate-200 bg-white shadow-sm"
    >
      <header className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 border-b border-slate-200 px-4 py-2.5">
        <h2 id="learn-title" className="text-sm font-semibold text-slate-900">
          {t.title}
        </h2>
        <LangSwitch lang={lang} t={t} />
      </header>
      <div className="space-y-6 px-4 py-3 text-sm leading-relaxed text-slate-800">
        <p className="text-slate-600">
          <Rich text={t.intro(shownRef, platform)} />
        </p>
        <IdsPart t={t} fetched={fetched} ancestors={ancestors} config={config} reference={reference} viaPlatform={viaPlatform} />
        <LayersAndChains t={t} manifest={manifest} diffIds={c.rootfs.diff_ids} chains={chains} />
        <HistoryPart t={t} manifest={manifest} config={config} />
        <PullPart
          t={t}
          registry={registry}
          repository={repository}
          shownRef={shownRef}
          fetched={fetched}
          ancestors={ancestors}
          config={config}
          platform={platform}
        />
        <OverlayPart t={t} chains={chains} diffIds={c.rootfs.diff_ids} />
      </div>
    </section>
  );
}

/** The reference in the address bar, when it names this repository (it does, unless the page is mid-navigation). */
function openedReference(image: string | undefined, registry: string, repository: string): Reference | undefined {
  if (image === undefined) return undefined;
  const parsed = parseReference(image);
  if (!parsed.ok || parsed.value.registry !== registry || parsed.value.repository !== repository) return undefined;
  return parsed.value;
}

function LangSwitch({ lang, t }: { readonly lang: Lang; readonly t: Messages }) {
  return (
    <label className="flex items-center gap-2 text-xs text-slate-600">
      <span>{t.language}</span>
      <select
        data-testid="learn-lang"
        value={lang}
        onChange={(e) => setLang(e.target.value === "zh" ? "zh" : "en")}
        className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs text-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {LANGUAGES.map((l) => (
          <option key={l.lang} value={l.lang} lang={l.htmlLang}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A message with `code` spans. Every piece goes through SafeText: messages carry tags and platform names. */
function Rich({ text }: { readonly text: string }) {
  const parts = text.split("`");
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-slate-100 px-1 py-px font-mono text-[12px] text-slate-900 [overflow-wrap:anywhere]">
            <SafeText text={p} />
          </code>
        ) : (
          <SafeText key={i} text={p} />
        ),
      )}
    </>
  );
}

function Part({ testId, title, children }: { readonly testId: string; readonly title: string; readonly children: ReactNode }) {
  return (
    <div data-testid={testId} className="space-y-2">
      <h3 className="border-b border-slate-100 pb-1 text-[13px] font-semibold text-slate-900">{title}</h3>
      {children}
    </div>
  );
}

function Mono({ text, testId, title }: { readonly text: string; readonly testId?: string; readonly title?: string }) {
  return (
    <code data-testid={testId} title={title} className="font-mono text-[12px] text-slate-900 [overflow-wrap:anywhere]">
      <SafeText text={text} />
    </code>
  );
}

function Note({ tone = "info", children, testId }: { readonly tone?: "info" | "warn"; readonly children: ReactNode; readonly testId?: string }) {
  const cls = tone === "warn" ? "border-amber-300 bg-amber-50 text-amber-950" : "border-indigo-200 bg-indigo-50/60 text-slate-800";
  return (
    <div data-testid={testId} role="note" className={`rounded-md border px-3 py-2 ${cls}`}>
      {children}
    </div>
  );
}

// ── manifest digest vs image ID ──────────────────────────────────────────────────────────────────

function IdsPart({
  t,
  fetched,
  ancestors,
  config,
  reference,
  viaPlatform,
}: {
  readonly t: Messages;
  readonly fetched: FetchedManifest;
  readonly ancestors: readonly FetchedManifest[];
  readonly config: FetchedConfig;
  readonly reference: Reference | undefined;
  readonly viaPlatform?: Platform;
}) {
  const top = ancestors[0] ?? fetched;
  const index = ancestors[ancestors.length - 1];
  const imageId = config.digest;
  return (
    <Part testId="learn-ids" title={t.idsTitle}>
      <div className="grid gap-3 md:grid-cols-2">
        <IdBox label={t.manifestDigest} platform={index ? formatPlatform(viaPlatform) : undefined} digest={fetched.digest} testId="learn-manifest-digest" t={t} />
        <IdBox label={t.imageId} digest={imageId} testId="learn-image-id" t={t} />
      </div>
      {index && <IdBox label={t.indexDigest} digest={index.digest} testId="learn-index-digest" t={t} />}
      <ul className="list-disc space-y-1 pl-5">
        <li>
          <Rich text={t.manifestDigestIs(fetched.digest)} />
        </li>
        <li>
          <Rich text={t.imageIdIs(shortHex(imageId))} />
        </li>
        <li>
          <Rich text={t.whyTwoIds(shortHex(fetched.digest), shortHex(imageId))} />
        </li>
        <li>
          <Rich text={top.byDigest || reference?.tag === undefined ? t.byDigest(top.digest) : t.byTag(reference.tag, top.digest)} />
        </li>
        <li>
          <Rich text={index ? t.viaIndex(index.digest, formatPlatform(viaPlatform), fetched.digest) : t.singleManifest(fetched.digest)} />
        </li>
        <li>
          <Rich text={t.containerdStore(shortHex(top.digest))} />
        </li>
      </ul>
    </Part>
  );
}

function IdBox({
  label,
  platform,
  digest,
  testId,
  t,
}: {
  readonly label: string;
  readonly platform?: string | undefined;
  readonly digest: string;
  readonly testId: string;
  readonly t: Messages;
}) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
      <div className="text-xs font-medium text-slate-500">
        <span className="uppercase tracking-wide">{label}</span>
        {platform !== undefined && (
          <span className="ml-2 font-mono">
            <SafeText text={platform} />
          </span>
        )}
      </div>
      <Mono text={digest} testId={testId} />
      <div className="mt-0.5 text-xs text-slate-600">
        {t.shortForm} <Mono text={shortHex(digest)} testId={`${testId}-short`} />
      </div>
    </div>
  );
}

// ── layers, verdicts and chain IDs ───────────────────────────────────────────────────────────────

const EMPTY_STATES: readonly LayerJobState[] = [];
const EMPTY_TIMINGS: readonly LayerTiming[] = [];
const noSubscribe = (): (() => void) => () => undefined;

/** The shared layer-jobs snapshot and timeline (empty until the provider has started them). */
function useLayerSnapshot(): { readonly states: readonly LayerJobState[]; readonly timings: readonly LayerTiming[] } {
  const shared = useSharedLayerJobs() ?? undefined;
  const states = useSyncExternalStore(shared?.jobs.subscribe ?? noSubscribe, shared?.jobs.getSnapshot ?? (() => EMPTY_STATES));
  const timings = useSyncExternalStore(shared?.timeline.subscribe ?? noSubscribe, shared?.timeline.getSnapshot ?? (() => EMPTY_TIMINGS));
  return { states, timings };
}

function useChainIds(diffIds: readonly string[]): readonly string[] | undefined {
  const [result, setResult] = useState<{ readonly for: readonly string[]; readonly ids: readonly string[] } | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void computeChainIds(diffIds).then((ids) => {
      if (live) setResult({ for: diffIds, ids });
    });
    return () => {
      live = false;
    };
  }, [diffIds]);
  return result?.for === diffIds ? result.ids : undefined;
}

const VERDICT_TONE: Record<Verdict, "neutral" | "good" | "warn" | "bad"> = {
  pending: "neutral",
  verified: "good",
  mismatch: "bad",
  unverifiable: "warn",
  failed: "warn",
  cancelled: "neutral",
};

function VerdictBadge({ v, t }: { readonly v: Verdict; readonly t: Messages }) {
  return (
    <Badge tone={VERDICT_TONE[v]}>
      {v === "verified" ? "✓ " : v === "mismatch" ? "✗ " : ""}
      {t.verdict[v]}
    </Badge>
  );
}

function LayersAndChains({
  t,
  manifest,
  diffIds,
  chains,
}: {
  readonly t: Messages;
  readonly manifest: ImageManifest;
  readonly diffIds: readonly string[];
  readonly chains: readonly string[] | undefined;
}) {
  const { states } = useLayerSnapshot();
  const layers = manifest.layers;
  const verdicts = layers.map((_, i) => layerVerdicts(states[i]));
  const both = verdicts.filter((v) => v.digest === "verified" && v.diffId === "verified").length;
  const mismatched = verdicts.filter((v) => v.digest === "mismatch" || v.diffId === "mismatch").length;
  const uncompressed = layers.flatMap((d, i) => (d.digest === diffIds[i] ? [i + 1] : []));

  return (
    <>
      <Part testId="learn-layers" title={t.layersTitle}>
        {layers.length === 0 ? (
          <p>{t.layersNone}</p>
        ) : (
          <>
            <p>
              <Rich text={t.layersIntro(layers.length)} />
            </p>
            <p data-testid="learn-layers-progress" className="font-medium">
              {t.layersProgress(both, layers.length)}
            </p>
            {mismatched > 0 && <Note tone="warn">{t.layersMismatch(mismatched)}</Note>}
            {uncompressed.map((n) => (
              <Note key={n}>{t.uncompressedLayer(n)}</Note>
            ))}
            <div className="overflow-x-auto">
              <table className="w-full min-w-[48rem] table-fixed border-collapse text-left text-[12.5px]">
                <colgroup>
                  <col className="w-14" />
                  <col />
                  <col />
                </colgroup>
                <thead className="bg-slate-50 text-xs text-slate-500">
                  <tr>
                    <th scope="col" className="px-2 py-1.5 font-medium">
                      {t.colLayer}
                    </th>
                    <th scope="col" className="px-2 py-1.5 font-medium">
                      {t.colDigest}
                    </th>
                    <th scope="col" className="px-2 py-1.5 font-medium">
                      {t.colDiffId}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {layers.map((d, i) => {
                    const s = states[i];
                    const v = verdicts[i]!;
                    const diffId = diffIds[i];
                    const compression = s?.result?.compression;
                    return (
                      <tr
                        key={i}
                        data-testid="learn-layer-row"
                        data-digest-verdict={v.digest}
                        data-diffid-verdict={v.diffId}
                        className="border-t border-slate-100 align-top"
                      >
                        <td className="px-2 py-1.5 font-mono text-slate-500">{i + 1}</td>
                        <td className="px-2 py-1.5">
                          <Mono text={d.digest} />
                          <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
                            <VerdictBadge v={v.digest} t={t} />
                            <span>{t.compressedSize(formatBytes(d.size), compression ?? "")}</span>
                          </div>
                        </td>
                        <td className="px-2 py-1.5">
                          {diffId !== undefined ? <Mono text={diffId} /> : <span className="text-slate-500">{t.noDiffId}</span>}
                          <div className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
                            <VerdictBadge v={v.diffId} t={t} />
                            {s?.result && <span>{t.uncompressedSize(formatBytes(s.result.uncompressedSize))}</span>}
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Part>

      <Part testId="learn-chainids" title={t.chainTitle}>
        <p>
          <Rich text={t.chainIntro} />
        </p>
        <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-[12px] text-slate-100">{t.chainFormula}</pre>
        {diffIds.length === 0 ? (
          <p>{t.chainNone}</p>
        ) : chains === undefined ? (
          <p className="text-slate-500">{t.chainComputing}</p>
        ) : (
          <>
            <ol className="space-y-1.5">
              {chains.map((chain, i) => (
                <li key={i} data-testid="chainid-row" data-layer={i} className="rounded border border-slate-100 px-2 py-1.5">
                  <div className="flex flex-wrap items-baseline gap-x-2">
                    <span className="font-mono text-xs text-slate-500">ChainID(L{subscript(i)})</span>
                    <Mono text={chain} testId="chainid" />
                  </div>
                  <div className="mt-0.5 font-mono text-[11.5px] text-slate-600">
                    {i === 0 ? t.chainBase : t.chainStep(shortHex(chains[i - 1]!), shortHex(diffIds[i]!))}
                  </div>
                </li>
              ))}
            </ol>
            <p>
              <Rich text={t.chainTop(shortHex(chains[chains.length - 1]!), chains.length)} />
            </p>
          </>
        )}
      </Part>
    </>
  );
}

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]!);
}

// ── history ──────────────────────────────────────────────────────────────────────────────────────

function quirkText(t: Messages, q: HistoryQuirk): string {
  switch (q.kind) {
    case "no-history":
      return t.quirk["no-history"](q.layers);
    case "layers-vs-diffids":
      return t.quirk["layers-vs-diffids"](q.layers, q.diffIds);
    case "more-steps":
      return t.quirk["more-steps"](q.made, q.layers);
    case "more-layers":
      return t.quirk["more-layers"](q.made, q.layers);
    case "squashed":
      return t.quirk.squashed(q.steps, q.made, q.merge);
    case "single-layer":
      return t.quirk["single-layer"];
    case "no-layers":
      return t.quirk["no-layers"];
  }
}

/** Quirks that mean something does not add up (as opposed to a shape worth explaining). */
const WARN_QUIRKS: ReadonlySet<HistoryQuirk["kind"]> = new Set(["layers-vs-diffids", "more-steps", "more-layers", "no-history"]);

function HistoryPart({ t, manifest, config }: { readonly t: Messages; readonly manifest: ImageManifest; readonly config: FetchedConfig }) {
  const story = useMemo(() => historyStory(manifest, config.config, config.digest), [manifest, config]);
  return (
    <Part testId="learn-history" title={t.historyTitle}>
      {story.steps > 0 && (
        <p data-testid="learn-history-counts">
          <Rich text={t.historyCounts(story.steps, story.empty, story.made, story.layers)} />
        </p>
      )}
      {story.quirks.map((q, i) => (
        <Note key={i} tone={WARN_QUIRKS.has(q.kind) ? "warn" : "info"} testId="learn-quirk">
          <span data-kind={q.kind}>
            <Rich text={quirkText(t, q)} />
          </span>
        </Note>
      ))}
      {story.lines.length > 0 && (
        <>
          <p>
            <Rich text={t.historyMissing(shortHex(config.digest))} />
          </p>
          <div className="max-h-96 overflow-auto rounded border border-slate-100">
            <table className="w-full min-w-[44rem] table-fixed border-collapse text-left text-[12.5px]">
              <colgroup>
                <col className="w-10" />
                <col className="w-40" />
                <col />
                <col className="w-44" />
              </colgroup>
              <thead className="sticky top-0 bg-slate-50 text-xs text-slate-500">
                <tr>
                  <th scope="col" className="px-2 py-1.5 font-medium">
                    {t.colStep}
                  </th>
                  <th scope="col" className="px-2 py-1.5 font-medium">
                    {t.colDockerImage}
                  </th>
                  <th scope="col" className="px-2 py-1.5 font-medium">
                    {t.colCreatedBy}
                  </th>
                  <th scope="col" className="px-2 py-1.5 font-medium">
                    {t.colMakes}
                  </th>
                </tr>
              </thead>
              <tbody>
                {story.lines.map((line, i) => (
                  <tr
                    key={i}
                    data-testid="learn-history-row"
                    data-empty-layer={line.empty ? "true" : "false"}
                    className={`border-t border-slate-100 align-top ${line.empty ? "text-slate-500" : ""}`}
                  >
                    <td className="px-2 py-1 font-mono text-slate-500">{line.historyIndex !== undefined ? line.historyIndex + 1 : "—"}</td>
                    <td className="px-2 py-1">
                      <Mono text={line.dockerHistoryImage} />
                    </td>
                    <td className="px-2 py-1">
                      <div className="line-clamp-2 font-mono text-[12px] [overflow-wrap:anywhere]" title={line.createdBy !== undefined ? escapeInvisible(line.createdBy) : undefined}>
                        {line.createdBy !== undefined ? <SafeText text={line.createdBy} /> : "—"}
                      </div>
                      {line.comment !== undefined && (
                        <div className="text-xs text-slate-500">
                          <SafeText text={line.comment} />
                        </div>
                      )}
                    </td>
                    <td className="px-2 py-1 text-xs">
                      {line.empty ? (
                        <Badge>{t.emptyLayer}</Badge>
                      ) : line.layerIndex !== undefined ? (
                        <Badge tone="info">{t.makesLayer(line.layerIndex + 1)}</Badge>
                      ) : line.historyIndex === undefined ? (
                        <Badge tone="warn">{t.noStep}</Badge>
                      ) : (
                        <Badge tone="warn">{t.noLayer}</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Part>
  );
}

// ── the pull ─────────────────────────────────────────────────────────────────────────────────────

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "…";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

interface Row {
  readonly key: string;
  readonly kind: "manifest" | "config" | "blob";
  readonly method: string;
  readonly path: string;
  /** An HTTP status, or a word for rows whose status the page cannot see. */
  readonly status: string;
  readonly statusCode?: number;
  readonly bytes?: number;
  readonly ms?: number;
  readonly note?: string;
}

function recordRow(r: RequestRecord, kind: Row["kind"]): Row {
  return {
    key: `r${r.id}`,
    kind,
    method: r.method,
    path: r.path,
    status: r.status !== undefined ? String(r.status) : (r.error ?? "…"),
    ...(r.status !== undefined ? { statusCode: r.status } : {}),
    ...(r.bytes !== undefined ? { bytes: r.bytes } : {}),
    ...(r.ms !== undefined ? { ms: r.ms } : {}),
    ...(r.error !== undefined && r.status !== undefined ? { note: r.error } : {}),
  };
}

function PullPart({
  t,
  registry,
  repository,
  shownRef,
  fetched,
  ancestors,
  config,
  platform,
}: {
  readonly t: Messages;
  readonly registry: string;
  readonly repository: string;
  readonly shownRef: string;
  readonly fetched: FetchedManifest & { readonly document: ImageManifest };
  readonly ancestors: readonly FetchedManifest[];
  readonly config: FetchedConfig;
  readonly platform: string;
}) {
  const records = useSyncExternalStore(requestLog.subscribe, requestLog.getSnapshot);
  const { states, timings } = useLayerSnapshot();
  const [url] = useUrlState();
  const sample = isSampleRegistry(registry);
  const archive = isArchiveRegistry(registry);
  const layers = fetched.document.layers;

  const requests = useMemo(() => {
    const reference = openedReference(url.image, registry, repository);
    const refs = [...ancestors.map((a) => a.digest), fetched.digest, ...(reference?.tag !== undefined ? [reference.tag] : []), ...(reference?.digest !== undefined ? [reference.digest] : [])];
    return pullRequests(records, { apiHost: registryApiHost(registry), repository, manifestRefs: refs, configDigest: config.digest });
  }, [records, url.image, registry, repository, ancestors, fetched.digest, config.digest]);

  const blobRows = layers.map((d, i): Row => {
    const s = states[i];
    const timing = timings[i];
    const path = new URL(blobRequest(registryClientFor(registry), registry, repository, d.digest).url, "http://page.invalid").pathname;
    const ms = timing?.startedAt !== undefined && timing.endedAt !== undefined ? timing.endedAt - timing.startedAt : undefined;
    const stage = s?.progress.stage ?? "queued";
    return {
      key: `b${i}`,
      kind: "blob",
      method: "GET",
      path,
      // The worker reports the proxy's answer to its GET; until then, the layer's stage.
      status: timing?.fromCache ? "—" : s?.progress.httpStatus !== undefined ? String(s.progress.httpStatus) : stage === "done" ? t.inWorker : stage,
      ...(!timing?.fromCache && s?.progress.httpStatus !== undefined ? { statusCode: s.progress.httpStatus } : {}),
      ...(s !== undefined && !timing?.fromCache ? { bytes: s.progress.compressedBytes } : {}),
      ...(ms !== undefined ? { ms } : {}),
      ...(timing?.fromCache ? { note: t.fromCache } : {}),
    };
  });

  const verdicts = countVerdicts(layers.map((_, i) => layerVerdicts(states[i]).digest));
  const diffVerdicts = countVerdicts(layers.map((_, i) => layerVerdicts(states[i]).diffId));
  const digestOk = verdicts.verified;
  const diffOk = diffVerdicts.verified;
  const formats = new Map<string, number>();
  let uncompressed = 0;
  for (const s of states) {
    if (s.result) formats.set(s.result.compression, (formats.get(s.result.compression) ?? 0) + 1);
    uncompressed += s.result?.uncompressedSize ?? s.progress.uncompressedBytes;
  }
  const formatText = [...formats].map(([f, n]) => t.formatCount(f, n)).join(", ") || "…";
  const compressedTotal = layers.reduce((n, d) => n + d.size, 0);
  const viaIndex = ancestors.length > 0;

  return (
    <Part testId="learn-pull" title={t.pullTitle}>
      <p>
        <Rich text={t.pullIntro(shownRef)} />
      </p>
      {sample && <Note>{t.pullSample}</Note>}
      {archive && <Note>{t.pullArchive}</Note>}
      <ol className="space-y-3">
        <Step n={1} id="token" title={t.step.token}>
          <p>
            <Rich text={t.tokenProxy} />
          </p>
          {!sample && !archive && (
            <p className="text-xs text-slate-600">
              {requests.challenge !== undefined ? <Rich text={t.tokenChallenge(requests.challenge)} /> : t.tokenNoChallenge}
            </p>
          )}
        </Step>
        <Step n={2} id="manifest" title={t.step.manifest}>
          <p>
            <Rich text={viaIndex ? t.manifestIndex(platform) : t.manifestSingle(fetched.document.mediaType)} />
          </p>
          <Requests t={t} rows={requests.manifest.map((r) => recordRow(r, "manifest"))} />
        </Step>
        <Step n={3} id="config" title={t.step.config}>
          <p>
            <Rich text={t.configStep(shortHex(config.digest))} />
          </p>
          <Requests t={t} rows={requests.config.map((r) => recordRow(r, "config"))} />
        </Step>
        <Step n={4} id="blobs" title={t.step.blobs}>
          <p>
            <Rich text={t.blobsStep(layers.length, formatBytes(compressedTotal))} />
          </p>
          {layers.length > 0 && (
            <>
              <p className="text-xs text-slate-600">{t.blobsWorkers}</p>
              <Requests t={t} rows={blobRows} />
            </>
          )}
        </Step>
        <Step n={5} id="digest" title={t.step.digest}>
          <p>{t.digestStep(digestOk, layers.length)}</p>
        </Step>
        <Step n={6} id="decompress" title={t.step.decompress}>
          <p>{t.decompressStep(formatText, formatBytes(uncompressed))}</p>
        </Step>
        <Step n={7} id="diffid" title={t.step.diffid}>
          <p>{t.diffIdStep(diffOk, layers.length)}</p>
        </Step>
      </ol>
    </Part>
  );
}

function Step({ n, id, title, children }: { readonly n: number; readonly id: string; readonly title: string; readonly children: ReactNode }) {
  return (
    <li data-testid="pull-step" data-step={id} className="grid grid-cols-[1.75rem_minmax(0,1fr)] gap-x-2">
      <span aria-hidden="true" className="mt-0.5 flex size-6 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white">
        {n}
      </span>
      <div className="min-w-0 space-y-1.5">
        <h4 className="font-semibold text-slate-900">{title}</h4>
        {children}
      </div>
    </li>
  );
}

function Requests({ t, rows }: { readonly t: Messages; readonly rows: readonly Row[] }) {
  if (rows.length === 0) return <p className="text-xs text-slate-500">{t.noRequests}</p>;
  return (
    <div className="overflow-x-auto rounded border border-slate-200">
      <table className="w-full min-w-[40rem] table-fixed border-collapse text-left text-[12px]">
        <colgroup>
          <col className="w-16" />
          <col />
          <col className="w-20" />
          <col className="w-24" />
          <col className="w-20" />
        </colgroup>
        <thead className="bg-slate-50 text-[11px] text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">
              {t.colMethod}
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              {t.colPath}
            </th>
            <th scope="col" className="px-2 py-1 font-medium">
              {t.colStatus}
            </th>
            <th scope="col" className="px-2 py-1 text-right font-medium">
              {t.colBytes}
            </th>
            <th scope="col" className="px-2 py-1 text-right font-medium">
              {t.colTime}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.key}
              data-testid="pull-request"
              data-kind={r.kind}
              data-status={r.statusCode !== undefined ? String(r.statusCode) : r.status}
              className="border-t border-slate-100 align-top"
            >
              <td className="px-2 py-1 font-mono">{r.method}</td>
              <td className="px-2 py-1">
                <Mono text={r.path} />
                {r.note !== undefined && <div className="text-[11px] text-slate-500">{r.note}</div>}
              </td>
              <td className="px-2 py-1 font-mono">
                {r.statusCode !== undefined ? (
                  <span className={r.statusCode < 300 ? "text-emerald-700" : "text-rose-700"}>{r.status}</span>
                ) : (
                  <span className="text-slate-500">{r.status}</span>
                )}
              </td>
              <td className="px-2 py-1 text-right font-mono" title={r.bytes !== undefined ? `${r.bytes.toLocaleString("en-US")} B` : undefined}>
                {r.bytes !== undefined ? formatBytes(r.bytes) : "—"}
              </td>
              <td className="px-2 py-1 text-right font-mono">{formatMs(r.ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ── the overlay mount ────────────────────────────────────────────────────────────────────────────

function OverlayPart({ t, chains, diffIds }: { readonly t: Messages; readonly chains: readonly string[] | undefined; readonly diffIds: readonly string[] }) {
  const command = chains !== undefined ? overlayCommand(chains) : undefined;
  return (
    <Part testId="learn-overlay" title={t.overlayTitle}>
      {diffIds.length === 0 ? (
        <p>{t.overlayNone}</p>
      ) : chains === undefined || command === undefined ? (
        <p className="text-slate-500">{t.chainComputing}</p>
      ) : (
        <>
          <p>
            <Rich text={t.overlayIntro(chains.length, shortHex(chains[chains.length - 1]!), shortHex(chains[0]!))} />
          </p>
          <pre
            data-testid="overlay-command"
            className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-[12px] leading-relaxed text-slate-100"
          >
            {command}
          </pre>
          <p>
            <Rich text={t.overlayDirs} />
          </p>
          <p className="text-slate-600">
            <Rich text={t.overlayNames} />
          </p>
        </>
      )}
    </Part>
  );
}
