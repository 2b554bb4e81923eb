// The values the manifest template takes, from the environment (validated by zod).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type FieldError } from "./errors";
import { PACKAGE_JSON_PATH } from "./paths";

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
