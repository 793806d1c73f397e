/**
 * Each schema the command line publishes is itself a valid JSON Schema 2020-12 (checked against
 * the meta-schema) and compiles in ajv's strict mode, and its `$id` is the `schema` field the
 * command writes.
 */
import { describe, expect, it } from "vitest";
import { SCHEMA_FILES, readSchema, strictAjv } from "./testing";

describe("cli/schema/*.schema.json", () => {
  it.each(SCHEMA_FILES)("%s is a valid 2020-12 schema and compiles in strict mode", (file) => {
    const schema = readSchema(file);
    const ajv = strictAjv();
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(schema["$id"]).toBe(`layerscope/cli/schema/${file}`);
  });

  it("strict mode refuses what a lax validator would ignore", () => {
    const ajv = strictAjv();
    expect(() => ajv.compile({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", propertees: {} })).toThrow(/unknown keyword/);
  });
});
