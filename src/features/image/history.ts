/**
 * `created_by` as `docker history` shows it: Dockerfile instructions that made no layer are
 * recorded as `/bin/sh -c #(nop) CMD ["nginx"]`; the shell prefix is noise, the rest is kept.
 */
export function cleanCreatedBy(createdBy: string): string {
  return createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, "").trim();
}

/** True when `value`, trimmed, is an absolute URL whose scheme is exactly http: or https: (U1). */
export function httpUrl(value: string): URL | undefined {
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}
