import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "./e2e/setup/chromium";

/**
 * The proxy's port is chosen here, synchronously, because `use.baseURL` must be known when the
 * config loads and globalSetup runs later. The runner loads this file first and sets the variable;
 * the workers it spawns inherit it and so compute the same baseURL. e2e/setup starts the proxy on it.
 */
function pickProxyPort(): string {
  if (process.env.LAYERSCOPE_PROXY_PORT) return process.env.LAYERSCOPE_PROXY_PORT;
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  const port = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim();
  process.env.LAYERSCOPE_PROXY_PORT = port;
  return port;
}

const proxyPort = pickProxyPort();

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/setup/global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // JSON too, so .ci/run can print plain totals.
  reporter: [["list"], ["json", { outputFile: ".tmp/e2e-results.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${proxyPort}`,
    // A missing element fails in 10 s with its locator named, not at the 30 s test timeout.
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // The Debian chromium that scripts/ensure.mjs installs; never a downloaded browser build.
    launchOptions: { executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] },
  },
});
