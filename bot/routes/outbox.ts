// QA visibility of delivery: "outbox" shows counts by status and the latest problems.
import { defineRoute, noData, command, type Command } from "../router";
import { renderCard } from "../../cards/render";
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

export function routes() {
  return [
    defineRoute({
      verb: "outbox.view",
      capability: "outbox.view",
      schema: outboxViewSchema,
      async handle({ app, actor }) {
        const o = await outboxOverview(app.db, actor);
        return {
          card: renderCard("outbox-status", {
            counts: Object.entries(o.counts).map(([status, count]) => ({ label: labels[status] ?? status, count: String(count) })),
            problems: o.problems,
          }),
        };
      },
    }),
    // Development only: cards held by quiet hours go now (a local try in the evening or at a weekend).
    defineRoute({
      verb: "outbox.deliverNow",
      capability: "outbox.view",
      schema: noData,
      async handle({ app }) {
        if (!mayDeliverHeldNow(app.config))
          return {
            card: renderCard("message", { title: "Not available", text: "Quiet hours always apply outside a local development run." }),
          };
        const now = app.clock.now();
        const { count } = await heldDeliveries(app.db, now);
        const released = await deliverHeldNow(app.db, app.config, now);
        return {
          card: renderCard("message", {
            title: "Delivering now",
            text: released
              ? `${released} held card${released === 1 ? "" : "s"} will be delivered in the next few seconds (development only: quiet hours set aside for them). People who have not opened Assure yet get theirs when they do.`
              : count
                ? "Nothing was released."
                : "No cards are held by quiet hours.",
          }),
        };
      },
    }),
  ];
}
