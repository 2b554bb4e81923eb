// Child process of bench/actions.ts: the floor of the stack. The same stack as the service (express 5
// with its JSON body parser, botbuilder's CloudAdapter, the pg driver, adaptivecards-templating)
// answering the same Action.Execute invokes with no domain work: three primary-key reads (the audit
// or escalation the card action names, its case, the staff member who owns it) and one card expanded
// from a template object created once. The generator sends it every request it sends the service,
// at the same moment, so its CPU per request is measured under the same load; the ratio of the
// service's to this one's is how close Assure is to what its stack costs anyway.
// IPC: sends {type:"ready", url}; answers {type:"cpu"} with its CPU time so far (µs) and the
// requests answered; closes and exits on {type:"stop"}.
import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import * as ACData from "adaptivecards-templating";
import { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from "botbuilder";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 20) });
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));

const template = new ACData.Template({
  type: "AdaptiveCard",
  version: "1.5",
  body: [
    { type: "TextBlock", text: "${title}", weight: "Bolder", size: "Medium", wrap: true },
    { type: "TextBlock", text: "Case ${caseRef}, ${status}", isSubtle: true, wrap: true },
    {
      type: "FactSet",
      facts: [
        { title: "Owner", value: "${owner}" },
        { title: "Team", value: "${team}" },
        { title: "Updated", value: "${updated}" },
      ],
    },
  ],
  actions: [{ type: "Action.Execute", title: "Refresh", verb: "${verb}", data: { id: "${id}" } }],
});

const one = async (sql: string, id: unknown): Promise<Record<string, unknown> | undefined> =>
  typeof id === "string" ? (await pool.query(sql, [id])).rows[0] : undefined;

async function logic(context: TurnContext): Promise<void> {
  const action = (context.activity.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
  const data = action?.data ?? {};
  const audit = "auditId" in data;
  const row = audit
    ? await one(`SELECT * FROM "Audit" WHERE id = $1`, data.auditId)
    : await one(`SELECT * FROM "Escalation" WHERE id = $1`, data.id);
  const kase = await one(`SELECT * FROM "Case" WHERE id = $1`, row?.caseId);
  const owner = await one(`SELECT * FROM "Staff" WHERE id = $1`, audit ? row?.auditorId : row?.raiserId);
  const card = template.expand({
    $root: {
      title: audit ? "Audit" : "Escalation",
      caseRef: kase?.caseRef ?? "",
      status: row?.status ?? "",
      owner: owner?.name ?? "",
      team: kase?.teamId ?? "",
      updated: row?.updatedAt instanceof Date ? row.updatedAt.toISOString() : "",
      verb: action?.verb ?? "",
      id: row?.id ?? "",
    },
  });
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: card } },
  });
}

let served = 0;
const app = express();
app.use(express.json({ limit: "256kb" }));
app.post("/api/messages", async (req, res) => {
  served++;
  await adapter.process(req, res, logic);
});
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, "127.0.0.1", () => resolve(s));
});
process.send?.({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "cpu") {
    const c = process.cpuUsage();
    process.send?.({ type: "cpu", micros: c.user + c.system, served });
  }
  if (m?.type === "stop") {
    server.close(() => {
      void pool.end().then(() => process.exit(0));
    });
    server.closeIdleConnections?.();
  }
});
process.on("disconnect", () => process.exit(0));
