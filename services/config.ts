// Configuration from the environment, validated once. Every variable is documented in .env.example.
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0", "yes", "no", ""]).transform((v) => v === "true" || v === "1" || v === "yes");
const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Where to listen. Unset: every interface with authentication on, only this machine with it off. */
  HOST: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default("./data/pglite"),
  PGLITE_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  // Connections of the web process: enough that a burst of 100 users does not queue for one
  // (docs/load.md). The background worker takes at most 5; PostgreSQL's default allows 100.
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(20),

  MicrosoftAppId: z.string().default(""),
  MicrosoftAppPassword: z.string().default(""),
  MicrosoftAppType: z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant"),
  MicrosoftAppTenantId: z.string().default(""),
  ALLOWED_TENANT_IDS: csv.default([]),
  /** Test and sovereign-cloud settings: where channel tokens are validated and bot tokens obtained. Empty = public cloud. */
  BOTFRAMEWORK_OPENID_METADATA_URL: z.string().default(""),
  BOTFRAMEWORK_TOKEN_ISSUER: z.string().default(""),
  BOTFRAMEWORK_LOGIN_URL: z.string().default(""),
  BOTFRAMEWORK_OAUTH_SCOPE: z.string().default(""),
  BOTFRAMEWORK_VALIDATE_AUTHORITY: bool.default(true),

  /**
   * The Home tab's single sign-on (bot/tabAuth.ts): the Entra app's Application ID URI the Teams
   * token is issued for (api://<host>/<app id>, as webApplicationInfo.resource in the app package),
   * where the signing keys are published, and the issuers accepted ({tenantid} = the token's tenant).
   */
  TAB_SSO_APP_ID_URI: z.string().default(""),
  TAB_SSO_OPENID_METADATA_URL: z.string().url().default("https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"),
  TAB_SSO_ISSUERS: csv.default(["https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/"]),

  GRAPH_TENANT_ID: z.string().default(""),
  GRAPH_CLIENT_ID: z.string().default(""),
  GRAPH_CLIENT_SECRET: z.string().default(""),
  GRAPH_BASE_URL: z.string().url().default("https://graph.microsoft.com"),
  TEAMS_APP_CATALOG_ID: z.string().default(""),
  GRAPH_AUTHORITY_URL: z.string().url().default("https://login.microsoftonline.com"),
  GRAPH_SYNC_FILTER: z.string().default(""),
  TEAMS_SERVICE_URL: z.string().url().default("https://smba.trafficmanager.net/uk/"),

  TIMEZONE: z.string().default("Europe/London"),
  QUIET_HOURS_START: z
    .string()
    .regex(/^\d\d:\d\d$/)
    .default("18:30"),
  QUIET_HOURS_END: z
    .string()
    .regex(/^\d\d:\d\d$/)
    .default("08:00"),

  DELIVERY_GLOBAL_RPS: z.coerce.number().positive().default(50),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  DELIVERY_POLL_MS: z.coerce.number().int().min(10).default(500),
  DELIVERY_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  DELIVERY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  DELIVERY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(32),

  /**
   * Where the outbox sender and the scheduler run: in the service's process, or in one forked worker
   * process. auto: a worker process with a PostgreSQL server, in the service's process with the
   * embedded database (see backgroundWorkIn).
   */
  BACKGROUND_WORK: z.enum(["auto", "inline", "process"]).default("auto"),
  SCHEDULER_ENABLED: bool.default(true),
  SCHEDULER_POLL_MS: z.coerce.number().int().min(50).default(5000),

  GRADE_SCALE: z.string().default("collaborative-0-6"),
  /** The authority's case record system as practitioners call it ("LiquidLogic", "Mosaic"…), named on cards. */
  CASE_RECORD_SYSTEM: z.string().trim().min(1).default("the case record system"),
  MIN_GROUP_SIZE: z.coerce.number().int().min(1).default(5),
  AUDIT_REPEAT_WINDOW_MONTHS: z.coerce.number().int().min(0).default(6),
  /** Practice observations: the least notice (working days) a practitioner gets of the date. */
  OBSERVATION_NOTICE_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(5),
  /** Dip samples: a case's compliance rate below this percentage is shown as needing attention. */
  DIP_SAMPLE_TARGET_PCT: z.coerce.number().int().min(0).max(100).default(80),
  /** The monthly report's cut-offs (services/reports/settings.ts): Assure's defaults, not the frameworks'. */
  REPORT_BELOW_GOOD_SCORE: z.coerce.number().int().min(1).max(10).default(6),
  REPORT_ATTENTION_PCT: z.coerce.number().int().min(1).max(100).default(50),
  REPORT_GOOD_PCT: z.coerce.number().int().min(0).max(99).default(25),
  REPORT_IMPROVING_POINTS: z.coerce.number().int().min(1).max(100).default(5),
  /** Where report and survey files (XLSX, CSV) are written on the server, relative to the working directory. */
  REPORTS_DIR: z.string().trim().min(1).default("reports-out"),

  // ---- Audit-of-practice days (Halton framework gives four dates a year and selection five weeks
  // before; the counts and chasing intervals are the authority's own defaults) and multi-agency audits.
  PRACTICE_DAYS_PER_YEAR: z.coerce.number().int().min(1).max(12).default(4),
  PRACTICE_DAY_SELECTION_WEEKS: z.coerce.number().int().min(1).max(12).default(5),
  PRACTICE_DAY_CASES_PER_PAIR: z.coerce.number().int().min(1).max(6).default(2),
  PRACTICE_DAY_CONTACTS: z.coerce.number().int().min(1).max(20).default(2),
  PRACTICE_DAY_REMINDER_DAYS: z.coerce.number().int().min(1).max(14).default(3),
  PRACTICE_DAY_FOLLOW_UP_DAYS: z.coerce.number().int().min(1).max(30).default(5),
  MULTI_AGENCY_PERIOD_MONTHS: z.coerce.number().int().min(1).max(36).default(12),

  DEV_CHAT: bool.optional(),
  DEMO_SEED: bool.default(true),
  ADMIN_TOKEN: z.string().default(""),
  /**
   * Key (32 bytes, base64) sealing survey answers while a campaign is open (services/surveys/seal.ts).
   * Required in production; keep it outside the database, like the bot secret.
   */
  SURVEY_SEAL_KEY: z.string().default(""),

  /** Retention periods (services/retention.ts). History is append-only and not purged (see SECURITY.md). */
  RETENTION_AUDIT_YEARS: z.coerce.number().int().min(1).default(6),
  RETENTION_OUTBOX_DAYS: z.coerce.number().int().min(1).default(90),
  RETENTION_SURVEY_DRAFT_DAYS: z.coerce.number().int().min(1).default(30),
  RETENTION_JOBS_DAYS: z.coerce.number().int().min(1).default(90),
  RETENTION_RECEIPTS_DAYS: z.coerce.number().int().min(1).default(30),
  RETENTION_SURVEY_RESPONSE_YEARS: z.coerce.number().int().min(1).default(5),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Where background work runs for this configuration. auto chooses a worker process whenever the
 * database is a PostgreSQL server, so fan-outs never share an event loop with people pressing
 * buttons (docs/load.md); the embedded database (one person, local use) keeps a single process.
 */
