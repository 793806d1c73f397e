/**
 * Scale-out (issue 8): nginx with the production configuration (deploy/nginx/layerscope.conf)
 * in front of two proxy processes, in front of the real registries through fronts that count
 * what reaches them. The same image opened twice, each time in a fresh browser context (no HTTP
 * cache, no IndexedDB): the second open's blobs and by-digest manifests come from nginx's cache
 * and never reach the registry. A private image opened twice with credentials reaches the
 * registry both times and leaves nothing in the cache.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ref, state, type ImageFacts } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { startCountingFront, type CountedRequest, type CountingFront } from "./setup/counting-front";
import { readAccessLog, startNginx, type NginxLogLine, type RunningNginx } from "./setup/nginx";
import { LOOPBACK, Processes, freePorts, waitForHttp } from "./setup/services";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test.describe.configure({ mode: "serial" });

let procs: Processes;
let dir: string;
let nginx: RunningNginx;
let proxies: string[];
let openFront: CountingFront;
let basicFront: CountingFront;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const { hosts } = state();
  dir = mkdtempSync(join(tmpdir(), "layerscope-scale-out-"));
  procs = new Processes();
  const [nginxPort, p1, p2, openPort, basicPort] = await freePorts(5, [Number(process.env.LAYERSCOPE_PROXY_PORT)]);
  openFront = await startCountingFront(procs, openPort!, hosts.open);
  basicFront = await startCountingFront(procs, basicPort!, hosts.basic);
  proxies = [`${LOOPBACK}:${p1}`, `${LOOPBACK}:${p2}`];
  // Two processes of the built proxy, started as `npm start` starts one, told to believe nginx's
  // X-Forwarded-For (README "Scale-out").
  await Promise.all(
    [p1!, p2!].map(async (port, i) => {
      const log = join(dir, `proxy-${i + 1}.log`);
      const child = procs.spawn(process.execPath, [join(ROOT, "dist/proxy/main.js")], log, {
        ...process.env,
        PORT: String(port),
        HOST: LOOPBACK,
        PROXY_ALLOW_HOSTS: [openFront.host, basicFront.host].join(","),
        PROXY_TRUSTED_FORWARDERS: LOOPBACK,
      });
      await waitForHttp(`http://${LOOPBACK}:${port}/healthz`, child, log);
    }),
  );
  nginx = await startNginx(procs, dir, nginxPort!, proxies);
});

test.afterAll(async () => {
  await procs?.stop();
  if (!dir) return;
  try {
    // Beside .tmp/e2e-logs, which the global teardown writes anew after this runs.
    const logs = join(ROOT, ".tmp/e2e-scale-out-logs");
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    cpSync(dir, logs, { recursive: true, filter: (src) => !src.includes(`${dir}/cache`) && !src.includes(`${dir}/temp`) });
  } catch {
    // best effort: logs are a convenience
  }
  if (!process.env.LAYERSCOPE_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  path: string;
  status: number;
  cache: string | undefined;
  cacheControl: string | undefined;
}

/** Where a registry path points: a blob, a manifest by digest, or something that can change. */
function kindOf(path: string): "blob" | "manifest-by-digest" | "other" {
  if (/\/blobs\/sha256:[a-f0-9]{64}$/.test(path)) return "blob";
  if (/\/manifests\/sha256:[a-f0-9]{64}$/.test(path)) return "manifest-by-digest";
  return "other";
}

const row = (page: Page, i: number) => page.locator(`[data-testid="layer-row"][data-layer-index="${i}"]`);

/** Waits until the image is shown and every layer is downloaded and verified. */
async function expectOpened(page: Page, img: ImageFacts): Promise<void> {
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(page.getByTestId("config-verification")).toContainText(/verified/i);
  await expect(page.getByTestId("layers").getByTestId("layer-row")).toHaveCount(img.layerDigests.length);
  for (let i = 0; i < img.layerDigests.length; i++) {
    await expect(row(page, i)).toHaveAttribute("data-stage", "done", { timeout: 20_000 });
    await expect(row(page, i)).toHaveAttribute("data-trusted", "true");
  }
}

