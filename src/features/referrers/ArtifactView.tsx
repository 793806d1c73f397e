import { useQuery } from "@tanstack/react-query";
import type { AnyManifest, Descriptor } from "../../core/oci";
import { formatReference } from "../../core/reference";
import { ARTIFACT_BLOB_DISPLAY_LIMIT, blobUrl, type FetchedDocument } from "../../core/registry";
import { Badge, Card, Field, Fields } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { Loading } from "../../components/Loading";
import { CopyableMono } from "../../components/Mono";
import { RawJson } from "../../components/RawJson";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import { registryClientFor } from "../../lib/registry";
import type { Repo } from "../image/DocumentView";
import { ErrorPanel } from "../image/ErrorPanel";
import { InternalLink } from "../image/InternalLink";
import { Annotations } from "../image/ManifestCard";
import { documentTypeName } from "../image/mediaTypeNames";
import { asShownError, QueryView } from "../image/QueryView";
import { DigestVerification, ManifestVerification } from "../image/Verification";
import { BlobContentView } from "./BlobContent";
import { artifactTypeName, TITLE_ANNOTATION } from "./model";
import { anyManifestQuery, artifactBlobQuery } from "./queries";

const LINK = "font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700";

/** The type of a manifest in words and as written: artifactType, else the config's media type. */
export function ArtifactType({ type, testId, words = true }: { readonly type: string | undefined; readonly testId?: string; readonly words?: boolean }) {
  if (type === undefined) return <span className="text-slate-400">—</span>;
  const name = words ? artifactTypeName(type) : undefined;
  return (
    <span data-testid={testId} data-type={type} className="inline-flex flex-wrap items-center gap-2">
      {name && <Badge tone="info">{name}</Badge>}
      <code className="font-mono text-[12.5px] [overflow-wrap:anywhere]">
        <SafeText text={type} />
      </code>
    </span>
  );
}

/** An artifact fetched by digest (from a referrers list or an index), with its blobs. */
export function ArtifactByDigest({ repo, digest, expectedSubject }: { readonly repo: Repo; readonly digest: string; readonly expectedSubject?: string }) {
  const query = useQuery(anyManifestQuery(repo.registry, repo.repository, digest));
  return (
    <QueryView query={query} loading={`Loading ${shortDigest(digest)}…`}>
      {(fetched) => <ArtifactDocument repo={repo} fetched={fetched} expectedSubject={expectedSubject} nested />}
    </QueryView>
  );
}

/**
 * A reference that names an artifact rather than an image (the image view's not-an-image
 * answer): the same document fetched again, this time read as an artifact.
 */
export function ArtifactByReference({ repo, reference }: { readonly repo: Repo; readonly reference: string }) {
  const query = useQuery(anyManifestQuery(repo.registry, repo.repository, reference));
  return (
    <QueryView query={query} loading="Loading the artifact…">
      {(fetched) => <ArtifactDocument repo={repo} fetched={fetched} />}
    </QueryView>
  );
}

/**
 * One manifest shown as an artifact: what it is, its digest and verification, the subject it
 * refers to, its annotations and raw JSON, then each blob (config and layers) verified and shown.
 * `expectedSubject`: the digest it was listed as a referrer of; a different `subject` is flagged,
 * since a referrers list is only the registry's (or a tag writer's) claim.
 */
