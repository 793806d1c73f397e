/**
 * The outer tar of a local image archive, read by random access: only headers (and PAX / GNU
 * long-name bodies) are read, bodies are jumped over, so a 10 GB `docker save` costs a few
 * kilobytes per member to index. The headers are decoded by `src/core/tar` (the layer parser),
 * driven through its `skippable` / `skip` pair instead of being fed the bodies.
 */
import type { LayerscopeError } from "../errors";
import { err, ok, type Result } from "../result";
import { detectCompression, DETECT_BYTES } from "../compression/detect";
import { BLOCK_SIZE, createTarParser, normalisePath, type TarEntry, type TarEntryType } from "../tar";

/**
 * Reads `length` bytes at `offset` of the archive (a `File.slice(…).arrayBuffer()` in the page,
 * a buffer in tests). May return fewer bytes only at the end of the file.
 */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** An archive on disk (or in a test): its size in bytes and a random-access reader. */
export interface ArchiveSource {
  readonly size: number;
  readonly read: ReadAt;
}

/** One member of the outer tar, as written (links not followed). Offsets and sizes in bytes. */
export interface ArchiveMember {
  /** Normalised path (no "./", no leading "/"): how manifest.json and index.json name members. */
  readonly path: string;
  readonly type: TarEntryType;
  /** Where the member's bytes start in the archive. */
  readonly offset: number;
  /** How many bytes it has (0 for links and directories). */
  readonly size: number;
  /** Target of a symlink or hardlink, as written. */
  readonly linkname?: string;
}

/** The member index: by normalised path, the last of a repeated name winning (as tar extracts). */
export interface MemberIndex {
  readonly members: ReadonlyMap<string, ArchiveMember>;
  /** Entries read, directories and repeated names included. */
  readonly entryCount: number;
}

/** Bytes read per header read: a header, a PAX body or two, and a peek at the body after them. */
export const DEFAULT_READ_BYTES = 8 * 1024;
/** An image archive holds a few files per layer; 100 000 members is far past any real one. */
export const DEFAULT_MAX_MEMBERS = 100_000;

export interface IndexOptions {
  readonly readBytes?: number;
  readonly maxMembers?: number;
}

const archiveError = (reason: string, hint?: string): LayerscopeError => ({ kind: "bad-archive", reason, ...(hint !== undefined ? { hint } : {}) });

/** Reads exactly `length` bytes at `offset`, or fewer at the end of the file. */
async function readSome(source: ArchiveSource, offset: number, length: number): Promise<Uint8Array> {
  const n = Math.max(0, Math.min(length, source.size - offset));
  return n === 0 ? new Uint8Array(0) : source.read(offset, n);
}

/**
 * Indexes the outer tar. Errors name what is wrong with the file as a whole: empty, compressed,
 * not a tar, truncated (which is how an interrupted download or copy looks).
 */
export async function indexMembers(source: ArchiveSource, options: IndexOptions = {}): Promise<Result<MemberIndex, LayerscopeError>> {
  const readBytes = Math.max(1, options.readBytes ?? DEFAULT_READ_BYTES);
  const maxMembers = options.maxMembers ?? DEFAULT_MAX_MEMBERS;
  if (source.size === 0) return err(archiveError("the file is empty"));

  const first = await readSome(source, 0, DETECT_BYTES);
  const detected = detectCompression(first);
  if (detected === "gzip" || detected === "zstd") {
    return err(
      archiveError(
        `the file is ${detected}-compressed, not a tar`,
        `Decompress it first (${detected === "gzip" ? "gunzip" : "unzstd"} FILE), then open the .tar: reading a compressed archive would mean decompressing all of it to find its members.`,
      ),
    );
  }
  if (detected === "unknown" || first.length < BLOCK_SIZE) {
    return err(archiveError(`the file is not a tar archive (its first ${Math.min(first.length, BLOCK_SIZE)} bytes are not a tar header)`));
  }

  const members = new Map<string, ArchiveMember>();
  const parser = createTarParser({
    collect: false,
    maxEntries: maxMembers,
    onEntry: (e: TarEntry) => {
      if (e.type === "dir" || e.unsafe === "escapes-root") return; // nothing can name it
      members.set(e.path, {
        path: e.path,
        type: e.type,
        offset: e.dataOffset,
        size: e.dataSize,
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      });
    },
  });
  let pos = 0;
  while (pos < source.size && parser.error === undefined && !parser.atEnd) {
    const skippable = parser.skippable;
    if (skippable > 0) {
      // A body: jump over it (to the end of the file at most, where end() reports the truncation).
      const n = Math.min(skippable, source.size - pos);
      parser.skip(n);
      pos += n;
      continue;
    }
    const chunk = await readSome(source, pos, readBytes);
    if (chunk.length === 0) break;
    parser.push(chunk);
    pos += chunk.length;
  }
  const summary = parser.end();
  const e = summary.error;
  if (e !== undefined) {
    if (e.kind === "limit-exceeded") return err(archiveError(`the archive has more than ${maxMembers} members; no image archive has that many`));
    if (e.code === "truncated-body" || e.code === "truncated-header" || e.code === "missing-end-marker") {
      return err(
        archiveError(
          `the archive is truncated: ${e.reason}`,
          "The file was cut short (an interrupted download or copy?). Save or copy the archive again.",
        ),
      );
    }
    return err(archiveError(`the archive's tar is corrupt at byte ${e.offset}: ${e.reason}`));
  }
  return ok({ members, entryCount: summary.entryCount });
}

