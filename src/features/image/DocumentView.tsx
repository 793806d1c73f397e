import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { Descriptor, ImageIndex, ImageManifest, Platform } from "../../core/oci";
import { formatPlatform, isLayerMediaType, partitionIndex } from "../../core/oci";
import type { FetchedManifest } from "../../core/registry";
import { ConfigCard } from "./ConfigCard";
import { ErrorPanel } from "./ErrorPanel";
import { HistoryCard } from "./HistoryCard";
import { LayerJobsProvider } from "../layers/LayerJobsContext";
import { LayersSection } from "../layers/LayersSection";
import { LearnSection } from "../learn/LearnSection";
import { PicturesSection } from "../pictures/PicturesSection";
import { ArtifactDocument } from "../referrers/ArtifactView";
import { ReferrersCard } from "../referrers/ReferrersCard";
import { ExportImageScope } from "../export/ExportImage";
import { SearchSection } from "../search/SearchSection";
import { IndexPicker } from "./IndexPicker";
import { ManifestCard } from "./ManifestCard";
import { childManifestQuery, configQuery } from "./queries";
import { QueryView } from "./QueryView";

/** How many indexes deep we follow an index's children before refusing (an index naming indexes…). */
export const MAX_INDEX_DEPTH = 4;

export interface Repo {
  readonly registry: string;
  readonly repository: string;
}

/**
 * One fetched document and everything below it: an index shows its platform picker and the
 * chosen child (recursively, bounded); an image manifest shows its config, history and layers.
 */
export function DocumentView({
  repo,
  fetched,
  depth,
  urlPlatform,
  onPickPlatform,
  viaPlatform,
  ancestors = [],
}: {
  readonly repo: Repo;
  readonly fetched: FetchedManifest;
  /** 0 for the document the reference named; +1 per index followed. */
  readonly depth: number;
  readonly urlPlatform?: string;
  readonly onPickPlatform: (platform: string) => void;
  /** The platform the parent index listed this document under. */
  readonly viaPlatform?: Platform;
  /** The indexes followed to reach this document, outermost first (for the teaching view). */
  readonly ancestors?: readonly FetchedManifest[];
}) {
  const doc = fetched.document;
  const top = depth === 0;
  const title =
    doc.kind === "index"
      ? top
        ? "Index"
        : `Nested index for ${formatPlatform(viaPlatform)}`
      : top
        ? "Manifest"
        : `Manifest for ${formatPlatform(viaPlatform)}`;
  // A manifest with an image config but no filesystem layer at all (BuildKit's attestation
  // manifests: in-toto layers) has nothing to unpack: it is shown as an artifact.
  if (doc.kind === "manifest" && doc.layers.length > 0 && !doc.layers.some((l) => isLayerMediaType(l.mediaType))) {
    return <ArtifactDocument repo={repo} fetched={fetched} />;
  }
  return (
    <div className="space-y-4">
      <ManifestCard fetched={fetched} title={title} top={top} />
      {doc.kind === "index" ? (
        depth >= MAX_INDEX_DEPTH ? (
          <ErrorPanel
            compact
            error={{ kind: "bad-manifest", what: "index", reason: `indexes nest more than ${MAX_INDEX_DEPTH} levels deep; Layerscope stops following them here` }}
          />
        ) : (
          <IndexChildren
            repo={repo}
            index={doc}
            depth={depth}
            urlPlatform={urlPlatform}
            onPickPlatform={onPickPlatform}
            ancestors={[...ancestors, fetched]}
          />
        )
      ) : (
        <ImageDetails repo={repo} fetched={fetched} manifest={doc} viaPlatform={viaPlatform} ancestors={ancestors} />
      )}
    </div>
  );
}

function IndexChildren({
  repo,
  index,
  depth,
  urlPlatform,
  onPickPlatform,
  ancestors,
}: {
  readonly repo: Repo;
  readonly index: ImageIndex;
  readonly depth: number;
  readonly urlPlatform?: string;
  readonly onPickPlatform: (platform: string) => void;
  readonly ancestors: readonly FetchedManifest[];
}) {
  // The top index's choice lives in the URL (?platform=); a nested index keeps its own choice
  // as view state, starting from the URL's.
  const [nestedPick, setNestedPick] = useState<string | undefined>(undefined);
  const wanted = depth === 0 ? urlPlatform : (nestedPick ?? urlPlatform);
  const pick = depth === 0 ? onPickPlatform : setNestedPick;
  return (
    <IndexPicker repo={repo} index={index} depth={depth} wanted={wanted} onPick={pick}>
      {(chosen) => (
        <div className={depth === 0 ? "" : "border-l-2 border-indigo-200 pl-3"}>
          <ChildDocument
            key={chosen.digest}
            repo={repo}
            descriptor={chosen}
            depth={depth + 1}
            urlPlatform={urlPlatform}
            onPickPlatform={onPickPlatform}
            ancestors={ancestors}
          />
        </div>
      )}
    </IndexPicker>
  );
}

