// "What waits on me": every open item for one person across the workflows, for the Home tab. A
// read-only listing: each item names the chat command that opens the same card in the chat with the
// bot, where the workflow's own use cases and permission checks act on it. Only the person's own
// items are read (their id is in every query), so nobody sees another person's work here.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { hasRole } from "../permissions";
import { fmtDate } from "../viewerCards";
import { myOpenSurveys } from "../surveys/campaigns";
import { ACTION, AUDIT, ESCALATION, MODERATION, SELF_ASSESSMENT, SUPERVISION } from "./statuses";

export type WaitingKind =
  "allocation" | "audit" | "selfAssessment" | "action" | "followUp" | "moderation" | "approval" | "escalation" | "survey" | "supervision";

export interface WaitingItem {
  kind: WaitingKind;
  /** What to do, in a few words ("Accept or swap the audit"). */
  title: string;
  /** The case reference (never a name), when the item is about a case. */
  caseRef: string | null;
  detail: string;
  /** YYYY-MM-DD (local), for ordering and the "due" column; null when there is no deadline. */
  due: string | null;
  dueText: string;
  overdue: boolean;
  /** The chat command that shows this item's card ("" = open the chat). */
  command: string;
}

export interface Waiting {
  name: string;
  items: WaitingItem[];
  counts: Partial<Record<WaitingKind, number>>;
}

/** Supervision sessions due within this many days are listed (overdue ones always). */
export const SUPERVISION_HORIZON_DAYS = 14;
const LIMIT = 50;
const moderationFields = {
  status: true,
  returnDate: true,
  proposedById: true,
  audit: { select: { case: { select: { caseRef: true } } } },
} as const;

const dayOf = (d: Date, tz: string): string => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(d);
/** A @db.Date column (midnight UTC) as its calendar day. */
const dateOnly = (d: Date): string => d.toISOString().slice(0, 10);

