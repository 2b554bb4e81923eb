// Reaching people who never opened the bot: install Assure for them through Graph
// (POST /users/{id}/teamwork/installedApps, 409 = already installed), find the installation
// (GET …/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '<catalog id>'), read its 1:1 chat
// (GET …/installedApps/{installationId}/chat; installedChatId, also used to check a chat after a
// crash) and store a conversation reference for that chat, whose recipient is the person's Teams
// user id ("29:…"), asked of the Bot Connector by the caller (`MemberLookup`).
import type { Client } from "@microsoft/microsoft-graph-client";
import type { AppContext } from "../context";
import { saveConversationReference } from "../conversations";
import { graphStatus } from "./client";

export type ReachResult = { ok: true } | { ok: false; reason: string };

/**
 * The Teams user id ("29:…") of a chat's member given by Entra object id: the Bot Connector's
 * `GET /v3/conversations/{chat}/members/{aadObjectId}` (botbuilder's TeamsInfo.getMember), which
 * only the bot's edge may call. Graph knows people by Entra id only.
 */
export type MemberLookup = (serviceUrl: string, chatId: string, aadObjectId: string) => Promise<{ id: string; name?: string }>;

const installedAppsPath = (aadObjectId: string): string => `/users/${encodeURIComponent(aadObjectId)}/teamwork/installedApps`;

/**
 * The 1:1 chat between Assure and a person, through their installation of the app:
 * `GET …/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '<catalog id>'`, then
 * `GET …/installedApps/{installationId}/chat`. Its id is the Graph chat id (for someone who opened
 * the bot, a different id from the Bot Framework conversation id of the same chat). Graph errors
 * are thrown.
 */
export async function installedChatId(
  graph: Client,
  aadObjectId: string,
  catalogId: string,
): Promise<{ ok: true; chatId: string } | { ok: false; reason: string }> {
  const appsPath = installedAppsPath(aadObjectId);
  const list = (await graph
    .api(appsPath)
    .expand("teamsApp")
    .filter(`teamsApp/id eq '${catalogId.replace(/'/g, "''")}'`)
    .get()) as { value?: Array<{ id?: string }> };
  const installationId = list.value?.[0]?.id;
  if (!installationId) return { ok: false, reason: "not reachable yet: Graph shows no installation of Assure for this person" };
  const chat = (await graph.api(`${appsPath}/${encodeURIComponent(installationId)}/chat`).get()) as { id?: string };
  if (!chat.id) return { ok: false, reason: "not reachable yet: Graph returned no chat for the installation" };
  return { ok: true, chatId: chat.id };
}

export async function installForUser(app: AppContext, graph: Client, staffId: string, member: MemberLookup): Promise<ReachResult> {
  const c = app.config;
  const staff = await app.db.staff.findUnique({ where: { id: staffId }, select: { aadObjectId: true, active: true } });
  if (!staff?.aadObjectId)
    return { ok: false, reason: "not reachable yet: no Entra id in the directory, and the person has not opened Assure" };
  if (!c.TEAMS_APP_CATALOG_ID) return { ok: false, reason: "not reachable yet: TEAMS_APP_CATALOG_ID is not configured" };
  const appsPath = installedAppsPath(staff.aadObjectId);
  try {
    try {
      await graph
        .api(appsPath)
        .post({ "teamsApp@odata.bind": `${c.GRAPH_BASE_URL.replace(/\/+$/, "")}/v1.0/appCatalogs/teamsApps/${c.TEAMS_APP_CATALOG_ID}` });
    } catch (err) {
      if (graphStatus(err) !== 409) throw err; // 409: already installed, fine
    }
    const chat = await installedChatId(graph, staff.aadObjectId, c.TEAMS_APP_CATALOG_ID);
    if (!chat.ok) return chat;
    const botId = c.MicrosoftAppId ? `28:${c.MicrosoftAppId}` : "28:assure-bot";
    const tenantId = c.GRAPH_TENANT_ID || c.MicrosoftAppTenantId || undefined;
    let user: { id: string; name?: string };
    try {
      user = await member(c.TEAMS_SERVICE_URL, chat.chatId, staff.aadObjectId);
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      app.log.warn({ staffId, err: msg }, "the Bot Connector did not give the person's Teams id");
      return { ok: false, reason: `not reachable yet: Teams did not give the person's Teams id in the chat (${msg})`.slice(0, 500) };
    }
    await saveConversationReference(
      app.db,
      staffId,
      {
        channelId: "msteams",
        serviceUrl: c.TEAMS_SERVICE_URL,
        conversation: { id: chat.chatId, conversationType: "personal", isGroup: false, tenantId, name: "" },
        bot: { id: botId, name: "Assure" },
        user: { id: user.id, aadObjectId: staff.aadObjectId, name: user.name ?? "" },
      },
      tenantId,
    );
    return { ok: true };
  } catch (err) {
    const status = graphStatus(err);
    const msg = (err as Error).message ?? String(err);
    app.log.warn({ staffId, status, err: msg }, "Graph install failed");
    return {
      ok: false,
      reason: `not reachable yet: installing Assure through Graph failed (${status ?? "network"}: ${msg})`.slice(0, 500),
    };
  }
}
