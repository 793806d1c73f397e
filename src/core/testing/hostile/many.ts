/**
 * Test-only: a tar of very many empty files (SECURITY T11), generated as a stream. One header
 * block per entry, made from a template by rewriting the name's digits and the checksum, so a
 * million entries (512 MB of tar) cost a few hundred milliseconds and one chunk of memory.
 */
import { BLOCK_SIZE, USTAR } from "../../tar/format";
import { header } from "../../tar/testing";

/** Digits in each generated name: "many/0000000", "many/0000001", … */
const DIGITS = 7;
const PREFIX = "many/";

/** The path of entry `i` of {@link manyEntriesTar}. */
export function manyEntryPath(i: number): string {
  return PREFIX + String(i).padStart(DIGITS, "0");
}

/**
 * `count` empty regular files (at most 10^7), then the end marker, in chunks of
 * `entriesPerChunk` headers. Each call makes a fresh stream.
 */
export async function* manyEntriesTar(count: number, entriesPerChunk = 2048): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(count) || count < 0 || count >= 10 ** DIGITS) throw new RangeError(`manyEntriesTar: ${count} entries`);
  const template = header({ name: manyEntryPath(0), size: 0, mtime: 1577836800 });
  // Checksum of the template with its checksum field read as spaces; every name digit adds its value.
  let base = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) base += i >= USTAR.checksum.offset && i < USTAR.checksum.offset + USTAR.checksum.size ? 0x20 : template[i]!;
  const digitsAt = USTAR.name.offset + PREFIX.length;
  for (let first = 0; first < count; first += entriesPerChunk) {
    const n = Math.min(entriesPerChunk, count - first);
    const last = first + n === count;
    const chunk = new Uint8Array(n * BLOCK_SIZE + (last ? 2 * BLOCK_SIZE : 0));
    for (let k = 0; k < n; k++) {
      const at = k * BLOCK_SIZE;
      chunk.set(template, at);
      let v = first + k;
      let sum = base;
      for (let d = DIGITS - 1; d >= 0; d--) {
        const digit = v % 10;
        v = (v - digit) / 10;
        chunk[at + digitsAt + d] = 0x30 + digit;
        sum += digit; // the template's digits are all "0"
      }
      const text = sum.toString(8).padStart(6, "0");
      for (let c = 0; c < 6; c++) chunk[at + USTAR.checksum.offset + c] = text.charCodeAt(c);
      chunk[at + USTAR.checksum.offset + 6] = 0;
      chunk[at + USTAR.checksum.offset + 7] = 0x20;
    }
    yield chunk;
  }
  if (count === 0) yield new Uint8Array(2 * BLOCK_SIZE);
}
