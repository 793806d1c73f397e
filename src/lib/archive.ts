/**
 * Local image archives served as a read-only registry, the way src/lib/sample.ts serves the
 * offline sample: `archiveFetch` answers the distribution API for the reserved host
 * {@link ARCHIVE_REGISTRY}, so the registry client, its digest checks, the parsers and every view
 * run unchanged on a file the user picked. Nothing leaves the tab: manifests and configs are
 * answered from memory, blobs from `File.slice` (read from disk as they are streamed), and the
 * layer workers fetch `blob:` URLs of those slices instead of the proxy.
 *
 * An archive is known by a key derived from the file's name, size and modification time, so
 * picking the same file again after a reload gives the same key, and the same URL, back.
 */
import { openArchive, type ArchiveBlob, type OpenedArchive } from "../core/archive";
import { digestBytes } from "../core/digest";
import type { LayerscopeError } from "../core/errors";
import { err, ok, type Result } from "../core/result";
import type { BlobRequest } from "../workers/protocol";
import { answer, mediaTypeOf, registryError, requestParts } from "./virtualRegistry";

/**
 * The registry name archives are served under. ".local" is reserved for multicast DNS (RFC
 * 6762), so it never names a public registry (like SAMPLE_REGISTRY).
 */
export const ARCHIVE_REGISTRY = "layerscope-archive.local";
/** Repositories are `archive/<key>`; tags `image-<n>` name the archive's images, 1-based. */
const REPOSITORY_PREFIX = "archive/";
const IMAGE_TAG = /^image-([1-9][0-9]*)$/;
/** What the URL names while the user picks one of several images. */
export const PICK_TAG = "pick";
const MANIFEST_LIMIT = 8 * 1024 * 1024;

export function isArchiveRegistry(registry: string): boolean {
  return registry === ARCHIVE_REGISTRY;
}

/** What the page knows about an open archive. */
export interface LocalArchive {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
  readonly archive: OpenedArchive;
}

interface Held extends LocalArchive {
  readonly file: Blob;
  /** `blob:` URLs handed to layer workers, by digest; revoked when the archive is closed. */
  readonly urls: Map<string, string>;
}

const open = new Map<string, Held>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const l of [...listeners]) l();
}

/** For useSyncExternalStore: archives opened and closed. */
export const archiveStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  version: (): number => version,
  get: (key: string): LocalArchive | undefined => open.get(key),
};

/** "archive/<key>" → key (undefined for anything else). */
export function archiveKeyOf(repository: string): string | undefined {
  return repository.startsWith(REPOSITORY_PREFIX) ? repository.slice(REPOSITORY_PREFIX.length) : undefined;
}

/** The 1-based image a tag names, or undefined ("pick", or anything else). */
export function imageNumberOf(tag: string | undefined): number | undefined {
  const m = tag === undefined ? null : IMAGE_TAG.exec(tag);
  return m === null ? undefined : Number(m[1]);
}

/** The reference that opens image `n` (1-based) of an archive, or its picker when `n` is undefined. */
export function archiveReference(key: string, n: number | undefined): string {
  return `${ARCHIVE_REGISTRY}/${REPOSITORY_PREFIX}${key}:${n === undefined ? PICK_TAG : `image-${n}`}`;
}

/** What a reload remembers: the file's name and size, never its bytes (this tab only). */
export interface RememberedArchive {
  readonly name: string;
  readonly size: number;
}

const storageKey = (key: string): string => `layerscope.archive.${key}`;

