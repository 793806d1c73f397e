/**
 * `oci:DIR`: an OCI image layout directory (image-spec image-layout.md: `oci-layout`,
 * `index.json`, `blobs/<alg>/<encoded>`), as `skopeo copy … oci:DIR` or umoci write it. The
 * layout is read by src/core/archive's openLayout, the same reader as a layout in a tar; this
 * file gives it the directory's files over node:fs, which core may not import.
 *
 * A layout is untrusted input like an archive: every path is the layout's own (no `..`, nothing
 * absolute), and a symlink is followed only while it stays inside DIR. A blob is registered as
 * its real path, so a layer is streamed from its file as an archive's member is.
 */
import { lstat, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { MAX_JSON_MEMBER_BYTES, openLayout, type LayoutFiles, type ResolvedMember } from "../src/core/archive";
import type { LayerscopeError } from "../src/core/errors";
import { err, ok } from "../src/core/result";
import { badArchive, nodeReason, openLocalImage, type OpenOptions } from "./archive";
import type { OpenResult } from "./image";
import { archiveBlobOpener, openFileSource } from "./source";

/** What an oci: source is, for errors that say nothing of their own about what to do. */
const LAYOUT_HINT =
  "oci:DIR reads an OCI image layout directory (oci-layout, index.json, blobs/<alg>/<hex>), as skopeo copy … oci:DIR or umoci write it; a tar of one is oci-archive:FILE.";

/** A layout path that cannot leave the directory: relative, "/"-separated, no "", "." or ".." component. */
function isLayoutPath(path: string): boolean {
  return !path.includes("\0") && !path.startsWith("/") && path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/** True when `real` (a resolved path) is `root` or below it. */
function inside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Reads `file.size` bytes of a resolved file (fewer if it was cut since it was resolved). */
async function readWhole(file: ResolvedMember): Promise<Uint8Array> {
  const f = await openFileSource(file.path);
  try {
    return await f.source.read(0, file.size);
  } finally {
    await f.close();
  }
}

/**
 * The files of the layout directory `root` (already a real path) as {@link LayoutFiles}.
 * `shown` is the directory as the user wrote it, for messages.
 */
export function directoryFiles(root: string, shown: string): LayoutFiles {
  return {
    async has(path) {
      if (!isLayoutPath(path)) return false;
      try {
        await lstat(join(root, ...path.split("/")));
        return true;
      } catch {
        return false;
      }
    },
    async resolve(path, what) {
      if (!isLayoutPath(path)) return err(badArchive(`${what} is named "${path}", a path outside ${shown}`));
      const full = join(root, ...path.split("/"));
      let real: string;
      try {
        real = await realpath(full);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") return err(badArchive(`cannot read ${what} ("${path}" in ${shown}): ${nodeReason(e)}`));
        const dangling = await lstat(full).then(
          (s) => s.isSymbolicLink(),
          () => false,
        );
        return err(badArchive(dangling ? `${what} is a symbolic link to nothing (${path} in ${shown})` : `${what} is missing: ${shown} has no ${path}`));
      }
      if (!inside(root, real)) return err(badArchive(`${what} is a symbolic link out of ${shown} (${path} → ${real}); only files inside the layout are read`));
      try {
        const s = await stat(real);
        if (!s.isFile()) return err(badArchive(`${what} is a ${s.isDirectory() ? "directory" : "special file"}, not a regular file (${path} in ${shown})`));
        return ok({ path: real, offset: 0, size: s.size });
      } catch (e) {
        return err(badArchive(`cannot read ${what} ("${path}" in ${shown}): ${nodeReason(e)}`));
      }
    },
    async read(file, what, limit = MAX_JSON_MEMBER_BYTES) {
      if (file.size > limit) return err(badArchive(`${what} ("${file.path}") is ${file.size} bytes, more than the ${limit} bytes such a document may have`));
      try {
        const bytes = await readWhole(file);
        return bytes.length === file.size ? ok(bytes) : err(badArchive(`${what} ("${file.path}") could not be read whole: got ${bytes.length} of ${file.size} bytes`));
      } catch (e) {
        return err(badArchive(`cannot read ${what} ("${file.path}"): ${nodeReason(e)}`));
      }
    },
  };
}

/** A bad-archive from the layout reader, with what an oci: source is when it says nothing of what to do. */
function withHint(e: LayerscopeError): LayerscopeError {
  return e.kind === "bad-archive" && e.hint === undefined ? { ...e, hint: LAYOUT_HINT } : e;
}

/** Opens the image `options.selector` names in the layout directory `path`. Nothing stays open but a layer's stream. */
export async function openLayoutImage(path: string, options: OpenOptions = {}): Promise<OpenResult> {
  let root: string;
  try {
    root = await realpath(path);
    if (!(await stat(root)).isDirectory()) {
      return err(badArchive(`${path} is a file, not a directory`, `oci:DIR reads a layout directory; a tar of one is oci-archive:${path}, a docker save docker-archive:${path}.`));
    }
  } catch (e) {
    return err(badArchive(`cannot read ${path} (${nodeReason(e)})`, "Check the path after the transport, e.g. oci:./layout."));
  }
  const files = directoryFiles(root, path);
  const opened = await openLayout(files);
  if (!opened.ok) return err(withHint(opened.error));
  const image = await openLocalImage(
    {
      transport: "oci",
      location: path,
      archive: opened.value,
      readMember: (blob) => readWhole(blob),
      opener: (blob) => archiveBlobOpener(blob.kind === "member" ? blob.path : path, blob),
      close: async () => {},
    },
    options,
  );
  return image.ok ? image : err(withHint(image.error));
}
