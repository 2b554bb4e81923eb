// What every use case receives: the database, configuration, the clock and a logger.
import type { Config } from "./config";
import type { Db } from "./db";
import type { Clock } from "./clock";
import type { Logger } from "./logger";
import type { QuietHours } from "./workingTime";

export interface AppContext {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
}

export function quietHours(config: Config): QuietHours {
  return { tz: config.TIMEZONE, start: config.QUIET_HOURS_START, end: config.QUIET_HOURS_END };
}