/**
 * One visit in a fresh browser context (its own HTTP cache and IndexedDB) through nginx. Returns
 * the registry responses the browser saw, the nginx log lines and the registry requests it caused.
 */
async function visit(
  browser: Browser,
  front: CountingFront,
  run: (page: Page) => Promise<void>,
): Promise<{ seen: Seen[]; logged: NginxLogLine[]; reached: CountedRequest[] }> {
  const logBefore = readAccessLog(nginx.accessLog).length;
  const frontBefore = front.requests.length;
  const context = await browser.newContext({ baseURL: nginx.base });
  const seen: Seen[] = [];
  context.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith("/registry/")) return;
    const h = r.headers();
    seen.push({ path, status: r.status(), cache: h["x-cache-status"], cacheControl: h["cache-control"] });
  });
  try {
    await run(await context.newPage());
  } finally {
    await context.close();
  }
  // nginx writes a line when a request ends; the browser is gone, so every request has.
  await expect.poll(() => readAccessLog(nginx.accessLog).length).toBeGreaterThan(logBefore);
  const logged = readAccessLog(nginx.accessLog)
    .slice(logBefore)
    .filter((l) => l.path.startsWith(`/registry/${front.host}/`));
  return { seen, logged, reached: front.requests.slice(frontBefore) };
}

test("the second open of an image comes from nginx's cache: blobs and by-digest manifests never reach the registry", async ({ browser }) => {
  const { images } = state();
  const multi = images.multi;
  const img = multi.images[0]!; // linux/amd64, the platform the picker defaults to
  const reference = ref(openFront.host, multi.repository, multi.tag);
  const open = (page: Page) => openDeepLink(page, reference).then(() => expectOpened(page, img));
  const contentAddressed = [img.manifestDigest, img.configDigest, ...img.layerDigests];

  const first = await visit(browser, openFront, open);
  // The first open fetched every blob and the platform's manifest from the registry, anonymously…
  for (const digest of contentAddressed) {
    expect(first.reached.some((r) => r.path.endsWith(digest) && r.method === "GET" && r.status === 200), digest).toBe(true);
  }
  expect(first.reached.every((r) => !r.authorized)).toBe(true);
  // …and nginx stored them: public and immutable, with their digest as ETag.
  const firstAddressed = first.logged.filter((l) => kindOf(l.path) !== "other");
  expect(firstAddressed.length).toBeGreaterThanOrEqual(contentAddressed.length);
  for (const l of firstAddressed) expect(l.cache, l.path).toMatch(/^(MISS|HIT)$/);

  const second = await visit(browser, openFront, open);
  const secondAddressed = second.logged.filter((l) => kindOf(l.path) !== "other");
  for (const digest of contentAddressed) {
    expect(secondAddressed.some((l) => l.path.endsWith(digest)), `${digest} asked for again`).toBe(true);
  }
  for (const l of secondAddressed) expect(`${l.path} ${l.cache}`).toBe(`${l.path} HIT`);
  // Not one blob or by-digest manifest request reached the registry the second time.
  expect(second.reached.filter((r) => kindOf(r.path) !== "other")).toEqual([]);
  // What the browser saw agrees: X-Cache-Status HIT, and the proxies' immutable policy.
  const browserSaw = second.seen.filter((s) => kindOf(s.path) !== "other");
  for (const digest of contentAddressed) expect(browserSaw.some((s) => s.path.endsWith(digest)), digest).toBe(true);
  for (const s of browserSaw) {
    expect(`${s.path} ${s.status} ${s.cache}`).toBe(`${s.path} 200 HIT`);
    expect(s.cacheControl).toBe("public, max-age=31536000, immutable");
  }

  // Both proxy processes served some of it (least_conn spreads the first open's requests).
  const upstreams = new Set([...first.logged, ...second.logged].map((l) => l.upstream).filter((u) => u !== "-"));
  expect([...upstreams].sort()).toEqual([...proxies].sort());
  for (const i of [1, 2]) expect(readFileSync(join(dir, `proxy-${i}.log`), "utf8")).toMatch(/^GET \S+ \/v2\/\S+ 200 /m);
  // The entries are on disk, each file naming its key (the check the private test relies on).
  const marker = `/registry/${openFront.host}/`;
  expect(listFiles(nginx.cacheDir).filter((f) => readFileSync(f).includes(marker)).length).toBeGreaterThanOrEqual(contentAddressed.length);
});

