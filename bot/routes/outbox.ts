// QA visibility of delivery: "outbox" shows counts by status and the latest problems.
import { defineRoute } from "../router";
import { renderCard } from "../../cards/render";
import { outboxViewSchema } from "../../cards/schemas/outbox";
import { outboxOverview } from "../../services/delivery/status";

const labels: Record<string, string> = {
  pending: "Pending",
  waiting: "Waiting (not reachable yet)",
  sending: "Sending",
  sent: "Sent",
  dead: "Dead (gave up)",
  blocked: "Blocked",
  skipped: "Skipped",
};

export function outboxRoutes() {
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
  ];
}
