import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "proxy/**/*.test.ts", "scripts/**/*.test.ts", "cli/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
  },
});
