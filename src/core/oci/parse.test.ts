import { describe, expect, it } from "vitest";
import type { LayerscopeError } from "../errors";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_FOREIGN_TAR_GZIP,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1_MANIFEST,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  OCI_CONFIG,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_LAYER_TAR_GZIP,
  OCI_LAYER_TAR_ZSTD,
  OCI_MANIFEST,
  parseImageConfig,
  parseManifestOrIndex,
} from "./index";

const d = (c: string): string => `sha256:${c.repeat(64).slice(0, 64)}`;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const json = (o: unknown): Uint8Array => utf8(JSON.stringify(o));

const dockerManifest = {
  schemaVersion: 2,
  mediaType: DOCKER_MANIFEST,
  config: { mediaType: DOCKER_CONFIG, size: 1469, digest: d("c") },
  layers: [
    { mediaType: DOCKER_LAYER_TAR_GZIP, size: 3623807, digest: d("1") },
    { mediaType: DOCKER_LAYER_TAR_GZIP, size: 1024, digest: d("2") },
  ],
};

const ociManifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: OCI_CONFIG, digest: d("c"), size: 581 },
  layers: [{ mediaType: OCI_LAYER_TAR_ZSTD, digest: d("1"), size: 12, annotations: { "org.opencontainers.image.title": "x" } }],
  annotations: { "org.opencontainers.image.created": "2024-06-01T00:00:00Z" },
};

const dockerList = {
  schemaVersion: 2,
  mediaType: DOCKER_MANIFEST_LIST,
  manifests: [
    { mediaType: DOCKER_MANIFEST, size: 528, digest: d("a"), platform: { architecture: "amd64", os: "linux" } },
    { mediaType: DOCKER_MANIFEST, size: 528, digest: d("b"), platform: { architecture: "arm", os: "linux", variant: "v6" } },
    {
      mediaType: DOCKER_MANIFEST,
      size: 528,
      digest: d("e"),
      platform: { architecture: "amd64", os: "windows", "os.version": "10.0.20348.2527", "os.features": ["win32k"] },
    },
  ],
};

// BuildKit-style index: images plus unknown/unknown attestation manifests pointing at them.
const ociIndexWithAttestations = {
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    { mediaType: OCI_MANIFEST, digest: d("a"), size: 1000, platform: { architecture: "amd64", os: "linux" } },
    { mediaType: OCI_MANIFEST, digest: d("b"), size: 1000, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
    {
      mediaType: OCI_MANIFEST,
      digest: d("f"),
      size: 840,
      annotations: { "vnd.docker.reference.digest": d("a"), "vnd.docker.reference.type": "attestation-manifest" },
      platform: { architecture: "unknown", os: "unknown" },
    },
  ],
};

const nestedIndex = {
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [{ mediaType: OCI_INDEX, digest: d("9"), size: 300 }],
  annotations: { "org.opencontainers.image.ref.name": "latest" },
};

const helmChart = {
  schemaVersion: 2,
  config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: d("c"), size: 117 },
  layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: d("1"), size: 3542 }],
};

const sbomArtifact = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  artifactType: "application/spdx+json",
  config: { mediaType: OCI_EMPTY, digest: `sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`, size: 2 },
  layers: [{ mediaType: "application/spdx+json", digest: d("1"), size: 100 }],
  subject: { mediaType: OCI_MANIFEST, digest: d("a"), size: 1000 },
};

const schema1 = {
  schemaVersion: 1,
  name: "library/hello",
  tag: "latest",
  architecture: "amd64",
  fsLayers: [{ blobSum: d("1") }],
  history: [{ v1Compatibility: "{}" }],
  signatures: [{ header: {}, signature: "x", protected: "y" }],
};

const with_ = (base: object, patch: object): object => ({ ...base, ...patch });
const layer0 = (patch: object): object => with_(dockerManifest, { layers: [with_(dockerManifest.layers[0]!, patch)] });

