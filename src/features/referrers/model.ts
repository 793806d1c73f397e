/**
 * Display model for referrers and artifacts: artifact types in words, how to show a blob's bytes
 * (JSON tree, text or hex), a hex dump, and JSON re-printed without losing number spelling.
 * Pure functions; the components stay thin.
 */
import { OCI_EMPTY, type ArtifactManifest, type Descriptor, type ImageManifest } from "../../core/oci";
import { parseJson, isJsonArray, isJsonNumber, isJsonObject, type JsonValue } from "../../core/oci/json";

/** Media types of the artifacts people attach to images, named as their projects name them. */
export const ARTIFACT_TYPES = {
  cosignSignature: "application/vnd.dev.cosign.artifact.sig.v1+json",
  cosignSimpleSigning: "application/vnd.dev.cosign.simplesigning.v1+json",
  notationSignature: "application/vnd.cncf.notary.signature",
  spdxJson: "application/spdx+json",
  cyclonedxJson: "application/vnd.cyclonedx+json",
  inToto: "application/vnd.in-toto+json",
  dsse: "application/vnd.dsse.envelope.v1+json",
} as const;

const EXACT = new Map<string, string>([
  [ARTIFACT_TYPES.cosignSignature, "cosign signature"],
  [ARTIFACT_TYPES.cosignSimpleSigning, "cosign signature payload"],
  [ARTIFACT_TYPES.notationSignature, "Notation signature"],
  ["application/jose+json", "JWS signature"],
  ["application/cose", "COSE signature"],
  [ARTIFACT_TYPES.spdxJson, "SPDX SBOM"],
  ["text/spdx", "SPDX SBOM"],
  ["text/spdx+json", "SPDX SBOM"],
  [ARTIFACT_TYPES.cyclonedxJson, "CycloneDX SBOM"],
  ["application/vnd.cyclonedx+xml", "CycloneDX SBOM"],
  ["application/vnd.syft+json", "Syft SBOM"],
  [ARTIFACT_TYPES.inToto, "in-toto attestation"],
  [ARTIFACT_TYPES.dsse, "DSSE attestation envelope"],
  ["application/vnd.cncf.helm.config.v1+json", "Helm chart"],
  ["application/vnd.cncf.helm.chart.content.v1.tar+gzip", "Helm chart content"],
  ["application/vnd.wasm.config.v0+json", "WebAssembly module"],
  [OCI_EMPTY, "empty"],
  ["application/vnd.oci.image.config.v1+json", "OCI image config"],
  ["application/vnd.oci.image.manifest.v1+json", "OCI image manifest"],
  ["application/vnd.oci.image.index.v1+json", "OCI image index"],
  ["text/plain", "plain text"],
  ["application/json", "JSON"],
  ["application/octet-stream", "binary data"],
]);

/**
 * An artifact or blob media type in words ("cosign signature", "SPDX SBOM", "in-toto
 * attestation"), or undefined when we have no name for it (callers show the raw type).
 * Parameters (`;charset=…`) are ignored; Sigstore bundles of any version are one name.
 */
export function artifactTypeName(mediaType: string | undefined): string | undefined {
  if (mediaType === undefined) return undefined;
  const bare = mediaType.split(";")[0]!.trim().toLowerCase();
  const exact = EXACT.get(bare);
  if (exact !== undefined) return exact;
  if (bare.startsWith("application/vnd.dev.sigstore.bundle")) return "Sigstore bundle";
  if (bare.startsWith("application/vnd.in-toto.") || bare.startsWith("application/vnd.in-toto+")) return "in-toto attestation";
  return undefined;
}

/**
 * What a referrer or artifact manifest is (image-spec manifest.md 1.1): its artifactType, or else
 * its config's media type. BuildKit attestation manifests use an image config; their type is
 * read from their annotation by the caller.
 */
export function artifactTypeOf(m: ArtifactManifest | ImageManifest): string {
  return m.artifactType ?? m.config.mediaType;
}

/** Annotation keys shown in the referrers list (image-spec annotations.md). */
export const CREATED_ANNOTATION = "org.opencontainers.image.created";
export const TITLE_ANNOTATION = "org.opencontainers.image.title";

/** A descriptor's created annotation, when it has one. */
export const createdOf = (d: Descriptor): string | undefined => d.annotations?.[CREATED_ANNOTATION];

// ── blob content ────────────────────────────────────────────────────────────────────────────

/** How a blob is shown: a JSON tree, text, or a hex dump. `note` says why a fallback was taken. */
export type BlobContent =
  | { readonly view: "json"; readonly value: JsonValue; readonly text: string }
  | { readonly view: "text"; readonly text: string; readonly note?: string }
  | { readonly view: "binary"; readonly note?: string };

const isJsonType = (mediaType: string): boolean => {
  const bare = mediaType.split(";")[0]!.trim().toLowerCase();
  return bare.endsWith("+json") || bare.endsWith("/json");
};

/**
 * Decides how to show a blob's bytes. Valid UTF-8 with no control characters other than tab, LF
 * and CR is text; text that is JSON (by media type or by its first character) is parsed with the
 * core's JSON reader, which keeps numbers as written and refuses duplicate keys; anything else is
 * binary. The media type is a hint, never trusted: a "+json" blob that does not parse is text.
 */
export function classifyBlob(mediaType: string, bytes: Uint8Array): BlobContent {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { view: "binary", ...(isJsonType(mediaType) ? { note: "not valid UTF-8, so not JSON" } : {}) };
  }
  // eslint-disable-next-line no-control-regex -- control characters make a blob binary
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return { view: "binary" };
  const first = text.trimStart()[0];
  if (isJsonType(mediaType) || first === "{" || first === "[") {
    const parsed = parseJson(text);
    if (parsed.ok) return { view: "json", value: parsed.value.value, text };
    if (isJsonType(mediaType)) {
      const e = parsed.error;
      return { view: "text", text, note: e.type === "syntax" ? `not valid JSON (${e.reason}); shown as text` : `the key ${JSON.stringify(e.key)} appears twice; shown as text` };
    }
  }
  return { view: "text", text };
}

/**
 * JSON re-printed with two-space indentation, numbers exactly as written (JSON.stringify would
 * turn 12345678901234567890 into 12345678901234567000).
 */
export function prettyJson(v: JsonValue, indent = ""): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (isJsonNumber(v)) return v.raw;
  const inner = `${indent}  `;
  if (isJsonArray(v)) return v.length === 0 ? "[]" : `[\n${v.map((x) => inner + prettyJson(x, inner)).join(",\n")}\n${indent}]`;
  if (isJsonObject(v)) {
    if (v.size === 0) return "{}";
    return `{\n${[...v].map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(",\n")}\n${indent}}`;
  }
  return "";
}

/** Bytes shown in a hex dump before "download for the rest". */
export const HEX_DUMP_LIMIT = 64 * 1024;

/**
 * `xxd`-style lines, 16 bytes each: offset (8 hex digits), the bytes in hex in two groups of 8,
 * and the printable ASCII (others as "."). At most `limit` bytes.
 */
export function hexDump(bytes: Uint8Array, limit = HEX_DUMP_LIMIT): string {
  const n = Math.min(bytes.byteLength, limit);
  const lines: string[] = [];
  for (let at = 0; at < n; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, n));
    let hex = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      const b = row[i];
      hex += b === undefined ? "   " : `${b.toString(16).padStart(2, "0")} `;
      if (i === 7) hex += " ";
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
    }
    lines.push(`${at.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`);
  }
  return lines.join("\n");
}
