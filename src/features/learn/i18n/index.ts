/**
 * The teaching view's language: English or Simplified Chinese. Held in memory for the tab and
 * mirrored in the address bar as `?lang=zh` (replaceState, so no history entry), so a shared link
 * opens in the same language. Not localStorage: nothing about the reader is kept on the machine.
 */
import { useSyncExternalStore } from "react";
import { en, type Messages } from "./en";
import { zh } from "./zh";

export type Lang = "en" | "zh";
export type { Messages };

/** The switch's choices, each labelled in its own language. */
export const LANGUAGES: readonly { readonly lang: Lang; readonly label: string; readonly htmlLang: string }[] = [
  { lang: "en", label: "English", htmlLang: "en" },
  { lang: "zh", label: "简体中文", htmlLang: "zh-Hans" },
];

const CATALOGUES: Record<Lang, Messages> = { en, zh };

export function messagesFor(lang: Lang): Messages {
  return CATALOGUES[lang];
}

/** `?lang=zh` (also zh-CN, zh-Hans) → "zh"; anything else → "en". */
export function langFromSearch(search: string): Lang {
  const v = new URLSearchParams(search).get("lang")?.toLowerCase() ?? "";
  return v === "zh" || v.startsWith("zh-") ? "zh" : "en";
}

/**
 * `search` with its lang parameter set (zh) or removed (en). The other parameters are kept
 * exactly as written: URLSearchParams would re-encode the readable ':' '/' '@' of ?image=.
 */
export function withLang(search: string, lang: Lang): string {
  const kept = search
    .replace(/^\?/, "")
    .split("&")
    .filter((p) => p !== "" && !/^lang(=|$)/.test(p));
  if (lang !== "en") kept.push(`lang=${lang}`);
  return kept.length > 0 ? `?${kept.join("&")}` : "";
}

let current: Lang | undefined;
const listeners = new Set<() => void>();

function get(): Lang {
  current ??= typeof window === "undefined" ? "en" : langFromSearch(window.location.search);
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  if (typeof window !== "undefined") {
    const search = withLang(window.location.search, lang);
    if (search !== window.location.search) {
      window.history.replaceState(window.history.state, "", `${window.location.pathname}${search}${window.location.hash}`);
    }
  }
  for (const l of [...listeners]) l();
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

export function useLang(): Lang {
  return useSyncExternalStore(subscribe, get, () => "en");
}
