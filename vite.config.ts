import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// The app is built to dist/app and served by the proxy on the same origin (npm start).
// In `npm run dev`, /registry is forwarded to a proxy started with `PORT=8081 npm start`.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: { outDir: "dist/app", emptyOutDir: true, sourcemap: true },
  worker: { format: "es" },
  server: {
    proxy: { "/registry": { target: "http://127.0.0.1:8081", changeOrigin: false } },
  },
});
