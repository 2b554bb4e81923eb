// Conversation references: how to reach a person proactively. Captured when they first speak to
// the bot (or via Graph install, see delivery).
import type { ConversationReference as BfReference } from "botframework-schema";
import type { Db } from "./db";
import type { Prisma } from "../generated/prisma/client";

// Every activity carries the sender's reference; it almost never changes. What this process last
// stored (or found) per person spares a database round trip on each action.
// Kept per database client, so two services in one process (tests) never share it.
const knownByDb = new WeakMap<object, Map<string, string>>();
const KNOWN_MAX = 50_000;

/** Upserts; returns true when the reference is new or changed (so waiting cards can go out). */
export async function saveConversationReference(db: Db, staffId: string, ref: Partial<BfReference>, tenantId?: string): Promise<boolean> {
  const conversationId = ref.conversation?.id;
  const serviceUrl = ref.serviceUrl;
  if (!conversationId || !serviceUrl) return false;
  const key = `${conversationId}\n${serviceUrl}`;
  let known = knownByDb.get(db);
  if (!known) knownByDb.set(db, (known = new Map()));
  if (known.get(staffId) === key) return false;
  if (known.size >= KNOWN_MAX) known.clear();
  const existing = await db.conversationReference.findUnique({ where: { staffId } });
  if (existing && existing.conversationId === conversationId && existing.serviceUrl === serviceUrl) {
    known.set(staffId, key);
    return false;
  }
  const data = {
    conversationId,
    serviceUrl,
    tenantId: tenantId ?? null,
    botId: ref.bot?.id ?? "",
    reference: JSON.parse(JSON.stringify(ref)) as Prisma.InputJsonValue,
  };
  await db.conversationReference.upsert({ where: { staffId }, update: data, create: { staffId, ...data } });
  known.set(staffId, key);
  return true;
}

/** Forget what this process knows (tests that delete references behind its back). */
export function forgetConversationReferences(db: Db): void {
  knownByDb.delete(db);
}
