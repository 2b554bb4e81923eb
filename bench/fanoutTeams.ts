// Child process of bench/fanout.ts: Teams, as the senders meet it. The fake Bot Connector enforces
// Teams' limits and injects the faults; the fake Graph's chats are what that connector accepted.
// A process of its own so that the benchmark's own work (polling the database, counting, reporting)
// cannot delay the connector's event loop: a request read late is counted late, and a window then
// looks fuller than the senders made it (docs/load.md).
// Reads BENCH_TEAMS (JSON: ceiling, people by group, catalogId, graph). IPC: {type:"ready", connectorUrl,
// graphUrl} once listening; {type:"count"} → the activities accepted so far; {type:"faults", spec}
// sets or (null) clears the random faults; {type:"reset"} starts the recordings and windows afresh
// and watches this loop's stalls from then; {type:"report", t0, ceiling} → what was delivered, the
// connector's counts and its 429s traced; {type:"stop"} closes and exits.
import { startFakeConnector, type RandomFaultSpec } from "../test/fakes/botConnector";
import { startFakeGraph } from "../test/fakes/graph";
import { traceThrottles, watchStalls } from "./fanoutTrace";

const o = JSON.parse(process.env.BENCH_TEAMS ?? "{}") as {
  ceiling: number;
  /** How many people of each seeded group ("bench", "warm"): their Entra ids are aad-<group>-<n>. */
  people: Record<string, number>;
  catalogId: string;
  graph: boolean;
};
const people = Object.entries(o.people).flatMap(([who, count]) => Array.from({ length: count }, (_, i) => `aad-${who}-${i + 1}`));
const fake = await startFakeConnector({ rateLimits: { globalLimit: o.ceiling } });
// Everyone has Assure installed (they opened it), so their chat is found through the installation.
const graph = o.graph
  ? await startFakeGraph({
      users: people.map((id) => ({ id, displayName: id, userPrincipalName: `${id}@bench.invalid` })),
      apps: [{ id: o.catalogId, displayName: "Assure" }],
      botAppId: "assure-bot",
      installed: people.map((userId) => ({ userId, appId: o.catalogId })),
      connector: fake,
    })
  : undefined;
let stallWatch: ReturnType<typeof watchStalls> | undefined;

type Message =
  { type: "count" | "reset" | "stop" } | { type: "faults"; spec: RandomFaultSpec | null } | { type: "report"; t0: number; ceiling: number };

process.on("message", (m: Message) => {
  switch (m.type) {
    case "count":
      process.send?.({ type: "count", activities: fake.activities.length });
      break;
    case "faults":
      fake.setRandomFaults(m.spec);
      break;
    case "reset":
      fake.reset();
      stallWatch?.stop();
      stallWatch = watchStalls();
      break;
    case "report":
      stallWatch?.stop();
      process.send?.({
        type: "report",
        activities: fake.activities.map((a) => ({ conversationId: a.conversationId, time: a.time })),
        stats: fake.stats,
        trace: traceThrottles(fake.requests, m.ceiling, m.t0, stallWatch?.stalls, stallWatch?.gcPauses),
        graph: graph ? { requests: graph.stats.requests, byStatus: graph.stats.byStatus } : "off (--no-graph)",
      });
      break;
    case "stop":
      void Promise.all([fake.close(), graph?.close()]).then(() => process.exit(0));
      break;
  }
});
process.send?.({ type: "ready", connectorUrl: fake.url, graphUrl: graph?.url });
// The benchmark is gone (it failed): do not outlive it.
process.on("disconnect", () => process.exit(0));
