// Reading a chat through Graph to settle a send the outbox is unsure about (a crash between the
// Bot Connector's 2xx and the outcome's commit): is a bot message carrying the outbox message's
// marker already in the recipient's chat?
//
// `GET /chats/{chat-id}/messages?$top=50&$orderby=lastModifiedDateTime desc&$filter=lastModifiedDateTime gt <since>`
// (application permission ChatMessage.Read.Chat through resource-specific consent, or
// Chat.Read.All). Graph only filters on lastModifiedDateTime (gt/lt) with that ordering;
// createdDateTime only supports `lt`. A message created after `since` was modified after it too,
// so the filter keeps every candidate. In Teams a chatMessage id is the activity id the Bot
// Connector returned for the send.
import type { Client } from "@microsoft/microsoft-graph-client";
import type { AppContext } from "../context";
import { CARD_CONTENT_TYPE, cardOutboxId } from "../../cards/render";
import { graphStatus, nextLinkPath } from "./client";
import { installedChatId } from "./install";

/** Graph's chatMessage, as far as we read it. */
interface ChatMessage {
  id: string;
  createdDateTime?: string;
  from?: { application?: { id?: string } | null; user?: unknown } | null;
  attachments?: Array<{ contentType?: string; content?: string | null }>;
}

export type SentLookup =
  { status: "found"; messageId: string; chatId: string } | { status: "absent"; chatId: string } | { status: "unknown"; reason: string };

/** Pages of 50 read at most before giving up (2,500 messages since the attempt: not a 1:1 bot chat). */
const MAX_PAGES = 50;

/**
 * The Graph chat id of a recipient's conversation with the bot: the conversation id itself when it
 * is one (`19:…`, people reached through Graph, group chats), otherwise (a personal conversation's
 * Bot Framework id, `a:…`) through the installation.
 */
async function chatIdOf(app: AppContext, graph: Client, recipientId: string, conversationId: string): Promise<string | { reason: string }> {
  if (conversationId.startsWith("19:")) return conversationId;
  const catalogId = app.config.TEAMS_APP_CATALOG_ID;
  if (!catalogId) return { reason: "TEAMS_APP_CATALOG_ID is not configured: the chat cannot be found" };
  const staff = await app.db.staff.findUnique({ where: { id: recipientId }, select: { aadObjectId: true } });
  if (!staff?.aadObjectId) return { reason: "no Entra id in the directory: the chat cannot be found" };
  const chat = await installedChatId(graph, staff.aadObjectId, catalogId);
  return chat.ok ? chat.chatId : { reason: chat.reason };
}

/**
 * Looks in the recipient's chat for a bot message whose card carries `outboxId` and was created
 * after `since`. Graph errors (after the client's own retries) give "unknown" with the reason.
 */
export async function findSentCard(
  app: AppContext,
  graph: Client,
  q: { recipientId: string; conversationId: string; outboxId: string; since: Date | undefined },
): Promise<SentLookup> {
  try {
    const chatId = await chatIdOf(app, graph, q.recipientId, q.conversationId);
    if (typeof chatId !== "string") return { status: "unknown", reason: chatId.reason };
    const botAppId = app.config.MicrosoftAppId;
    let req = graph
      .api(`/chats/${encodeURIComponent(chatId)}/messages`)
      .top(50)
      .orderby("lastModifiedDateTime desc");
    if (q.since) req = req.filter(`lastModifiedDateTime gt ${q.since.toISOString()}`);
    let page = (await req.get()) as { value?: ChatMessage[]; "@odata.nextLink"?: string };
    for (let pages = 1; ; pages++) {
      for (const m of page.value ?? []) {
        const application = m.from?.application;
        if (!application || (botAppId && application.id !== botAppId)) continue; // not our bot's
        if (q.since && m.createdDateTime && Date.parse(m.createdDateTime) <= q.since.getTime()) continue;
        const marked = (m.attachments ?? []).some((a) => a.contentType === CARD_CONTENT_TYPE && cardOutboxId(a.content) === q.outboxId);
        if (marked) return { status: "found", messageId: m.id, chatId };
      }
      const next = page["@odata.nextLink"];
      if (!next) return { status: "absent", chatId };
      if (pages >= MAX_PAGES) return { status: "unknown", reason: `more than ${MAX_PAGES * 50} messages in the chat since the attempt` };
      page = (await graph.api(nextLinkPath(next)).get()) as typeof page;
    }
  } catch (err) {
    return { status: "unknown", reason: `Graph: ${graphStatus(err) ?? "network"}: ${(err as Error).message ?? String(err)}`.slice(0, 500) };
  }
}
