// Loads @prisma/schema-engine-wasm without relying on ESM-wasm imports (unsupported in Node 20).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

export function wasmPackageDir() {
  return path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
}

export async function loadSchemaEngineWasm() {
  const dir = wasmPackageDir();
  const runtime = await import(pathToFileURL(path.join(dir, "schema_engine_bg.js")).href);
  // Optional: PRISMA_SHIM_WASM=cli uses the schema_engine_bg.wasm that ships inside the prisma CLI
  // package (same engine hash as the CLI). Only valid while its import/export names match the glue.
  let wasmPath = path.join(dir, "schema_engine_bg.wasm");
  if (process.env.PRISMA_SHIM_WASM === "cli") {
    wasmPath = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm");
  } else if (process.env.PRISMA_SHIM_WASM) {
    wasmPath = path.resolve(process.env.PRISMA_SHIM_WASM);
  }
  const module = await WebAssembly.compile(fs.readFileSync(wasmPath));
  const instance = await WebAssembly.instantiate(module, { "./schema_engine_bg.js": runtime });
  runtime.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  return { runtime, packageVersion: pkg.version, wasmPath };
}
