/**
 * Test-only helpers for the command line's tests (never imported by a command): the JSON Schemas
 * compiled by ajv in strict mode, `run` with a captured Io, the real bin as a child process, and
 * images built in code (src/core/testing) written as OCI layout tarballs.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import { OCI_INDEX } from "../src/core/oci";
import { buildTar, jsonBytes, type BuiltImage, type TarEntry } from "../src/core/testing";
import { run } from "./main";

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every schema the command line publishes, by file name under cli/schema/. */
export const SCHEMA_FILES = ["inspect.schema.json", "diff.schema.json", "ci.schema.json"] as const;
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

/**
 * Writes `image` as an OCI layout tarball (what `skopeo copy … oci-archive:FILE` writes): the
 * `oci-layout` marker, an `index.json` naming the manifest with `ref.name` = `name`, and every
 * blob under blobs/sha256/. `replaceBlob` stores other bytes under a digest's name, to build an
 * archive whose content does not match what it claims.
 */
export function writeOciArchive(path: string, image: BuiltImage, name: string, replaceBlob?: { readonly digest: string; readonly bytes: Uint8Array }): void {
  const blobs = [image.manifest, image.config, ...image.layers];
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ ...image.descriptor, annotations: { "org.opencontainers.image.ref.name": name } }],
  };
  const seen = new Set<string>();
  const entries: TarEntry[] = [
    { path: "oci-layout", content: jsonBytes({ imageLayoutVersion: "1.0.0" }) },
    { path: "index.json", content: jsonBytes(index) },
    { path: "blobs/", type: "dir" },
    { path: "blobs/sha256/", type: "dir" },
  ];
  for (const b of blobs) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    const bytes = replaceBlob?.digest === b.digest ? replaceBlob.bytes : b.bytes;
    entries.push({ path: `blobs/sha256/${b.digest.slice("sha256:".length)}`, content: bytes });
  }
  writeFileSync(path, buildTar(entries));
}
