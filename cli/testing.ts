/**
 * Test-only helpers for the command line's tests (never imported by a command): the JSON Schemas
 * compiled by ajv in strict mode, `run` with a captured Io, and the real bin as a child process.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import { run } from "./main";

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every schema the command line publishes, by file name under cli/schema/. */
export const SCHEMA_FILES = ["inspect.schema.json"] as const;
export type SchemaFile = (typeof SCHEMA_FILES)[number];

export function readSchema(file: SchemaFile): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, "cli/schema", file), "utf8")) as Record<string, unknown>;
}

/**
 * A fresh ajv in strict mode: unknown keywords, ambiguous types and the like are errors when a
 * schema compiles, so a schema file cannot quietly say less than it seems to.
 */
export function strictAjv(): Ajv2020 {
  return new Ajv2020({ strict: true, allErrors: true });
}

const compiled = new Map<SchemaFile, (value: unknown) => string[]>();

/** A validator for one schema file: the problems found as "/path keyword: message", empty when valid. */
export function validatorFor(file: SchemaFile): (value: unknown) => string[] {
  const known = compiled.get(file);
  if (known !== undefined) return known;
  const validate = strictAjv().compile(readSchema(file));
  const check = (value: unknown): string[] => (validate(value) ? [] : (validate.errors ?? []).map(problem));
  compiled.set(file, check);
  return check;
}

function problem(e: ErrorObject): string {
  const extra = e.keyword === "additionalProperties" ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : "";
  return `${e.instancePath || "/"} ${e.keyword}: ${e.message ?? ""}${extra}`;
}

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `run` in-process, capturing stdout and stderr. */
export async function runCli(argv: readonly string[], stdin?: string): Promise<Captured> {
  let out = "";
  let err = "";
  const code = await run(argv, {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  });
  return { code, out, err };
}

/** Runs cli/bin.mjs in a real Node process (through tsx, as `npx layerscope` does); never rejects. */
export async function runBin(argv: readonly string[], cwd: string = ROOT): Promise<Captured> {
  const bin = join(ROOT, "cli/bin.mjs");
  return promisify(execFile)(process.execPath, [bin, ...argv], { cwd }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}
