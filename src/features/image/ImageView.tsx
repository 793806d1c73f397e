import { useEffect, useMemo, useSyncExternalStore } from "react";
import { useQuery } from "@tanstack/react-query";
import { familiarReference, formatReference, parseReference, type Reference } from "../../core/reference";
import { Card, Field, Fields } from "../../components/Card";
import { CopyableMono } from "../../components/Mono";
import { SafeText } from "../../components/SafeText";
import { credentialsStore } from "../../lib/credentials";
import { isArchiveRegistry } from "../../lib/archive";
import { isSampleRegistry } from "../../lib/sample";
import { ArchiveImageView } from "../archive/ArchiveView";
import { DocumentView } from "./DocumentView";
import { ErrorPanel } from "./ErrorPanel";
import { manifestByReferenceQuery } from "./queries";
import { asShownError, QueryView } from "./QueryView";
import { ArtifactByReference } from "../referrers/ArtifactView";

/** Everything about the image the URL names. `text` is the reference as typed. */
export function ImageView({
  text,
  platform,
  onPickPlatform,
  hideBadReference,
}: {
  readonly text: string;
  readonly platform?: string;
  readonly onPickPlatform: (platform: string) => void;
  /** The reference form is already showing a bad-reference error of its own. */
  readonly hideBadReference?: boolean;
}) {
  const parsed = useMemo(() => parseReference(text), [text]);
  if (!parsed.ok) return hideBadReference ? null : <ErrorPanel compact error={parsed.error} />;
  if (isArchiveRegistry(parsed.value.registry)) {
    return (
      <ArchiveImageView reference={parsed.value}>
        <ParsedImageView reference={parsed.value} platform={platform} onPickPlatform={onPickPlatform} />
      </ArchiveImageView>
    );
  }
  return <ParsedImageView reference={parsed.value} platform={platform} onPickPlatform={onPickPlatform} />;
}

function ParsedImageView({
  reference,
  platform,
  onPickPlatform,
}: {
  readonly reference: Reference;
  readonly platform?: string;
  readonly onPickPlatform: (platform: string) => void;
}) {
  const query = useQuery(manifestByReferenceQuery(reference));
  const familiar = familiarReference(reference);

  useEffect(() => {
    document.title = `${familiar} · Layerscope`;
    return () => {
      document.title = "Layerscope";
    };
  }, [familiar]);

  return (
    <div className="space-y-4">
      {!isArchiveRegistry(reference.registry) && <ReferenceCard reference={reference} />}
      {/* A reference naming an artifact (signature, SBOM…) opens as its manifest and blobs. */}
      {query.isError && asShownError(query.error).kind === "not-an-image" ? (
        <ArtifactByReference repo={{ registry: reference.registry, repository: reference.repository }} reference={reference.digest ?? reference.tag ?? "latest"} />
      ) : (
        <QueryView query={query} loading={`Fetching the manifest for ${familiar}…`}>
          {(fetched) => (
            <DocumentView
              repo={{ registry: reference.registry, repository: reference.repository }}
              fetched={fetched}
              depth={0}
              urlPlatform={platform}
              onPickPlatform={onPickPlatform}
            />
          )}
        </QueryView>
      )}
    </div>
  );
}

function ReferenceCard({ reference }: { readonly reference: Reference }) {
  const canonical = formatReference(reference);
  const familiar = familiarReference(reference);
  useSyncExternalStore(credentialsStore.subscribe, credentialsStore.version);
  const creds = credentialsStore.get(reference.registry);
  return (
    <Card
      title={
        <span className="font-mono text-base font-semibold [overflow-wrap:anywhere]">
          <SafeText text={familiar} />
        </span>
      }
      aside={
        isSampleRegistry(reference.registry) ? (
          <span className="rounded bg-indigo-50 px-1.5 py-0.5 text-indigo-800 ring-1 ring-indigo-200">sample image, served offline</span>
        ) : creds ? (
          <CredentialsBadge registry={reference.registry} username={creds.username} />
        ) : undefined
      }
    >
      <Fields>
        <Field label="Canonical reference">
          <CopyableMono value={canonical} testId="image-ref" />
        </Field>
        <Field label="Registry">
          <code className="font-mono text-[12.5px]">
            <SafeText text={reference.registry} />
          </code>
        </Field>
        <Field label="Repository">
          <code className="font-mono text-[12.5px]">
            <SafeText text={reference.repository} />
          </code>
        </Field>
        {reference.tag !== undefined && (
          <Field label="Tag">
            <code className="font-mono text-[12.5px]">
              <SafeText text={reference.tag} />
            </code>
            {reference.digest && <span className="ml-2 text-xs text-slate-500">(ignored: the digest wins)</span>}
          </Field>
        )}
        {reference.digest !== undefined && (
          <Field label="Digest">
            <code className="font-mono text-[12.5px] [overflow-wrap:anywhere]">
              <SafeText text={reference.digest} />
            </code>
          </Field>
        )}
      </Fields>
    </Card>
  );
}

function CredentialsBadge({ registry, username }: { readonly registry: string; readonly username: string }) {
  return (
    <span className="inline-flex items-center gap-2">
      <span>
        Logged in to {registry} as <strong className="font-medium text-slate-800">{username}</strong> (this tab only)
      </span>
      <button
        type="button"
        onClick={() => credentialsStore.forget(registry)}
        className="rounded border border-slate-300 px-1.5 py-px text-[11px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        Forget
      </button>
    </span>
  );
}