export function ArtifactDocument({
  repo,
  fetched,
  expectedSubject,
  nested = false,
}: {
  readonly repo: Repo;
  readonly fetched: FetchedDocument<AnyManifest>;
  readonly expectedSubject?: string;
  readonly nested?: boolean;
}) {
  const doc = fetched.document;
  const type = doc.kind === "index" ? doc.artifactType : (doc.artifactType ?? doc.config.mediaType);
  const name = artifactTypeName(type);
  const subjectMismatch = expectedSubject !== undefined && doc.subject?.digest !== expectedSubject;
  const body = (
    <>
      <Fields>
        <Field label="Media type">
          <span className="flex flex-wrap items-center gap-2">
            <code className="font-mono text-[12.5px] [overflow-wrap:anywhere]">
              <SafeText text={doc.mediaType} />
            </code>
            {documentTypeName(doc.mediaType) && <Badge tone="neutral">{documentTypeName(doc.mediaType)}</Badge>}
          </span>
        </Field>
        <Field label={doc.kind !== "index" && doc.artifactType === undefined ? "Type (config media type)" : "Artifact type"}>
          <ArtifactType type={type} testId="artifact-type" />
        </Field>
        <Field label="Digest">
          <CopyableMono value={fetched.digest} testId="artifact-digest" />
        </Field>
        <Field label="Verification">
          <ManifestVerification fetched={fetched} testId="artifact-verification" />
        </Field>
        <Field label="Size">
          <span title={formatExactBytes(fetched.bytes.byteLength)}>{formatBytes(fetched.bytes.byteLength)}</span>
        </Field>
        <Field label="Subject">
          {doc.subject ? (
            <span className="flex flex-wrap items-center gap-2" data-testid="artifact-subject">
              <code className="font-mono text-[12.5px] [overflow-wrap:anywhere]">
                <SafeText text={doc.subject.digest} />
              </code>
              <InternalLink to={{ image: formatReference({ ...repo, digest: doc.subject.digest }) }} className={`text-xs ${LINK}`}>
                Open the subject
              </InternalLink>
            </span>
          ) : (
            <span className="text-slate-500">none (this manifest refers to nothing)</span>
          )}
          {subjectMismatch && (
            <p data-testid="subject-mismatch" className="mt-1 text-xs text-rose-800">
              Listed as a referrer of {shortDigest(expectedSubject)}, but its own subject is {doc.subject ? shortDigest(doc.subject.digest) : "missing"}: the list is
              wrong about it.
            </p>
          )}
        </Field>
        {doc.annotations && Object.keys(doc.annotations).length > 0 && (
          <Field label="Annotations">
            <Annotations annotations={doc.annotations} />
          </Field>
        )}
      </Fields>
      <RawJson bytes={fetched.bytes} label="Manifest JSON" />
      {doc.kind === "index" ? <IndexEntries repo={repo} manifests={doc.manifests} /> : <Blobs repo={repo} config={doc.config} layers={doc.layers} />}
    </>
  );
  if (nested) {
    return (
      <div data-testid="artifact" data-kind={doc.kind} className="min-w-0 rounded-md border border-slate-200 bg-white">
        {body}
      </div>
    );
  }
  return (
    <Card testId="artifact" title={name ? `Artifact: ${name}` : "Artifact"} aside={<span>not a container image: shown as its manifest and blobs</span>}>
      {body}
    </Card>
  );
}

