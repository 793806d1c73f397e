/** Small helpers for specs that talk the registry protocol through the proxy (no UI). */
import { createHash } from "node:crypto";

/** Accept header with the four schema 2 / OCI manifest and index types. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export const sha256 = (bytes: Uint8Array): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Path on the app's origin that the proxy forwards to `http://HOST/v2/…` (contract: /registry/<host>/v2/<api path>). */
export const viaProxy = (host: string, apiPath: string): string => `/registry/${host}/v2/${apiPath}`;

export const basicAuth = (c: { username: string; password: string }): string =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
