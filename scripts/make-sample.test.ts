import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSampleLayout, SAMPLE_DIR } from "./make-sample";

const ROOT = join(import.meta.dirname, "..", SAMPLE_DIR);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(ROOT, path).split("\\").join("/")];
  });
}

describe("public/sample", () => {
  it("is exactly what scripts/make-sample.ts builds (run `npm run sample` to refresh)", async () => {
    const { files } = await buildSampleLayout();
    expect(listFiles(ROOT).sort()).toEqual([...files.keys()].sort());
    for (const [path, bytes] of files) expect(new Uint8Array(readFileSync(join(ROOT, path))), path).toEqual(bytes);
  });

  it("stays commit-sized (< 50 KB)", async () => {
    const { files } = await buildSampleLayout();
    expect([...files.values()].reduce((n, b) => n + b.byteLength, 0)).toBeLessThan(50_000);
  });
});
