// The learning loop: an audit's outcome goes back to the people whose practice it looked at. When an
// audit is submitted, and again when moderation finalises it, the practitioner and their team
// manager receive an outcome card (grade and band, strengths, areas to develop, the auditor's
// rationale, actions with owner and date). Each head of service receives the day's audits of their
// service as one digest card (a scheduler job), not one card per audit.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { recordHistory } from "../history";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { bandById, loadAuditTool } from "../catalogue";
import { firstInChainWithRole } from "../directory/staff";
import { addDays, isoDate, localDate, zonedInstant } from "../workingTime";
import { fmtDate } from "../viewerCards";
import { scaleFor } from "./grading";
import type { AuditDraft } from "./form/layout";

/** At most this many entries per list on a card (the rest are in the audit, one press away). */
const LIST_MAX = 8;
/** Longer texts are cut on the card (the audit keeps them whole). */
const TEXT_MAX = 400;
/** A head of service's digest lists at most this many audits (a month's programme is about 30). */
const DIGEST_MAX = 40;

const cut = (s: string) => (s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX - 1)}…` : s);

/** "4 (Requires Improvement)", or "not graded" when there is no grade. */
export function gradeText(scaleId: string | null, grade: number | null, bandId: string | null, ctx: AppContext): string {
  if (grade === null) return "not graded";
  const band = bandId ? bandById(scaleFor(ctx.config, scaleId), bandId) : undefined;
  return band ? `${grade} (${band.label})` : String(grade);
}

/** A list for a FactSet (title and value strings), with a note of how many more the audit holds. */
function factList(items: { title: string; value: string }[]) {
  return { facts: items.slice(0, LIST_MAX), more: items.length > LIST_MAX ? `${items.length - LIST_MAX} more in the audit.` : "" };
}

/** Who hears of an audit's outcome: the practitioner and their team manager. */
export async function outcomeRecipients(tx: Tx, audit: { practitionerId: string; managerId: string | null }): Promise<string[]> {
  const manager =
    audit.managerId ?? (await tx.staff.findUnique({ where: { id: audit.practitionerId }, select: { lineManagerId: true } }))?.lineManagerId;
  return [...new Set([audit.practitionerId, ...(manager ? [manager] : [])])];
}

export interface ModerationOutcome {
  id: string;
  /** "moderated down from Good to Requires Improvement" */
  movement: string;
  feedbackGood: string | null;
  feedbackDevelop: string | null;
}

/** The outcome card's data (template audit-outcome). User text is passed as data, never as markup. */
export async function outcomeCardData(tx: Tx, ctx: AppContext, auditId: string, moderation?: ModerationOutcome) {
  const tz = ctx.config.TIMEZONE;
  const tool = loadAuditTool();
  const audit = await tx.audit.findUniqueOrThrow({
    where: { id: auditId },
    include: { case: true, answers: { orderBy: { area: "asc" } }, actions: { orderBy: { createdAt: "asc" } } },
  });
  const people = new Map(
    (
      await tx.staff.findMany({
        where: { id: { in: [audit.auditorId, audit.practitionerId, ...audit.actions.map((a) => a.assigneeId)] } },
        select: { id: true, name: true },
      })
    ).map((p) => [p.id, p.name]),
  );
  const titles = new Map(tool.areas.map((a) => [a.number, a.title]));
  const area = (n: number) => (titles.has(n) ? `${n}. ${titles.get(n)}` : `Area ${n}`);
  const texts = (pick: (a: (typeof audit.answers)[number]) => string | null) =>
    audit.answers.flatMap((a) => (pick(a)?.trim() ? [{ title: area(a.area), value: cut(pick(a)!.trim()) }] : []));
  const overall = ((audit.draft ?? {}) as AuditDraft).outcome?.overallImpact?.trim();
  const original = gradeText(audit.gradeScaleId, audit.grade, audit.gradeBand, ctx);
  const moderated = moderation ? gradeText(audit.gradeScaleId, audit.moderatedGrade, audit.moderatedBand, ctx) : "";
  return {
    auditId: audit.id,
    caseRef: audit.case.caseRef,
    heading: moderation
      ? `Moderation finalised the audit: ${moderation.movement}.`
      : `${people.get(audit.auditorId) ?? "The auditor"} submitted the audit on ${fmtDate(audit.submittedAt ?? ctx.clock.now(), tz)}.`,
    practitioner: people.get(audit.practitionerId) ?? "",
    auditor: people.get(audit.auditorId) ?? "",
    grade: moderation ? moderated : original,
    originalGrade: moderation ? original : "",
    moderated: !!moderation,
    moderatorGood: moderation?.feedbackGood ? cut(moderation.feedbackGood) : "",
    moderatorDevelop: moderation?.feedbackDevelop ? cut(moderation.feedbackDevelop) : "",
    strengths: factList(texts((a) => a.strengths)),
    toDevelop: factList(texts((a) => a.toDevelop)),
    rationale: factList([...(overall ? [{ title: "Overall", value: cut(overall) }] : []), ...texts((a) => a.rationale)]),
    actions: factList(
      audit.actions.map((a) => ({
        title: `${people.get(a.assigneeId) ?? ""}, by ${fmtDate(a.dueAt, tz)}`,
        value: cut(`${a.kind === "action" ? "" : `${a.kind[0]!.toUpperCase()}${a.kind.slice(1)}: `}${a.description} (${a.status})`),
      })),
    ),
    supervisionText: tool.outcome.followUp.additionally[0] ?? "",
  };
}

/** The outcome card to the practitioner and their team manager (once per occasion and person). */
export async function sendOutcome(tx: Tx, ctx: AppContext, auditId: string, moderation?: ModerationOutcome): Promise<void> {
  const audit = await tx.audit.findUniqueOrThrow({ where: { id: auditId }, select: { practitionerId: true, managerId: true } });
  const recipients = await outcomeRecipients(tx, audit);
  const data = await outcomeCardData(tx, ctx, auditId, moderation);
  const occasion = moderation ? `moderated:${moderation.id}` : "submitted";
  for (const r of recipients)
    await enqueueMessage(tx, {
      recipientId: r,
      idempotencyKey: `audit:${auditId}:outcome:${occasion}:${r}`,
      payload: { template: "audit-outcome", data },
      ...deliveryOf(ctx, "audit.outcome"),
    });
  await recordHistory(tx, { entityType: "audit", entityId: auditId, action: "outcome_sent", after: { occasion, recipients } });
}

// ---------------------------------------------------------------- the head of service's digest

/**
 * Job (daily): each head of service gets the audits of their service submitted or finalised by
 * moderation on the previous local day, as one card. Idempotent per head of service and day.
 */
export async function sendHeadOfServiceDigests(ctx: AppContext, now: Date = ctx.clock.now()): Promise<{ cards: number; audits: number }> {
  const tz = ctx.config.TIMEZONE;
  const today = localDate(now, tz);
  const day = addDays(today, -1);
  const from = zonedInstant(day, 0, 0, tz);
  const to = zonedInstant(today, 0, 0, tz);
  return ctx.db.$transaction(async (tx) => {
    const audits = await tx.audit.findMany({
      where: { OR: [{ submittedAt: { gte: from, lt: to } }, { finalisedAt: { gte: from, lt: to }, moderatedGrade: { not: null } }] },
      include: { case: true },
      orderBy: { submittedAt: "asc" },
    });
    const byHead = new Map<string, typeof audits>();
    for (const a of audits) {
      const head = await firstInChainWithRole(tx, a.practitionerId, ["HEAD_OF_SERVICE"]);
      if (head) byHead.set(head.id, [...(byHead.get(head.id) ?? []), a]);
    }
    const teams = new Map((await tx.team.findMany({ select: { id: true, name: true } })).map((t) => [t.id, t.name]));
    for (const [headId, list] of byHead)
      await enqueueMessage(tx, {
        recipientId: headId,
        idempotencyKey: `audit-digest:${headId}:${isoDate(day)}`,
        payload: { template: "audit-digest", data: digestCardData(ctx, list, teams, day, from, to) },
        ...deliveryOf(ctx, "audit.digest", now),
      });
    return { cards: byHead.size, audits: audits.length };
  });
}

function digestCardData(
  ctx: AppContext,
  audits: {
    id: string;
    case: { caseRef: string };
    teamId: string;
    gradeScaleId: string | null;
    grade: number | null;
    gradeBand: string | null;
    moderatedGrade: number | null;
    moderatedBand: string | null;
    submittedAt: Date | null;
    finalisedAt: Date | null;
  }[],
  teams: Map<string, string>,
  day: { y: number; m: number; d: number },
  from: Date,
  to: Date,
) {
  const within = (d: Date | null) => !!d && d >= from && d < to;
  const items = audits.map((a) => {
    const moderatedToday = a.moderatedGrade !== null && within(a.finalisedAt);
    return {
      auditId: a.id,
      caseRef: a.case.caseRef,
      team: teams.get(a.teamId) ?? a.teamId,
      grade: moderatedToday
        ? gradeText(a.gradeScaleId, a.moderatedGrade, a.moderatedBand, ctx)
        : gradeText(a.gradeScaleId, a.grade, a.gradeBand, ctx),
      event: moderatedToday ? (within(a.submittedAt) ? "Submitted and moderated" : "Moderated") : "Submitted",
    };
  });
  return {
    date: fmtDate(zonedInstant(day, 12, 0, ctx.config.TIMEZONE), ctx.config.TIMEZONE),
    count: String(items.length),
    items: items.slice(0, DIGEST_MAX),
    more: items.length > DIGEST_MAX ? `${items.length - DIGEST_MAX} more audits of your service that day are not listed here.` : "",
  };
}
