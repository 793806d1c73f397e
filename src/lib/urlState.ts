import { useSyncExternalStore } from "react";

/**
 * What the address bar says: `?image=REF&platform=os/arch[/variant]`, and for a comparison
 * `&compare=REF2&comparePlatform=os/arch[/variant]` (image B; its platform defaults to A's).
 */
export interface UrlState {
  readonly image?: string;
  readonly platform?: string;
  /** The reference compared with `image` (issue 4, "Compare two references"). */
  readonly compare?: string;
  readonly comparePlatform?: string;
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

const getSnapshot = (): string => window.location.search;

export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const image = params.get("image")?.trim() || undefined;
  const platform = params.get("platform")?.trim() || undefined;
  const compare = params.get("compare")?.trim() || undefined;
  const comparePlatform = params.get("comparePlatform")?.trim() || undefined;
  // Only the keys present, so a plain image's state stays { image, platform }.
  return { image, platform, ...(compare ? { compare } : {}), ...(compare && comparePlatform ? { comparePlatform } : {}) };
}

// ':' '/' '@' are legal in a query (RFC 3986 §3.4); keeping them makes shared links readable.
const encodeQueryValue = (v: string): string =>
  encodeURIComponent(v).replace(/%3A/gi, ":").replace(/%2F/gi, "/").replace(/%40/g, "@");

/** "?image=nginx:1.27&platform=linux/arm64[&compare=nginx:1.28]", or "" for the start page. */
export function formatUrlState(state: UrlState): string {
  const parts: string[] = [];
  if (state.image) parts.push(`image=${encodeQueryValue(state.image)}`);
  if (state.image && state.platform) parts.push(`platform=${encodeQueryValue(state.platform)}`);
  if (state.image && state.compare) parts.push(`compare=${encodeQueryValue(state.compare)}`);
  if (state.image && state.compare && state.comparePlatform) parts.push(`comparePlatform=${encodeQueryValue(state.comparePlatform)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** An href for a link that opens `state`, relative to the current page. */
export function hrefFor(state: UrlState): string {
  return `${window.location.pathname}${formatUrlState(state)}`;
}

/**
 * URL state over history.pushState/popstate, with no router: the page has one route.
 * navigate() pushes a history entry (back/forward restore it) unless it would not change the URL.
 */
export function useUrlState(): [UrlState, typeof navigate] {
  const search = useSyncExternalStore(subscribe, getSnapshot, () => "");
  return [parseUrlState(search), navigate];
}

/** Go to `next` within the page: a new history entry, unless it would not change the URL. */
export function navigate(next: UrlState, opts?: { replace?: boolean }): void {
  const url = hrefFor(next);
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (opts?.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  for (const l of listeners) l();
}
