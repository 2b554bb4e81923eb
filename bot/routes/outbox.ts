// QA visibility of delivery: "outbox" shows counts by status and the latest problems.
import { cardRoute, command, showRoute, type Command } from "../router";
import type { AppContext } from "../../services/context";
import { outboxViewSchema } from "../../cards/schemas/outbox";
import { outboxOverview } from "../../services/delivery/status";
import { deliverHeldNow, heldDeliveries, mayDeliverHeldNow } from "../../services/delivery/held";

const labels: Record<string, string> = {
  pending: "Pending",
  waiting: "Waiting (not reachable yet)",
  sending: "Sending",
  sent: "Sent",
  dead: "Dead (gave up)",
  blocked: "Blocked",
  skipped: "Skipped",
};

export const commands: Command[] = [
  command("outbox", "outbox.view", "Delivery status of Assure's messages (QA team)"),
  command("deliver now", "outbox.deliverNow", "Development only: send the cards quiet hours are holding now", { devOnly: true }),
];

/** The held cards go now, on a local development run only (a try in the evening or at a weekend). */
async function deliverNow(app: AppContext) {
  if (!mayDeliverHeldNow(app.config)) return { title: "Not available", text: "Quiet hours always apply outside a local development run." };
  const now = app.clock.now();
  const { count } = await heldDeliveries(app.db, now);
  const released = await deliverHeldNow(app.db, app.config, now);
  return {
    title: "Delivering now",
    text: released
      ? `${released} held card${released === 1 ? "" : "s"} will be delivered in the next few seconds (development only: quiet hours set aside for them). People who have not opened Assure yet get theirs when they do.`
      : count
        ? "Nothing was released."
        : "No cards are held by quiet hours.",
  };
}

export function routes() {
  return [
    cardRoute("outbox.view", "outbox.view", outboxViewSchema, "outbox-status", async ({ app, actor }) => {
      const o = await outboxOverview(app.db, actor);
      const counts = Object.entries(o.counts).map(([status, count]) => ({ label: labels[status] ?? status, count: String(count) }));
      return { counts, problems: o.problems };
    }),
    showRoute("outbox.deliverNow", "outbox.view", "message", deliverNow),
  ];
}
