// Child process of bench/fanout.ts: the naive way, one botbuilder continueConversationAsync after
// another (botbuilder's own retries only), through its own fake Bot Connector with the same limits
// and faults. A process of its own so that botbuilder's CPU does not delay the measured fake
// connector's event loop (a delay there bunches arrivals, which its rate limiter then throttles).
// Reads BENCH_NAIVE (JSON: count, ceiling, faults, survey); answers { result, connector } on IPC.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference } from "botbuilder";
import { startFakeConnector, type RandomFaultSpec } from "../test/fakes/botConnector";
import { cardAttachment, renderCard } from "../cards/render";

const o = JSON.parse(process.env.BENCH_NAIVE ?? "{}") as { count: number; ceiling: number; faults: RandomFaultSpec; survey: object };
const fake = await startFakeConnector({ rateLimits: { globalLimit: o.ceiling } });
fake.setRandomFaults(o.faults);
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const activity = { type: "message", attachments: [cardAttachment(renderCard("message", o.survey as Record<string, unknown>))] };
process.send?.({ type: "ready" });
await new Promise((r) => process.once("message", r)); // "go"
let sent = 0;
let failed = 0;
const t0 = Date.now();
for (let i = 1; i <= o.count; i++) {
  const ref: Partial<ConversationReference> = {
    channelId: "msteams",
    serviceUrl: fake.url,
    conversation: { id: `a:conv-29:naive-${i}`, conversationType: "personal", tenantId: "t1", isGroup: false, name: "" },
    bot: { id: "28:assure-bot", name: "Assure" },
    user: { id: `29:naive-${i}`, name: `User ${i}` },
  };
  try {
    await adapter.continueConversationAsync("", ref, async (ctx) => {
      await ctx.sendActivity(activity);
    });
    sent++;
  } catch {
    failed++;
  }
}
const result = { sent, failed, seconds: (Date.now() - t0) / 1000 };
const connector = { requests: fake.stats.requests, throttledByLimiter: fake.stats.throttled, total429: fake.stats.total429 };
await fake.close();
process.send?.({ type: "done", result, connector }, () => process.exit(0));
