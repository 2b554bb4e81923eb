// Child process of bench/actions.ts: the fake Bot Connector (test/fakes/botConnector.ts), which
// stands in for Microsoft's servers and receives every card the service's sender delivers. In the
// load generator's process it kept each card (3,000 a run) and their collection paused that
// process for 90–115 ms at a time (its CPU profile), holding back every virtual user's request and
// adding the pause to their latency although the service had no part in it.
// IPC: sends {type:"ready", url} once listening; answers {type:"count"} with the activities
// received so far; closes and exits on {type:"stop"}.
import { startFakeConnector } from "../test/fakes/botConnector";

const connector = await startFakeConnector({ rateLimits: false });
process.send?.({ type: "ready", url: connector.url });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "count") process.send?.({ type: "count", activities: connector.activities.length });
  if (m?.type === "stop") void connector.close().then(() => process.exit(0));
});
