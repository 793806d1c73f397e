import { useId, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { DOCKER_REFERENCE_TYPE_ANNOTATION, type Descriptor } from "../../core/oci";
import { formatReference } from "../../core/reference";
import type { Referrers } from "../../core/registry";
import { Badge, Card } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { Loading } from "../../components/Loading";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import type { Repo } from "../image/DocumentView";
import { documentTypeName } from "../image/mediaTypeNames";
import { InternalLink } from "../image/InternalLink";
import { asShownError } from "../image/QueryView";
import { ErrorPanel } from "../image/ErrorPanel";
import { ArtifactByDigest, ArtifactType } from "./ArtifactView";
import { artifactTypeName, createdOf } from "./model";
import { referrersQuery } from "./queries";

const DOCKER_HUB = "docker.io";
const LINK = "font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700";

/** The parent index of an image, when the image was reached through one. */
export interface IndexContext {
  readonly digest: string;
  /** BuildKit attestation entries of that index (unknown/unknown), each naming the image it attests. */
  readonly attestations: readonly Descriptor[];
}

/** BuildKit's annotation naming the image an attestation manifest is about. */
const REFERENCE_DIGEST = "vnd.docker.reference.digest";

/**
 * The image's referrers (signatures, SBOMs, attestations): from the registry's referrers API or
 * its tag-schema fallback, and, for an image inside an index, BuildKit's attestation manifests
 * for it and the index's own referrers (signing a tag signs the index).
 */
export function ReferrersCard({ repo, subject, index }: { readonly repo: Repo; readonly subject: string; readonly index?: IndexContext }) {
  const buildkit = index?.attestations.filter((a) => a.annotations?.[REFERENCE_DIGEST] === subject) ?? [];
  return (
    <Card anchor="referrers" testId="referrers" title="Referrers" aside={<span>signatures, SBOMs and attestations that name this image as their subject</span>}>
      <ReferrerList repo={repo} subject={subject} heading={index ? "Of this image" : undefined} testId="referrer-list" />
      {buildkit.length > 0 && <BuildKitAttestations repo={repo} attestations={buildkit} />}
      {index && (
        <ReferrerList
          repo={repo}
          subject={index.digest}
          testId="index-referrer-list"
          heading={
            <>
              Of the index <code className="font-mono normal-case tracking-normal">{shortDigest(index.digest)}</code>{" "}
              <span className="normal-case tracking-normal">(what signing its tag signs)</span>
            </>
          }
        />
      )}
    </Card>
  );
}

function ReferrerList({ repo, subject, heading, testId }: { readonly repo: Repo; readonly subject: string; readonly heading?: ReactNode; readonly testId: string }) {
  const [filter, setFilter] = useState<string | undefined>(undefined);
  // Docker Hub counts manifest GETs against its pull limit, and the tag-schema fallback is one:
  // there the list is fetched only when asked for.
  const [asked, setAsked] = useState(repo.registry !== DOCKER_HUB);
  const all = useQuery({ ...referrersQuery(repo.registry, repo.repository, subject), enabled: asked });
  const filtered = useQuery({ ...referrersQuery(repo.registry, repo.repository, subject, filter), enabled: asked && filter !== undefined });
  const query = filter === undefined ? all : filtered;
  const selectId = useId();
  const types = [...new Set((all.data?.descriptors ?? []).map((d) => d.artifactType).filter((t): t is string => t !== undefined))];

  return (
    <div data-testid={testId} className="border-b border-slate-100 px-4 py-3 last:border-b-0">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        {heading && <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{heading}</h3>}
        {all.data && <SourceBadge referrers={all.data} />}
        {types.length > 0 && (
          <span className="ml-auto flex items-center gap-2 text-xs">
            <label htmlFor={selectId} className="text-slate-600">
              Artifact type
            </label>
            <select
              id={selectId}
              data-testid="referrer-filter"
              value={filter ?? ""}
              onChange={(e) => setFilter(e.target.value === "" ? undefined : e.target.value)}
              className="max-w-72 rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-[12px] text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/40"
            >
              <option value="">all ({all.data?.descriptors.length ?? 0})</option>
              {types.map((t) => (
                <option key={t} value={t}>
                  {artifactTypeName(t) ?? t}
                </option>
              ))}
            </select>
          </span>
        )}
      </div>
      {!asked ? (
        <p className="mt-2 text-xs text-slate-600">
          <button
            type="button"
            data-testid="referrers-ask"
            onClick={() => setAsked(true)}
            className="mr-2 rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Look for referrers
          </button>
          Docker Hub may count the lookup against its pull limit.
        </p>
      ) : query.isError ? (
        <div className="mt-2">
          <ErrorPanel compact error={asShownError(query.error)} onRetry={() => void query.refetch()} />
        </div>
      ) : query.data === undefined ? (
        <Loading label="Asking the registry for referrers…" />
      ) : (
        <ReferrerRows repo={repo} referrers={query.data} />
      )}
    </div>
  );
}

/** Which answer listed the referrers, in words a person can check. */
function SourceBadge({ referrers }: { readonly referrers: Referrers }) {
  if (referrers.source === "api") {
    return (
      <span data-testid="referrers-source" data-source="api" className="text-xs text-slate-600">
        <Badge tone="info">referrers API</Badge> <code className="font-mono">GET /v2/…/referrers/{shortDigest(referrers.subject)}</code>
        {referrers.pages > 1 && ` · ${referrers.pages} pages`}
      </span>
    );
  }
  return (
    <span data-testid="referrers-source" data-source="tag-schema" className="text-xs text-slate-600">
      <Badge tone="neutral">tag schema fallback</Badge> the registry has no referrers API (it answered 404), so Layerscope read the tag{" "}
      <code className="font-mono [overflow-wrap:anywhere]">{referrers.tag ?? "—"}</code>
      {referrers.tagFound === false && " (not present)"}
    </span>
  );
}

function ReferrerRows({ repo, referrers }: { readonly repo: Repo; readonly referrers: Referrers }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string): void =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const { descriptors, filter } = referrers;
  return (
    <div className="mt-2 space-y-2">
      {filter && (
        <p data-testid="referrers-filter-applied" data-applied-by={filter.appliedBy} className="text-xs text-slate-600">
          Only {artifactTypeName(filter.artifactType) ?? filter.artifactType}:{" "}
          {filter.appliedBy === "registry" ? "filtered by the registry (it answered OCI-Filters-Applied: artifactType)." : "filtered here (the registry did not say it applied the filter)."}
        </p>
      )}
      {referrers.notes.map((n, i) => (
        <p key={i} data-testid="referrers-note" className="text-xs text-amber-800">
          <SafeText text={n} />
        </p>
      ))}
      {descriptors.length === 0 ? (
        <p data-testid="referrers-empty" className="rounded-md border border-dashed border-slate-300 px-3 py-2 text-sm text-slate-600">
          {filter
            ? "No referrers of this type."
            : referrers.source === "api"
              ? "No referrers: the registry lists nothing that names this manifest as its subject (no signatures, SBOMs or attestations attached)."
              : `No referrers found: the ${referrers.tag ?? "referrers"} tag, where tools write them on registries without the API, ${referrers.tagFound === false ? "does not exist" : "lists none"}.`}
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
          {descriptors.map((d, i) => {
            const key = `${d.digest}-${i}`;
            const isOpen = open.has(key);
            return (
              <li key={key} data-testid="referrer-row" data-digest={d.digest} data-artifact-type={d.artifactType ?? ""} className="text-xs">
                <ReferrerSummary repo={repo} d={d} open={isOpen} onToggle={() => toggle(key)} />
                {isOpen && (
                  <div className="border-t border-slate-100 bg-slate-50/50 p-2">
                    <ArtifactByDigest repo={repo} digest={d.digest} expectedSubject={referrers.subject} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!referrers.complete && <p className="text-xs text-amber-800">This list is incomplete (see above).</p>}
    </div>
  );
}

function ReferrerSummary({ repo, d, open, onToggle }: { readonly repo: Repo; readonly d: Descriptor; readonly open: boolean; readonly onToggle: () => void }) {
  const created = createdOf(d);
  return (
    <div className="grid grid-cols-1 items-center gap-x-4 gap-y-1 px-3 py-2 sm:grid-cols-[minmax(0,1fr)_auto]">
      <div className="min-w-0 space-y-0.5">
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            aria-expanded={open}
            data-testid="referrer-toggle"
            onClick={onToggle}
            className="inline-flex items-center gap-1 rounded px-1 text-left font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            <span aria-hidden="true" className={`inline-block text-slate-500 transition-transform ${open ? "rotate-90" : ""}`}>
              ▸
            </span>
            <span data-testid="referrer-name">{artifactTypeName(d.artifactType) ?? (d.artifactType ? "artifact" : "no artifactType")}</span>
          </button>
          {d.artifactType !== undefined && <ArtifactType type={d.artifactType} words={false} />}
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-0.5 pl-5 text-slate-600">
          <span>
            <SafeText text={documentTypeName(d.mediaType) ?? d.mediaType} />
          </span>
          <span title={formatExactBytes(d.size)}>{formatBytes(d.size)} manifest</span>
          {created !== undefined && (
            <span data-testid="referrer-created">
              created <SafeText text={created} />
            </span>
          )}
          <code className="font-mono text-slate-500" title={d.digest}>
            {shortDigest(d.digest)}
          </code>
          <CopyButton text={d.digest} />
        </div>
      </div>
      <InternalLink to={{ image: formatReference({ ...repo, digest: d.digest }) }} className={`pl-5 sm:pl-0 ${LINK}`} testId="referrer-open-page">
        Open as page
      </InternalLink>
    </div>
  );
}

/** BuildKit stores attestations inside the index (unknown/unknown entries), not as referrers. */
function BuildKitAttestations({ repo, attestations }: { readonly repo: Repo; readonly attestations: readonly Descriptor[] }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <div data-testid="buildkit-attestations" className="border-b border-slate-100 px-4 py-3">
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">BuildKit attestations (listed in the index, not as referrers)</h3>
      <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200 text-xs">
        {attestations.map((a, i) => (
          <li key={`${a.digest}-${i}`} data-testid="buildkit-attestation" data-digest={a.digest}>
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
              <button
                type="button"
                aria-expanded={open === a.digest}
                onClick={() => setOpen((o) => (o === a.digest ? undefined : a.digest))}
                className="inline-flex items-center gap-1 rounded px-1 font-medium text-slate-900 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <span aria-hidden="true" className={`inline-block text-slate-500 transition-transform ${open === a.digest ? "rotate-90" : ""}`}>
                  ▸
                </span>
                <SafeText text={a.annotations?.[DOCKER_REFERENCE_TYPE_ANNOTATION] ?? "attestation"} />
              </button>
              <span className="text-slate-600">{formatBytes(a.size)} manifest</span>
              <code className="font-mono text-slate-500" title={a.digest}>
                {shortDigest(a.digest)}
              </code>
              <InternalLink to={{ image: formatReference({ ...repo, digest: a.digest }) }} className={`ml-auto ${LINK}`}>
                Open as page
              </InternalLink>
            </div>
            {open === a.digest && (
              <div className="border-t border-slate-100 bg-slate-50/50 p-2">
                {/* BuildKit names the image in an annotation, not in `subject`; nothing to cross-check. */}
                <ArtifactByDigest repo={repo} digest={a.digest} />
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
