// An audit cycle with audits of CP team cases allocated to one auditor, and an auditor filling in
// every page of the form through the bot: what the end-to-end tests of audits build on.
import { expect } from "vitest";
import { cardActions, cardText, pageOf, startHarness, versionOf, type Harness, type StaffRef } from "./harness";
import type { Clock } from "../../services/clock";
import type { Db } from "../../services/db";
import { auditPageAnswers, type SampleAudit } from "./auditPages";
import { pageIds } from "../../services/audit/form";
import { standIn, useHarness } from "./hooks";

/** An audit of case `c` allocated to an auditor and accepted, due by the end of January 2027. */
export function createAcceptedAudit(
  db: Db,
  o: { cycleId: string; auditorId: string; gradeScaleId: string },
  c: { id: string; teamId: string; worker: { id: string; lineManagerId: string | null } | null },
) {
  return db.audit.create({
    data: {
      ...o,
      caseId: c.id,
      practitionerId: c.worker!.id,
      managerId: c.worker!.lineManagerId,
      teamId: c.teamId,
      status: "accepted",
      dueDate: new Date("2027-01-31"),
    },
  });
}

export async function setupAuditFixture(h: Harness) {
  const cycle = await h.db.auditCycle.create({
    data: { month: "2026-12", theme: "e2e", target: 30, seed: "e2e", gradeScaleId: h.service.ctx.config.GRADE_SCALE },
  });
  let nextCase = 0;
  const cases = await h.db.case.findMany({
    where: { teamId: "CP", worker: { roles: { has: "PRACTITIONER" } } },
    include: { worker: true },
    orderBy: { caseRef: "asc" },
  });
  const auditor = await h.one("DEPUTY_TEAM_MANAGER", "CIN");
  return {
    auditor,
    async makeAudit() {
      const c = cases[nextCase++]!;
      const gradeScaleId = h.service.ctx.config.GRADE_SCALE;
      const audit = await createAcceptedAudit(h.db, { cycleId: cycle.id, auditorId: auditor.id, gradeScaleId }, c);
      const practitioner = (await h.db.staff.findUniqueOrThrow({ where: { id: c.worker!.id } })) as StaffRef;
      return { audit, practitioner, caseRef: c.caseRef };
    },
  };
}

/** Presses Next on page `page` of the audit form shown as `card`, with these answers; returns the card shown next. */
export async function saveAndNext(
  h: Harness,
  auditor: StaffRef,
  auditId: string,
  card: unknown,
  page: string,
  answers: Record<string, string>,
) {
  return (await h.execute(auditor, "audit.page.save", { auditId, page, version: versionOf(card), nav: "next", ...answers })).card;
}

/**
 * Presses Submit on the audit's review card as `auditor` (the button's own data: the audit and the
 * version the card shows), through a harness or any bot that presses buttons; returns its answer.
 */
export function submitReview<R>(
  bot: { execute(s: StaffRef, verb: string, data: Record<string, unknown>): Promise<R> },
  auditor: StaffRef,
  review: unknown,
): Promise<R> {
  const submit = cardActions(review).find((a) => a.verb === "audit.submit");
  if (!submit) throw new Error(`the review card has no Submit button:\n${cardText(review)}`);
  return bot.execute(auditor, submit.verb, submit.data);
}

/** Fills every page with valid answers through the bot and returns the review card. */
export async function fillAudit(
  h: Harness,
  auditor: StaffRef,
  auditId: string,
  o: SampleAudit & Required<Pick<SampleAudit, "grade" | "actions">>,
  onCard: (card: Record<string, unknown>) => void = () => {},
) {
  let card = (await h.execute(auditor, "audit.open", { auditId })).card;
  for (const page of pageIds()) {
    expect(pageOf(card)).toBe(page);
    if (page === "review") break;
    const data = { auditId, page, version: versionOf(card), nav: "next", ...auditPageAnswers(card, page, o) };
    card = (await h.execute(auditor, "audit.page.save", data)).card;
    onCard(card);
    expect(cardText(card)).not.toMatch(/need attention/);
  }
  return card;
}

/** For this file: the harness on `clock`, the audit fixture, and every member of staff with the bot installed. */
export function useAuditHarness(clock: Clock) {
  let fx: Awaited<ReturnType<typeof setupAuditFixture>> | undefined;
  const h = useHarness({ clock }, async () => {
    fx = await setupAuditFixture(h);
    for (const s of await h.db.staff.findMany()) if (s.aadObjectId) await h.install(s as StaffRef);
    await h.drainOutbox();
  });
  return { h, fx: standIn("the audit fixture", () => fx) };
}

/** The harness on `clock`, the audit fixture, and every member of staff with the bot installed. */
export async function startAuditHarness(clock: Clock) {
  const h = await startHarness({ clock });
  const fx = await setupAuditFixture(h);
  for (const s of await h.db.staff.findMany()) if (s.aadObjectId) await h.install(s as StaffRef);
  await h.drainOutbox();
  return { h, fx };
}
