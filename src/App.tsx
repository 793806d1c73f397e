import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { LayerscopeError } from "./core/errors";
import { ArchiveDropCard, ArchiveDropOverlay, ArchiveStatus } from "./features/archive/ArchiveOpen";
import { CacheControl } from "./features/cache/CacheControl";
import { CompareView } from "./features/compare/CompareView";
import { ImageView } from "./features/image/ImageView";
import { ReferenceForm } from "./features/image/ReferenceForm";
import { isTagLookup } from "./features/image/queries";
import { prewarmLayerWorkers } from "./lib/layers/jobs";
import { useUrlState } from "./lib/urlState";

/**
 * The one page: a reference box, and the image the URL names (?image=…&platform=…), or the
 * comparison of two (?image=A&compare=B, issue 4).
 */
export function App() {
  const [url, navigate] = useUrlState();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<LayerscopeError | undefined>(undefined);
  // A new URL (submit, example, back/forward) clears the error of a previous bad submit.
  const [errorFor, setErrorFor] = useState(url.image);

  // Opening what is already open is a reload: ask again for the tag and for anything that
  // failed; content named by a digest cannot have changed.
  const open = (image: string): void => {
    prewarmLayerWorkers(); // its layers' workers load while the manifest and config are fetched
    if (image === url.image) {
      void queryClient.refetchQueries({ type: "active", predicate: (q) => q.state.status === "error" || isTagLookup(q.queryKey) });
    }
    navigate({ image, platform: image === url.image ? url.platform : undefined });
  };
  const openCompare = (image: string, compare: string): void => {
    prewarmLayerWorkers();
    if (image === url.image && compare === url.compare) {
      void queryClient.refetchQueries({ type: "active", predicate: (q) => q.state.status === "error" || isTagLookup(q.queryKey) });
    }
    navigate({
      image,
      platform: image === url.image ? url.platform : undefined,
      compare,
      comparePlatform: compare === url.compare ? url.comparePlatform : undefined,
    });
  };
  if (errorFor !== url.image) {
    setErrorFor(url.image);
    setFormError(undefined);
  }

  return (
    <div className="min-h-screen bg-slate-100/70 text-slate-900">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 pb-4 pt-3 sm:px-6">
          <div className="mb-3 flex flex-wrap items-baseline gap-x-3 gap-y-0.5">
            <a href={window.location.pathname} className="flex items-center gap-2 rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
              <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={22} height={22} className="self-center" />
              <span className="text-lg font-bold tracking-tight text-slate-900">Layerscope</span>
            </a>
            <p className="min-w-[16rem] flex-1 text-sm text-slate-600">
              Inspect a container image straight from its registry: manifest, config and history, verified in your browser.
            </p>
            <CacheControl />
          </div>
          <ReferenceForm urlImage={url.image} urlCompare={url.compare} onOpen={open} onCompare={openCompare} error={formError} onError={setFormError} />
          <ArchiveStatus />
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-5 sm:px-6">
        {url.image && url.compare ? (
          <CompareView
            key={`${url.image}\n${url.compare}`}
            a={url.image}
            b={url.compare}
            platformA={url.platform}
            platformB={url.comparePlatform}
            onPickPlatform={(side, platform) =>
              navigate(side === "a" ? { ...url, platform } : { ...url, comparePlatform: platform })
            }
          />
        ) : url.image ? (
          <ImageView
            key={url.image}
            text={url.image}
            platform={url.platform}
            onPickPlatform={(platform) => navigate({ image: url.image, platform })}
            hideBadReference={formError !== undefined}
          />
        ) : (
          <StartPage />
        )}
      </main>
      <ArchiveDropOverlay />
    </div>
  );
}

function StartPage() {
  return (
    <div className="space-y-3">
      <ArchiveDropCard />
      <StartTips />
    </div>
  );
}

function StartTips() {
  return (
    <div className="grid gap-3 text-sm text-slate-700 sm:grid-cols-3">
      <Tip title="Any registry">
        Docker Hub, GHCR, GCR, Quay, ECR Public or your own: paste a reference the way you would give it to <code className="font-mono">docker pull</code>.
      </Tip>
      <Tip title="Verified here">
        Manifests fetched by digest and every config are hashed in this browser tab with WebCrypto, and checked against the digest that names them.
      </Tip>
      <Tip title="Private images">
        When a registry asks for credentials you can enter them; they stay in this tab's memory and go only to that registry, through the Layerscope proxy.
      </Tip>
    </div>
  );
}

function Tip({ title, children }: { readonly title: string; readonly children: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="mb-1 text-sm font-semibold text-slate-900">{title}</h2>
      <p>{children}</p>
    </div>
  );
}
