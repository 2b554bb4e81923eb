#!/usr/bin/env node
// Runs the Prisma CLI with the wasm schema-engine stand-in (scripts/prisma-engine/schema-engine),
// because the native engine cannot be downloaded here (binaries.prisma.sh is unreachable).
// Usage: node scripts/prisma.mjs <any prisma args>   e.g. `node scripts/prisma.mjs generate`
import { spawn } from "node:child_process";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const require = createRequire(path.join(root, "package.json"));

export function prismaEnv(base = process.env) {
  const env = { ...base };
  // An explicit PRISMA_SCHEMA_ENGINE_BINARY (e.g. a real native engine) wins.
  env.PRISMA_SCHEMA_ENGINE_BINARY ||= path.join(here, "prisma-engine", "schema-engine");
  env.PRISMA_HIDE_UPDATE_MESSAGE ??= "1";
  env.CHECKPOINT_DISABLE ??= "1";
  env.PRISMA_DISABLE_WARNINGS ??= "1";
  return env;
}

export function prismaCliPath() {
  return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const child = spawn(process.execPath, [prismaCliPath(), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: prismaEnv(),
    cwd: process.cwd(),
  });
  child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}
