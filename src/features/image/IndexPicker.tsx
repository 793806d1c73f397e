import { useId, type ReactNode } from "react";
import { useQueries } from "@tanstack/react-query";
import type { Descriptor, ImageIndex } from "../../core/oci";
import { DEFAULT_PLATFORM, DOCKER_REFERENCE_TYPE_ANNOTATION, choosePlatform, formatPlatform, parsePlatform, partitionIndex } from "../../core/oci";
import { formatReference } from "../../core/reference";
import type { FetchedManifest } from "../../core/registry";
import { Badge, Card } from "../../components/Card";
import { CopyButton } from "../../components/CopyButton";
import { SafeText } from "../../components/SafeText";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import type { Repo } from "./DocumentView";
import { ErrorPanel } from "./ErrorPanel";
import { InternalLink } from "./InternalLink";
import { childManifestQuery } from "./queries";

/**
 * Docker Hub counts every manifest GET as a pull, so there we fetch only the chosen child;
 * elsewhere the picker fetches every platform's manifest (digest-keyed, cached for good) to show
 * each image's size.
 */
const PREFETCH_LIMIT = 16;
const prefetchChildren = (registry: string, n: number) => registry !== "docker.io" && n <= PREFETCH_LIMIT;

/** Compressed size of an image: its layers plus its config, from its manifest. */
function imageSize(f: FetchedManifest | undefined): number | undefined {
  if (!f || f.document.kind !== "manifest") return undefined;
  return f.document.layers.reduce((s, l) => s + l.size, f.document.config.size);
}

/**
 * The index's platform picker (a labelled <select>), its attestation entries listed apart (R8),
 * and the chosen child rendered by `children`.
 */
export function IndexPicker({
  repo,
  index,
  depth,
  wanted,
  onPick,
  children,
}: {
  readonly repo: Repo;
  readonly index: ImageIndex;
  readonly depth: number;
  /** "os/arch[/variant]" asked for (URL or a previous pick); undefined → linux/amd64, else the first image. */
  readonly wanted?: string;
  readonly onPick: (platform: string) => void;
  readonly children: (chosen: Descriptor) => ReactNode;
}) {
  const id = useId();
  const { images, attestations } = partitionIndex(index);
  const sizes = useQueries({
    queries: images.map((d) => ({
      ...childManifestQuery(repo.registry, repo.repository, d.digest),
      enabled: prefetchChildren(repo.registry, images.length),
    })),
  });

  let chosen: Descriptor | undefined;
  if (wanted !== undefined) {
    const p = parsePlatform(wanted);
    chosen = p ? choosePlatform(index, p) : undefined;
  } else {
    chosen = choosePlatform(index, DEFAULT_PLATFORM) ?? images[0];
  }
  const chosenValue = chosen ? formatPlatform(chosen.platform) : "";
  const top = depth === 0;

  // Options are keyed by formatPlatform; a second image with the same os/arch/variant (Windows
  // os.version builds) is listed but the first one wins when picked by value.
  const seen = new Set<string>();

  return (
    <>
      <Card
        title={top ? "Platform" : "Platform (nested index)"}
        aside={
          <span>
            {images.length} {images.length === 1 ? "image" : "images"}
            {attestations.length > 0 && ` · ${attestations.length} attestation${attestations.length === 1 ? "" : "s"}`}
          </span>
        }
      >
        <div className="space-y-3 px-4 py-3">
          {images.length > 0 && (
            <div className="flex flex-wrap items-center gap-3">
              <label htmlFor={id} className="text-sm font-medium text-slate-800">
                Platform
              </label>
              <select
                id={id}
                data-testid={top ? "platform-picker" : "child-platform-picker"}
                value={chosenValue}
                onChange={(e) => e.target.value && onPick(e.target.value)}
                className="min-w-72 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-[13px] text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/40"
              >
                {chosen === undefined && <option value="">— choose a platform —</option>}
                {images.map((d, i) => {
                  const value = formatPlatform(d.platform);
                  const dup = seen.has(value);
                  seen.add(value);
                  const size = imageSize(sizes[i]?.data);
                  const osVersion = d.platform?.["os.version"];
                  const child = sizes[i];
                  const label = `${value}${osVersion ? ` (${osVersion})` : ""} · ${
                    size !== undefined
                      ? formatBytes(size)
                      : child?.data?.document.kind === "index"
                        ? "nested index"
                        : child?.isError
                          ? "unavailable"
                          : `manifest ${formatBytes(d.size)}`
                  }`;
                  return (
                    <option key={`${d.digest}-${i}`} value={dup ? `${value}#${i}` : value} disabled={dup}>
                      {label}
                    </option>
                  );
                })}
              </select>
              {chosen && (
                <span className="inline-flex items-center gap-1.5 font-mono text-xs text-slate-600">
                  {shortDigest(chosen.digest)} <CopyButton text={chosen.digest} />
                </span>
              )}
            </div>
          )}
          {images.length > 0 && !prefetchChildren(repo.registry, images.length) && (
            <p className="text-xs text-slate-500">
              Sizes shown for platforms already opened; the rest show their manifest's size
              {repo.registry === "docker.io" ? " (Docker Hub counts each manifest fetch against the pull limit)" : ""}.
            </p>
          )}
          {attestations.length > 0 && <Attestations repo={repo} images={images} attestations={attestations} top={top} />}
        </div>
      </Card>
      {images.length === 0 ? (
        <ErrorPanel compact error={{ kind: "platform-not-found", wanted: wanted ?? formatPlatform(DEFAULT_PLATFORM), available: [] }} />
      ) : chosen === undefined ? (
        <ErrorPanel
          compact
          error={{ kind: "platform-not-found", wanted: wanted ?? formatPlatform(DEFAULT_PLATFORM), available: [...new Set(images.map((d) => formatPlatform(d.platform)))] }}
        />
      ) : (
        children(chosen)
      )}
    </>
  );
}

