import { describe, expect, it } from "vitest";
import { LIMIT_STORAGE_KEYS, readLayerLimits } from "./limits";

const storage = (values: Record<string, string>) => ({ getItem: (k: string) => values[k] ?? null });

describe("readLayerLimits (SECURITY T10, T11: a configurable cap)", () => {
  it("is undefined when nothing is stored: the core's defaults apply", () => {
    expect(readLayerLimits(storage({}))).toBeUndefined();
    expect(readLayerLimits(undefined)).toBeUndefined();
  });
  it("reads the uncompressed-size cap and the entry budget", () => {
    expect(readLayerLimits(storage({ [LIMIT_STORAGE_KEYS.maxUncompressedBytes]: "268435456", [LIMIT_STORAGE_KEYS.maxEntries]: " 1000 " }))).toEqual({
      maxUncompressedBytes: 268435456,
      maxEntries: 1000,
    });
  });
  it("ignores what is not a positive integer", () => {
    for (const bad of ["0", "-1", "1e9", "12MB", "", "99999999999999999"]) {
      expect(readLayerLimits(storage({ [LIMIT_STORAGE_KEYS.maxEntries]: bad })), bad).toBeUndefined();
    }
  });
  it("survives a storage that throws", () => {
    expect(readLayerLimits({ getItem: () => { throw new Error("SecurityError"); } })).toBeUndefined();
  });
});