function IndexEntries({ repo, manifests }: { readonly repo: Repo; readonly manifests: readonly Descriptor[] }) {
  return (
    <div className="border-t border-slate-200 px-4 py-3">
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Manifests in this index</h3>
      <ul className="mt-1 divide-y divide-slate-100 rounded-md border border-slate-200 text-xs">
        {manifests.map((d, i) => (
          <li key={`${d.digest}-${i}`} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-1.5">
            <ArtifactType type={d.artifactType ?? d.mediaType} />
            <code className="font-mono text-slate-600">{shortDigest(d.digest)}</code>
            <span className="text-slate-500">{formatBytes(d.size)}</span>
            <InternalLink to={{ image: formatReference({ ...repo, digest: d.digest }) }} className={`ml-auto ${LINK}`}>
              Open
            </InternalLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Blobs({ repo, config, layers }: { readonly repo: Repo; readonly config: Descriptor; readonly layers: readonly Descriptor[] }) {
  return (
    <div className="space-y-3 border-t border-slate-200 px-4 py-3">
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">
        Blobs <span className="font-normal normal-case tracking-normal text-slate-500">— each checked against its descriptor's size and digest before it is shown</span>
      </h3>
      <BlobView repo={repo} descriptor={config} role="config" />
      {layers.length === 0 && <p className="text-xs text-slate-500">No layers.</p>}
      {layers.map((d, i) => (
        <BlobView key={`${d.digest}-${i}`} repo={repo} descriptor={d} role={`layer ${i + 1} of ${layers.length}`} />
      ))}
    </div>
  );
}

/** One blob: its descriptor, then its content once verified (or why it is not shown). */
function BlobView({ repo, descriptor, role }: { readonly repo: Repo; readonly descriptor: Descriptor; readonly role: string }) {
  const tooLarge = descriptor.size > ARTIFACT_BLOB_DISPLAY_LIMIT;
  const title = descriptor.annotations?.[TITLE_ANNOTATION];
  return (
    <section data-testid="artifact-blob" data-digest={descriptor.digest} data-role={role.split(" ")[0]} className="min-w-0 overflow-hidden rounded-md border border-slate-200">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-100 bg-slate-50/60 px-3 py-1.5 text-xs">
        <span className="font-medium text-slate-800">{role}</span>
        {title !== undefined && (
          <span className="font-mono text-slate-700">
            <SafeText text={title} />
          </span>
        )}
        <ArtifactType type={descriptor.mediaType} />
        <span className="text-slate-600" title={formatExactBytes(descriptor.size)}>
          {formatBytes(descriptor.size)}
        </span>
        <code className="font-mono text-slate-500" title={descriptor.digest}>
          {shortDigest(descriptor.digest)}
        </code>
        <CopyButton text={descriptor.digest} />
      </header>
      {tooLarge ? <TooLarge repo={repo} descriptor={descriptor} /> : <VerifiedBlob repo={repo} descriptor={descriptor} filename={title} />}
    </section>
  );
}

function TooLarge({ repo, descriptor }: { readonly repo: Repo; readonly descriptor: Descriptor }) {
  const href = blobUrl(registryClientFor(repo.registry), repo.registry, repo.repository, descriptor.digest);
  return (
    <div data-testid="blob-too-large" className="flex flex-wrap items-center gap-3 px-3 py-2 text-xs text-slate-700">
      <span>
        {formatBytes(descriptor.size)} is more than Layerscope shows in the page ({formatBytes(ARTIFACT_BLOB_DISPLAY_LIMIT)}).
      </span>
      <a href={href} download={fileName(descriptor)} className={LINK}>
        Download
      </a>
      <span className="text-slate-500">streamed by the browser, not verified here: check it with sha256sum against {shortDigest(descriptor.digest)}</span>
    </div>
  );
}

function VerifiedBlob({ repo, descriptor, filename }: { readonly repo: Repo; readonly descriptor: Descriptor; readonly filename?: string }) {
  const query = useQuery(artifactBlobQuery(repo.registry, repo.repository, descriptor));
  if (query.isError) {
    const error = asShownError(query.error);
    return (
      <div data-testid="blob-state" data-state="error" data-kind={error.kind} className="p-2">
        <ErrorPanel compact error={error} onRetry={() => void query.refetch()} />
      </div>
    );
  }
  if (query.data === undefined) return <Loading label="Fetching and verifying the blob…" />;
  const { bytes, verification } = query.data;
  return (
    <div data-testid="blob-state" data-state={verification.status}>
      <div className="flex flex-wrap items-center gap-2 px-3 pt-2 text-xs">
        <span data-testid="blob-verification">
          <DigestVerification v={verification} what="its descriptor (size too)" />
        </span>
        <button type="button" onClick={() => download(bytes, filename ?? fileName(descriptor))} className={`ml-auto text-xs ${LINK}`}>
          Download
        </button>
      </div>
      <BlobContentView mediaType={descriptor.mediaType} bytes={bytes} />
    </div>
  );
}

/** "sha256-<hex>.bin": a name that cannot be a path or reach another directory. */
function fileName(d: Descriptor): string {
  return `${d.digest.replace(":", "-")}.bin`;
}

/** Saves verified bytes as a file (octet-stream, so the browser never renders them on our origin, U4). */
function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name.replace(/[/\\]/g, "_");
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