test("a private image opened twice with credentials reaches the registry both times and is never cached", async ({ browser }) => {
  const { images, repos, credentials } = state();
  const img = images.docker; // pushed to BASIC as private/app:v1
  const reference = ref(basicFront.host, repos.basicPrivate, "v1");
  const open = async (page: Page): Promise<void> => {
    await openDeepLink(page, reference);
    const form = page.getByTestId("credentials-form");
    await expect(form).toBeVisible();
    await form.locator("input[name=username]").fill(credentials.username);
    await form.locator("input[name=password]").fill(credentials.password);
    await form.locator("button[type=submit]").click();
    await expectOpened(page, img);
  };
  const contentAddressed = [img.configDigest, ...img.layerDigests];

  for (const visitNumber of [1, 2]) {
    const { seen, logged, reached } = await visit(browser, basicFront, open);
    // Every blob came from the registry, with the user's credentials, this time too.
    for (const digest of contentAddressed) {
      expect(reached.some((r) => r.path.endsWith(digest) && r.authorized && r.status === 200), `visit ${visitNumber}: ${digest}`).toBe(true);
    }
    // nginx passed the credentialed requests by (BYPASS), and the anonymous first try was a
    // 401 it did not keep (MISS): nothing private was a HIT.
    expect(logged.length).toBeGreaterThan(0);
    for (const l of logged) expect(`${l.path} ${l.cache}`).toMatch(/ (BYPASS|MISS)$/);
    expect(logged.filter((l) => kindOf(l.path) === "blob").every((l) => l.cache === "BYPASS")).toBe(true);
    for (const s of seen.filter((x) => x.status === 200)) expect(s.cacheControl, s.path).toBe("private, no-store");
  }

  // Nothing of the private registry's is on disk: no cache file names its path in its key.
  const files = listFiles(nginx.cacheDir);
  const marker = `/registry/${basicFront.host}/`;
  expect(files.filter((f) => readFileSync(f).includes(marker))).toEqual([]);
});

test("ranges: served from the cached whole blob anonymously; passed to the registry with credentials", async ({ playwright }) => {
  const { images, repos, credentials } = state();
  const api = await playwright.request.newContext({ baseURL: nginx.base });
  try {
    const layer = images.multi.images[0]!.layerDigests[0]!; // cached by the first test, or now
    const path = `/registry/${openFront.host}/v2/${images.multi.repository}/blobs/${layer}`;
    await (await api.get(path)).body();
    const before = openFront.requests.length;
    const part = await api.get(path, { headers: { Range: "bytes=1-4" } });
    expect([part.status(), part.headers()["x-cache-status"], part.headers()["content-range"]]).toEqual([206, "HIT", expect.stringMatching(/^bytes 1-4\//)]);
    expect((await part.body()).length).toBe(4);
    expect(openFront.requests.length).toBe(before);

    const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    const privatePath = `/registry/${basicFront.host}/v2/${repos.basicPrivate}/blobs/${images.docker.layerDigests[0]}`;
    const privatePart = await api.get(privatePath, { headers: { Range: "bytes=1-4", Authorization: authorization } });
    expect([privatePart.status(), privatePart.headers()["x-cache-status"], privatePart.headers()["cache-control"]]).toEqual([206, "BYPASS", "private, no-store"]);
    expect((await privatePart.body()).length).toBe(4);
  } finally {
    await api.dispose();
  }
});

function listFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const p = join(root, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
