// What a crash can send twice without Graph: the background worker (BACKGROUND_WORK=process) is
// killed (SIGKILL) in the middle of a 180-card fan-out to 60 people through a Bot Connector that
// answers in 150 ms. The service starts a new worker, which takes the dead one's rows over once
// their leases expire and, with no Graph to look in the chats, sends the ones in doubt again. The
// cards sent twice are those Teams had accepted and the dead worker had not recorded: the requests
// on the wire (the in-flight window, about rate × round trip) and the answers on their way to the
// database; not the rows it merely held (about 37 were 'sending' at the kill). A measurement more
// than a guard: at this round trip the pacer already kept the wire at rate × round trip before the
// window was made adaptive (8 doubled then too); the window makes that the bound in every case.
import { describe, expect, it } from "vitest";
import { waitFor } from "../support/wait";
import { useHarness } from "../support/hooks";
import { type StaffRef } from "../support/harness";
import { enqueueAll } from "../../services/outbox";
import { cardOutboxId } from "../../cards/render";
import { InFlightWindow } from "../../services/delivery/pacer";

const LATENCY_MS = 150;
let people: StaffRef[];

const h = useHarness(
  {
    startSender: true,
    env: { BACKGROUND_WORK: "process", DELIVERY_POLL_MS: "100", DELIVERY_LEASE_MS: "2000" },
    connector: { rateLimits: false, latencyMs: LATENCY_MS },
  },
  async () => {
    people = (await h.db.staff.findMany({ where: { aadObjectId: { not: null } }, orderBy: { email: "asc" }, take: 60 })) as StaffRef[];
    for (const p of people) await h.install(p);
  },
  60_000,
);

describe("a worker killed mid-fan-out, without Graph", () => {
  it("sends twice at most what was on the wire: about rate × round trip, far fewer than the rows it held", async () => {
    h.connector.reset();
    h.connector.setLatency(LATENCY_MS);
    const keys = people.flatMap((p) => [1, 2, 3].map((j) => `kill-fanout:${p.id}:${j}`));
    await enqueueAll(
      h.db,
      keys.map((key, i) => ({
        kind: "send" as const,
        recipientId: people[Math.floor(i / 3)]!.id,
        idempotencyKey: key,
        payload: { template: "message", data: { title: "Survey", text: `card ${i % 3}` } },
        notBefore: new Date("2026-01-01T00:00:00Z"),
      })),
    );
    h.service.worker!.wake();
    const sends = () => h.connector.activities.filter((a) => a.kind === "send");
    await waitFor("half the fan-out", () => sends().length >= 90, 60_000, 5);
    const first = h.service.worker!.pid!;
    process.kill(first, "SIGKILL");
    const acceptedAtKill = new Set(sends().map((a) => cardOutboxId(a.body?.attachments?.[0]?.content)));
    const rows = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { in: keys } }, select: { id: true, status: true } });
    const sendingAtKill = rows.filter((r) => r.status === "sending").length;
    const unrecordedAtKill = rows.filter((r) => r.status !== "sent" && acceptedAtKill.has(r.id)).length;

    await waitFor("a new worker", () => !!h.service.worker!.pid && h.service.worker!.pid !== first, 60_000, 5);
    await waitFor(
      "every card recorded as sent",
      async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { in: keys }, status: "sent" } })) === keys.length,
      60_000,
      5,
    );
    const markers = sends().map((a) => cardOutboxId(a.body?.attachments?.[0]?.content));
    const doubled = markers.length - new Set(markers).size;
    expect(new Set(markers).size).toBe(keys.length); // nothing lost
    // The window at the default rate (50/s) for this round trip, with room for the process's own delay.
    const window = new InFlightWindow(
      h.service.ctx.config.DELIVERY_GLOBAL_RPS,
      h.service.ctx.config.DELIVERY_MAX_IN_FLIGHT,
      LATENCY_MS * 1.5,
    );
    console.log(JSON.stringify({ sendingAtKill, unrecordedAtKill, doubled, windowLimit: window.limit }));
    expect(doubled).toBeLessThanOrEqual(window.limit + 2); // + answers on their way to the database
    expect(doubled).toBeLessThan(sendingAtKill);
  }, 120_000);
});