/** How many links are followed before giving up (Linux allows 40 for paths; archives need 1). */
export const MAX_LINK_HOPS = 16;

/** A member whose bytes can be read: a regular file, reached through any links. */
export interface ResolvedMember {
  /** The regular file's own path (after links). */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
}

/**
 * Finds the regular file a name refers to inside the archive, following symlink and hardlink
 * members (ggcr's test_link.tar points one image's layer.tar at another's). Links are resolved
 * lexically within the archive: a target that is absolute or climbs out of it, a loop, or a
 * chain longer than {@link MAX_LINK_HOPS} is refused with the chain in the message.
 * `what` names the member for messages ("layer 2", "the config").
 */
export function resolveMember(index: MemberIndex, name: string, what: string): Result<ResolvedMember, LayerscopeError> {
  const start = normalisePath(name);
  if (start.unsafe === "escapes-root" || name.startsWith("/")) {
    return err(archiveError(`${what} is named "${name}", a path outside the archive`));
  }
  const chain: string[] = [start.path];
  let path = start.path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const m = index.members.get(path);
    if (m === undefined) {
      return err(
        archiveError(
          hop === 0 ? `${what} is "${name}", but the archive has no such file` : `${what} is a link (${chain.join(" → ")}) to a file the archive does not hold`,
        ),
      );
    }
    if (m.type === "file" || m.type === "contiguous") return ok({ path, offset: m.offset, size: m.size });
    if (m.type !== "symlink" && m.type !== "hardlink") {
      return err(archiveError(`${what} is "${path}", which is a ${m.type}, not a regular file`));
    }
    const target = m.linkname ?? "";
    if (target.startsWith("/")) return err(archiveError(`${what} is a link (${chain.join(" → ")}) to the absolute path "${target}", outside the archive`));
    // A symlink's target is relative to its own directory; a hardlink's to the archive's root.
    const dir = m.type === "symlink" ? path.slice(0, Math.max(0, path.lastIndexOf("/"))) : "";
    const next = normalisePath(dir === "" ? target : `${dir}/${target}`);
    const resolved = next.unsafe === "dotdot" || next.unsafe === "escapes-root" ? collapse(next.path) : next.path;
    if (resolved === undefined) return err(archiveError(`${what} is a link (${chain.join(" → ")} → ${target}) that climbs out of the archive`));
    if (chain.includes(resolved)) return err(archiveError(`${what} is a loop of links (${[...chain, resolved].join(" → ")})`));
    chain.push(resolved);
    path = resolved;
  }
  return err(archiveError(`${what} goes through more than ${MAX_LINK_HOPS} links (${chain.slice(0, 4).join(" → ")} → …)`));
}

/** Resolves ".." components lexically; undefined when they climb above the root. */
function collapse(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else if (part !== "" && part !== ".") {
      out.push(part);
    }
  }
  return out.join("/");
}

/** Largest JSON member read whole (manifest.json, index.json, a config): the registry client's manifest cap. */
export const MAX_JSON_MEMBER_BYTES = 8 * 1024 * 1024;

/** Reads a small member whole (JSON documents); refuses anything over `limit` bytes. */
export async function readMember(source: ArchiveSource, member: ResolvedMember, what: string, limit = MAX_JSON_MEMBER_BYTES): Promise<Result<Uint8Array, LayerscopeError>> {
  if (member.size > limit) return err(archiveError(`${what} ("${member.path}") is ${member.size} bytes, more than the ${limit} bytes such a document may have`));
  const bytes = await readSome(source, member.offset, member.size);
  if (bytes.length !== member.size) return err(archiveError(`${what} ("${member.path}") could not be read whole: got ${bytes.length} of ${member.size} bytes`));
  return ok(bytes);
}

/** The first bytes of a member (for magic-byte detection), never more than {@link DETECT_BYTES}. */
export function peekMember(source: ArchiveSource, member: ResolvedMember): Promise<Uint8Array> {
  return readSome(source, member.offset, Math.min(member.size, DETECT_BYTES));
}