type Good = [name: string, body: Uint8Array, contentType: string | null, want: object];
const good: Good[] = [
  ["Docker schema2 manifest", json(dockerManifest), DOCKER_MANIFEST, { kind: "manifest", mediaType: DOCKER_MANIFEST, layers: dockerManifest.layers, config: dockerManifest.config }],
  ["OCI manifest, Content-Type with parameters and other case", json(ociManifest), `Application/VND.oci.image.manifest.v1+json; charset=utf-8`, { kind: "manifest", mediaType: OCI_MANIFEST, annotations: ociManifest.annotations }],
  ["OCI manifest without body mediaType: Content-Type decides", json(with_(ociManifest, { mediaType: undefined })), OCI_MANIFEST, { kind: "manifest", mediaType: OCI_MANIFEST }],
  ["OCI manifest without any mediaType: inferred from config", json(with_(ociManifest, { mediaType: undefined })), null, { kind: "manifest", mediaType: OCI_MANIFEST }],
  ["generic Content-Type makes no claim", json(dockerManifest), "application/json", { kind: "manifest", mediaType: DOCKER_MANIFEST }],
  ["proxy-sanitised octet-stream makes no claim", json(dockerManifest), "application/octet-stream", { kind: "manifest", mediaType: DOCKER_MANIFEST }],
  ["Docker manifest list", json(dockerList), DOCKER_MANIFEST_LIST, { kind: "index", mediaType: DOCKER_MANIFEST_LIST, manifests: dockerList.manifests }],
  ["OCI index with attestation entries", json(ociIndexWithAttestations), OCI_INDEX, { kind: "index", manifests: ociIndexWithAttestations.manifests }],
  ["nested index entry", json(nestedIndex), OCI_INDEX, { kind: "index", manifests: nestedIndex.manifests }],
  ["empty index", json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }), OCI_INDEX, { kind: "index", manifests: [] }],
  ["index without any mediaType: inferred from manifests", json({ schemaVersion: 2, manifests: [] }), null, { kind: "index", mediaType: OCI_INDEX }],
  ["foreign layer with urls", json(layer0({ mediaType: DOCKER_LAYER_FOREIGN_TAR_GZIP, urls: ["https://mcr.microsoft.com/l/x"] })), DOCKER_MANIFEST, { kind: "manifest", layers: [{ urls: ["https://mcr.microsoft.com/l/x"] }] }],
  ["size 0 and 2^53-1", json(with_(dockerManifest, { layers: [with_(dockerManifest.layers[0]!, { size: 0 }), with_(dockerManifest.layers[0]!, { size: 9007199254740991 })] })), null, { kind: "manifest" }],
  ["image with a subject (referrers)", json(with_(ociManifest, { subject: { mediaType: OCI_MANIFEST, digest: d("a"), size: 7 } })), OCI_MANIFEST, { kind: "manifest", subject: { digest: d("a") } }],
  ["unknown fields are ignored", json(with_(dockerManifest, { extra: { anything: [1, 2] } })), DOCKER_MANIFEST, { kind: "manifest" }],
  ["sha512 and unknown-algorithm digests are valid descriptors", json(layer0({ digest: `sha512:${"a".repeat(128)}` })), null, { kind: "manifest" }],
  ["whitespace and escapes", utf8(`\n { "schemaVersion" : 2 , "mediaType":"application\\/vnd.docker.distribution.manifest.v2+json", "config": ${JSON.stringify(dockerManifest.config)}, "layers": [] }\r\n`), DOCKER_MANIFEST, { kind: "manifest", layers: [] }],
];

