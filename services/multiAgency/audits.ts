// Multi-agency audits (Bexley Children's Social Care Quality Assurance Framework, §1.4): "led and
// facilitated by the Safeguarding Partnership's Practice Review and Learning Manager"; the audit
// team includes partner agencies; "Audits will generally cover a 12-month period"; practitioners
// involved are invited, "The operations team will copy invitations to managers"; they "complete a
// multi-agency audit tool" in advance of "a reflective practice discussion"; recommendations to
// improve multi-agency practice follow. Partner agencies' people see only what they are invited to.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { NotFound, NotPermitted, ValidationFailed } from "../errors";
import { recordFieldChange, recordHistory } from "../history";
import { deliveryOf } from "../messageKinds";
import { enqueueAll } from "../outbox";
import type { Actor } from "../permissions";
import { transition } from "../stateMachine";
import { isoDate, localDate, parseIsoDate } from "../workingTime";
import { addMonths, formatDate } from "../dates";
import { questions } from "../choices";
import { multiAgencyInvitationMachine } from "./states";
import { AUDIT_MISSING, INVITATION_MISSING, requireInvitee } from "./access";

/** The kinds of multi-agency audit the framework lists. */
export const FOCUS = [
  { value: "learning-from-practice", title: "Recommended by the Learning from Practice Group" },
  { value: "partnership-priority", title: "A partnership priority (learning hub)" },
  { value: "impact-of-changes", title: "Impact of previous changes to multi-agency practice" },
] as const;

/** The multi-agency audit tool: "designed to capture information from files and direct knowledge or experience of the case". */
export const AUDIT_TOOL = questions({
  involvement: "Your agency's involvement with the child and family over the audit period",
  knowledge: "What your files and your direct knowledge or experience show about the child's needs and risks",
  together: "How agencies worked together: information shared, referrals, meetings",
  wentWell: "What went well",
  learning: "What could have been done differently: learning for future multi-agency practice",
});
const TOOL_REQUIRED = ["involvement", "learning"];
export const TEXT_MAX = 2000;
export const COUNCIL = "Children's social care";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const today = (ctx: AppContext) => isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));

async function auditOf(db: Tx | AppContext["db"], id: string) {
  const a = await db.multiAgencyAudit.findUnique({ where: { id }, include: { invitations: true, recommendations: true } });
  if (!a) throw new NotFound(AUDIT_MISSING);
  return a;
}

// ------------------------------------------------------------------ set up

export interface NewAudit {
  caseRef: string;
  focus: string;
  toolDueOn: string;
  team: string;
  practitioners: string;
}

const emails = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);

