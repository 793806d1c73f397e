/**
 * Sizes as people type them: "10M", "1.5 KB", "1MiB", "512", "2 gb".
 *
 * Units: a bare number is bytes; k/M/G/T with or without "B" are decimal (1 kB = 1000 B), the
 * way the app prints sizes (src/lib/format.ts, like `docker images`); KiB/MiB/GiB/TiB are binary
 * (1 KiB = 1024 B). Case does not matter for the prefix ("10m" = "10M"): in a size box nobody
 * means millibytes. Fractions are allowed ("1.5 KB" = 1500); the result is rounded to bytes.
 */
import { err, ok, type Result } from "../result";

const DECIMAL: Readonly<Record<string, number>> = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const BINARY: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Number, optional space, optional prefix letter, optional "i", optional "b". */
const SIZE = /^(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgtp])(i)?)?(b)?$/i;

/** Parses a size in bytes; the error says what is accepted. */
export function parseSize(input: string): Result<number, string> {
  const text = input.trim();
  const m = SIZE.exec(text);
  if (!m) return err(`"${text.slice(0, 40)}" is not a size: use a number with an optional unit, e.g. 512, 10M, 1.5 KB, 1MiB`);
  const n = Number(m[1]);
  const prefix = (m[2] ?? "").toLowerCase();
  const factor = m[3] !== undefined ? BINARY[prefix] : DECIMAL[prefix];
  if (factor === undefined) return err(`"${text.slice(0, 40)}" has an unknown unit`);
  const bytes = Math.round(n * factor);
  if (!Number.isSafeInteger(bytes)) return err(`"${text.slice(0, 40)}" is too large`);
  return ok(bytes);
}