type Bad = [name: string, body: Uint8Array, contentType: string | null, want: Partial<LayerscopeError> & { kind: string }, reason?: RegExp];
const bad: Bad[] = [
  // Schema 1 (SECURITY R9): named, not parsed.
  ["schema1 signed by Content-Type", json(schema1), DOCKER_SCHEMA1_SIGNED_MANIFEST, { kind: "schema1", mediaType: DOCKER_SCHEMA1_SIGNED_MANIFEST }],
  ["schema1 unsigned by Content-Type", json(with_(schema1, { signatures: undefined })), DOCKER_SCHEMA1_MANIFEST, { kind: "schema1", mediaType: DOCKER_SCHEMA1_MANIFEST }],
  ["schema1 recognised by schemaVersion alone", json(schema1), "application/json", { kind: "schema1", mediaType: DOCKER_SCHEMA1_SIGNED_MANIFEST }],
  ["schemaVersion 1 with a v2 mediaType is just invalid", json(with_(dockerManifest, { schemaVersion: 1 })), null, { kind: "bad-manifest", what: "manifest" }, /schemaVersion must be 2, not 1/],
  // Artifacts (SECURITY R10).
  ["Helm chart", json(helmChart), OCI_MANIFEST, { kind: "not-an-image", mediaType: "application/vnd.cncf.helm.config.v1+json" }],
  ["SBOM artifact with artifactType", json(sbomArtifact), OCI_MANIFEST, { kind: "not-an-image", mediaType: OCI_EMPTY, artifactType: "application/spdx+json" }],
  // Ambiguity (SECURITY R7).
  ["layers and manifests", json(with_(dockerManifest, { manifests: [] })), null, { kind: "ambiguous-manifest" }, /both “manifests”.*“layers”/],
  ["config and manifests", json(with_(dockerList, { config: dockerManifest.config })), null, { kind: "ambiguous-manifest" }, /both “manifests”.*“config”/],
  ["body mediaType vs Content-Type", json(dockerManifest), OCI_INDEX, { kind: "ambiguous-manifest" }, /mediaType “application\/vnd.docker.distribution.manifest.v2\+json” but .*Content-Type “application\/vnd.oci.image.index.v1\+json”/],
  ["body says index, Content-Type manifest", json(dockerList), DOCKER_MANIFEST, { kind: "ambiguous-manifest" }, /Content-Type/],
  ["Content-Type index but body is a manifest", json(with_(ociManifest, { mediaType: undefined })), OCI_INDEX, { kind: "ambiguous-manifest" }, /says index .* has “layers”/],
  ["mediaType manifest but body has manifests", json({ schemaVersion: 2, mediaType: OCI_MANIFEST, manifests: [] }), null, { kind: "ambiguous-manifest" }, /says manifest .* has “manifests”/],
  ["duplicate mediaType key", utf8(`{"schemaVersion":2,"mediaType":"${OCI_INDEX}","mediaType":"${DOCKER_MANIFEST}","config":${JSON.stringify(dockerManifest.config)},"layers":[]}`), null, { kind: "ambiguous-manifest" }, /key "mediaType" twice at the top level/],
  ["duplicate digest in a nested descriptor", utf8(`{"schemaVersion":2,"mediaType":"${DOCKER_MANIFEST}","config":${JSON.stringify(dockerManifest.config)},"layers":[{"mediaType":"${DOCKER_LAYER_TAR_GZIP}","digest":"${d("1")}","digest":"${d("2")}","size":1}]}`), null, { kind: "ambiguous-manifest" }, /"digest" twice at layers\[0\]/],
  ["keys differing only in case", utf8(`{"schemaVersion":2,"mediaType":"${DOCKER_MANIFEST}","MediaType":"${OCI_INDEX}","config":${JSON.stringify(dockerManifest.config)},"layers":[]}`), null, { kind: "ambiguous-manifest" }, /"mediaType" and "MediaType" at the top level/],
  ["case-only duplicate inside annotations", json(with_(ociManifest, { annotations: { a: "1", A: "2" } })), null, { kind: "ambiguous-manifest" }, /"a" and "A" at annotations/],
  ["a key Go would fold onto layers (long s)", json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: ociManifest.config, "layerſ": [] }), null, { kind: "ambiguous-manifest" }, /"layerſ" .* treat it as that field/],
  ["MediaType spelled differently, no mediaType", json({ schemaVersion: 2, MediaType: OCI_INDEX, config: ociManifest.config, layers: [] }), null, { kind: "ambiguous-manifest" }, /"MediaType"/],
  ["case-folded descriptor field", json(layer0({ Digest: d("9") })), null, { kind: "ambiguous-manifest" }, /layers\[0\]/],
  ["lone surrogates that Go decodes alike", utf8(`{"schemaVersion":2,"mediaType":"${DOCKER_MANIFEST}","config":${JSON.stringify(dockerManifest.config)},"layers":[],"\\ud800":1,"\\udc00":2}`), null, { kind: "ambiguous-manifest" }, /twice/],
  // Descriptor validation.
  ["negative size", json(layer0({ size: -1 })), null, { kind: "bad-manifest", what: "manifest" }, /layers\[0\]\.size must be a whole number .* not -1/],
  ["fractional size", json(layer0({ size: 1.5 })), null, { kind: "bad-manifest" }, /not 1\.5/],
  ["exponent size", utf8(JSON.stringify(layer0({ size: 12345 })).replace("12345", "1e3")), null, { kind: "bad-manifest" }, /not 1e3/],
  ["size 1.0", utf8(JSON.stringify(layer0({ size: 12345 })).replace("12345", "1.0")), null, { kind: "bad-manifest" }, /not 1\.0/],
  ["size -0", utf8(JSON.stringify(layer0({ size: 12345 })).replace("12345", "-0")), null, { kind: "bad-manifest" }, /not -0/],
  ["size beyond 2^53-1", utf8(JSON.stringify(layer0({ size: 12345 })).replace("12345", "9007199254740993")), null, { kind: "bad-manifest" }, /9007199254740993/],
  ["size as a string", json(layer0({ size: "12" })), null, { kind: "bad-manifest" }, /size must be a number of bytes, not a string/],
  ["size missing", json(with_(dockerManifest, { config: { mediaType: DOCKER_CONFIG, digest: d("c") } })), null, { kind: "bad-manifest" }, /config\.size is missing/],
  ["bad digest", json(layer0({ digest: "sha256:1234" })), null, { kind: "bad-manifest" }, /layers\[0\]\.digest is not a valid digest: a sha256 digest must be 64/],
  ["uppercase digest", json(layer0({ digest: d("A") })), null, { kind: "bad-manifest" }, /uppercase/],
  ["mediaType not a string", json(layer0({ mediaType: 7 })), null, { kind: "bad-manifest" }, /layers\[0\]\.mediaType must be a string, not the number 7/],
  ["mediaType missing", json(layer0({ mediaType: undefined })), null, { kind: "bad-manifest" }, /layers\[0\]\.mediaType is missing/],
  ["mediaType not type/subtype", json(layer0({ mediaType: "tar" })), null, { kind: "bad-manifest" }, /not a media type/],
  ["urls not strings", json(layer0({ urls: ["https://x", 1] })), null, { kind: "bad-manifest" }, /layers\[0\]\.urls\[1\] must be a string/],
  ["urls not an array", json(layer0({ urls: "https://x" })), null, { kind: "bad-manifest" }, /urls must be an array/],
  ["annotation value not a string", json(with_(ociManifest, { annotations: { n: 1 } })), null, { kind: "bad-manifest" }, /annotations\.n must be a string/],
  ["platform without architecture", json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: d("a"), size: 1, platform: { os: "linux" } }] }), null, { kind: "bad-manifest", what: "index" }, /manifests\[0\]\.platform\.architecture is missing/],
  ["platform variant not a string", json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: d("a"), size: 1, platform: { os: "linux", architecture: "arm", variant: 7 } }] }), null, { kind: "bad-manifest", what: "index" }, /variant must be a string/],
  ["layers not an array", json(with_(dockerManifest, { layers: {} })), null, { kind: "bad-manifest" }, /layers must be an array/],
  ["layers missing", json(with_(dockerManifest, { layers: undefined })), null, { kind: "bad-manifest" }, /layers is missing/],
  ["manifests entry not an object", json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: ["x"] }), null, { kind: "bad-manifest", what: "index" }, /manifests\[0\] must be an object, not a string/],
  // Envelope.
  ["schemaVersion 3", json(with_(dockerManifest, { schemaVersion: 3 })), null, { kind: "bad-manifest" }, /schemaVersion must be 2, not 3/],
  ["schemaVersion as a string", json(with_(dockerManifest, { schemaVersion: "2" })), null, { kind: "bad-manifest" }, /not a string/],
  ["schemaVersion missing", json(with_(dockerManifest, { schemaVersion: undefined })), null, { kind: "bad-manifest" }, /schemaVersion is missing/],
  ["unknown Content-Type without body mediaType", json(with_(ociManifest, { mediaType: undefined })), "application/vnd.example.thing+json", { kind: "unsupported-media-type", mediaType: "application/vnd.example.thing+json" }],
  ["unknown body mediaType", json(with_(ociManifest, { mediaType: "application/vnd.example.thing+json" })), null, { kind: "unsupported-media-type", mediaType: "application/vnd.example.thing+json" }],
  ["neither config nor manifests", json({ schemaVersion: 2 }), null, { kind: "bad-manifest" }, /neither/],
  ["not JSON", utf8("<html>hello</html>"), null, { kind: "bad-manifest" }, /not valid JSON \(unexpected character "<" at character 1\)/],
  ["truncated JSON", utf8(JSON.stringify(dockerManifest).slice(0, 50)), null, { kind: "bad-manifest" }, /not valid JSON/],
  ["trailing garbage", utf8(`${JSON.stringify(dockerManifest)} x`), null, { kind: "bad-manifest" }, /after the document/],
  ["two documents", utf8(`${JSON.stringify(dockerManifest)}{}`), null, { kind: "bad-manifest" }, /after the document/],
  ["byte order mark", new Uint8Array([0xef, 0xbb, 0xbf, ...json(dockerManifest)]), null, { kind: "bad-manifest" }, /byte order mark/],
  ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), null, { kind: "bad-manifest" }, /not valid UTF-8/],
  ["top-level array", json([dockerManifest]), null, { kind: "bad-manifest" }, /must be a JSON object, not an array/],
  ["raw control character in a string", utf8(`{"schemaVersion":2,"mediaType":"a\tb"}`), null, { kind: "bad-manifest" }, /control character/],
  ["nesting bomb", utf8(`{"schemaVersion":2,"x":${"[".repeat(100000)}${"]".repeat(100000)}}`), null, { kind: "bad-manifest" }, /nested deeper than 256/],
  ["empty body", new Uint8Array(), null, { kind: "bad-manifest" }, /end of input/],
];

