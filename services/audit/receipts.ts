// Spent buttons: a one-time action writes an ActionReceipt with a unique key in the same
// transaction as its effect, so a second click (or a second device) records nothing twice.
import type { Tx } from "../db";
import { AlreadyDone } from "../errors";

export async function spendButton(tx: Tx, key: string, actorId: string, verb: string): Promise<void> {
  const existing = await tx.actionReceipt.findUnique({ where: { key } });
  if (existing)
    throw new AlreadyDone(`This was already done on ${existing.createdAt.toISOString().slice(0, 10)}. Nothing was recorded twice.`);
  await tx.actionReceipt.create({ data: { key, actorId, verb } });
}

/** A racing duplicate that got past the check hits the unique key instead. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === "P2002" || /Unique constraint/i.test(e?.message ?? "");
}
