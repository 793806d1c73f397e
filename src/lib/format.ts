/**
 * Display formatting shared by features. Sizes are decimal (kB = 1000 B) like `docker images`
 * and `docker history`.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 999.95 && i < units.length - 1);
  return `${v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[i]}`;
}

/** One formatter for every call: `toLocaleString` builds one per call (measured hot in progress renders). */
const EXACT = new Intl.NumberFormat("en-US");

/** "1,234,567 bytes" for titles. */
export function formatExactBytes(n: number): string {
  return `${EXACT.format(n)} bytes`;
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** "3 months ago", relative to `now` (ms since epoch); undefined if `iso` is not a date. */
export function formatRelative(iso: string, now: number): string | undefined {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const seconds = (t - now) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size || unit === "second") return rtf.format(Math.round(seconds / size), unit);
  }
  return undefined;
}

/** "sha256:0123456789ab…" — algorithm plus the first 12 hex digits, like docker's short IDs. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(":");
  if (colon < 0) return digest.length > 16 ? `${digest.slice(0, 16)}…` : digest;
  const encoded = digest.slice(colon + 1);
  return encoded.length > 12 ? `${digest.slice(0, colon + 1)}${encoded.slice(0, 12)}…` : digest;
}