/** The lead sets up the audit: the audit team and the practitioners involved are invited, their managers copied. */
export async function createAudit(ctx: AppContext, actor: Actor, d: NewAudit) {
  const errors: Record<string, string> = {};
  const caseRef = d.caseRef.trim();
  const c = await ctx.db.case.findUnique({ where: { caseRef }, select: { workerId: true } });
  if (!c) errors.caseRef = "No case has this case-management ID.";
  if (!FOCUS.some((f) => f.value === d.focus)) errors.focus = "Choose the kind of audit.";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.toolDueOn) || d.toolDueOn <= today(ctx))
    errors.toolDueOn = "Give the date the audit tools are due, after today.";
  const teamEmails = emails(d.team);
  const practitionerEmails = emails(d.practitioners);
  const people = await ctx.db.staff.findMany({
    where: { email: { in: [...teamEmails, ...practitionerEmails] }, active: true },
    select: { id: true, email: true, name: true, partnerAgency: true, lineManagerId: true },
  });
  const byEmail = new Map(people.map((p) => [p.email, p]));
  const unknown = (list: string[]) => list.filter((e) => !byEmail.has(e));
  if (!teamEmails.length) errors.team = "Name the audit team: partner agencies' and the council's representatives.";
  else if (unknown(teamEmails).length) errors.team = `Not in the directory: ${unknown(teamEmails).join(", ")}`;
  if (unknown(practitionerEmails).length) errors.practitioners = `Not in the directory: ${unknown(practitionerEmails).join(", ")}`;
  if (Object.keys(errors).length) throw new ValidationFailed("The audit could not be set up.", errors);
  const periodTo = today(ctx);
  const periodFrom = isoDate(addMonths(parseIsoDate(periodTo), -ctx.config.MULTI_AGENCY_PERIOD_MONTHS));
  const practitioners = practitionerEmails.map((e) => byEmail.get(e)!);
  // The allocated worker at the time takes part with their line manager's input (§1.4).
  if (c!.workerId && !practitioners.some((p) => p.id === c!.workerId)) {
    const w = await ctx.db.staff.findUnique({
      where: { id: c!.workerId },
      select: { id: true, email: true, name: true, partnerAgency: true, lineManagerId: true },
    });
    if (w) practitioners.push(w);
  }
  const parts = new Map<string, { staffId: string; part: string; agency: string }>();
  for (const t of teamEmails.map((e) => byEmail.get(e)!))
    parts.set(t.id, { staffId: t.id, part: "team", agency: t.partnerAgency ?? COUNCIL });
  for (const p of practitioners) parts.set(p.id, { staffId: p.id, part: "practitioner", agency: p.partnerAgency ?? COUNCIL });
  const managerIds = practitioners.map((p) => p.lineManagerId).filter((m): m is string => !!m && !parts.has(m));
  const managers = await ctx.db.staff.findMany({ where: { id: { in: managerIds } }, select: { id: true, partnerAgency: true } });
  for (const m of managers) if (!parts.has(m.id)) parts.set(m.id, { staffId: m.id, part: "manager", agency: m.partnerAgency ?? COUNCIL });

  return ctx.db.$transaction(async (tx) => {
    const a = await tx.multiAgencyAudit.create({
      data: {
        caseRef,
        focus: d.focus,
        leadId: actor.id,
        periodFrom: day(periodFrom),
        periodTo: day(periodTo),
        toolDueOn: day(d.toolDueOn),
        createdAt: ctx.clock.now(),
      },
    });
    await recordHistory(tx, {
      entityType: "multi_agency_audit",
      entityId: a.id,
      action: "created",
      actorId: actor.id,
      after: { status: "invited", caseRef },
    });
    await tx.multiAgencyInvitation.createMany({ data: [...parts.values()].map((p) => ({ ...p, auditId: a.id })) });
    const invitations = await tx.multiAgencyInvitation.findMany({ where: { auditId: a.id } });
    const { notBefore, urgent } = deliveryOf(ctx, "multiAgency.invite");
    await enqueueAll(
      tx,
      await Promise.all(
        invitations.map(async (i) => ({
          kind: "send" as const,
          recipientId: i.staffId,
          idempotencyKey: `multiAgency:${i.id}:invite`,
          cardKey: `multiAgency:${i.id}`,
          payload: { template: "multi-agency-invite", data: await inviteCardData(tx, a.id, i.id) },
          notBefore,
          urgent,
        })),
      ),
    );
    return a;
  });
}

// ------------------------------------------------------------------ the invitee's card

export async function inviteCardData(
  db: Tx | AppContext["db"],
  auditId: string,
  invitationId: string,
  extra: { errors?: Record<string, string>; answers?: Record<string, string>; notice?: string } = {},
) {
  const a = await auditOf(db, auditId);
  const i = a.invitations.find((x) => x.id === invitationId);
  if (!i) throw new NotFound(INVITATION_MISSING);
  const lead = await db.staff.findUnique({ where: { id: a.leadId }, select: { name: true } });
  const answers = { ...((i.tool ?? {}) as Record<string, string>), ...extra.answers };
  const errors = extra.errors ?? {};
  const toolOpen = i.part === "practitioner" && i.status === "invited";
  return {
    invitationId: i.id,
    caseRef: a.caseRef,
    title:
      i.part === "manager"
        ? `Copy: a practitioner you manage is invited to a multi-agency audit (case ${a.caseRef})`
        : i.part === "team"
          ? `You are on the audit team of a multi-agency audit (case ${a.caseRef})`
          : `You are invited to a multi-agency audit (case ${a.caseRef})`,
    intro:
      i.part === "practitioner"
        ? "Please discuss this with your line manager or designated safeguarding lead, complete the multi-agency audit tool by the date below, and come to the reflective practice discussion. The audit is not designed to apportion blame."
        : i.part === "manager"
          ? "You are copied in as their manager or supervisor. You are welcome at the reflective practice discussion: it is a learning opportunity and a way to shape recommendations."
          : "You will read the audit tools and take part in the reflective practice discussion.",
    focus: FOCUS.find((f) => f.value === a.focus)?.title ?? a.focus,
    period: `${formatDate(a.periodFrom)} to ${formatDate(a.periodTo)}`,
    toolDue: formatDate(a.toolDueOn),
    lead: lead?.name ?? "",
    agency: i.agency,
    discussion: a.discussionOn ? formatDate(a.discussionOn) : "Not set yet",
    toolOpen,
    toolDone: i.status === "tool_submitted",
    questions: toolOpen ? AUDIT_TOOL.map((q) => ({ id: q.id, label: q.label, value: answers[q.id] ?? "", error: errors[q.id] ?? "" })) : [],
    askAttendance: !!a.discussionOn && i.attending === null && a.status === "discussion_set",
    attendance: i.attending === true ? "You will attend" : i.attending === false ? "You cannot attend" : "Not answered",
    notice: extra.notice ?? "",
    error: Object.keys(errors).length ? "Some answers need attention. Nothing was sent." : "",
  };
}

