/**
 * The --json output "stays stable" (issue 6): committed golden outputs of third-party images
 * (inspect, diff, ci) must match byte for byte, and validate against their schemas. A
 * deliberate change updates the golden file in the same commit (and bumps the schema's version
 * when a consumer could notice), by running the command line of the table below from the repo
 * root, e.g. `node cli/bin.mjs inspect oci-archive:e2e/fixtures/third-party/test-oci-gzip-image.tar --json > cli/testdata/inspect.test-oci-gzip-image.json`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { expect, it } from "vitest";
import { run } from "./main";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

it.each([
  [["inspect", "oci-archive:e2e/fixtures/third-party/test-oci-gzip-image.tar", "--json"], "cli/testdata/inspect.test-oci-gzip-image.json", "cli/schema/inspect.schema.json"],
  [
    ["diff", "oci-archive:e2e/fixtures/third-party/test-oci-gzip-image.tar", "oci-archive:e2e/fixtures/third-party/test-oci-zstd-image.tar", "--json"],
    "cli/testdata/diff.test-oci-gzip-zstd.json",
    "cli/schema/diff.schema.json",
  ],
  [
    ["ci", "docker-archive:src/core/filetree/testdata/test-docker-image.tar", "--ci-config", "e2e/fixtures/third-party/dive-ci.yaml", "--json"],
    "cli/testdata/ci.dive-test-image.json",
    "cli/schema/ci.schema.json",
  ],
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

/**
 * Each schema as released under its version. Editing a schema fails here on purpose: a change a
 * consumer could notice (a field removed, renamed, retyped or newly required) bumps `version`
 * (the schema's const and the command's VERSION) and records the new hash; adding an optional
 * field only records the new hash.
 */
it.each([
  ["cli/schema/inspect.schema.json", 1, "c06e5bed8c202ce8cd17ebeca48f2ab409de8bf426ccd615ecd1d3818bfe4120"],
  ["cli/schema/diff.schema.json", 1, "57881633bc445b4c80b766f240ce04a420f0868ca456ec531daa0bbb1f3e8d74"],
  ["cli/schema/ci.schema.json", 1, "eb1693e891d2d3de5ce791157e031926505ffeb0bcd1833ddb0b6fc3d00d7abe"],
])("%s is version %i as released", (file, version, sha256) => {
  const bytes = readFileSync(join(root, file));
  const schema = JSON.parse(bytes.toString("utf8")) as { properties: { version: { const: number } } };
  expect(schema.properties.version.const).toBe(version);
  expect(createHash("sha256").update(bytes).digest("hex"), `${file} changed: see the comment above this test`).toBe(sha256);
});
