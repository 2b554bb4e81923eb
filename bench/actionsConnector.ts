// Child process of bench/actions.ts: the fake Bot Connector (test/fakes/botConnector.ts), which
// stands in for Microsoft's servers and receives every card the service's sender delivers. It keeps
// every card it receives, so it runs apart from the load generator, whose timing its garbage
// collections would otherwise disturb (docs/load.md).
// IPC: sends {type:"ready", url} once listening; answers {type:"cpu"} with its CPU time so far (µs)
// and {type:"count"} with the activities received so far; closes and exits on {type:"stop"}.
import { startFakeConnector } from "../test/fakes/botConnector";

const connector = await startFakeConnector({ rateLimits: false });
process.send?.({ type: "ready", url: connector.url });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "cpu") {
    const c = process.cpuUsage();
    process.send?.({ type: "cpu", micros: c.user + c.system });
  }
  if (m?.type === "count") process.send?.({ type: "count", activities: connector.activities.length });
  if (m?.type === "stop") void connector.close().then(() => process.exit(0));
});
// The benchmark is gone (it failed): do not outlive it.
process.on("disconnect", () => process.exit(0));
