/**
 * The --json output "stays stable" (issue 6): a committed golden output of a third-party image
 * must match byte for byte, and it must validate against the schema. A deliberate change
 * updates the golden file in the same commit (and bumps the schema's version when a consumer
 * could notice): `node cli/bin.mjs inspect oci-archive:e2e/fixtures/third-party/test-oci-gzip-image.tar --json > cli/testdata/inspect.test-oci-gzip-image.json`.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { expect, it } from "vitest";
import { run } from "./main";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

it.each([
  [["inspect", "oci-archive:e2e/fixtures/third-party/test-oci-gzip-image.tar", "--json"], "cli/testdata/inspect.test-oci-gzip-image.json", "cli/schema/inspect.schema.json"],
])("%j prints its golden output, valid against its schema", async (argv, golden, schemaFile) => {
  let out = "";
  const cwd = process.cwd();
  process.chdir(root);
  try {
    expect(await run(argv, { out: (t) => (out += `${t}\n`), err: (t) => expect.fail(t) })).toBe(0);
  } finally {
    process.chdir(cwd);
  }
  expect(out).toBe(readFileSync(join(root, golden), "utf8"));
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(join(root, schemaFile), "utf8")) as object);
  expect(validate(JSON.parse(out)), JSON.stringify(validate.errors)).toBe(true);
});
