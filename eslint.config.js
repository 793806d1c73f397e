// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import importX from "eslint-plugin-import-x";
import globals from "globals";

/**
 * Boundaries are a tool's job (STYLE.md): dependencies point features → lib → workers → core,
 * core imports only core, and the proxy imports nothing from src/. tsconfig enforces the
 * "no DOM, no Node in core" half; these zones enforce the import direction.
 */
export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test-results/**", "playwright-report/**", "public/**", ".tmp/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./src/core",
              from: ["./src/workers", "./src/lib", "./src/features", "./src/components", "./src/main.tsx", "./src/App.tsx", "./proxy"],
              message: "src/core is the pure domain: it imports only core.",
            },
            { target: "./src/workers", from: ["./src/lib", "./src/features", "./src/components"], message: "workers sit below lib and features." },
            { target: "./src/lib", from: ["./src/features"], message: "lib sits below features." },
            { target: "./src/components", from: ["./src/features", "./src/core"], message: "components are presentational: no domain knowledge." },
            { target: "./proxy", from: ["./src", "./cli", "./e2e", "./scripts"], message: "the proxy imports nothing from src/ or cli/." },
            { target: "./src", from: ["./proxy", "./e2e", "./cli"], message: "the app never imports the proxy, the command line or the tests." },
            {
              // The proxy too: the command line runs the proxy's upstream code in-process (cli/direct-fetch.ts).
              target: "./cli",
              from: ["./src/workers", "./src/lib", "./src/features", "./src/components", "./src/main.tsx", "./src/App.tsx", "./e2e"],
              message: "the command line is a thin edge over src/core and the proxy's upstream code: it imports only those.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", { name: "window", message: "core runs in workers and Node: use globalThis." }, { name: "document", message: "core has no DOM." }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/core/**"],
    plugins: { "react-hooks": reactHooks },
    languageOptions: { globals: globals.browser },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ["proxy/**/*.ts", "cli/**/*.{ts,mjs}", "e2e/**/*.ts", "scripts/**/*.{ts,mjs}", "*.config.{ts,js}", "**/*.test.ts"],
    languageOptions: { globals: globals.node },
  },
);
