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
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import JSZip from "jszip";
import { z } from "zod";
import { decodePng, readPngInfo } from "./png";

export const MANIFEST_DIR = dirname(fileURLToPath(import.meta.url));
export const TEMPLATE_PATH = join(MANIFEST_DIR, "manifest.template.json");
export const DEFAULT_OUT_PATH = resolve(MANIFEST_DIR, "../build/assure-teams-app.zip");
const PACKAGE_JSON_PATH = resolve(MANIFEST_DIR, "../package.json");

/** One problem, named by field: an environment variable (APP_ID) or a JSON pointer (/bots/0/scopes). */
export interface FieldError {
  field: string;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: FieldError[];
}

export class PackageError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(`${message}\n${formatErrors(errors)}`);
    this.name = "PackageError";
  }
}

export function formatErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `  ${e.field}: ${e.message}`).join("\n");
}

// ---------------------------------------------------------------------------------------------
// Environment

export const GUID_RE = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** Teams wants plain MAJOR.MINOR.PATCH (the schema's own "semver" definition): no pre-release tag. */
export const SEMVER_RE = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Clearly fake values, used only with --dev. The checks below refuse them without --dev. */
export const DEV_DEFAULTS = {
  APP_ID: "00000000-0000-0000-0000-000000000000",
  BOT_ID: "00000000-0000-0000-0000-0000000000b0",
  BOT_DOMAIN: "assure-dev.invalid",
} as const;
const FAKE_GUID_RE = /^0{8}-0{4}-0{4}-0{4}-0{8}[0-9a-f]{4}$/i;

const guid = z.string().regex(GUID_RE, "must be a GUID, e.g. 3f2504e0-4f89-41d3-9a0c-0305e82c3301");
const httpsUrl = z
  .string()
  .regex(/^https:\/\//i, "must be an https:// URL")
  .refine((v) => URL.canParse(v), "is not a valid URL")
  .refine((v) => v.length <= 2048, "is longer than 2048 characters");

export const appEnvSchema = z.object({
  APP_ID: guid,
  BOT_ID: guid,
  BOT_DOMAIN: z.string().regex(HOST_RE, "must be a host name only (no https://, path or port), e.g. assure.example.org"),
  APP_VERSION: z.string().regex(SEMVER_RE, "must be MAJOR.MINOR.PATCH, e.g. 1.4.0 (Teams accepts no pre-release suffix)"),
  DEVELOPER_NAME: z.string().min(1, "must not be empty").max(32, "must be at most 32 characters (Teams limit)"),
  WEBSITE_URL: httpsUrl,
  PRIVACY_URL: httpsUrl,
  TERMS_URL: httpsUrl,
});

/** The values the template's ${{NAME}} placeholders are filled from. */
export type AppEnv = z.infer<typeof appEnvSchema>;

export interface ResolveOptions {
  /** Allow clearly fake defaults for missing ids and domain (local sideloading only). */
  dev?: boolean;
  /** Default for APP_VERSION; read from package.json when omitted. */
  packageVersion?: string;
}

export type ResolveResult = { ok: true; env: AppEnv; warnings: string[] } | { ok: false; errors: FieldError[]; warnings: string[] };

export function readPackageVersion(path: string = PACKAGE_JSON_PATH): string {
  const pkg = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

/**
 * Reads and validates the packaging variables:
 *   APP_ID (Teams app GUID), BOT_ID (or MICROSOFT_APP_ID / MicrosoftAppId), BOT_DOMAIN,
 *   APP_VERSION (default: package.json version), DEVELOPER_NAME (default "Assure project"),
 *   WEBSITE_URL / PRIVACY_URL / TERMS_URL (default https://BOT_DOMAIN/, /privacy, /terms).
 */
export function resolveEnv(raw: Record<string, string | undefined>, options: ResolveOptions = {}): ResolveResult {
  const dev = options.dev ?? false;
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const v = raw[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };

  // The bot id may come from the bot's own configuration variable.
  const botSources = (["BOT_ID", "MICROSOFT_APP_ID", "MicrosoftAppId"] as const)
    .map((name) => ({ name, value: get(name) }))
    .filter((s): s is { name: "BOT_ID" | "MICROSOFT_APP_ID" | "MicrosoftAppId"; value: string } => s.value !== undefined);
  const distinctBotIds = new Set(botSources.map((s) => s.value.toLowerCase()));
  if (distinctBotIds.size > 1) {
    errors.push({
      field: "BOT_ID",
      message: `conflicting values: ${botSources.map((s) => `${s.name}=${s.value}`).join(", ")}`,
    });
  }

  const required: Record<keyof typeof DEV_DEFAULTS, string | undefined> = {
    APP_ID: get("APP_ID"),
    BOT_ID: botSources[0]?.value,
    BOT_DOMAIN: get("BOT_DOMAIN")?.toLowerCase(),
  };
  for (const key of Object.keys(DEV_DEFAULTS) as (keyof typeof DEV_DEFAULTS)[]) {
    if (required[key] !== undefined) continue;
    if (dev) {
      required[key] = DEV_DEFAULTS[key];
      warnings.push(`${key} is not set; using the fake development value ${DEV_DEFAULTS[key]} (--dev)`);
    } else {
      const hint = key === "BOT_ID" ? " (or MICROSOFT_APP_ID / MicrosoftAppId)" : "";
      errors.push({ field: key, message: `is not set${hint}; set it, or pass --dev for fake local values` });
    }
  }

  if (!dev) {
    for (const key of ["APP_ID", "BOT_ID"] as const) {
      const v = required[key];
      if (v !== undefined && FAKE_GUID_RE.test(v)) {
        errors.push({ field: key, message: `${v} is a placeholder id; use the real one (or pass --dev)` });
      }
    }
    if (required.BOT_DOMAIN?.endsWith(".invalid")) {
      errors.push({ field: "BOT_DOMAIN", message: `${required.BOT_DOMAIN} is a placeholder domain (or pass --dev)` });
    }
  }

  const domain = required.BOT_DOMAIN ?? DEV_DEFAULTS.BOT_DOMAIN;
  const candidate = {
    APP_ID: required.APP_ID ?? "",
    BOT_ID: required.BOT_ID ?? "",
    BOT_DOMAIN: domain,
    APP_VERSION: get("APP_VERSION") ?? options.packageVersion ?? readPackageVersion(),
    DEVELOPER_NAME: get("DEVELOPER_NAME") ?? "Assure project",
    WEBSITE_URL: get("WEBSITE_URL") ?? `https://${domain}/`,
    PRIVACY_URL: get("PRIVACY_URL") ?? `https://${domain}/privacy`,
    TERMS_URL: get("TERMS_URL") ?? `https://${domain}/terms`,
  };
  const parsed = appEnvSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "env");
      // A missing value was already reported as "is not set".
      if (errors.some((e) => e.field === field)) continue;
      errors.push({ field, message: `${issue.message} (got ${JSON.stringify(candidate[field as keyof typeof candidate])})` });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors, warnings };
  return { ok: true, env: parsed.data, warnings };
}

// ---------------------------------------------------------------------------------------------
// Template

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

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

// ---------------------------------------------------------------------------------------------
// Schema

export function officialSchemaUrl(manifestVersion: string): string {
  return `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
}

function schemaRoot(): string {
  const pkg = createRequire(import.meta.url).resolve("@microsoft/app-manifest/package.json");
  return join(dirname(pkg), "build", "json-schemas", "teams");
}

export function localSchemaPath(manifestVersion: string): string {
  return join(schemaRoot(), `v${manifestVersion}`, "MicrosoftTeams.schema.json");
}

/** The highest released (non-DevPreview) manifest version whose schema ships in @microsoft/app-manifest. */
export function newestLocalSchemaVersion(): string | undefined {
  const versions = readdirSync(schemaRoot())
    .map((d) => /^v(\d+)\.(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const last = versions.at(-1);
  return last ? `${last[0]}.${last[1]}` : undefined;
}

const validators = new Map<string, ValidateFunction>();

function schemaValidator(manifestVersion: string): ValidateFunction | undefined {
  const cached = validators.get(manifestVersion);
  if (cached) return cached;
  const path = localSchemaPath(manifestVersion);
  if (!existsSync(path)) return undefined;
  const schema = JSON.parse(readFileSync(path, "utf8")) as { $schema?: string };
  // Use the JSON Schema draft the official file declares (draft-04 for every v1.x so far).
  const dialect = schema.$schema ?? "";
  const options = { allErrors: true, strictTypes: false } as const;
  const ajv = dialect.includes("draft-04")
    ? new AjvDraft04(options)
    : dialect.includes("2020-12")
      ? new Ajv2020(options)
      : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  validators.set(manifestVersion, validate);
  return validate;
}

function schemaErrorToField(e: ErrorObject): FieldError {
  const at = e.instancePath || "";
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { field: `${at}/${String(params.missingProperty)}`, message: "is required (schema)" };
    case "additionalProperties":
      return {
        field: `${at}/${escapePointer(String(params.additionalProperty))}`,
        message: "is not a property the schema allows",
      };
    case "enum":
      return {
        field: at || "/",
        message: `must be one of ${JSON.stringify(params.allowedValues)} (schema)`,
      };
    case "const":
      return { field: at || "/", message: `must be ${JSON.stringify(params.allowedValue)} (schema)` };
    default:
      return { field: at || "/", message: `${e.message ?? e.keyword} (schema)` };
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

export interface ValidateOptions {
  /** Where icon paths are resolved from; default the manifest/ folder. */
  baseDir?: string;
  /** Icon bytes by manifest path, taking precedence over files in baseDir (used by tests). */
  files?: Record<string, Uint8Array>;
}

const ICON_SIZES = { color: 192, outline: 32, color32x32: 32 } as const;
const REQUIRED_BOT_SCOPES = ["personal", "team", "groupChat"] as const;

function loadAsset(relPath: string, options: ValidateOptions): Uint8Array | undefined {
  const override = options.files?.[relPath];
  if (override) return override;
  const path = join(options.baseDir ?? MANIFEST_DIR, relPath);
  return existsSync(path) ? readFileSync(path) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Official schema validation plus the checks the schema cannot express. */
export function validateManifest(manifest: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: FieldError[] = [];
  const add = (field: string, message: string): void => {
    if (!errors.some((e) => e.field === field && e.message === message)) errors.push({ field, message });
  };
  if (!isRecord(manifest)) return { ok: false, errors: [{ field: "/", message: "must be a JSON object" }] };

  // 1. The official schema for the declared manifestVersion.
  const manifestVersion = manifest.manifestVersion;
  if (typeof manifestVersion !== "string") {
    add("/manifestVersion", 'is required and must be a string such as "1.30"');
  } else {
    if (manifest.$schema !== officialSchemaUrl(manifestVersion)) {
      add("/$schema", `must be ${officialSchemaUrl(manifestVersion)} to match manifestVersion ${manifestVersion}`);
    }
    const validate = schemaValidator(manifestVersion);
    if (!validate) {
      add("/manifestVersion", `no schema for v${manifestVersion} in @microsoft/app-manifest`);
    } else if (!validate(manifest)) {
      for (const e of validate.errors ?? []) {
        const f = schemaErrorToField(e);
        add(f.field, f.message);
      }
    }
  }

  // 2. Checks the schema cannot express (or expresses with unhelpful messages).
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

  const checkGuid = (field: string, v: unknown): void => {
    if (v === undefined) return;
    if (typeof v !== "string" || !GUID_RE.test(v)) add(field, `must be a GUID, got ${JSON.stringify(v)}`);
  };
  checkGuid("/id", manifest.id);
  const version = str(manifest.version);
  if (version === undefined || !SEMVER_RE.test(version)) {
    add("/version", `must be MAJOR.MINOR.PATCH (semver), got ${JSON.stringify(manifest.version)}`);
  }

  const maxLen = (field: string, v: unknown, max: number): void => {
    const s = str(v);
    if (s !== undefined && [...s].length > max) add(field, `is ${[...s].length} characters; Teams allows at most ${max}`);
  };
  const name = isRecord(manifest.name) ? manifest.name : {};
  const description = isRecord(manifest.description) ? manifest.description : {};
  maxLen("/name/short", name.short, 30);
  maxLen("/name/full", name.full, 100);
  maxLen("/description/short", description.short, 80);
  maxLen("/description/full", description.full, 4000);
  if (!str(description.short)?.trim()) add("/description/short", "must not be empty");
  if (!str(description.full)?.trim()) add("/description/full", "must not be empty");

  const developer = isRecord(manifest.developer) ? manifest.developer : {};
  for (const key of ["websiteUrl", "privacyUrl", "termsOfUseUrl"]) {
    const v = str(developer[key]);
    if (v === undefined || !/^https:\/\//i.test(v) || !URL.canParse(v)) {
      add(`/developer/${key}`, `must be an https:// URL, got ${JSON.stringify(developer[key])}`);
    }
  }

  // Assure is a bot: exactly one, in all three scopes, commands only in scopes it has.
  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  if (bots.length !== 1) add("/bots", `must declare exactly one bot, found ${bots.length}`);
  bots.forEach((bot: unknown, i) => {
    const at = `/bots/${i}`;
    if (!isRecord(bot)) return;
    checkGuid(`${at}/botId`, bot.botId);
    if (bot.botId === undefined) add(`${at}/botId`, "is required");
    const scopes = Array.isArray(bot.scopes) ? bot.scopes.filter((s): s is string => typeof s === "string") : [];
    for (const scope of REQUIRED_BOT_SCOPES) {
      if (!scopes.includes(scope)) add(`${at}/scopes`, `is missing the "${scope}" scope (Assure needs ${REQUIRED_BOT_SCOPES.join(", ")})`);
    }
    if (bot.supportsFiles !== false) add(`${at}/supportsFiles`, "must be false (Assure does not accept files)");
    const seenScopes = new Set<string>();
    const lists = Array.isArray(bot.commandLists) ? bot.commandLists : [];
    lists.forEach((list: unknown, j) => {
      if (!isRecord(list)) return;
      const listScopes = Array.isArray(list.scopes) ? list.scopes.filter((s): s is string => typeof s === "string") : [];
      for (const s of listScopes) {
        if (!scopes.includes(s)) add(`${at}/commandLists/${j}/scopes`, `"${s}" is not one of the bot's scopes`);
        if (seenScopes.has(s)) add(`${at}/commandLists/${j}/scopes`, `"${s}" already has a command list`);
        seenScopes.add(s);
      }
      const titles = new Set<string>();
      const commands = Array.isArray(list.commands) ? list.commands : [];
      commands.forEach((cmd: unknown, k) => {
        const title = isRecord(cmd) ? str(cmd.title)?.trim().toLowerCase() : undefined;
        if (!title) add(`${at}/commandLists/${j}/commands/${k}/title`, "must not be empty");
        else if (titles.has(title)) add(`${at}/commandLists/${j}/commands/${k}/title`, `"${title}" appears twice`);
        else titles.add(title);
      });
    });
  });

  const validDomains = Array.isArray(manifest.validDomains) ? manifest.validDomains : [];
  validDomains.forEach((d: unknown, i) => {
    if (typeof d !== "string" || !/^(\*\.)?[a-z0-9.-]+$/i.test(d)) {
      add(`/validDomains/${i}`, `must be a host name without scheme, path or port, got ${JSON.stringify(d)}`);
    }
  });

  if (isRecord(manifest.webApplicationInfo)) {
    checkGuid("/webApplicationInfo/id", manifest.webApplicationInfo.id);
    const resource = manifest.webApplicationInfo.resource;
    if (resource !== undefined && !(typeof resource === "string" && resource.startsWith("api://"))) {
      add("/webApplicationInfo/resource", `must be an api:// application ID URI, got ${JSON.stringify(resource)}`);
    }
  }

  // Tabs: pages on one of the app's valid domains, over https (Teams frames nothing else).
  const tabUrls = [
    ...(Array.isArray(manifest.staticTabs) ? manifest.staticTabs : []).map((t, i) => [
      `/staticTabs/${i}/contentUrl`,
      isRecord(t) ? t.contentUrl : undefined,
    ]),
    ...(Array.isArray(manifest.configurableTabs) ? manifest.configurableTabs : []).map((t, i) => [
      `/configurableTabs/${i}/configurationUrl`,
      isRecord(t) ? t.configurationUrl : undefined,
    ]),
  ] as [string, unknown][];
  for (const [field, url] of tabUrls) {
    if (url === undefined) continue;
    const host = typeof url === "string" && URL.canParse(url) && url.startsWith("https://") ? new URL(url).hostname : undefined;
    if (!host || !validDomains.includes(host)) add(field, `must be an https:// URL on one of validDomains, got ${JSON.stringify(url)}`);
  }

  // Nothing left unfilled.
  const findPlaceholders = (node: unknown, path: string): void => {
    if (typeof node === "string") {
      if (node.includes("${{")) add(path || "/", `has an unfilled placeholder: ${JSON.stringify(node)}`);
    } else if (Array.isArray(node)) node.forEach((v, i) => findPlaceholders(v, `${path}/${i}`));
    else if (isRecord(node)) for (const [k, v] of Object.entries(node)) findPlaceholders(v, `${path}/${escapePointer(k)}`);
  };
  findPlaceholders(manifest, "");

  // Icons: present, real PNGs at the zip root, the right pixel size; outline white on transparent.
  const icons = isRecord(manifest.icons) ? manifest.icons : {};
  for (const [key, size] of Object.entries(ICON_SIZES)) {
    const field = `/icons/${key}`;
    const rel = icons[key];
    if (rel === undefined) {
      if (key !== "color32x32") add(field, "is required");
      continue;
    }
    if (typeof rel !== "string" || rel !== basename(rel) || rel.startsWith(".")) {
      add(field, `must be a file name at the package root, got ${JSON.stringify(rel)}`);
      continue;
    }
    const bytes = loadAsset(rel, options);
    if (!bytes) {
      add(field, `file ${rel} not found`);
      continue;
    }
    try {
      const info = readPngInfo(bytes);
      if (info.width !== size || info.height !== size) {
        add(field, `${rel} is ${info.width}x${info.height} pixels; it must be ${size}x${size}`);
        continue;
      }
      if (key === "outline") {
        const img = decodePng(bytes);
        let bad = 0;
        let first: [number, number] | undefined;
        for (let p = 0; p < img.width * img.height; p++) {
          const [r, g, b, a] = [img.data[p * 4], img.data[p * 4 + 1], img.data[p * 4 + 2], img.data[p * 4 + 3]];
          if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) {
            bad++;
            first ??= [p % img.width, Math.floor(p / img.width)];
          }
        }
        if (first) {
          add(field, `${rel} must be white on transparent only; ${bad} pixel(s) are coloured, first at x=${first[0]}, y=${first[1]}`);
        }
        if (!img.data.some((_, i) => i % 4 === 3 && img.data[i] !== 255)) {
          add(field, `${rel} has no transparent pixels; the outline icon needs a transparent background`);
        }
      }
    } catch (e) {
      add(field, `${rel} is not a readable PNG: ${(e as Error).message}`);
    }
  }

  return { ok: errors.length === 0, errors };
}

// ---------------------------------------------------------------------------------------------
// Package

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
