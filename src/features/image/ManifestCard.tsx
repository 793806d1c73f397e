import type { FetchedManifest } from "../../core/registry";
import { Badge, Card, Field, Fields } from "../../components/Card";
import { CopyableMono } from "../../components/Mono";
import { RawJson } from "../../components/RawJson";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes } from "../../lib/format";
import { documentTypeName } from "./mediaTypeNames";
import { ManifestVerification } from "./Verification";

/**
 * Test ids for the document the user asked for; nested documents (an index's children) get the
 * same ids prefixed "child-", so each id names one element on the page.
 */
export const testIds = (top: boolean) => (name: string) => (top ? name : `child-${name}`);

/** A manifest or index as fetched: media type, digest, how it was verified, and its raw JSON. */
export function ManifestCard({ fetched, title, top }: { readonly fetched: FetchedManifest; readonly title: string; readonly top: boolean }) {
  const doc = fetched.document;
  const tid = testIds(top);
  const friendly = documentTypeName(doc.mediaType);
  return (
    <Card
      title={title}
      aside={
        doc.kind === "index" ? (
          <span>
            {doc.manifests.length} {doc.manifests.length === 1 ? "entry" : "entries"}
          </span>
        ) : (
          <span title={formatExactBytes(doc.layers.reduce((s, l) => s + l.size, 0))}>
            {doc.layers.length} {doc.layers.length === 1 ? "layer" : "layers"} · {formatBytes(doc.layers.reduce((s, l) => s + l.size, 0) + doc.config.size)}{" "}
            compressed
          </span>
        )
      }
    >
      <Fields>
        <Field label="Media type">
          <span className="flex flex-wrap items-center gap-2">
            <code data-testid={tid("media-type")} className="font-mono text-[12.5px] [overflow-wrap:anywhere]">
              <SafeText text={doc.mediaType} />
            </code>
            {friendly && <Badge tone="info">{friendly}</Badge>}
          </span>
        </Field>
        <Field label="Digest">
          <CopyableMono value={fetched.digest} testId={tid("manifest-digest")} />
        </Field>
        <Field label="Verification">
          <ManifestVerification fetched={fetched} testId={tid("manifest-verification")} />
        </Field>
        <Field label="Size">
          <span title={formatExactBytes(fetched.bytes.byteLength)}>{formatBytes(fetched.bytes.byteLength)}</span>
          <span className="ml-2 text-xs text-slate-500">(this document)</span>
        </Field>
        {doc.artifactType && (
          <Field label="Artifact type">
            <code className="font-mono text-[12.5px]">
              <SafeText text={doc.artifactType} />
            </code>
          </Field>
        )}
        {doc.subject && (
          <Field label="Subject">
            <code className="font-mono text-[12.5px]">
              <SafeText text={doc.subject.digest} />
            </code>
          </Field>
        )}
        {doc.annotations && Object.keys(doc.annotations).length > 0 && (
          <Field label="Annotations">
            <Annotations annotations={doc.annotations} />
          </Field>
        )}
      </Fields>
      <RawJson bytes={fetched.bytes} />
    </Card>
  );
}

export function Annotations({ annotations }: { readonly annotations: Readonly<Record<string, string>> }) {
  return (
    <div className="space-y-0.5 font-mono text-[12px]">
      {Object.entries(annotations).map(([k, v]) => (
        <div key={k} className="[overflow-wrap:anywhere]">
          <span className="text-slate-600">
            <SafeText text={k} />
          </span>
          {" = "}
          <SafeText text={String(v)} />
        </div>
      ))}
    </div>
  );
}
