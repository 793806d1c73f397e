#!/usr/bin/env node
// `npx layerscope …` from a clone: run the TypeScript CLI through tsx (a devDependency), so the
// command and the page share src/core as written, with no build step.
import { register } from "tsx/esm/api";

register();
// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { run } = await import("./main.ts");
const code = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stdin: async () => {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  },
  // A status line redrawn in place (CR, erase line), only when stderr is a terminal.
  ...(process.stderr.isTTY === true ? { progress: (line) => process.stderr.write(`\r\x1b[K${line}`) } : {}),
  env: process.env,
});
process.exitCode = code;
