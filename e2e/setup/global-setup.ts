/**
 * Playwright globalSetup: starts the registries, the token server, the redirecting front, the CDN
 * and the real app (the built proxy serving dist/app), pushes the fixture images, writes what it
 * did to a state file (see e2e/helpers/state.ts) and returns the teardown.
 *
 * Needs `npm run build` done and the tools from `node scripts/ensure.mjs test` (npm test runs both).
 * Set LAYERSCOPE_E2E_KEEP=1 to keep the temp dir (registry storage, configs, logs) after the run;
 * logs are always copied to .tmp/e2e-logs/. LAYERSCOPE_E2E_NO_APP=1 starts the test services
 * only (no proxy, no build needed): for working on the fixtures themselves.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STATE_ENV, type E2EState, type ImageFacts, type IndexFacts } from "../helpers/state";
import {
  dockerImage,
  mismatchImage,
  multiPlatformIndex,
  ociImage,
  pushImage,
  pushIndex,
  type BuiltImage,
  type BuiltIndex,
} from "./fixtures";
import {
  LOOPBACK,
  Processes,
  freePorts,
  makeHtpasswd,
  makeSigningMaterial,
  startCdn,
  startFront,
  startRegistry,
  startTokenServer,
  waitForHttp,
} from "./services";
import { bigImage, flippedImage, layersImage, trailingImage } from "./layer-fixtures";
import { compareImages } from "./compare-fixtures";
import { pushPictures } from "./pictures-fixtures";
import { WRONG_DIFF_ID, wrongDiffIdImage } from "./cache-fixtures";
import { historyImage } from "./history-fixtures";
import { damageViewerFlipped, viewerFlippedImage, viewerImage } from "./viewer-fixtures";
import { searchImage } from "./search-fixtures";
import { startSlowFront } from "./slow-front";
import { startReferrersFront, type ReferrersTable } from "./referrers-front";
import { FaultFront } from "./fault-front";
import { pushReferrersFixtures } from "./referrers-fixtures";
import { PAGE_REPO, hostileGzipImage, hostilePageImage, hostileTarImage, startHostileFront } from "./hostile-fixtures";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HELLO_WORLD_TAR = join(ROOT, "e2e/fixtures/third-party/hello-world-v25.tar");
const CREDENTIALS = { username: "alice", password: "wonderland-e2e" };
const TOKEN_SERVICE = "layerscope-e2e-registry";
const TOKEN_ISSUER = "layerscope-e2e-token-issuer";

function onPath(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const NO_APP = !!process.env.LAYERSCOPE_E2E_NO_APP;

function checkPrerequisites(): void {
  const missing = ["docker-registry", "skopeo", "htpasswd", "openssl"].filter((c) => !onPath(c));
  if (missing.length) throw new Error(`e2e setup: missing ${missing.join(", ")}. Run \`node scripts/ensure.mjs test\` (npm test does).`);
  if (NO_APP) return;
  for (const f of ["dist/proxy/main.js", "dist/app/index.html"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`e2e setup: ${f} is missing. Run \`npm run build\` (npm test does).`);
  }
}

const formatPlatform = (p: { os: string; architecture: string; variant?: string }): string =>
  [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join("/");

function imageFacts(repository: string, tag: string, img: BuiltImage): ImageFacts {
  return {
    repository,
    tag,
    manifestDigest: img.manifest.digest,
    manifestMediaType: img.manifest.mediaType,
    configDigest: img.config.digest,
    platform: formatPlatform(img.platform),
    layerDigests: img.layers.map((l) => l.digest),
    diffIds: img.layers.map((l) => l.diffId),
    historyCount: img.history.length,
    emptyLayerCount: img.history.filter((h) => h.empty_layer).length,
  };
}

function indexFacts(repository: string, tag: string, built: BuiltIndex): IndexFacts {
  return {
    repository,
    tag,
    indexDigest: built.index.digest,
    images: built.images.map((img) => imageFacts(repository, img.manifest.digest, img)),
    attestation: { manifestDigest: built.attestation.manifest.digest, describes: built.attestation.describes },
  };
}

/** Reads back what skopeo pushed, so specs can assert digests they did not compute themselves. */
async function registryImageFacts(host: string, repository: string, tag: string): Promise<ImageFacts> {
  const accept = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
  ].join(", ");
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, { headers: { accept } });
  if (!res.ok) throw new Error(`reading back ${repository}:${tag}: HTTP ${res.status}`);
  const manifest = (await res.json()) as { mediaType?: string; config: { digest: string }; layers: { digest: string }[] };
  const cfgRes = await fetch(`http://${host}/v2/${repository}/blobs/${manifest.config.digest}`);
  const config = (await cfgRes.json()) as {
    os: string;
    architecture: string;
    variant?: string;
    history?: { empty_layer?: boolean }[];
    rootfs: { diff_ids: string[] };
  };
  const history = config.history ?? [];
  return {
    repository,
    tag,
    manifestDigest: res.headers.get("docker-content-digest") ?? "",
    manifestMediaType: res.headers.get("content-type") ?? manifest.mediaType ?? "",
    configDigest: manifest.config.digest,
    platform: formatPlatform(config),
    layerDigests: manifest.layers.map((l) => l.digest),
    diffIds: config.rootfs.diff_ids,
    historyCount: history.length,
    emptyLayerCount: history.filter((h) => h.empty_layer).length,
  };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), "layerscope-e2e-"));
  const procs = new Processes();
  let faultFront: FaultFront | undefined;
  const teardown = async (): Promise<void> => {
    // What the fault front injected over the whole run (issue 8's "faults survived" figures).
    if (faultFront) writeFileSync(join(dir, "faults-totals.json"), JSON.stringify(faultFront.totals(), null, 2));
    await procs.stop();
    try {
      const logs = join(ROOT, ".tmp/e2e-logs");
      rmSync(logs, { recursive: true, force: true });
      mkdirSync(logs, { recursive: true });
      cpSync(dir, logs, { recursive: true, filter: (src) => !src.includes("-storage") && !src.endsWith("-key.pem") });
    } catch {
      // best effort: logs are a convenience
    }
    if (!process.env.LAYERSCOPE_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // playwright.config.ts picks the proxy's port itself (its baseURL is needed before this runs).
    const proxyPort = Number(process.env.LAYERSCOPE_PROXY_PORT) || (await freePorts(1))[0]!;
    const [open, basic, token, tokenServer, redirect, cdn, closed, slow, referrers, faults, faultTrap, hostile] = await freePorts(12, [proxyPort]);
    const host = (port: number | undefined): string => `${LOOPBACK}:${port}`;
    const hosts = {
      open: host(open),
      basic: host(basic),
      token: host(token),
      tokenServer: host(tokenServer),
      redirect: host(redirect),
      cdn: host(cdn),
      closed: host(closed),
      slow: host(slow),
      referrers: host(referrers),
      faults: host(faults),
      hostile: host(hostile),
    };
    const cdnSignature = `e2e-cdn-signature-${Math.random().toString(36).slice(2)}`;

    const htpasswdPath = join(dir, "htpasswd");
    makeHtpasswd(htpasswdPath, CREDENTIALS.username, CREDENTIALS.password);
    const signing = makeSigningMaterial(dir);
    const referrersTable: ReferrersTable = new Map();

    await Promise.all([
      startRegistry(procs, { name: "open", dir, port: open!, auth: { kind: "none" } }),
      startRegistry(procs, { name: "basic", dir, port: basic!, auth: { kind: "htpasswd", path: htpasswdPath } }),
      startRegistry(procs, {
        name: "token",
        dir,
        port: token!,
        auth: { kind: "token", realm: `http://${hosts.tokenServer}/token`, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: signing.certPath },
      }),
      startTokenServer(procs, tokenServer!, {
        issuer: TOKEN_ISSUER,
        service: TOKEN_SERVICE,
        signing,
        users: new Map([[CREDENTIALS.username, CREDENTIALS.password]]),
        isPublic: (repository) => repository.startsWith("public/"),
      }),
      startCdn(procs, cdn!, hosts.open),
      startFront(procs, redirect!, { open: hosts.open, cdn: hosts.cdn, credentials: CREDENTIALS, signature: cdnSignature }),
      // Layer blobs at 4 MB/s, so a layer can be cancelled mid-way (layers-control.spec.ts).
      startSlowFront(procs, slow!, { open: hosts.open, bytesPerSecond: 4 * 1024 * 1024 }),
      // The referrers API in front of OPEN (distribution 2.8 has none), from the fixtures' table.
      startReferrersFront(procs, referrers!, { open: hosts.open, listed: referrersTable }),
      // Faults of the tests' choosing in front of OPEN (fault-front.ts). Its trap is deliberately
      // not a host of `hosts`, so it is not in PROXY_ALLOW_HOSTS: nothing may ever connect to it.
      (async () => {
        faultFront = new FaultFront(hosts.open);
        procs.track(faultFront.server);
        procs.track(faultFront.trap);
        await faultFront.listen(faults!, faultTrap!);
      })(),
      // Registry errors whose messages carry HTML and bidi characters (hostile-fixtures.ts, SECURITY U2).
      startHostileFront(procs, hostile!),
    ]);

    const docker = dockerImage();
    const oci = ociImage();
    const mismatch = mismatchImage();
    const multi = multiPlatformIndex();
    const layers = layersImage();
    const trailing = trailingImage();
    const big = bigImage();
    const flipped = flippedImage();
    const compare = compareImages();
    const wrongDiff = wrongDiffIdImage(compare.v1);
    const history = await historyImage();
    const viewer = viewerImage();
    const viewerFlipped = viewerFlippedImage();
    const search = searchImage();
    const openTarget = { base: `http://${hosts.open}` };
    const pictures = pushPictures(openTarget); // e2e/pictures:v1 (pictures-fixtures.ts), pushed beside the others
    const basicTarget = { base: `http://${hosts.basic}`, credentials: CREDENTIALS };
    const tokenTarget = { base: `http://${hosts.token}`, credentials: CREDENTIALS };
    let referrersFacts: Awaited<ReturnType<typeof pushReferrersFixtures>> | undefined;
    await Promise.all([
      pictures,
      (async () => {
        referrersFacts = await pushReferrersFixtures(openTarget, join(dir, "open-storage"), referrersTable);
      })(),
      (async () => {
        await pushImage(openTarget, "e2e/docker-image", "v1", docker);
        await pushImage(openTarget, "e2e/oci-image", "v1", oci);
        await pushImage(openTarget, "e2e/mismatch", "v1", mismatch);
        await pushIndex(openTarget, "e2e/multi", "v1", multi);
        await pushImage(openTarget, "e2e/tampered", "v1", docker);
      })(),
      (async () => {
        // The layer pipeline's images (layer-fixtures.ts). The flipped blob is damaged in the
        // registry's own storage after the push, so the registry serves it as stored (D1).
        await pushImage(openTarget, "e2e/layers", "v1", layers);
        await pushImage(openTarget, "e2e/layers-trailing", "v1", trailing);
        await pushImage(openTarget, "e2e/layers-big", "v1", big);
        await pushImage(openTarget, "e2e/layers-flipped", "v1", flipped);
        const hex = flipped.layers[0]!.digest.slice("sha256:".length);
        const data = join(dir, "open-storage", "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
        const bytes = readFileSync(data);
        bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
        writeFileSync(data, bytes);
      })(),
      (async () => {
        // The file viewer's images (viewer-fixtures.ts); one gets a byte of a body flipped in storage.
        await pushImage(openTarget, "e2e/viewer", "v1", viewer);
        await pushImage(openTarget, "e2e/viewer-flipped", "v1", viewerFlipped);
        damageViewerFlipped(join(dir, "open-storage"), viewerFlipped);
      })(),
      (async () => {
        // Two tags sharing a base layer (compare-fixtures.ts), for e2e/compare.spec.ts.
        await pushImage(openTarget, "e2e/compare", "v1", compare.v1);
        await pushImage(openTarget, "e2e/compare", "v2", compare.v2);
        // compare:v1's base blob under a config claiming another diff_id (cache-fixtures.ts).
        await pushImage(openTarget, "e2e/cache-wrongdiff", "v1", wrongDiff);
        await pushImage(openTarget, "e2e/history", "v1", history); // history-fixtures.ts, e2e/history.spec.ts
        // Setuid, world-writable, broken and looping links, hardlinks (search-fixtures.ts), for e2e/search.spec.ts and export.spec.ts.
        await pushImage(openTarget, "e2e/search", "v1", search);
      })(),
      (async () => {
        // The hardening specs' images (hostile-fixtures.ts): corpus layers in Chromium, and the page's attacks.
        await pushImage(openTarget, "e2e/hostile-gzip", "v1", await hostileGzipImage());
        await pushImage(openTarget, "e2e/hostile-tar", "v1", await hostileTarImage());
        await pushImage(openTarget, PAGE_REPO, "v1", hostilePageImage());
      })(),
      (async () => {
        await pushImage(basicTarget, "private/app", "v1", docker);
        await pushIndex(basicTarget, "private/app", "multi", multi);
      })(),
      (async () => {
        await pushImage(tokenTarget, "public/app", "v1", docker);
        await pushIndex(tokenTarget, "public/app", "multi", multi);
        await pushImage(tokenTarget, "private/app", "v1", docker);
      })(),
      (async () => {
        // A real image no one on this project built (see e2e/fixtures/third-party/README.md).
        execFileSync(
          "skopeo",
          ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", `docker-archive:${HELLO_WORLD_TAR}`, `docker://${hosts.open}/third-party/hello-world:v25`],
          { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: dir } },
        );
      })(),
    ]);
    const helloWorld = await registryImageFacts(hosts.open, "third-party/hello-world", "v25");

    // The real app, started the way users start it (npm start = node dist/proxy/main.js).
    const proxyLog = join(dir, "proxy.log");
    const baseURL = `http://${LOOPBACK}:${proxyPort}`;
    if (!NO_APP) {
      const proxy = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], proxyLog, {
        ...process.env,
        PORT: String(proxyPort),
        HOST: LOOPBACK,
        PROXY_ALLOW_HOSTS: Object.values(hosts).join(","),
      });
      await waitForHttp(`${baseURL}/healthz`, proxy, proxyLog);
    }

    const state: E2EState = {
      baseURL,
      appStarted: !NO_APP,
      hosts,
      credentials: CREDENTIALS,
      images: {
        docker: imageFacts("e2e/docker-image", "v1", docker),
        oci: imageFacts("e2e/oci-image", "v1", oci),
        mismatch: imageFacts("e2e/mismatch", "v1", mismatch),
        multi: indexFacts("e2e/multi", "v1", multi),
        helloWorld,
        layers: imageFacts("e2e/layers", "v1", layers),
        layersTrailing: imageFacts("e2e/layers-trailing", "v1", trailing),
        layersBig: imageFacts("e2e/layers-big", "v1", big),
        layersFlipped: imageFacts("e2e/layers-flipped", "v1", flipped),
        history: imageFacts("e2e/history", "v1", history),
        search: imageFacts("e2e/search", "v1", search),
      },
      viewer: { ...imageFacts("e2e/viewer", "v1", viewer), diffIds: viewer.layers.map((l) => l.diffId) },
      compare: {
        v1: imageFacts("e2e/compare", "v1", compare.v1),
        v2: imageFacts("e2e/compare", "v2", compare.v2),
        v1LayerSizes: compare.v1.layers.map((l) => l.size),
        v2LayerSizes: compare.v2.layers.map((l) => l.size),
      },
      pictures: await pictures,
      cache: { wrongDiff: imageFacts("e2e/cache-wrongdiff", "v1", wrongDiff), wrongDiffId: WRONG_DIFF_ID },
      referrers: referrersFacts!,
      repos: {
        basicPrivate: "private/app",
        tokenPublic: "public/app",
        tokenPrivate: "private/app",
        tampered: "e2e/tampered",
        rateLimited: "e2e/ratelimited",
        html: "e2e/html",
        redirectAuthPrefix: "auth/",
      },
      faultTrap: host(faultTrap),
      logs: { proxy: proxyLog, dir },
      secrets: [
        CREDENTIALS.password,
        Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString("base64"),
        cdnSignature,
      ],
    };
    const stateFile = join(dir, "state.json");
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    process.env[STATE_ENV] = stateFile;
    return teardown;
  } catch (e) {
    await teardown();
    throw e;
  }
}
