// The lock that keeps a campaign's submits and its close apart.
import type { Tx } from "../db";

/**
 * Submits (shared) and the close (exclusive) of one campaign exclude each other, so no answer is
 * held after the close has released them. An advisory lock: a row lock would leave the locker's
 * transaction id in the row.
 */
export async function lockCampaign(tx: Tx, campaignId: string, mode: "shared" | "exclusive"): Promise<void> {
  const key = `survey:${campaignId}`;
  if (mode === "shared") await tx.$queryRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))::text`;
  else await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))::text`;
}
