/**
 * Referrers fixtures (issue 5 point 8): an image with four artifacts attached through `subject`
 * (a cosign-style signature with a JSON payload, an SPDX SBOM, a text note and a binary blob),
 * pushed to the real registry (OPEN), which has no referrers API; so the fixture also pushes the
 * referrers index under the tag schema's `sha256-<hex>` tag, as cosign and notation do there, and
 * fills the table the REFERRERS front answers the API from. A second image has one text artifact
 * whose blob is damaged in the registry's storage after the push and one above the display cap;
 * a third has no referrers.
 * Built byte for byte in code: the digests are the same on every run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage, descriptorOf, jsonBytes, OCI_INDEX, OCI_MANIFEST, Pusher, sha256, type Blob, type BuiltImage, type Descriptor, type PushTarget, pushImage } from "./fixtures";
import type { ReferrersTable } from "./referrers-front";

export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const TYPES = {
  signature: "application/vnd.dev.cosign.artifact.sig.v1+json",
  sbom: "application/spdx+json",
  text: "application/vnd.layerscope.note.v1",
  binary: "application/vnd.layerscope.blob.v1",
} as const;

export interface ArtifactFacts {
  manifestDigest: string;
  artifactType: string;
  layerDigest: string;
  layerMediaType: string;
}

export interface ReferrersFacts {
  repository: string;
  tag: string;
  subject: string;
  /** The referrers tag schema's tag for `subject`. */
  fallbackTag: string;
  artifacts: { signature: ArtifactFacts; sbom: ArtifactFacts; text: ArtifactFacts; binary: ArtifactFacts };
  /** Text a spec can look for in each artifact's shown content. */
  content: { signatureImage: string; sbomName: string; text: string; binaryHex: string };
  tampered: { repository: string; tag: string; subject: string; artifact: ArtifactFacts; big: ArtifactFacts & { layerSize: number } };
  none: { repository: string; tag: string; subject: string };
}

const CREATED = "2025-03-01T12:00:00Z";
const blobOf = (mediaType: string, bytes: Uint8Array): Blob => ({ mediaType, digest: sha256(bytes), size: bytes.byteLength, bytes });
const EMPTY = blobOf(OCI_EMPTY, new TextEncoder().encode("{}"));

interface Built {
  manifest: Blob;
  layer: Blob;
  descriptor: Descriptor & { artifactType: string };
}

/** An OCI 1.1 artifact: empty config, one layer, `artifactType` and `subject` (image-spec manifest.md). */
function artifact(artifactType: string, layer: Blob, subject: Blob, annotations: Record<string, string> = {}): Built {
  const all = { "org.opencontainers.image.created": CREATED, ...annotations };
  const manifest = blobOf(
    OCI_MANIFEST,
    jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: descriptorOf(EMPTY),
      layers: [{ ...descriptorOf(layer), annotations: { "org.opencontainers.image.title": `${artifactType.split("/")[1]}.out` } }],
      subject: descriptorOf(subject),
      annotations: all,
    }),
  );
  return { manifest, layer, descriptor: { ...descriptorOf(manifest), artifactType, annotations: all } };
}

const facts = (a: Built): ArtifactFacts => ({ manifestDigest: a.manifest.digest, artifactType: a.descriptor.artifactType, layerDigest: a.layer.digest, layerMediaType: a.layer.mediaType });

const tagFor = (digest: string): string => digest.replace(":", "-");

function subjectImage(label: string): BuiltImage {
  return buildImage({
    flavour: "oci",
    architecture: "amd64",
    layers: [[{ type: "file", path: `etc/${label}`, content: `${label}\n` }]],
    history: [{ created_by: `COPY ${label} /etc/ # buildkit` }],
  });
}

async function pushArtifacts(p: Pusher, repo: string, list: readonly Built[]): Promise<void> {
  await p.pushBlob(repo, EMPTY);
  for (const a of list) {
    await p.pushBlob(repo, a.layer);
    await p.pushManifest(repo, a.manifest.digest, a.manifest);
  }
}

/** The referrers index for `subject`, as the API would answer it, pushed under `sha256-<hex>`. */
async function pushFallbackTag(p: Pusher, repo: string, subject: string, list: readonly Built[]): Promise<void> {
  const index = blobOf(OCI_INDEX, jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: list.map((a) => a.descriptor) }));
  await p.pushManifest(repo, tagFor(subject), index);
}

