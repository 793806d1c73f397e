import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { ExportImage, RawPaths } from "../../core/export";
import type { LayerEntry } from "../../core/pipeline/types";
import { safeFileName } from "../../core/export";
import { parseReference } from "../../core/reference";
import { useUrlState } from "../../lib/urlState";

/** The image the sections below describe, for exports: what the JSON says and what files are named after. */
export interface ExportImageInfo extends ExportImage {
  /** Short, human parts of a file name: repository and tag (or a short digest). */
  readonly nameParts: readonly string[];
}

const Context = createContext<ExportImageInfo | undefined>(undefined);

export function ExportImageProvider({ value, children }: { readonly value: ExportImageInfo; readonly children: ReactNode }) {
  return <Context value={value}>{children}</Context>;
}

/** The image of the view, or undefined outside one (exports then name files "layerscope-…"). */
export function useExportImage(): ExportImageInfo | undefined {
  return useContext(Context);
}

/** "e2e_search-v1-merged.json": safe characters only (see safeFileName). */
export function exportFileName(image: ExportImageInfo | undefined, what: readonly string[], ext: string): string {
  return safeFileName([...(image?.nameParts ?? ["layerscope"]), ...what], ext);
}

/**
 * Provides the image of an image view to the exports below it. Files are named after the
 * repository and the tag the address bar names (when it names this repository), else the
 * manifest digest's first 12 hex digits.
 */
export function ExportImageScope({
  registry,
  repository,
  manifestDigest,
  configDigest,
  platform,
  children,
}: {
  readonly registry: string;
  readonly repository: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly platform?: string;
  readonly children: ReactNode;
}) {
  const [url] = useUrlState();
  const value = useMemo((): ExportImageInfo => {
    const parsed = url.image !== undefined ? parseReference(url.image) : undefined;
    const tag = parsed?.ok === true && parsed.value.repository === repository ? parsed.value.tag : undefined;
    const short = manifestDigest.replace(/^[a-z0-9]+:/, "").slice(0, 12);
    return {
      reference: `${registry}/${repository}@${manifestDigest}`,
      manifestDigest,
      configDigest,
      ...(platform !== undefined ? { platform } : {}),
      nameParts: [repository, tag ?? short],
    };
  }, [url.image, registry, repository, manifestDigest, configDigest, platform]);
  return <ExportImageProvider value={value}>{children}</ExportImageProvider>;
}

/** Raw bytes of the paths that are not valid UTF-8 in these layers (few or none), so exports escape them from the bytes. */
export function rawPathsOf(layers: readonly (readonly LayerEntry[])[]): RawPaths {
  const raw = new Map<string, Uint8Array>();
  for (const entries of layers) for (const e of entries) if (e.flags?.includes("invalid-utf8") === true) raw.set(e.path, e.rawPath);
  return raw;
}
