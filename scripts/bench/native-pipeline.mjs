#!/usr/bin/env node
// The native limit of the layer pipeline in one thread: node:zlib + node:crypto only.
//   node native-pipeline.mjs FILE   (the bench runs it under `taskset -c 0`: one core for every thread)
// Reads the gzip blob, hashes it (the blob's digest), inflates it, hashes the tar (the diff_id)
// and lists it (walks the 512-byte headers, skipping bodies by arithmetic, as src/core/tar does);
// prints one JSON line: {ms, digest, diffId, tarBytes, entries}. Time is measured in here, so
// Node's start-up is not counted.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

const file = process.argv[2];
if (!file) {
  console.error("usage: native-pipeline.mjs FILE.tar.gz");
  process.exit(2);
}

const BLOCK = 512;
// Meta headers (PAX 'x'/'g', GNU 'L'/'K') describe the next entry; they are not entries.
const META = new Set(["x", "g", "L", "K"]);

/** Header walker over a stream of chunks: counts entries, skips bodies, stops at the end marker. */
function lister() {
  let skip = 0; // body bytes (and padding) still to pass over
  let pending = new Uint8Array(0); // a header split across chunks
  let entries = 0;
  let ended = false;
  const size = (h) => {
    if (h[124] & 0x80) {
      // base-256 (GNU): big-endian in the remaining bytes
      let n = 0;
      for (let i = 125; i < 136; i++) n = n * 256 + h[i];
      return n;
    }
    let n = 0;
    for (let i = 124; i < 136; i++) {
      const c = h[i];
      if (c >= 0x30 && c <= 0x37) n = n * 8 + (c - 0x30);
      else if (c !== 0x20 && n > 0) break;
    }
    return n;
  };
  return {
    push(chunk) {
      let at = 0;
      while (!ended && at < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - at);
          skip -= n;
          at += n;
          continue;
        }
        let h;
        if (pending.length > 0 || chunk.length - at < BLOCK) {
          const need = BLOCK - pending.length;
          const take = chunk.subarray(at, at + need);
          const joined = new Uint8Array(pending.length + take.length);
          joined.set(pending);
          joined.set(take, pending.length);
          at += take.length;
          if (joined.length < BLOCK) {
            pending = joined;
            return;
          }
          pending = new Uint8Array(0);
          h = joined;
        } else {
          h = chunk.subarray(at, at + BLOCK);
          at += BLOCK;
        }
        if (h.every((b) => b === 0)) {
          ended = true; // the end marker; the hash still takes every byte after it
          return;
        }
        const body = size(h);
        skip = Math.ceil(body / BLOCK) * BLOCK;
        if (!META.has(String.fromCharCode(h[156]))) entries++;
      }
    },
    get entries() {
      return entries;
    },
  };
}

const t0 = performance.now();
const blobHash = createHash("sha256");
const tarHash = createHash("sha256");
const list = lister();
let tarBytes = 0;
const gunzip = createGunzip({ chunkSize: 256 * 1024 });
gunzip.on("data", (c) => {
  tarHash.update(c);
  tarBytes += c.length;
  list.push(c);
});
gunzip.on("end", () => {
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, digest: `sha256:${blobHash.digest("hex")}`, diffId: `sha256:${tarHash.digest("hex")}`, tarBytes, entries: list.entries }));
});
gunzip.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
input
  .on("data", (c) => {
    blobHash.update(c);
    if (!gunzip.write(c)) {
      input.pause();
      gunzip.once("drain", () => input.resume());
    }
  })
  .on("end", () => gunzip.end());