function ChildDocument({
  repo,
  descriptor,
  depth,
  urlPlatform,
  onPickPlatform,
  ancestors,
}: {
  readonly repo: Repo;
  readonly descriptor: Descriptor;
  readonly depth: number;
  readonly urlPlatform?: string;
  readonly onPickPlatform: (platform: string) => void;
  readonly ancestors: readonly FetchedManifest[];
}) {
  const query = useQuery(childManifestQuery(repo.registry, repo.repository, descriptor.digest));
  return (
    <QueryView query={query} loading={`Loading the ${formatPlatform(descriptor.platform)} manifest…`}>
      {(fetched) => (
        <DocumentView
          repo={repo}
          fetched={fetched}
          depth={depth}
          urlPlatform={urlPlatform}
          onPickPlatform={onPickPlatform}
          viaPlatform={descriptor.platform}
          ancestors={ancestors}
        />
      )}
    </QueryView>
  );
}

function ImageDetails({
  repo,
  fetched,
  manifest,
  viaPlatform,
  ancestors,
}: {
  readonly repo: Repo;
  readonly fetched: FetchedManifest;
  readonly manifest: ImageManifest;
  readonly viaPlatform?: Platform;
  readonly ancestors: readonly FetchedManifest[];
}) {
  const query = useQuery(configQuery(repo.registry, repo.repository, manifest.config));
  return (
    <QueryView query={query} loading="Loading the image config…">
      {(config) => (
        <>
          <SectionNav />
          <ConfigCard fetched={config} expectedPlatform={viaPlatform} />
          <HistoryCard manifest={manifest} config={config.config} />
          {/* One layer-jobs store per image, shared by the layers view and the teaching view. */}
          <LayerJobsProvider
            key={manifest.config.digest}
            registry={repo.registry}
            repository={repo.repository}
            layers={manifest.layers}
            diffIds={config.config.rootfs.diff_ids}
          >
            <ExportImageScope registry={repo.registry} repository={repo.repository} manifestDigest={fetched.digest} configDigest={manifest.config.digest} {...(viaPlatform ? { platform: formatPlatform(viaPlatform) } : {})}>
              <SearchSection />
              <LayersSection registry={repo.registry} repository={repo.repository} manifest={manifest} config={config.config} />
              <PicturesSection manifest={manifest} config={config.config} />
            </ExportImageScope>
            <LearnSection
              registry={repo.registry}
              repository={repo.repository}
              fetched={{ ...fetched, document: manifest }}
              ancestors={ancestors}
              viaPlatform={viaPlatform}
              config={config}
            />
          </LayerJobsProvider>
          <ReferrersCard repo={repo} subject={fetched.digest} index={indexContext(ancestors)} />
        </>
      )}
    </QueryView>
  );
}

/** The image view's sections, in page order: a sticky row of in-page links (plain anchors, so no state). */
const SECTIONS: readonly (readonly [anchor: string, label: string])[] = [
  ["config", "Config"],
  ["history", "History"],
  ["search", "Search"],
  ["layers", "Layers"],
  ["merged", "Merged filesystem"],
  ["efficiency", "Efficiency"],
  ["pictures", "Pictures"],
  ["learn", "How this image is built"],
  ["referrers", "Referrers"],
];

/** The index this image was reached through (the nearest), for its referrers and BuildKit attestations. */
function indexContext(ancestors: readonly FetchedManifest[]) {
  const parent = ancestors.at(-1);
  if (parent === undefined || parent.document.kind !== "index") return undefined;
  return { digest: parent.digest, attestations: partitionIndex(parent.document).attestations };
}

function SectionNav() {
  return (
    <nav aria-label="Sections" data-testid="section-nav" className="sticky top-0 z-10 -mx-1 overflow-x-auto rounded-md border border-slate-200 bg-white/95 px-2 py-1.5 shadow-sm backdrop-blur">
      <ul className="flex gap-1 text-xs whitespace-nowrap">
        {SECTIONS.map(([anchor, label]) => (
          <li key={anchor}>
            <a href={`#${anchor}`} className="rounded px-2 py-1 text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
