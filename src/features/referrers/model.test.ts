import { describe, expect, it } from "vitest";
import { artifactTypeName, classifyBlob, hexDump, prettyJson } from "./model";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("artifactTypeName", () => {
  it.each([
    ["application/vnd.dev.cosign.artifact.sig.v1+json", "cosign signature"],
    ["application/vnd.cncf.notary.signature", "Notation signature"],
    ["application/spdx+json", "SPDX SBOM"],
    ["application/SPDX+json; charset=utf-8", "SPDX SBOM"],
    ["application/vnd.cyclonedx+json", "CycloneDX SBOM"],
    ["application/vnd.in-toto+json", "in-toto attestation"],
    ["application/vnd.dev.sigstore.bundle.v0.3+json", "Sigstore bundle"],
    ["application/vnd.example.thing", undefined],
    [undefined, undefined],
  ])("%s → %s", (type, name) => {
    expect(artifactTypeName(type)).toBe(name);
  });
});

describe("classifyBlob", () => {
  it("JSON by media type or by shape, numbers kept as written", () => {
    const c = classifyBlob("application/spdx+json", bytes('{"n":12345678901234567890,"a":[1,{"b":null}]}'));
    expect(c.view).toBe("json");
    if (c.view !== "json") return;
    expect(prettyJson(c.value)).toBe('{\n  "n": 12345678901234567890,\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ]\n}');
    expect(classifyBlob("application/octet-stream", bytes("[1,2]")).view).toBe("json");
  });
  it("a +json blob that does not parse is text with the reason", () => {
    const c = classifyBlob("application/vnd.in-toto+json", bytes("{not json"));
    expect(c).toMatchObject({ view: "text", note: expect.stringMatching(/not valid JSON/) });
  });
  it("duplicate keys are shown as text, not silently merged", () => {
    const c = classifyBlob("application/json", bytes('{"a":1,"a":2}'));
    expect(c).toMatchObject({ view: "text", note: expect.stringMatching(/twice/) });
  });
  it("__proto__ keys stay data", () => {
    const c = classifyBlob("application/json", bytes('{"__proto__":{"x":1}}'));
    expect(c.view).toBe("json");
    if (c.view === "json") expect(prettyJson(c.value)).toContain('"__proto__"');
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });
  it.each([
    ["text", "text/plain", bytes("hello\nworld\t!\r\n")],
    ["binary (invalid UTF-8)", "text/plain", new Uint8Array([0xff, 0xfe, 0x41])],
    ["binary (NUL)", "text/plain", new Uint8Array([0x41, 0x00, 0x42])],
    ["binary (ESC)", "application/octet-stream", bytes("a\u001b[31mred")],
  ])("%s", (name, type, b) => {
    expect(classifyBlob(type, b).view).toBe(name.split(" ")[0]);
  });
});

describe("hexDump", () => {
  it("xxd-style lines with offset, two groups of eight, ASCII", () => {
    const b = new Uint8Array([...bytes("Layerscope hex!\n"), 0x00, 0xff, 0x41]);
    expect(hexDump(b).split("\n")).toEqual([
      "00000000  4c 61 79 65 72 73 63 6f  70 65 20 68 65 78 21 0a  |Layerscope hex!.|",
      "00000010  00 ff 41                                          |..A|",
    ]);
  });
  it("stops at the limit", () => {
    expect(hexDump(new Uint8Array(100), 32).split("\n")).toHaveLength(2);
  });
});
