import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

/** Builds the treemap bench page (bench/treemap/index.html) with the app's worker and styles into .tmp/treemap-bench/app. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react(), tailwindcss()],
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("../../.tmp/treemap-bench/app", import.meta.url)), emptyOutDir: true },
  worker: { format: "es" },
});