describe("parseManifestOrIndex: good", () => {
  it.each(good)("%s", (_name, body, contentType, want) => {
    const r = parseManifestOrIndex(body, contentType);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value).toMatchObject({ schemaVersion: 2, ...want });
  });
});

describe("parseManifestOrIndex: bad", () => {
  it.each(bad)("%s", (_name, body, contentType, want, reason) => {
    const r = parseManifestOrIndex(body, contentType);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject(want);
    if (reason) expect("reason" in r.error ? r.error.reason : "").toMatch(reason);
  });
});

describe("parseManifestOrIndex: details", () => {
  it("keeps platform fields of index entries", () => {
    const r = parseManifestOrIndex(json(dockerList), DOCKER_MANIFEST_LIST);
    if (!r.ok || r.value.kind !== "index") throw new Error("expected an index");
    expect(r.value.manifests.map((m) => m.platform)).toEqual([
      { architecture: "amd64", os: "linux" },
      { architecture: "arm", os: "linux", variant: "v6" },
      { architecture: "amd64", os: "windows", "os.version": "10.0.20348.2527", "os.features": ["win32k"] },
    ]);
  });

  it("returns exactly the spec fields: no unknown keys copied", () => {
    const r = parseManifestOrIndex(json(layer0({ extra: 1, data: "e30=" })), null);
    if (!r.ok || r.value.kind !== "manifest") throw new Error("expected a manifest");
    expect(Object.keys(r.value.layers[0]!).sort()).toEqual(["digest", "mediaType", "size"]);
  });

  // SECURITY T12-style regression: "__proto__" in untrusted maps is data, never a prototype.
  it("ghsa-style: __proto__ and constructor annotations do not pollute", () => {
    const body = utf8(
      `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","config":${JSON.stringify(ociManifest.config)},"layers":[],` +
        `"annotations":{"__proto__":"p","constructor":"c","toString":"t"}}`,
    );
    const r = parseManifestOrIndex(body, null);
    if (!r.ok || r.value.kind !== "manifest") throw new Error("expected a manifest");
    expect(Object.getOwnPropertyNames(r.value.annotations)).toEqual(["__proto__", "constructor", "toString"]);
    expect(r.value.annotations?.["__proto__"]).toBe("p");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(r.value.annotations)).toBeNull();
  });

  it("a __proto__ object at the top level changes nothing", () => {
    const body = utf8(`{"__proto__":{"polluted":true},${JSON.stringify(dockerManifest).slice(1)}`);
    const r = parseManifestOrIndex(body, null);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("OCI layer media types inside a Docker manifest are accepted as written", () => {
    const r = parseManifestOrIndex(json(layer0({ mediaType: OCI_LAYER_TAR_GZIP })), DOCKER_MANIFEST);
    expect(r.ok).toBe(true);
  });
});

// ── image config ───────────────────────────────────────────────────────────────────────────

const dockerConfig = {
  architecture: "amd64",
  os: "linux",
  created: "2024-05-22T18:18:12.052034407Z",
  config: {
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["/bin/sh"],
    WorkingDir: "/",
    ExposedPorts: { "80/tcp": {} },
    Volumes: { "/data": {} },
    Labels: { maintainer: "a", MAINTAINER: "b", "org.opencontainers.image.source": "https://github.com/x/y" },
    ArgsEscaped: true,
    Entrypoint: null,
    OnBuild: null,
    Image: "sha256:abc",
  },
  container_config: { Labels: { a: "1", A: "2" } },
  rootfs: { type: "layers", diff_ids: [d("1"), d("2")] },
  history: [
    { created: "2024-05-22T18:18:11Z", created_by: "/bin/sh -c #(nop) ADD file:abc in / " },
    { created: "2024-05-22T18:18:12Z", created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
    { created: "2024-05-22T18:18:13Z", created_by: "RUN apk add curl", comment: "buildkit.dockerfile.v0" },
  ],
};

describe("parseImageConfig: good", () => {
  it("a Docker-built config", () => {
    const r = parseImageConfig(json(dockerConfig));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value).toMatchObject({
      architecture: "amd64",
      os: "linux",
      created: dockerConfig.created,
      rootfs: dockerConfig.rootfs,
      history: dockerConfig.history,
      config: {
        Env: dockerConfig.config.Env,
        Cmd: ["/bin/sh"],
        Entrypoint: null,
        ExposedPorts: { "80/tcp": {} },
        Volumes: { "/data": {} },
        ArgsEscaped: true,
      },
    });
    // Label keys that differ only in case are two labels (Go decodes them into a map).
    expect(r.value.config?.Labels).toEqual({ ...dockerConfig.config.Labels });
  });

  it.each([
    ["minimal", { architecture: "arm64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }],
    ["variant and os.version", { architecture: "arm", variant: "v7", os: "windows", "os.version": "10.0", rootfs: { type: "layers", diff_ids: [] } }],
    ["config null, history null", { architecture: "amd64", os: "linux", config: null, history: null, rootfs: { type: "layers", diff_ids: [] } }],
    ["Env null, Labels null", { architecture: "amd64", os: "linux", config: { Env: null, Labels: null }, rootfs: { type: "layers", diff_ids: [] } }],
    ["unknown fields", { architecture: "amd64", os: "linux", docker_version: "24.0", moby: { x: 1 }, rootfs: { type: "layers", diff_ids: [] } }],
  ])("%s", (_name, config) => {
    expect(parseImageConfig(json(config)).ok).toBe(true);
  });

  it("__proto__ labels stay data", () => {
    const r = parseImageConfig(
      utf8(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{"Labels":{"__proto__":"x"}}}`),
    );
    if (!r.ok) throw new Error("expected ok");
    expect(Object.getOwnPropertyNames(r.value.config?.Labels)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });
});

describe("parseImageConfig: bad", () => {
  const base = { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [d("1")] } };
  it.each<[string, Uint8Array, string, RegExp]>([
    ["os missing", json({ ...base, os: undefined }), "bad-manifest", /^os is missing/],
    ["architecture a number", json({ ...base, architecture: 64 }), "bad-manifest", /architecture must be a string/],
    ["architecture empty", json({ ...base, architecture: "" }), "bad-manifest", /architecture is empty/],
    ["rootfs missing", json({ ...base, rootfs: undefined }), "bad-manifest", /rootfs must be an object but is missing/],
    ["rootfs.type wrong", json({ ...base, rootfs: { type: "layer", diff_ids: [] } }), "bad-manifest", /rootfs.type must be “layers”/],
    ["diff_ids missing", json({ ...base, rootfs: { type: "layers" } }), "bad-manifest", /diff_ids must be an array of digests but is missing/],
    ["diff_id invalid", json({ ...base, rootfs: { type: "layers", diff_ids: [d("1"), "sha256:xyz"] } }), "bad-manifest", /diff_ids\[1\] is not a valid digest/],
    ["diff_id not a string", json({ ...base, rootfs: { type: "layers", diff_ids: [1] } }), "bad-manifest", /diff_ids\[0\] must be a digest string/],
    ["history not an array", json({ ...base, history: {} }), "bad-manifest", /history must be an array/],
    ["history entry not an object", json({ ...base, history: ["RUN x"] }), "bad-manifest", /history\[0\] must be an object/],
    ["empty_layer as a string", json({ ...base, history: [{ empty_layer: "true" }] }), "bad-manifest", /history\[0\]\.empty_layer must be true or false/],
    ["created_by a number", json({ ...base, history: [{ created_by: 1 }] }), "bad-manifest", /history\[0\]\.created_by must be a string/],
    ["Env a string", json({ ...base, config: { Env: "A=1" } }), "bad-manifest", /config\.Env must be an array of strings/],
    ["Env entry a number", json({ ...base, config: { Env: ["A=1", 2] } }), "bad-manifest", /config\.Env\[1\] must be a string/],
    ["Labels value a number", json({ ...base, config: { Labels: { a: 1 } } }), "bad-manifest", /config\.Labels\.a must be a string/],
    ["ExposedPorts an array", json({ ...base, config: { ExposedPorts: ["80/tcp"] } }), "bad-manifest", /ExposedPorts must be an object/],
    ["config a string", json({ ...base, config: "x" }), "bad-manifest", /config must be an object/],
    ["duplicate os", utf8(`{"architecture":"amd64","os":"linux","os":"windows","rootfs":{"type":"layers","diff_ids":[]}}`), "ambiguous-manifest", /image config has the key "os" twice/],
    ["duplicate label", utf8(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{"Labels":{"a":"1","a":"2"}}}`), "ambiguous-manifest", /"a" twice at config\.Labels/],
    ["Env and env", utf8(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{"Env":[],"env":["X=1"]}}`), "ambiguous-manifest", /"Env" and "env" at config/],
    ["env alone (Go reads it as Env)", json({ ...base, config: { env: ["X=1"] } }), "ambiguous-manifest", /"env" at config .* treat it as that field/],
    ["Rootfs alongside rootfs", utf8(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"Rootfs":{"type":"layers","diff_ids":[]}}`), "ambiguous-manifest", /"rootfs" and "Rootfs"/],
    ["DIFF_IDS in rootfs", json({ ...base, rootfs: { type: "layers", diff_ids: [], DIFF_IDS: [d("1")] } }), "ambiguous-manifest", /"DIFF_IDS" at rootfs/],
    ["not JSON", utf8("{"), "bad-manifest", /not valid JSON/],
    ["invalid UTF-8", new Uint8Array([0xc3, 0x28]), "bad-manifest", /UTF-8/],
  ])("%s", (_name, body, kind, reason) => {
    const r = parseImageConfig(body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe(kind);
    if (r.error.kind === "bad-manifest") expect(r.error.what).toBe("config");
    expect("reason" in r.error ? r.error.reason : "").toMatch(reason);
  });
});
