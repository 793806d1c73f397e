/**
 * How every Playwright run here launches the browser (the e2e tests, `npm run bench`, the
 * treemap bench): the Debian chromium that scripts/ensure.mjs installs, never a downloaded
 * browser build, headless, with nothing that reaches the network on its own.
 */
export const CHROMIUM_EXECUTABLE = process.env.LAYERSCOPE_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
