// The manifest template filled with the environment's values.
import { readFileSync } from "node:fs";
import { TEMPLATE_PATH } from "./paths";
import { type FieldError, PackageError } from "./errors";
import { type AppEnv } from "./env";

export function loadTemplate(path: string = TEMPLATE_PATH): unknown {
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

const PLACEHOLDER_RE = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fills every ${{NAME}} in the template's string values. Unknown names are a template bug. */
export function renderManifest(env: AppEnv, template: unknown = loadTemplate()): Record<string, unknown> {
  const values: Record<string, string> = { ...env };
  const errors: FieldError[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === "string") {
      return node.replace(PLACEHOLDER_RE, (whole, name: string) => {
        const v = values[name];
        if (v === undefined) {
          errors.push({ field: path || "/", message: `unknown placeholder ${whole} in the template` });
          return whole;
        }
        return v;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, `${path}/${escapePointer(k)}`)]));
    }
    return node;
  };
  const out = walk(template, "");
  if (errors.length > 0) throw new PackageError("The manifest template cannot be filled:", errors);
  if (out === null || typeof out !== "object" || Array.isArray(out)) {
    throw new PackageError("The manifest template is not a JSON object", [{ field: "/", message: "must be an object" }]);
  }
  return out as Record<string, unknown>;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
