import type { Verification } from "../../core/digest";
import type { FetchedDocument } from "../../core/registry";
import { Badge } from "../../components/Card";
import { SafeText } from "../../components/SafeText";

/**
 * How far to trust a manifest's digest. By digest: the bytes hash to the digest asked for (a
 * mismatch never gets here: it is an error). By tag: the digest was computed from the bytes;
 * Docker-Content-Digest is only the registry's claim, shown beside it (R6).
 */
export function ManifestVerification({ fetched, testId }: { readonly fetched: FetchedDocument<unknown>; readonly testId: string }) {
  if (fetched.byDigest) {
    return (
      <div data-testid={testId} className="flex flex-wrap items-center gap-2">
        <DigestVerification v={fetched.verification} what="the requested digest" />
      </div>
    );
  }
  return (
    <div data-testid={testId} className="flex flex-wrap items-center gap-x-2 gap-y-1">
      <Badge tone="info" title="Fetched by tag: the digest shown is the sha256 of the bytes received">
        computed from the bytes
      </Badge>
      <HeaderDigest fetched={fetched} />
    </div>
  );
}

/** By tag, Docker-Content-Digest is the registry's claim about the bytes; say how it compares. */
function HeaderDigest({ fetched }: { readonly fetched: FetchedDocument<unknown> }) {
  const header = fetched.headerDigest;
  if (header === undefined) {
    return <span className="text-xs text-slate-600">registry sent no Docker-Content-Digest</span>;
  }
  const v = fetched.verification;
  if (v.status === "verified") {
    return <Badge tone="good">✓ matches Docker-Content-Digest</Badge>;
  }
  if (v.status === "unverifiable") {
    return (
      <span className="inline-flex flex-wrap items-center gap-1 text-xs text-amber-900">
        <Badge tone="warn">cannot verify</Badge>
        Docker-Content-Digest{" "}
        <code className="font-mono [overflow-wrap:anywhere]">
          <SafeText text={header} />
        </code>
        : <SafeText text={v.reason} />
      </span>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-1 text-xs text-amber-900">
      <Badge tone="warn">⚠ mismatch</Badge>
      differs from Docker-Content-Digest{" "}
      <code className="font-mono [overflow-wrap:anywhere]">
        <SafeText text={header} />
      </code>
    </span>
  );
}

/** Verification of bytes against the digest that names them. */
export function DigestVerification({ v, what }: { readonly v: Verification; readonly what: string }) {
  switch (v.status) {
    case "verified":
      return (
        <Badge tone="good" title={v.digest}>
          verified ✓ {v.digest.split(":")[0]} matches {what}
        </Badge>
      );
    case "unverifiable":
      return (
        <Badge tone="warn" title={v.digest}>
          cannot verify: <SafeText text={v.reason} />
        </Badge>
      );
    case "mismatch":
      return (
        <Badge tone="bad">
          digest mismatch: expected {v.expected}, got {v.actual}
        </Badge>
      );
  }
}
