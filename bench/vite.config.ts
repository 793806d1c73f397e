import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Builds the bench page (bench/index.html) with the app's workers into .tmp/bench/page. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("../.tmp/bench/page", import.meta.url)), emptyOutDir: true },
  worker: { format: "es" },
});