export function backgroundWorkIn(config: Pick<Config, "BACKGROUND_WORK">, embeddedDatabase: boolean): "inline" | "process" {
  // A worker process on the embedded database would share one single-connection engine across
  // two processes through its socket: never measured, so refused rather than run blind.
  if (config.BACKGROUND_WORK === "process" && embeddedDatabase)
    throw new Error(
      "BACKGROUND_WORK=process needs a PostgreSQL server (set DATABASE_URL): the embedded database is for one process. " +
        "Use BACKGROUND_WORK=auto or inline with the embedded database.",
    );
  if (config.BACKGROUND_WORK !== "auto") return config.BACKGROUND_WORK;
  return embeddedDatabase ? "inline" : "process";
}

/** Parses the environment; throws a readable error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (parsed.data.NODE_ENV === "production" && !parsed.data.SURVEY_SEAL_KEY)
    throw new Error("Invalid configuration:\n  SURVEY_SEAL_KEY: required in production (32 random bytes, base64).");
  return parsed.data;
}

/** The environment loadConfig turns back into this config (what a child process is given). */
export function configEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config))
    if (value !== undefined) env[key] = Array.isArray(value) ? value.join(",") : String(value);
  return env;
}

/** Authentication is off only when no app id is configured (local development). */
export function authEnabled(config: Pick<Config, "MicrosoftAppId">): boolean {
  return config.MicrosoftAppId !== "";
}

/**
 * The tenants Assure serves, on /api/messages and the Home tab alike: ALLOWED_TENANT_IDS; when
 * that is empty, the bot's own tenant (MicrosoftAppTenantId). With authentication on, never "any
 * tenant" (a Bot Framework or single sign-on token is valid in every tenant that installs the app),
 * so with neither set this throws and the service does not start. With authentication off (local
 * development) and neither set, "any": nothing about the activity is authenticated, its tenant is
 * whatever the sender wrote.
 */
export function admittedTenants(
  config: Pick<Config, "MicrosoftAppId" | "MicrosoftAppTenantId" | "ALLOWED_TENANT_IDS">,
): readonly string[] | "any" {
  if (config.ALLOWED_TENANT_IDS.length) return config.ALLOWED_TENANT_IDS;
  if (config.MicrosoftAppTenantId) return [config.MicrosoftAppTenantId];
  if (!authEnabled(config)) return "any";
  throw new Error(
    "Invalid configuration:\n  ALLOWED_TENANT_IDS, MicrosoftAppTenantId: with authentication on (MicrosoftAppId set), " +
      "set ALLOWED_TENANT_IDS (comma-separated tenant ids) or MicrosoftAppTenantId (the bot's own tenant). " +
      "An empty list does not admit every tenant.",
  );
}

/** Whether `tenant` is one of the admitted tenants (admittedTenants). */
export function tenantAdmitted(admitted: readonly string[] | "any", tenant: unknown): boolean {
  return admitted === "any" || (typeof tenant === "string" && admitted.includes(tenant));
}

/**
 * The address to listen on: HOST when set; otherwise all interfaces only with authentication on.
 * Without it anyone who can reach the port (and the local chat page) can act as anyone.
 */
export function listenHost(config: Config): string {
  return config.HOST || (authEnabled(config) ? "0.0.0.0" : "127.0.0.1");
}