const REFERENCE_TYPE = DOCKER_REFERENCE_TYPE_ANNOTATION;
const REFERENCE_DIGEST = "vnd.docker.reference.digest";

/** Attestation manifests (BuildKit provenance/SBOM), each naming the image it attests. */
function Attestations({
  repo,
  images,
  attestations,
  top,
}: {
  readonly repo: Repo;
  readonly images: readonly Descriptor[];
  readonly attestations: readonly Descriptor[];
  readonly top: boolean;
}) {
  return (
    <div>
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Attestations (not runnable images)</h3>
      <ul data-testid={top ? "attestations" : "child-attestations"} className="mt-1 divide-y divide-slate-100 rounded-md border border-slate-200">
        {attestations.map((a, i) => {
          const type = a.annotations?.[REFERENCE_TYPE];
          const subject = a.annotations?.[REFERENCE_DIGEST];
          const attested = subject ? images.find((d) => d.digest === subject) : undefined;
          return (
            <li key={`${a.digest}-${i}`} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-1.5 text-xs">
              <Badge tone="neutral">{type ? <SafeText text={type} /> : formatPlatform(a.platform)}</Badge>
              <span className="text-slate-700">
                {subject ? (
                  <>
                    for{" "}
                    {attested ? (
                      <strong className="font-mono font-medium">{formatPlatform(attested.platform)}</strong>
                    ) : (
                      <span className="text-amber-800">an image not in this index</span>
                    )}{" "}
                    <code className="font-mono text-slate-500" title={subject}>
                      (<SafeText text={shortDigest(subject)} />)
                    </code>
                  </>
                ) : (
                  <span className="text-slate-500">names no image it attests</span>
                )}
              </span>
              <code className="font-mono text-slate-600" title={a.digest}>
                {shortDigest(a.digest)}
              </code>
              <span className="text-slate-500" title={formatExactBytes(a.size)}>
                {formatBytes(a.size)}
              </span>
              <span className="ml-auto flex items-center gap-2">
                <CopyButton text={a.digest} />
                <InternalLink
                  to={{ image: formatReference({ registry: repo.registry, repository: repo.repository, digest: a.digest }) }}
                  className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700"
                >
                  Open
                </InternalLink>
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
