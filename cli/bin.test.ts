/**
 * The README's promise: from a clone, `npx layerscope …` runs the command (package.json's `bin`),
 * without a build step and without fetching anything (`--no-install`).
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

it("npx layerscope runs the package's own bin", async () => {
  const r = await promisify(execFile)("npx", ["--no-install", "layerscope", "--help"], { cwd: root }).then(
    (ok) => ({ code: 0, ...ok }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout, r.stderr).toMatch(/^usage:\n {2}layerscope inspect SOURCE/);
}, 60_000);