/**
 * Pushes the referrers fixtures to `target` (OPEN), damages the tampered blob in OPEN's storage
 * (`storage` = its rootdirectory), and fills `table` for the REFERRERS front.
 */
export async function pushReferrersFixtures(target: PushTarget, storage: string, table: ReferrersTable): Promise<ReferrersFacts> {
  const p = new Pusher(target);
  const repository = "e2e/referrers";
  const image = subjectImage("signed");
  await pushImage(target, repository, "v1", image);

  const signaturePayload = jsonBytes({
    critical: { identity: { "docker-reference": `${repository}` }, image: { "docker-manifest-digest": image.manifest.digest }, type: "cosign container image signature" },
    optional: { creator: "layerscope e2e" },
  });
  const sbomDoc = jsonBytes({
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: "layerscope-e2e-sbom",
    packages: [{ SPDXID: "SPDXRef-Package-hello", name: "hello", versionInfo: "1.0.0", licenseConcluded: "MIT" }],
  });
  const text = "Release notes for e2e/referrers:v1\nline two: <b>not bold</b>\n";
  const binaryBytes = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 0xff);
  const signature = artifact(TYPES.signature, blobOf("application/vnd.dev.cosign.simplesigning.v1+json", signaturePayload), image.manifest, {
    "dev.cosignproject.cosign/signature": "MEUCIQDexampleexampleexampleexampleexampleexampleAiB=",
  });
  const sbom = artifact(TYPES.sbom, blobOf("application/spdx+json", sbomDoc), image.manifest);
  const note = artifact(TYPES.text, blobOf("text/plain", new TextEncoder().encode(text)), image.manifest);
  const binary = artifact(TYPES.binary, blobOf("application/octet-stream", binaryBytes), image.manifest);
  const all = [signature, sbom, note, binary];
  await pushArtifacts(p, repository, all);
  await pushFallbackTag(p, repository, image.manifest.digest, all);
  table.set(`${repository}@${image.manifest.digest}`, all.map((a) => a.descriptor));

  // One artifact whose blob the registry serves damaged (one bit flipped in its storage).
  const tamperedRepo = "e2e/referrers-tampered";
  const tamperedImage = subjectImage("tampered");
  await pushImage(target, tamperedRepo, "v1", tamperedImage);
  const damaged = artifact(TYPES.text, blobOf("text/plain", new TextEncoder().encode("this note is damaged in the registry's storage\n")), tamperedImage.manifest);
  // And one whose blob is above the page's display cap (4 MiB): offered as a download only.
  const bigBytes = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const big = artifact(TYPES.binary, blobOf("application/octet-stream", bigBytes), tamperedImage.manifest);
  await pushArtifacts(p, tamperedRepo, [damaged, big]);
  await pushFallbackTag(p, tamperedRepo, tamperedImage.manifest.digest, [damaged, big]);
  table.set(`${tamperedRepo}@${tamperedImage.manifest.digest}`, [damaged.descriptor, big.descriptor]);
  const hex = damaged.layer.digest.slice("sha256:".length);
  const data = join(storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  const bytes = readFileSync(data);
  bytes[3]! ^= 0x01;
  writeFileSync(data, bytes);

  const noneRepo = "e2e/referrers-none";
  const lonely = subjectImage("lonely");
  await pushImage(target, noneRepo, "v1", lonely);

  return {
    repository,
    tag: "v1",
    subject: image.manifest.digest,
    fallbackTag: tagFor(image.manifest.digest),
    artifacts: { signature: facts(signature), sbom: facts(sbom), text: facts(note), binary: facts(binary) },
    content: {
      signatureImage: image.manifest.digest,
      sbomName: "layerscope-e2e-sbom",
      text: "line two: <b>not bold</b>",
      binaryHex: Array.from(binaryBytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" "),
    },
    tampered: { repository: tamperedRepo, tag: "v1", subject: tamperedImage.manifest.digest, artifact: facts(damaged), big: { ...facts(big), layerSize: big.layer.size } },
    none: { repository: noneRepo, tag: "v1", subject: lonely.manifest.digest },
  };
}