export function rememberedArchive(key: string): RememberedArchive | undefined {
  try {
    const v = JSON.parse(globalThis.sessionStorage?.getItem(storageKey(key)) ?? "null") as Partial<RememberedArchive> | null;
    return typeof v?.name === "string" && typeof v.size === "number" ? { name: v.name, size: v.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The part of a File this module needs (a Blob with a name), so tests can pass their own. */
export interface PickedFile extends Blob {
  readonly name: string;
  readonly lastModified: number;
}

/** The key a file is served under: from its name, size and modification time (the same file → the same key). */
export async function archiveKeyFor(file: PickedFile): Promise<string> {
  const id = await digestBytes("sha256", new TextEncoder().encode(`${file.name}\0${file.size}\0${file.lastModified}`));
  return id.slice("sha256:".length, "sha256:".length + 16);
}

/**
 * Opens a picked or dropped file: indexes its members (headers only), reads its images, and
 * serves it under `archive/<key>`. Opening the same file again replaces the previous one.
 */
export async function openLocalArchive(file: PickedFile): Promise<Result<LocalArchive, LayerscopeError>> {
  const opened = await openArchive({
    size: file.size,
    read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
  });
  if (!opened.ok) return err(opened.error);
  const key = await archiveKeyFor(file);
  closeLocalArchive(key);
  const held: Held = { key, name: file.name, size: file.size, lastModified: file.lastModified, archive: opened.value, file, urls: new Map() };
  open.set(key, held);
  try {
    globalThis.sessionStorage?.setItem(storageKey(key), JSON.stringify({ name: file.name, size: file.size }));
  } catch {
    // Storage full or disabled: only the reload message loses the file's name.
  }
  changed();
  return ok(held);
}

/** Forgets an archive and revokes the `blob:` URLs given out for it. */
export function closeLocalArchive(key: string): void {
  const held = open.get(key);
  if (held === undefined) return;
  for (const url of held.urls.values()) URL.revokeObjectURL(url);
  open.delete(key);
  changed();
}

/** A member's bytes as a Blob: a slice of the file, read from disk only when consumed. */
function memberBlob(held: Held, blob: Extract<ArchiveBlob, { kind: "member" }>): Blob {
  return held.file.slice(blob.offset, blob.offset + blob.size);
}

/**
 * The request a layer worker makes for one blob of an archive: a `blob:` URL of the member's
 * slice, so the worker streams it from disk exactly as it streams a blob from the proxy.
 * Undefined when `registry` is not the archive registry.
 */
export function archiveBlobRequest(registry: string, repository: string, digest: string): BlobRequest | undefined {
  if (!isArchiveRegistry(registry)) return undefined;
  const held = open.get(archiveKeyOf(repository) ?? "");
  const blob = held?.archive.blobs.get(digest);
  let url: string;
  if (held === undefined || blob === undefined) {
    // Closed meanwhile, or a digest it does not hold: a URL that fails to fetch, so the layer fails with a message.
    url = `${ARCHIVE_REGISTRY}-closed:${digest}`;
  } else {
    url = held.urls.get(digest) ?? URL.createObjectURL(blob.kind === "member" ? memberBlob(held, blob) : new Blob([blob.bytes.slice()]));
    held.urls.set(digest, url);
  }
  return { url, headers: {}, registry, repository };
}

const ROUTE = new RegExp(`/${ARCHIVE_REGISTRY.replace(/\./g, "\\.")}/v2/(.*)$`);

/**
 * A `fetch` that answers proxy-style URLs for {@link ARCHIVE_REGISTRY} from the open archives,
 * the way a registry would (Content-Type from the document, distribution-spec JSON errors).
 * A synthesized manifest is sent without Docker-Content-Digest: no registry vouches for it, so
 * the page shows its digest as computed, not as verified.
 */
export const archiveFetch: typeof fetch = async (input, init) => {
  const { url, method, signal } = requestParts(input, init);
  signal?.throwIfAborted();
  const api = ROUTE.exec(new URL(url, "http://archive.invalid").pathname)?.[1];
  if (api === undefined) return registryError(404, "NAME_UNKNOWN", "not the local archive registry");
  if (api === "") return answer(method, new Response("{}", { headers: { "Content-Type": "application/json" } }));
  const m = /^(.+?)\/(manifests|blobs)\/([^/]+)$/.exec(api);
  const held = m === null ? undefined : open.get(archiveKeyOf(m[1] as string) ?? "");
  if (m === null || held === undefined) return registryError(404, "NAME_UNKNOWN", "this local archive is not open in this tab (pick the file again)");
  const route = m[2] as string;
  const ref = decodeURIComponent(m[3] as string);

  if (route === "manifests") {
    const n = imageNumberOf(ref);
    if (n !== undefined) {
      const image = held.archive.images[n - 1];
      if (image === undefined) return registryError(404, "MANIFEST_UNKNOWN", `the archive holds ${held.archive.images.length} image(s), not ${n}`);
      const headers: Record<string, string> = { "Content-Type": image.mediaType, "Content-Length": String(image.bytes.length) };
      if (!image.synthesized) headers["Docker-Content-Digest"] = image.digest;
      return answer(method, new Response(image.bytes.slice(), { headers }));
    }
    const blob = held.archive.blobs.get(ref);
    if (blob === undefined) return registryError(404, "MANIFEST_UNKNOWN", "manifest unknown to this archive");
    if (blob.kind === "member" && blob.size > MANIFEST_LIMIT) return registryError(404, "MANIFEST_UNKNOWN", "too large to be a manifest");
    const bytes = blob.kind === "bytes" ? blob.bytes.slice() : new Uint8Array(await memberBlob(held, blob).arrayBuffer());
    return answer(
      method,
      new Response(bytes, { headers: { "Content-Type": mediaTypeOf(bytes), "Content-Length": String(bytes.length), "Docker-Content-Digest": ref } }),
    );
  }

  const blob = held.archive.blobs.get(ref);
  if (blob === undefined) return registryError(404, "BLOB_UNKNOWN", "blob unknown to this archive");
  const body = blob.kind === "bytes" ? new Blob([blob.bytes.slice()]) : memberBlob(held, blob);
  return answer(
    method,
    new Response(body, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(body.size), "Docker-Content-Digest": ref } }),
  );
};
