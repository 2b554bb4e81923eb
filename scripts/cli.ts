// What the command-line scripts share: the database opened as `npm start` would find it (DATABASE_URL,
// or the embedded database under PGLITE_DIR), migrated, a Prisma client and an AppContext; errors
// the script expects printed as one message with exit code 1; everything closed at the end.
import { loadConfig, type Config } from "../services/config";
import { createPrisma, openDatabase, type DatabaseHandle, type Db } from "../services/db";
import { migrate } from "../prisma/migrate";
import { createLogger } from "../services/logger";
import { systemClock } from "../services/clock";
import type { AppContext } from "../services/context";
import { ValidationFailed } from "../services/errors";
import { actorOf } from "../services/directory/staff";
import type { Actor } from "../services/permissions";

export interface CliOptions {
  /** The configuration, when the script needed it before opening the database (default: loadConfig()). */
  config?: Config;
  /** Pooled database connections (default 2). */
  poolMax?: number;
  /** The logger's level (default config.LOG_LEVEL). */
  logLevel?: string | ((config: Config) => string);
  /** Migrations: "always" (default), "embedded" (only the embedded database; a server is left as it is), "never". */
  migrate?: "always" | "embedded" | "never";
  /** Pass the logger to openDatabase (it logs starting the embedded database) and serve that on PGLITE_PORT. */
  database?: { log?: boolean; pglitePort?: boolean };
  /**
   * What to print (console.error arguments) for an error the script expects: it then exits 1. An error
   * this returns undefined for (or every error, without it) is thrown on: a stack trace, exit code 1.
   */
  errorMessage?: (err: unknown) => unknown[] | undefined;
}

/**
 * Runs a script's work with the database open and closes it afterwards. `main` returns the exit code
 * (the process then exits with it) or nothing (the script ends when its work is done).
 */
export async function runCli(main: (ctx: AppContext, database: DatabaseHandle) => Promise<number | void>, opts: CliOptions = {}) {
  const config = opts.config ?? loadConfig();
  const level = typeof opts.logLevel === "function" ? opts.logLevel(config) : (opts.logLevel ?? config.LOG_LEVEL);
  const log = createLogger(level);
  const database = await openDatabase(
    {
      databaseUrl: config.DATABASE_URL,
      pgliteDir: config.PGLITE_DIR,
      ...(opts.database?.pglitePort ? { pglitePort: config.PGLITE_PORT } : {}),
    },
    opts.database?.log ? log : undefined,
  );
  const db = createPrisma(database.url, opts.poolMax ?? 2);
  const ctx: AppContext = { db, config, clock: systemClock, log };
  let code: number | void;
  try {
    const when = opts.migrate ?? "always";
    if (when === "always" || (when === "embedded" && database.embedded)) await migrate(database.url);
    code = await main(ctx, database);
  } catch (err) {
    const message = opts.errorMessage?.(err);
    if (!message) throw err;
    console.error(...message);
    code = 1;
  } finally {
    await db.$disconnect();
    await database.close();
  }
  if (code !== undefined) process.exit(code);
}

/** The value after `--name` in the arguments, if any. */
export function flag(name: string, argv = process.argv.slice(2)): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * The active member of staff with this email (in any case) as the actor of a command; otherwise a
 * ValidationFailed (or the error class given) naming the email.
 */
export async function actorByEmail(db: Db, email: string, NotFound: new (message: string) => Error = ValidationFailed): Promise<Actor> {
  const s = await db.staff.findUnique({ where: { email: email.toLowerCase() } });
  if (!s || !s.active) throw new NotFound(`No active member of staff with email ${email}.`);
  return actorOf(s);
}

/** The level of a script's logger that prints only warnings when the configured level is the default "info". */
export const quietInfo = (config: Config) => (config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
