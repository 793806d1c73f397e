/**
 * What the global setup started and pushed, written as JSON to a temp dir and read by the specs.
 *
 * The file's path travels in LAYERSCOPE_E2E_STATE: globalSetup sets it in the runner's
 * environment, which the worker processes inherit. Spec files are also loaded by the runner
 * before globalSetup runs (to list tests), so read the state inside tests, never at import time.
 */
import { readFileSync } from "node:fs";
import type { PicturesState } from "../setup/pictures-fixtures";
import type { ReferrersFacts } from "../setup/referrers-fixtures";

export const STATE_ENV = "LAYERSCOPE_E2E_STATE";

/** A single-platform image as pushed: digests are "sha256:<hex>". */
export interface ImageFacts {
  repository: string;
  tag: string;
  manifestDigest: string;
  manifestMediaType: string;
  configDigest: string;
  platform: string; // "linux/amd64", "linux/arm64/v8"
  layerDigests: string[];
  /** Each layer's diff_id (sha256 of its uncompressed tar), base first. */
  diffIds: string[];
  historyCount: number;
  emptyLayerCount: number;
}

export interface IndexFacts {
  repository: string;
  tag: string;
  indexDigest: string;
  images: ImageFacts[];
  attestation: { manifestDigest: string; describes: string };
}

export interface E2EState {
  /** The proxy serving the built app: http://127.0.0.1:PORT */
  baseURL: string;
  /** False when started with LAYERSCOPE_E2E_NO_APP=1 (test services only, no proxy). */
  appStarted: boolean;
  /** host:port of each test service, all on 127.0.0.1. */
  hosts: {
    /** distribution registry, no auth */
    open: string;
    /** distribution registry, htpasswd (Basic) auth */
    basic: string;
    /** distribution registry, token (Bearer) auth */
    token: string;
    /** the tests' own token server (realm of `token`) */
    tokenServer: string;
    /** Node front of `open`: blob GETs → 307 to `cdn`, plus the fault repositories */
    redirect: string;
    /** serves blobs for `redirect`, records request headers at GET /__seen */
    cdn: string;
    /** allowlisted in the proxy but nothing listens there */
    closed: string;
    /** Node front of `open` sending blob bodies at 4 MB/s; `GET /__blobs` lists them and whether the client left early */
    slow: string;
    /** Node front of `open` answering the referrers API from the fixtures (e2e/setup/referrers-front.ts); `GET /__referrers` lists what it answered */
    referrers: string;
    /** Node front of `open` injecting the faults a test registers (e2e/setup/fault-front.ts, e2e/helpers/faults.ts) */
    faults: string;
    /** a registry whose errors carry HTML and bidi characters in their messages, under `u2/` (e2e/setup/hostile-fixtures.ts) */
    hostile: string;
  };
  /** Accepted by `basic`, by the token server, and by `redirect` for repositories under auth/. */
  credentials: { username: string; password: string };
  images: {
    /** on open (also basic/token as private/app:v1 and token as public/app:v1, and open as e2e/tampered:v1) */
    docker: ImageFacts;
    oci: ImageFacts;
    mismatch: ImageFacts;
    multi: IndexFacts;
    /** third-party/hello-world:v25 pushed with skopeo from the ggcr test tarball */
    helloWorld: ImageFacts;
    /** on open: layers gzip, zstd, uncompressed, multi-member gzip (e2e/setup/layer-fixtures.ts) */
    layers: ImageFacts;
    /** on open: a layer with bytes after its tar end marker; the config's diff_id is without them */
    layersTrailing: ImageFacts;
    /** on open (serve through `slow` to cancel mid-way): one uncompressed 16 MiB layer */
    layersBig: ImageFacts;
    /** on open: one gzip layer whose blob has a byte flipped in the registry's storage */
    layersFlipped: ImageFacts;
    /** on open: etc/app.conf added, changed, whited out and re-added (e2e/setup/history-fixtures.ts) */
    history: ImageFacts;
    /** on open: setuid/setgid, world-writable, broken and looping symlinks, hardlinks (e2e/setup/search-fixtures.ts) */
    search: ImageFacts;
  };
  /** On open: e2e/viewer:v1, the file viewer's image (e2e/setup/viewer-fixtures.ts), with its layers' diff_ids. */
  viewer: ImageFacts & { diffIds: string[] };
  /** On open: e2e/compare:v1 (base + X) and :v2 (the same base blob + Y), see e2e/setup/compare-fixtures.ts. */
  compare: {
    v1: ImageFacts;
    v2: ImageFacts;
    /** Compressed blob sizes, base first. */
    v1LayerSizes: number[];
    v2LayerSizes: number[];
  };
  /** On open: e2e/pictures:v1 and the sizes its chart and treemap must show (e2e/setup/pictures-fixtures.ts). */
  pictures: PicturesState;
  /** On open: e2e/cache-wrongdiff:v1 = compare:v1's base blob under a config claiming `wrongDiffId` (e2e/setup/cache-fixtures.ts). */
  cache: { wrongDiff: ImageFacts; wrongDiffId: string };
  /** On open (reachable through `referrers` for the API): images with artifacts attached by `subject` (e2e/setup/referrers-fixtures.ts). */
  referrers: ReferrersFacts;
  /** Repositories per host, for building references. */
  repos: {
    basicPrivate: string; // private/app  (tag v1 = docker image, tag multi = index)
    tokenPublic: string; // public/app   (tag v1 = docker image)
    tokenPrivate: string; // private/app (tag v1 = docker image)
    tampered: string; // e2e/tampered on redirect (tag v1; bytes changed, header digest kept)
    rateLimited: string; // e2e/ratelimited on redirect
    html: string; // e2e/html on redirect
    redirectAuthPrefix: string; // "auth/": redirect asks for Basic credentials under this prefix
  };
  /** The fault front's trap: loopback, not allowlisted; redirects point at it and it must never see a connection. */
  faultTrap: string;
  /** Log files of the processes, for debugging and for "no secret in logs" checks. */
  logs: { proxy: string; dir: string };
  /** Values that must never appear in logs or reach the CDN. */
  secrets: string[];
}

let cached: E2EState | undefined;

export function state(): E2EState {
  if (cached) return cached;
  const file = process.env[STATE_ENV];
  if (!file) throw new Error(`${STATE_ENV} is not set: run the specs with \`npx playwright test\` so that e2e/setup runs first`);
  cached = JSON.parse(readFileSync(file, "utf8")) as E2EState;
  return cached;
}

/** A reference as a user types it: "127.0.0.1:PORT/repo:tag" or "…/repo@sha256:…". */
export function ref(host: string, repository: string, tagOrDigest: string): string {
  return tagOrDigest.startsWith("sha256:") ? `${host}/${repository}@${tagOrDigest}` : `${host}/${repository}:${tagOrDigest}`;
}
