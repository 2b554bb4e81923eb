// Cards held by quiet hours (no proactive card between QUIET_HOURS_START and QUIET_HOURS_END or on
// a non-working day). A local try in the evening or at a weekend would otherwise deliver nothing
// and say nothing: in development the chat page and the cards say what is held and until when, and
// "deliver now" releases it. In production quiet hours always apply.
import type { Config } from "../config";
import { authEnabled } from "../config";
import type { Db } from "../db";

/** Delivering held cards at once is for a local development run only (authentication off). */
export function mayDeliverHeldNow(config: Pick<Config, "MicrosoftAppId" | "NODE_ENV">): boolean {
  return !authEnabled(config) && config.NODE_ENV === "development";
}

/** "Mon 7 Dec, 08:00" in the service's time zone. */
export function heldUntilText(at: Date, tz: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

/** Undelivered cards whose earliest delivery time is still ahead, and the earliest of those times. */
export async function heldDeliveries(db: Db, now: Date): Promise<{ count: number; until: Date | null }> {
  const [row] = await db.$queryRawUnsafe<{ count: bigint; until: Date | null }[]>(
    `SELECT count(*) AS count, min("notBefore") AS until FROM "OutboxMessage"
      WHERE status IN ('pending', 'waiting') AND "notBefore" > $1`,
    now,
  );
  return { count: Number(row?.count ?? 0), until: row?.until ?? null };
}

/** Makes every held card due now (development only); returns how many. */
export async function deliverHeldNow(db: Db, config: Pick<Config, "MicrosoftAppId" | "NODE_ENV">, now: Date): Promise<number> {
  if (!mayDeliverHeldNow(config)) return 0;
  return db.$executeRawUnsafe(
    `UPDATE "OutboxMessage" SET "notBefore" = $1, "nextAttemptAt" = LEAST("nextAttemptAt", $1)
      WHERE status IN ('pending', 'waiting') AND "notBefore" > $1`,
    now,
  );
}
