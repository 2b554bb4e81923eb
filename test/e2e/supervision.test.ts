// Supervision end to end: sessions booked from the rules, reminder cards before the due date (in
// working hours), a missed session becoming overdue and visible up the line, recording "held"
// from the card (which cancels the session's pending overdue job), moving a session.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { planSupervision } from "../../services/supervision/plan";
import { supervisionOverdueByTeam } from "../../services/supervision/sessions";
import { fromDbDate, isoDate, localParts } from "../../services/workingTime";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // Tuesday
let nqsw: StaffRef, tm: StaffRef, sm: StaffRef, hos: StaffRef, otherTm: StaffRef;

const sessions = () => h.db.supervisionSession.findMany({ where: { superviseeId: nqsw.id }, orderBy: { dueOn: "asc" } });

const h = useHarness({ clock }, async () => {
  nqsw = await h.byEmail("quinn.reid@council.example"); // NQSW in CP since 1 Sep 2026
  tm = await h.byEmail("zara.adeyemi@council.example"); // her line manager
  sm = await h.byEmail("callum.taylor@council.example"); // TM's manager
  hos = await h.byEmail("rosa.dawson@council.example"); // head of service above
  otherTm = (await h.db.staff.findFirstOrThrow({ where: { roles: { has: "TEAM_MANAGER" }, teamId: "AI1" } })) as StaffRef;
  for (const s of [nqsw, tm, sm, hos, otherTm]) await h.install(s);
});