export async function whatWaitsOn(ctx: AppContext, actor: Actor): Promise<Waiting> {
  const db = ctx.db;
  const tz = ctx.config.TIMEZONE;
  const now = ctx.clock.now();
  const today = dayOf(now, tz);
  const items: WaitingItem[] = [];
  const push = (i: Omit<WaitingItem, "overdue" | "dueText"> & { dueAt?: Date }) => {
    const { dueAt, ...rest } = i;
    items.push({
      ...rest,
      dueText: dueAt ? fmtDate(dueAt, tz) : "",
      overdue: rest.due !== null && rest.due < today,
    });
  };

  const horizon = new Date(now.getTime() + SUPERVISION_HORIZON_DAYS * 86_400_000);
  const [audits, selfAssessments, actions, followUps, moderations, approvals, escalations, sessions, surveys] = await Promise.all([
    db.audit.findMany({
      where: { auditorId: actor.id, status: { in: [AUDIT.allocated, AUDIT.accepted, AUDIT.inProgress] } },
      select: { status: true, dueDate: true, case: { select: { caseRef: true } } },
      orderBy: { dueDate: "asc" },
      take: LIMIT,
    }),
    db.selfAssessment.findMany({
      where: { practitionerId: actor.id, status: { in: [SELF_ASSESSMENT.pending, SELF_ASSESSMENT.draft] } },
      select: { status: true, dueDate: true, audit: { select: { case: { select: { caseRef: true } } } } },
      orderBy: { dueDate: "asc" },
      take: LIMIT,
    }),
    db.action.findMany({
      where: { assigneeId: actor.id, status: ACTION.open },
      select: { description: true, dueAt: true, immediate: true, audit: { select: { case: { select: { caseRef: true } } } } },
      orderBy: { dueAt: "asc" },
      take: LIMIT,
    }),
    // A follow-up card sent to this person (its card key names the audit) for an audit none of
    // whose actions is followed up yet: the person's few messages first, then the audits by id.
    db.$queryRaw<{ caseRef: string; requestedAt: Date }[]>`
      WITH o AS (
        SELECT split_part(o."cardKey", ':', 2) AS "auditId", min(o."createdAt") AS "requestedAt"
        FROM "OutboxMessage" o
        WHERE o."recipientId" = ${actor.id} AND o."idempotencyKey" LIKE 'audit:%:followup:card%' AND o."cardKey" LIKE 'audit:%:followup'
        GROUP BY 1
      )
      SELECT c."caseRef", o."requestedAt"
      FROM o JOIN "Audit" a ON a.id = o."auditId" JOIN "Case" c ON c.id = a."caseId"
      WHERE NOT EXISTS (SELECT 1 FROM "Action" x WHERE x."auditId" = a.id AND x."followUpNote" IS NOT NULL)
      ORDER BY 2 LIMIT ${LIMIT}`,
    // Moderations to carry out, and grades to agree as the moderator or as the audit's auditor.
    Promise.all([
      db.moderation.findMany({
        where: { moderatorId: actor.id, status: { in: [MODERATION.allocated, MODERATION.agreeing] } },
        select: moderationFields,
        take: LIMIT,
      }),
      db.moderation.findMany({
        where: { status: MODERATION.agreeing, NOT: { moderatorId: actor.id }, audit: { auditorId: actor.id } },
        select: moderationFields,
        take: LIMIT,
      }),
    ]).then(([a, b]) => [...a, ...b].sort((x, y) => x.returnDate.getTime() - y.returnDate.getTime())),
    // The moderator's line manager approves an agreed grade; the Head of QA may approve any.
    db.moderation.findMany({
      where: {
        status: MODERATION.awaitingApproval,
        NOT: { moderatorId: actor.id },
        ...(hasRole(actor, "HEAD_OF_QA") ? {} : { moderatorId: { in: await reportIds(ctx, actor.id) } }),
      },
      select: { updatedAt: true, audit: { select: { case: { select: { caseRef: true } } } } },
      orderBy: { updatedAt: "asc" },
      take: LIMIT,
    }),
    db.escalation.findMany({
      where: {
        status: { notIn: [...ESCALATION.closed] },
        OR: [{ stageOwnerIds: { has: actor.id } }, { raiserId: actor.id, status: ESCALATION.resolutionProposed }],
      },
      select: {
        stage: true,
        status: true,
        raiserId: true,
        stageOwnerIds: true,
        stageDeadline: true,
        fosterCarerRef: true,
        case: { select: { caseRef: true } },
      },
      orderBy: { stageDeadline: "asc" },
      take: LIMIT,
    }),
    db.supervisionSession.findMany({
      where: {
        status: { in: [...SUPERVISION.open] },
        dueOn: { lte: horizon },
        OR: [{ supervisorId: actor.id }, { superviseeId: actor.id }],
      },
      select: { dueOn: true, status: true, kind: true, supervisorId: true, superviseeId: true },
      orderBy: { dueOn: "asc" },
      take: LIMIT,
    }),
    myOpenSurveys(ctx, actor),
  ]);

  for (const a of audits) {
    const due = dateOnly(a.dueDate);
    const caseRef = a.case.caseRef;
    if (a.status === AUDIT.allocated)
      push({
        kind: "allocation",
        title: "Accept or swap an allocated audit",
        caseRef,
        detail: `Audit of case ${caseRef}`,
        due,
        dueAt: a.dueDate,
        command: "my audits",
      });
    else
      push({
        kind: "audit",
        title: a.status === AUDIT.inProgress ? "Finish an audit (draft saved)" : "Start an accepted audit",
        caseRef,
        detail: a.status === AUDIT.inProgress ? `Audit of case ${caseRef}: pages in draft` : `Audit of case ${caseRef}`,
        due,
        dueAt: a.dueDate,
        command: "my audits",
      });
  }
  for (const s of selfAssessments) {
    const caseRef = s.audit.case.caseRef;
    push({
      kind: "selfAssessment",
      title: s.status === SELF_ASSESSMENT.draft ? "Finish your self-assessment (draft saved)" : "Answer your self-assessment",
      caseRef,
      detail: `Before the audit of case ${caseRef}`,
      due: dateOnly(s.dueDate),
      dueAt: s.dueDate,
      command: "self assessment",
    });
  }
  for (const a of actions) {
    const caseRef = a.audit?.case.caseRef ?? null;
    push({
      kind: "action",
      title: a.immediate ? "Complete an immediate action" : "Complete an action",
      caseRef,
      detail: a.description.length > 140 ? `${a.description.slice(0, 139)}…` : a.description,
      due: dayOf(a.dueAt, tz),
      dueAt: a.dueAt,
      command: "my actions",
    });
  }
  for (const f of followUps)
    push({
      kind: "followUp",
      title: "Follow up an audit's actions",
      caseRef: f.caseRef,
      detail: `Say what has been done since the audit of case ${f.caseRef}`,
      due: null,
      command: "",
    });
  for (const m of moderations) {
    const caseRef = m.audit.case.caseRef;
    const agreeing = m.status === MODERATION.agreeing;
    if (agreeing && m.proposedById === actor.id) continue; // waiting on the other party
    push({
      kind: "moderation",
      title: agreeing ? "Agree a moderated grade" : "Moderate an audit",
      caseRef,
      detail: agreeing ? `The moderator and the auditor of case ${caseRef} agree the grade` : `Audit of case ${caseRef}`,
      due: dateOnly(m.returnDate),
      dueAt: m.returnDate,
      command: "my moderations",
    });
  }
  for (const m of approvals) {
    const caseRef = m.audit.case.caseRef;
    push({ kind: "approval", title: "Approve an agreed grade", caseRef, detail: `Moderation of case ${caseRef}`, due: null, command: "" });
  }
  for (const e of escalations) {
    const caseRef = e.case?.caseRef ?? null;
    const about = caseRef ? `case ${caseRef}` : `foster carer ${e.fosterCarerRef ?? ""}`;
    const confirming = e.raiserId === actor.id && e.status === ESCALATION.resolutionProposed && !e.stageOwnerIds.includes(actor.id);
    push({
      kind: "escalation",
      title: confirming ? "Confirm an escalation is resolved" : `Respond to an escalation (stage ${e.stage})`,
      caseRef,
      detail: confirming
        ? `Escalation about ${about}`
        : `Stage ${e.stage} escalation about ${about}: deadline ${fmtDate(e.stageDeadline, tz)}`,
      due: dayOf(e.stageDeadline, tz),
      dueAt: e.stageDeadline,
      command: "",
    });
  }
  // Who the session is with: the supervisee for the supervisor, the supervisor for the supervisee.
  const other = (s: (typeof sessions)[number]) => (s.supervisorId === actor.id ? s.superviseeId : s.supervisorId);
  const withIds = [...new Set(sessions.map(other).filter((id): id is string => id !== null))];
  const names = new Map(
    withIds.length
      ? (await db.staff.findMany({ where: { id: { in: withIds } }, select: { id: true, name: true } })).map((p) => [p.id, p.name])
      : [],
  );
  for (const s of sessions) {
    const mine = s.supervisorId === actor.id;
    const withName = s.kind === "group" ? "" : (names.get(other(s) ?? "") ?? "");
    push({
      kind: "supervision",
      title: mine ? "Hold a supervision session" : "Your supervision is due",
      caseRef: null,
      detail: `${s.kind === "group" ? "Group" : "Individual"} supervision${withName ? ` with ${withName}` : ""}${s.status === "overdue" ? " (overdue)" : ""}`,
      due: dateOnly(s.dueOn),
      dueAt: s.dueOn,
      command: "supervision",
    });
  }
  for (const s of surveys)
    push({
      kind: "survey",
      title: s.onBehalf ? "Fill in a survey form" : s.resume ? "Finish a survey (draft saved)" : "Answer a survey",
      caseRef: null,
      detail: `${s.title}: closes ${s.closes}`,
      due: null,
      command: "survey",
    });

  // Overdue first, then by due date; items without a deadline last.
  items.sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.due ?? "9999").localeCompare(b.due ?? "9999"));
  const counts: Waiting["counts"] = {};
  for (const i of items) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
  return { name: actor.name, items, counts };
}

/** The people who report to this person (directly), whose agreed grades they approve. */
async function reportIds(ctx: AppContext, managerId: string): Promise<string[]> {
  const rows = await ctx.db.staff.findMany({ where: { lineManagerId: managerId }, select: { id: true } });
  return rows.map((r) => r.id);
}
