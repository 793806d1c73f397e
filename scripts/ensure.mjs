#!/usr/bin/env node
// Makes a fresh clone runnable: dependencies, system tools (for tests) and the build.
// Plain Node ESM with no dependencies, because it runs before `npm ci` (as prestart / pretest).
//
//   node scripts/ensure.mjs app    npm ci if needed, then npm run build if needed
//   node scripts/ensure.mjs test   the same, plus the e2e and bench tools (chromium, docker-registry,
//                                  skopeo, umoci, htpasswd, openssl, zstd, nginx, curl) from Debian packages if missing
//
// "If needed" is decided by modification times: node_modules against package-lock.json, the build
// outputs against the newest source file. Set LAYERSCOPE_SKIP_ENSURE=1 to do nothing.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];

const log = (msg) => console.log(`ensure: ${msg}`);

function fail(msg) {
  console.error(`ensure: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`);
}

const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Newest mtime of a file or of any file under a directory (skips node_modules and tests). */
function newest(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(p)) {
    if (entry === "node_modules") continue;
    max = Math.max(max, newest(join(p, entry)));
  }
  return max;
}

// ── npm ci ───────────────────────────────────────────────────────────────────────────────────────
function ensureDependencies() {
  const lock = mtime(join(ROOT, "package-lock.json"));
  // npm writes node_modules/.package-lock.json last on every install: a better clock than the dir.
  const installed = mtime(join(ROOT, "node_modules/.package-lock.json")) ?? mtime(join(ROOT, "node_modules"));
  if (installed === undefined) {
    log("node_modules missing: installing dependencies");
  } else if (lock !== undefined && installed < lock) {
    log("package-lock.json is newer than node_modules: reinstalling dependencies");
  } else {
    log("dependencies up to date");
    return;
  }
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

// ── system tools (Debian packages) ───────────────────────────────────────────────────────────────
const TOOLS = [
  // [command, Debian package, absolute path that must exist (playwright.config.ts uses it)]
  ["chromium", "chromium", "/usr/bin/chromium"],
  ["docker-registry", "docker-registry"],
  ["skopeo", "skopeo"],
  ["umoci", "umoci"],
  ["htpasswd", "apache2-utils"],
  ["openssl", "openssl"],
  // zstd-compressed layer fixtures (e2e/setup): node:zlib has no zstd in Node 20.
  ["zstd", "zstd"],
  // The caching front of e2e/scale-out.spec.ts (deploy/nginx); run by absolute path, since
  // /usr/sbin is not on every user's PATH.
  ["nginx", "nginx", "/usr/sbin/nginx"],
  // npm run bench: the native `curl <proxy> | gzip -dc | sha256sum` beside the browser's pipeline.
  ["curl", "curl"],
];

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** A tool with a path is there when that file is (LAYERSCOPE_CHROMIUM names another chromium); others are looked up on PATH. */
function present([cmd, , path]) {
  if (cmd === "chromium" && process.env.LAYERSCOPE_CHROMIUM) return onPath(cmd) || existsSync(process.env.LAYERSCOPE_CHROMIUM);
  return path ? existsSync(path) : onPath(cmd);
}

function ensureTools() {
  const missing = TOOLS.filter((tool) => !present(tool));
  if (missing.length === 0) {
    log(`test tools present (${TOOLS.map(([cmd]) => cmd).join(", ")})`);
    return;
  }
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
  log(`missing ${missing.map(([cmd]) => cmd).join(", ")}: installing Debian packages ${pkgs.join(" ")}`);
  const manual = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(" ")}`;
  if (!onPath("apt-get")) fail(`no apt-get here. Install these yourself, then run again: ${pkgs.join(" ")}\n  (on Debian/Ubuntu: ${manual})`);

  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  let prefix = [];
  if (!isRoot) {
    if (!onPath("sudo")) fail(`not root and no sudo. As root, run:\n  ${manual}`);
    prefix = ["sudo", "env", "DEBIAN_FRONTEND=noninteractive"];
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), "apt-get", ...args], { env }) : run("apt-get", args, { env }));
  apt(["update"]);
  apt(["install", "-y", "--no-install-recommends", ...pkgs]);

  const still = TOOLS.filter((tool) => !present(tool));
  if (still.length) fail(`still missing after install: ${still.map(([cmd]) => cmd).join(", ")}. Install by hand: ${manual}`);
}

// ── build ────────────────────────────────────────────────────────────────────────────────────────
const OUTPUTS = ["dist/app/index.html", "dist/proxy/main.js"];
const INPUTS = ["src", "proxy", "public", "index.html", "vite.config.ts", "package-lock.json", "tsconfig.base.json", "tsconfig.app.json"];

function ensureBuild() {
  const outputs = OUTPUTS.map((p) => mtime(join(ROOT, p)));
  const missing = OUTPUTS.filter((_, i) => outputs[i] === undefined);
  const oldest = Math.min(...outputs.map((m) => m ?? 0));
  const source = Math.max(...INPUTS.map((p) => newest(join(ROOT, p))));
  if (missing.length) {
    log(`${missing.join(", ")} missing: building`);
  } else if (source > oldest) {
    log("sources changed since the last build: building");
  } else {
    log("build up to date");
    return;
  }
  run("npm", ["run", "build"]);
}

if (process.env.LAYERSCOPE_SKIP_ENSURE) {
  log("LAYERSCOPE_SKIP_ENSURE set: skipping");
} else if (mode === "app") {
  ensureDependencies();
  ensureBuild();
} else if (mode === "test") {
  ensureDependencies();
  ensureTools();
  ensureBuild();
} else {
  fail("usage: node scripts/ensure.mjs app|test");
}
