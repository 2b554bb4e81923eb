// The states of escalations, supervision sessions and survey campaigns are defined once (their
// states.ts) and hold however the buttons are pressed: the database refuses a status no machine
// names, a second press of "Escalate now" never skips a stage, and the overdue job never turns a
// session just recorded as held back into an overdue one.
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardActions, cardText, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { planSupervision } from "../../services/supervision/plan";
import { markSupervisionOverdue } from "../../services/supervision/sessions";
import { fromDbDate, isoDate } from "../../services/workingTime";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday
let iro: StaffRef, tm: StaffRef, worker: StaffRef;

const h = useHarness({ clock }, async () => {
  ({ iro, tmCic: tm, cicWorker: worker } = await h.people());
  for (const s of [iro, tm, worker]) await h.install(s);
});

describe("workflow states", () => {
  it("the database refuses a status outside each workflow's states", async () => {
    const caseRow = await h.db.case.findFirstOrThrow({ where: { workerId: worker.id } });
    const e = await h.db.escalation.create({
      data: { caseId: caseRow.id, raiserId: iro.id, type: "iro-cla", concern: "c", informalAttempts: "i", stageDeadline: clock.now() },
    });
    expect(e.status).toBe("open");
    // Statuses other code once assumed ("withdrawn", "cancelled"): no escalation step writes them.
    for (const status of ["withdrawn", "cancelled", "closed"])
      await expect(h.db.escalation.update({ where: { id: e.id }, data: { status } })).rejects.toThrow(/Escalation_status_check/);
    await expect(
      h.db.supervisionSession.create({ data: { supervisorId: tm.id, dueOn: new Date("2026-12-10"), status: "cancelled" } }),
    ).rejects.toThrow(/SupervisionSession_status_check/);
    await expect(
      h.db.surveyCampaign.create({
        data: {
          templateId: "health-check",
          templateVersion: 1,
          title: "t",
          audience: {},
          opensAt: clock.now(),
          closesAt: clock.now(),
          status: "archived",
        },
      }),
    ).rejects.toThrow(/SurveyCampaign_status_check/);
    await h.db.escalation.delete({ where: { id: e.id } });
  });

  it("a double click on 'Escalate now' by someone who owns the next stage too moves it one stage and records it once", async () => {
    // The team manager also holds the Head of Service role: they own Stage 1 and Stage 2.
    await h.db.staff.update({ where: { id: tm.id }, data: { roles: { push: "HEAD_OF_SERVICE" } } });
    const caseRef = (await h.db.case.findFirstOrThrow({ where: { workerId: worker.id }, orderBy: { caseRef: "asc" } })).caseRef;
    await h.execute(iro, "escalation.raise", { caseRef, type: "iro-cla", concern: "The plan has drifted.", informal: "Spoke to the TM." });
    const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: iro.id }, orderBy: { createdAt: "desc" } });
    await h.drainOutbox();
    const card = h.connector
      .cardsTo(h.conversationOf(tm))
      .filter((c) => cardText(c).startsWith("Escalation · case"))
      .at(-1);
    const button = cardActions(card).find((a) => a.verb === "escalation.escalateNow")!;
    expect(button.data).toMatchObject({ id: esc.id, stage: 1 });

    const first = await h.execute(tm, button.verb, { ...button.data, escalateReason: "No reply to two visits" });
    expect(first.text).toMatch(/Stage 2 of 4/);
    expect((await h.db.escalation.findUniqueOrThrow({ where: { id: esc.id } })).stageOwnerIds).toContain(tm.id);
    const second = await h.execute(tm, button.verb, { ...button.data, escalateReason: "No reply to two visits" });
    expect(second.text).toMatch(/already moved on to Stage 2/);

    const now = await h.db.escalation.findUniqueOrThrow({ where: { id: esc.id } });
    expect(now.stage).toBe(2);
    const history = await h.db.history.findMany({ where: { entityType: "escalation", entityId: esc.id, action: "stage_changed" } });
    expect(history).toHaveLength(1);
    expect(history[0]!.before).toMatchObject({ status: "open", stage: 1 });
    expect(history[0]!.after).toMatchObject({ status: "open", stage: 2 });
    expect(await h.db.escalationEvent.count({ where: { escalationId: esc.id, kind: "stage" } })).toBe(1);
  });

  it("the overdue job waiting on a session being recorded as held leaves it held", async () => {
    const nqsw = await h.byEmail("quinn.reid@council.example");
    await planSupervision(h.service.ctx, { staffIds: [nqsw.id] });
    const s = await h.db.supervisionSession.findFirstOrThrow({ where: { superviseeId: nqsw.id }, orderBy: { dueOn: "asc" } });
    // The supervisor's "held" is written but not yet committed when the overdue job reads the session.
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const held = h.db.$transaction(
      async (tx) => {
        await tx.supervisionSession.update({ where: { id: s.id }, data: { status: "held", heldOn: s.dueOn, durationMinutes: 60 } });
        written();
        await gate;
      },
      { timeout: 30_000 },
    );
    await wrote;
    const job = h.db.$transaction(
      (tx) => markSupervisionOverdue(tx, h.service.ctx, { sessionId: s.id, dueOn: isoDate(fromDbDate(s.dueOn)) }),
      {
        timeout: 30_000,
      },
    );
    // Commit once the job waits on the row (its update blocked by the recording's lock).
    for (let i = 0; i < 200; i++) {
      const [w] = await h.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`;
      if (w!.n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    commit();
    await Promise.all([held, job]);
    expect((await h.db.supervisionSession.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("held");
    expect(await h.db.history.count({ where: { entityType: "supervision", entityId: s.id, action: "overdue" } })).toBe(0);
  });
});
