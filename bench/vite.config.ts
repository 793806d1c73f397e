import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Builds the bench page (bench/index.html) with the app's workers into .tmp/layers-bench/app. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("../.tmp/layers-bench/app", import.meta.url)), emptyOutDir: true },
  worker: { format: "es" },
});
