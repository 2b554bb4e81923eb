// Builds the Teams app package (manifest.json + icons in a zip) from manifest.template.json.
//
//   resolveEnv(process.env, { dev })   -> validated values for the template (zod)
//   renderManifest(env)                 -> the filled manifest object
//   validateManifest(manifest)          -> { ok, errors } against the official Teams JSON schema
//                                          (loaded from @microsoft/app-manifest, no network) plus
//                                          checks the schema cannot express (icons, lengths, ids)
//   buildPackage(env, outPath)          -> writes the zip, refusing an invalid manifest
//
// scripts/package.ts is the command-line wrapper.
//
// One file each: env.ts, template.ts, schema.ts, validate.ts (paths.ts and errors.ts are shared).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import JSZip from "jszip";
import { DEFAULT_OUT_PATH } from "./paths";
import { PackageError } from "./errors";
import { type AppEnv } from "./env";
import { loadTemplate, renderManifest } from "./template";
import { loadAsset, type ValidateOptions, validateManifest } from "./validate";

export { MANIFEST_DIR, TEMPLATE_PATH, DEFAULT_OUT_PATH } from "./paths";
export { type FieldError, type ValidationResult, PackageError, formatErrors } from "./errors";
export {
  GUID_RE,
  SEMVER_RE,
  DEV_DEFAULTS,
  appEnvSchema,
  type AppEnv,
  type ResolveOptions,
  type ResolveResult,
  readPackageVersion,
  resolveEnv,
} from "./env";
export { loadTemplate, renderManifest } from "./template";
export { officialSchemaUrl, localSchemaPath, newestLocalSchemaVersion } from "./schema";
export { type ValidateOptions, validateManifest } from "./validate";

export interface BuildOptions extends ValidateOptions {
  template?: unknown;
}

export interface BuildResult {
  path: string;
  bytes: number;
  manifest: Record<string, unknown>;
}

/** Fixed entry timestamps so the same inputs give a byte-identical zip. */
const ZIP_DATE = new Date(2024, 0, 1, 0, 0, 0);

/** Renders, validates and zips the app package. Throws PackageError (naming fields) if invalid. */
export async function buildPackage(env: AppEnv, outPath: string = DEFAULT_OUT_PATH, options: BuildOptions = {}): Promise<BuildResult> {
  const manifest = renderManifest(env, options.template ?? loadTemplate());
  const result = validateManifest(manifest, options);
  if (!result.ok) throw new PackageError("The Teams app manifest is invalid:", result.errors);

  const zip = new JSZip();
  zip.file("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`, { date: ZIP_DATE });
  const icons = manifest.icons as Record<string, string>;
  for (const rel of new Set(Object.values(icons))) {
    const bytes = loadAsset(rel, options);
    if (!bytes) throw new PackageError("An icon disappeared while packaging:", [{ field: "/icons", message: rel }]);
    zip.file(rel, bytes, { date: ZIP_DATE, binary: true });
  }
  const data = await zip.generateAsync({
    type: "nodebuffer",
    compression: "DEFLATE",
    compressionOptions: { level: 9 },
    platform: "DOS",
  });
  const path = resolve(outPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return { path, bytes: data.length, manifest };
}
