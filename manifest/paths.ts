// Where the manifest template, the icons and the built package live.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const MANIFEST_DIR = dirname(fileURLToPath(import.meta.url));
export const TEMPLATE_PATH = join(MANIFEST_DIR, "manifest.template.json");
export const DEFAULT_OUT_PATH = resolve(MANIFEST_DIR, "../build/assure-teams-app.zip");
export const PACKAGE_JSON_PATH = resolve(MANIFEST_DIR, "../package.json");
