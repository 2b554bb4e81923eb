// Conversation references: how to reach a person proactively. Captured when they first speak to
// the bot (or via Graph install, see delivery).
import type { ConversationReference as BfReference } from "botframework-schema";
import type { Db } from "./db";
import type { Prisma } from "../generated/prisma/client";

/** Upserts; returns true when the reference is new or changed (so waiting cards can go out). */
export async function saveConversationReference(db: Db, staffId: string, ref: Partial<BfReference>, tenantId?: string): Promise<boolean> {
  const conversationId = ref.conversation?.id;
  const serviceUrl = ref.serviceUrl;
  if (!conversationId || !serviceUrl) return false;
  const existing = await db.conversationReference.findUnique({ where: { staffId } });
  if (existing && existing.conversationId === conversationId && existing.serviceUrl === serviceUrl) return false;
  const data = {
    conversationId,
    serviceUrl,
    tenantId: tenantId ?? null,
    botId: ref.bot?.id ?? "",
    reference: JSON.parse(JSON.stringify(ref)) as Prisma.InputJsonValue,
  };
  await db.conversationReference.upsert({ where: { staffId }, update: data, create: { staffId, ...data } });
  return true;
}