async function myInvitation(ctx: AppContext, actor: Actor, invitationId: string) {
  const i = await ctx.db.multiAgencyInvitation.findUnique({ where: { id: invitationId } });
  // Someone not invited learns nothing about the audit, not even that it exists.
  requireInvitee(actor, i);
  return i;
}

/** The invitee's card; `again` shows the audit tool again with what was typed and the problems. */
export async function openInvitation(
  ctx: AppContext,
  actor: Actor,
  invitationId: string,
  again: { errors?: Record<string, string>; answers?: Record<string, string> } = {},
) {
  const i = await myInvitation(ctx, actor, invitationId);
  return inviteCardData(ctx.db, i.auditId, i.id, again);
}

/** The practitioner sends the completed audit tool (once). */
export async function submitTool(ctx: AppContext, actor: Actor, invitationId: string, answers: Record<string, string | undefined>) {
  const i = await myInvitation(ctx, actor, invitationId);
  if (i.part !== "practitioner") throw new NotPermitted("The audit tool is completed by the practitioners involved.");
  const clean: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const q of AUDIT_TOOL) {
    const v = (answers[q.id] ?? "").trim();
    if (v.length > TEXT_MAX) errors[q.id] = `At most ${TEXT_MAX} characters.`;
    else if (v) clean[q.id] = v;
    else if (TOOL_REQUIRED.includes(q.id)) errors[q.id] = "Please answer this before sending.";
  }
  if (Object.keys(errors).length) throw new ValidationFailed("Some answers need attention.", errors);
  await ctx.db.$transaction((tx) =>
    transition(tx, multiAgencyInvitationMachine, "submitTool", {
      id: i.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.multiAgencyInvitation.updateMany({
          where: { id: i.id, status: { in: from } },
          data: { status: to, tool: clean, toolSubmittedAt: ctx.clock.now() },
        }),
      alreadyDone: "You have already sent your audit tool. Nothing was sent twice.",
    }),
  );
  return inviteCardData(ctx.db, i.auditId, i.id, { notice: "Audit tool sent. Thank you." });
}

/** An invitee confirms (or not) that they will attend the reflective practice discussion. */
export async function answerAttendance(ctx: AppContext, actor: Actor, invitationId: string, attending: boolean) {
  const i = await myInvitation(ctx, actor, invitationId);
  const a = await ctx.db.multiAgencyAudit.findUniqueOrThrow({ where: { id: i.auditId } });
  if (a.status !== "discussion_set") throw new ValidationFailed("The reflective practice discussion has no date yet.");
  await ctx.db.$transaction(async (tx) => {
    await tx.multiAgencyInvitation.update({ where: { id: i.id }, data: { attending } });
    await recordFieldChange(tx, "multi_agency_invitation", i, "attendance", actor.id, { attending });
  });
  return inviteCardData(ctx.db, i.auditId, i.id, {
    notice: attending ? "Thank you: you are down to attend." : "Noted: you cannot attend.",
  });
}

export { auditOf, day, today };
