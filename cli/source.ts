/**
 * The CLI's edge to the disk: a local archive as the core's random-access {@link ArchiveSource}
 * over a Node file handle, and a layer's bytes as an async iterable of the file's slice.
 * Everything past this file is src/core, as the page runs it.
 */
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { ArchiveBlob, ArchiveSource } from "../src/core/archive";
import type { BlobOpener } from "../src/core/pipeline";

/** An open archive file: the core's source, and the handle to close when done. */
export interface FileSource {
  readonly path: string;
  readonly source: ArchiveSource;
  close(): Promise<void>;
}

/** Opens `path` for random access. Rejects with Node's error (ENOENT, EISDIR…). */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, "r");
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw Object.assign(new Error(`${path} is not a regular file`), { code: "EISDIR" });
  }
  let closed = false;
  return {
    path,
    source: {
      size: stat.size,
      async read(offset, length) {
        const buf = new Uint8Array(length);
        let done = 0;
        // read() may return fewer bytes than asked; loop until the slice is whole or the file ends.
        while (done < length) {
          const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === length ? buf : buf.subarray(0, done);
      },
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * Opens a blob of the archive from byte 0, each call afresh (the pipeline restarts a layer when
 * a gzip engine gives up): a member is streamed from the file, in-memory bytes are yielded whole.
 */
export function archiveBlobOpener(file: string, blob: ArchiveBlob): BlobOpener {
  return async (signal) => {
    if (blob.kind === "bytes") return (async function* () { yield blob.bytes; })();
    if (blob.size === 0) return (async function* () {})();
    // `end` is inclusive in createReadStream.
    return createReadStream(file, { start: blob.offset, end: blob.offset + blob.size - 1, ...(signal !== undefined ? { signal } : {}) });
  };
}
