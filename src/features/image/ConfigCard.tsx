import { useState, type ReactNode } from "react";
import type { ImageConfig, Platform } from "../../core/oci";
import { formatPlatform } from "../../core/oci";
import type { FetchedConfig } from "../../core/registry";
import { Badge, Card, Field, Fields, Missing } from "../../components/Card";
import { CopyableMono } from "../../components/Mono";
import { RawJson } from "../../components/RawJson";
import { SafeText } from "../../components/SafeText";
import { formatRelative } from "../../lib/format";
import { httpUrl } from "./history";
import { DigestVerification } from "./Verification";

/** The image config: its digest is the image ID; then the runtime defaults, as docker inspect shows them. */
export function ConfigCard({ fetched, expectedPlatform }: { readonly fetched: FetchedConfig; readonly expectedPlatform?: Platform }) {
  const c = fetched.config;
  const cc = c.config;
  const platform = formatPlatform({ os: c.os, architecture: c.architecture, variant: c.variant });
  const expected = expectedPlatform ? formatPlatform(expectedPlatform) : undefined;
  return (
    <Card anchor="config" title="Config" aside={<span className="font-mono">{platform}</span>}>
      <Fields>
        <Field label="Image ID">
          <CopyableMono value={fetched.digest} testId="image-id" />
          <p className="mt-0.5 text-xs text-slate-600">The image ID is the digest of the config (this document), so it names exactly these settings and layers.</p>
        </Field>
        <Field label="Verification">
          <div data-testid="config-verification">
            <DigestVerification v={fetched.verification} what="the image ID" />
          </div>
        </Field>
        <Field label="OS / architecture">
          <span data-testid="config-os-arch" className="font-mono">
            <SafeText text={platform} />
          </span>
          {c["os.version"] && (
            <span className="ml-2 text-xs text-slate-600">
              os.version <SafeText text={c["os.version"]} />
            </span>
          )}
          {expected !== undefined && expected !== platform && !platformsAgree(expectedPlatform, c) && (
            <span className="ml-2">
              <Badge tone="warn">⚠ the index lists this image as {expected}</Badge>
            </span>
          )}
        </Field>
        <Field label="Created">
          <Created iso={c.created} />
        </Field>
        <Field label="Author">{c.author ? <SafeText text={c.author} /> : <Missing />}</Field>
        <Field label="User">{cc?.User ? <Mono text={cc.User} /> : <Missing />}</Field>
        <Field label="Env">
          {cc?.Env && cc.Env.length > 0 ? (
            <div data-testid="config-env" className="space-y-0.5 font-mono text-[12.5px]">
              {cc.Env.map((e, i) => (
                <div key={i} className="max-h-40 overflow-auto [overflow-wrap:anywhere]">
                  <SafeText text={e} />
                </div>
              ))}
            </div>
          ) : (
            <span data-testid="config-env">
              <Missing />
            </span>
          )}
        </Field>
        <Field label="Entrypoint" testId="config-entrypoint">
          <JsonArray value={cc?.Entrypoint} />
        </Field>
        <Field label="Cmd" testId="config-cmd">
          <JsonArray value={cc?.Cmd} />
        </Field>
        <Field label="Working dir">{cc?.WorkingDir ? <Mono text={cc.WorkingDir} /> : <Missing />}</Field>
        <Field label="Exposed ports">
          <Keys record={cc?.ExposedPorts} />
        </Field>
        <Field label="Volumes">
          <Keys record={cc?.Volumes} />
        </Field>
        <Field label="Labels">
          <Labels labels={cc?.Labels ?? undefined} />
        </Field>
        <Field label="Stop signal">{cc?.StopSignal ? <Mono text={cc.StopSignal} /> : <Missing />}</Field>
      </Fields>
      <RawJson bytes={fetched.bytes} label="Raw config JSON" />
    </Card>
  );
}

// An index may say "linux/arm64" where the config says variant "v8"; that is the same platform.
function platformsAgree(p: Platform | undefined, c: ImageConfig): boolean {
  if (!p) return true;
  if (p.os !== c.os || p.architecture !== c.architecture) return false;
  const norm = (v?: string) => (p.architecture === "arm64" && (v === undefined || v === "v8") ? "v8" : v);
  return norm(p.variant) === norm(c.variant);
}

function Mono({ text }: { readonly text: string }) {
  return (
    <code className="font-mono text-[12.5px]">
      <SafeText text={text} />
    </code>
  );
}

function Created({ iso }: { readonly iso?: string }): ReactNode {
  const [now] = useState(() => Date.now());
  if (!iso) return <Missing />;
  const relative = formatRelative(iso, now);
  return (
    <span>
      <code className="font-mono text-[12.5px]">
        <SafeText text={iso} />
      </code>
      {relative && <span className="ml-2 text-xs text-slate-600">({relative})</span>}
    </span>
  );
}

/** Entrypoint and Cmd as JSON arrays, the way `docker inspect` prints them. */
function JsonArray({ value }: { readonly value?: readonly string[] | null }) {
  if (value === undefined || value === null) return <Missing />;
  return <Mono text={JSON.stringify(value)} />;
}

function Keys({ record }: { readonly record?: Readonly<Record<string, unknown>> }) {
  const keys = record ? Object.keys(record) : [];
  if (keys.length === 0) return <Missing />;
  return (
    <div className="flex flex-wrap gap-1.5">
      {keys.map((k) => (
        <code key={k} className="rounded bg-slate-100 px-1.5 py-px font-mono text-[12px] text-slate-800">
          <SafeText text={k} />
        </code>
      ))}
    </div>
  );
}

/** Labels: key → value; only values that are http(s) URLs become links (SECURITY U1). */
function Labels({ labels }: { readonly labels?: Readonly<Record<string, string>> }) {
  const entries = labels ? Object.entries(labels) : [];
  if (entries.length === 0)
    return (
      <span data-testid="labels">
        <Missing />
      </span>
    );
  return (
    <table data-testid="labels" className="w-full table-fixed text-[12.5px]">
      <tbody>
        {entries.map(([k, v]) => {
          const url = typeof v === "string" ? httpUrl(v) : undefined;
          return (
            <tr key={k} className="align-top">
              <th scope="row" className="w-2/5 py-0.5 pr-3 text-left font-mono font-normal text-slate-600">
                <div className="max-h-40 overflow-auto [overflow-wrap:anywhere]">
                  <SafeText text={k} />
                </div>
              </th>
              <td className="py-0.5 font-mono">
                <div className="max-h-40 overflow-auto [overflow-wrap:anywhere]">
                {url ? (
                  <a
                    href={url.href}
                    rel="noopener noreferrer nofollow"
                    target="_blank"
                    className="text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700"
                  >
                    <SafeText text={v} />
                  </a>
                ) : (
                  <SafeText text={String(v)} />
                )}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