describe("supervision", () => {
  it("books an NQSW weekly for six months then fortnightly, with the line manager as supervisor; a second run adds nothing", async () => {
    const r = await planSupervision(h.service.ctx, { staffIds: [nqsw.id], teamIds: ["CP"] });
    expect(r.supervisees).toBe(1);
    expect(r.teams).toBe(1);
    const list = await sessions();
    const dates = list.map((s) => isoDate(fromDbDate(s.dueOn)));
    expect(dates.slice(0, 4)).toEqual(["2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29"]);
    expect(list.every((s) => s.supervisorId === tm.id && s.status === "scheduled")).toBe(true);
    // Weekly until 1 Mar 2027 (six months after her start), fortnightly after.
    const gaps = list.slice(1).map((s, i) => (s.dueOn.getTime() - list[i]!.dueOn.getTime()) / 86_400_000);
    const firstFortnight = dates.findIndex((d) => d > "2027-03-01");
    expect(gaps.slice(0, firstFortnight - 2).every((g) => g <= 7)).toBe(true);
    expect(gaps.slice(firstFortnight).every((g) => g > 7 && g <= 14)).toBe(true);
    const group = await h.db.supervisionSession.findMany({ where: { teamId: "CP", superviseeId: null }, orderBy: { dueOn: "asc" } });
    expect(group.length).toBeGreaterThan(4);
    expect(group[0]!.kind).toBe("group");
    const again = await planSupervision(h.service.ctx, { staffIds: [nqsw.id], teamIds: ["CP"] });
    expect(again.sessions).toBe(0);
  });

  it("sends supervisor and supervisee a reminder two working days before, in working hours; only the supervisor gets the form", async () => {
    clock.set("2026-12-04T08:30:00Z"); // Friday 08:30 London, two working days before Tuesday 8 Dec
    await h.runJobs();
    await h.drainOutbox();
    const toTm = h.connector.cardsTo(h.conversationOf(tm)).at(-1);
    const toNqsw = h.connector.cardsTo(h.conversationOf(nqsw)).at(-1);
    expect(cardText(toTm)).toContain("Supervision: Quinn Reid");
    expect(cardText(toTm)).toContain("Tue, 8 Dec 2026");
    expect(cardActions(toTm).map((a) => a.verb)).toEqual(expect.arrayContaining(["supervision.record", "supervision.reschedule"]));
    expect(cardText(toNqsw)).toContain("your supervision is due soon");
    expect(cardActions(toNqsw).map((a) => a.verb)).not.toContain("supervision.record");
    const msgs = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { contains: ":reminder:" } } });
    for (const m of msgs) {
      const p = localParts(m.notBefore, "Europe/London");
      expect(p.hh * 60 + p.mm).toBeGreaterThanOrEqual(8 * 60);
    }
  });

  it("a reminder job that falls due at night queues its card for the next working morning", async () => {
    const [, second] = await sessions();
    // Run the second session's reminder late on Friday evening instead of on its morning.
    await h.db.scheduledJob.update({
      where: { key: `supervision:${second!.id}:reminder` },
      data: { runAt: new Date("2026-12-04T20:00:00Z") },
    });
    clock.set("2026-12-04T21:00:00Z");
    await h.runJobs();
    const m = await h.db.outboxMessage.findFirstOrThrow({
      where: { idempotencyKey: `supervision:${second!.id}:reminder:2026-12-15:${tm.id}` },
    });
    expect(m.notBefore.toISOString()).toBe("2026-12-07T08:00:00.000Z"); // Monday 08:00
    await h.drainOutbox();
  });

  it("a session not recorded becomes overdue and shows for the supervisor, the service manager and the head of service", async () => {
    clock.set("2026-12-10T09:00:00Z"); // two working days after 8 Dec
    await h.runJobs();
    const [first] = await sessions();
    expect(first!.status).toBe("overdue");
    await h.drainOutbox();
    expect(cardText(h.connector.cardsTo(h.conversationOf(tm)).at(-1))).toContain("Overdue");
    const smView = await h.execute(sm, "supervision.show");
    expect(smView.text).toContain("Overdue in your teams: 1");
    expect(smView.text).toContain("Quinn Reid");
    const hosView = (await h.say(hos, "supervision")).cards.at(-1);
    expect(cardText(hosView)).toContain("Overdue in your teams: 1");
    const tmView = await h.execute(tm, "supervision.show");
    expect(tmView.text).toContain("Quinn Reid: Tue, 8 Dec 2026 (overdue)");
    const figures = await supervisionOverdueByTeam(h.service.ctx, "2026-12");
    const cp = figures.find((f) => f.teamId === "CP")!;
    expect(cp.overdue).toBe(1);
    expect(cp.due).toBeGreaterThanOrEqual(4);
  });

  it("only the supervisor or their managers may record; wrong answers come back with the typed values", async () => {
    const [first] = await sessions();
    const held = { sessionId: first!.id, heldOn: "2026-12-09", durationMinutes: "90", kind: "individual" };
    // The supervisee sees the session, so is told it is not theirs to record.
    const denied = await h.execute(nqsw, "supervision.record", held);
    expect(denied.text).toMatch(/Not allowed/);
    expect(denied.text).toMatch(/Only the supervisor or their manager/);
    // Another team's manager may not see it: the very answer of a session that does not exist.
    const stranger = await h.execute(otherTm, "supervision.record", held);
    expect(stranger.text).toMatch(/Not found/);
    expect(stranger.text).toBe((await h.execute(otherTm, "supervision.record", { ...held, sessionId: randomUUID() })).text);
    const wrong = await h.execute(tm, "supervision.record", {
      sessionId: first!.id,
      heldOn: "2026-12-24",
      durationMinutes: "9000",
      kind: "individual",
    });
    expect(wrong.text).toContain("cannot be recorded as held in the future");
    expect(wrong.text).toContain("Enter the length in minutes");
    expect(JSON.stringify(wrong.card)).toContain('"value":9000');
    expect((await sessions())[0]!.status).toBe("overdue");
  });

  it("recording held cancels the session's overdue job; a double click records once", async () => {
    clock.set("2026-12-11T10:00:00Z");
    const [, second] = await sessions();
    const data = { sessionId: second!.id, heldOn: "2026-12-11", durationMinutes: "105", kind: "individual" };
    const res = await h.execute(tm, "supervision.record", data);
    expect(res.text).toContain("Held on Fri, 11 Dec 2026 (105 minutes, individual)");
    const again = await h.execute(tm, "supervision.record", data);
    expect(again.text).toMatch(/already recorded/);
    const job = await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `supervision:${second!.id}:overdue` } });
    expect(job.status).toBe("cancelled");
    clock.set("2026-12-18T09:00:00Z"); // well past the second session's overdue time
    await h.runJobs();
    await h.drainOutbox();
    expect((await sessions())[1]!.status).toBe("held");
    const overdueCards = await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `supervision:${second!.id}:overdue` } } });
    expect(overdueCards).toBe(0);
    const history = await h.db.history.findMany({ where: { entityType: "supervision", entityId: second!.id } });
    expect(history.map((x) => x.action)).toEqual(["held"]);
    expect(history[0]!.actorId).toBe(tm.id);
  });

  it("the line manager's manager may move an overdue session; its jobs move with it", async () => {
    const [first] = await sessions();
    const res = await h.execute(sm, "supervision.reschedule", { sessionId: first!.id, newDate: "2026-12-21" });
    expect(res.text).toContain("Moved to Mon, 21 Dec 2026");
    const moved = await h.db.supervisionSession.findUniqueOrThrow({ where: { id: first!.id } });
    expect(moved.status).toBe("scheduled");
    const overdueJob = await h.db.scheduledJob.findUniqueOrThrow({ where: { key: `supervision:${first!.id}:overdue` } });
    expect(overdueJob.status).toBe("pending");
    expect(overdueJob.runAt.toISOString()).toBe("2026-12-23T08:30:00.000Z"); // two working days after Mon 21 Dec
  });
});
