// The lead's side of a multi-agency audit (Bexley Children's Social Care Quality Assurance
// Framework, §1.4): the reflective practice discussion (date, who attends, confirmations), what it
// found, and "recommendations to improve future multi-agency practice", each assigned to an agency
// and tracked to done. And what each person sees: the lead all of theirs; anyone else only the
// audits they are invited to.
import type { AppContext } from "../context";
import { ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { deliveryOf } from "../messageKinds";
import { enqueueAll, enqueueCardUpdate, enqueueMessage } from "../outbox";
import { may, type Actor } from "../permissions";
import { transition } from "../stateMachine";
import { auditOf, COUNCIL, day, FOCUS, inviteCardData, TEXT_MAX, today } from "./audits";
import { requireLead, requireRecommendationOwner } from "./access";
import { multiAgencyAuditMachine, multiAgencyRecommendationMachine } from "./states";
import { formatDate } from "../dates";

const STATUS: Record<string, string> = {
  invited: "Invitations sent: audit tools due",
  discussion_set: "Reflective practice discussion set",
  discussed: "Discussed: recommendations being tracked",
  closed: "Closed: every recommendation done",
};
const PART: Record<string, string> = { team: "audit team", practitioner: "practitioner", manager: "manager (copied)" };

/** Audits the person leads, and those they are invited to: nothing else. */
export async function multiAgencyHome(
  ctx: AppContext,
  actor: Actor,
  typed: Record<string, string> = {},
  errors: Record<string, string> = {},
  error = "",
) {
  const lead = may(actor, "multiAgency.lead");
  const [led, invited] = await Promise.all([
    lead
      ? ctx.db.multiAgencyAudit.findMany({ where: { leadId: actor.id }, orderBy: { createdAt: "desc" }, take: 20 })
      : Promise.resolve([]),
    ctx.db.multiAgencyInvitation.findMany({
      where: { staffId: actor.id },
      include: { audit: true },
      orderBy: { createdAt: "desc" },
      take: 20,
    }),
  ]);
  const recs = await ctx.db.multiAgencyRecommendation.findMany({ where: { ownerId: actor.id, status: "open" }, include: { audit: true } });
  return {
    lead,
    led: led.map((a) => ({ auditId: a.id, caseRef: a.caseRef, text: STATUS[a.status] ?? a.status })),
    invited: invited.map((i) => ({
      invitationId: i.id,
      caseRef: i.audit.caseRef,
      text: `${PART[i.part] ?? i.part} · ${i.status === "tool_submitted" ? "audit tool sent" : STATUS[i.audit.status]}`,
    })),
    recommendations: recs.map((r) => ({ recId: r.id, caseRef: r.audit.caseRef, text: `Due ${formatDate(r.dueOn)}` })),
    empty: !led.length && !invited.length && !recs.length,
    focuses: FOCUS.map((f) => ({ title: f.title, value: f.value })),
    caseRef: typed.caseRef ?? "",
    focus: typed.focus ?? FOCUS[0].value,
    toolDueOn: typed.toolDueOn ?? "",
    team: typed.team ?? "",
    practitioners: typed.practitioners ?? "",
    periodMonths: String(ctx.config.MULTI_AGENCY_PERIOD_MONTHS),
    error,
    caseRefError: errors.caseRef ?? "",
    toolDueOnError: errors.toolDueOn ?? "",
    teamError: errors.team ?? "",
    practitionersError: errors.practitioners ?? "",
  };
}

/** The whole audit, for its lead only. */
export async function leadCardData(ctx: AppContext, actor: Actor, auditId: string, notice = "", errors: Record<string, string> = {}) {
  const a = await auditOf(ctx.db, auditId);
  requireLead(actor, a);
  const people = await ctx.db.staff.findMany({
    where: { id: { in: [...a.invitations.map((i) => i.staffId), ...a.recommendations.map((r) => r.ownerId)] } },
    select: { id: true, name: true },
  });
  const name = new Map(people.map((p) => [p.id, p.name]));
  const att = (v: boolean | null) => (v === true ? "attending" : v === false ? "not attending" : "attendance not confirmed");
  return {
    auditId: a.id,
    caseRef: a.caseRef,
    status: STATUS[a.status] ?? a.status,
    focus: FOCUS.find((f) => f.value === a.focus)?.title ?? a.focus,
    period: `${formatDate(a.periodFrom)} to ${formatDate(a.periodTo)}`,
    toolDue: formatDate(a.toolDueOn),
    discussion: a.discussionOn ? formatDate(a.discussionOn) : "Not set yet",
    invitations: a.invitations.map((i) => ({
      title: `${name.get(i.staffId) ?? ""} (${i.agency})`,
      value: `${PART[i.part] ?? i.part}${i.part === "practitioner" ? ` · ${i.status === "tool_submitted" ? "tool sent" : "tool not sent"}` : ""}${a.discussionOn ? ` · ${att(i.attending)}` : ""}`,
    })),
    owners: a.invitations
      .filter((i) => i.part !== "manager")
      .map((i) => ({ title: `${name.get(i.staffId) ?? ""} (${i.agency})`, value: i.staffId })),
    recommendations: a.recommendations.map((r) => ({
      title: `${r.agency}: ${name.get(r.ownerId) ?? ""}`,
      value: `${r.text} · due ${formatDate(r.dueOn)} · ${r.status === "done" ? "done" : "open"}`,
    })),
    notes: a.discussionNotes ?? "",
    canSetDate: a.status === "invited" || a.status === "discussion_set",
    canRecord: a.status === "discussion_set",
    canRecommend: a.status === "discussed",
    notice,
    error: Object.values(errors)[0] ?? "",
  };
}

/** The lead sets (or moves) the reflective practice discussion; every invitee is asked to confirm attendance. */
export async function setDiscussion(ctx: AppContext, actor: Actor, auditId: string, on: string) {
  const a = await auditOf(ctx.db, auditId);
  requireLead(actor, a);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(on) || on <= today(ctx))
    throw new ValidationFailed("The discussion date is not valid.", { discussionOn: "Give a date after today." });
  await ctx.db.$transaction(async (tx) => {
    await transition(tx, multiAgencyAuditMachine, "setDiscussion", {
      id: a.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.multiAgencyAudit.updateMany({ where: { id: a.id, status: { in: from } }, data: { status: to, discussionOn: day(on) } }),
      after: { discussionOn: on },
      alreadyDone: "The discussion has already been held.",
    });
    await tx.multiAgencyInvitation.updateMany({ where: { auditId: a.id }, data: { attending: null } });
    const { notBefore, urgent } = deliveryOf(ctx, "multiAgency.discussion");
    await enqueueAll(
      tx,
      await Promise.all(
        a.invitations.map(async (i) => ({
          kind: "send" as const,
          recipientId: i.staffId,
          idempotencyKey: `multiAgency:${i.id}:discussion:${on}`,
          cardKey: `multiAgency:${i.id}`,
          payload: { template: "multi-agency-invite", data: await inviteCardData(tx, a.id, i.id) },
          notBefore,
          urgent,
        })),
      ),
    );
  });
  return leadCardData(ctx, actor, auditId, "Discussion date set; everyone invited has been asked to confirm attendance.");
}

/** What the reflective practice discussion found. */
export async function recordDiscussion(ctx: AppContext, actor: Actor, auditId: string, notes: string) {
  const a = await auditOf(ctx.db, auditId);
  requireLead(actor, a);
  const text = notes.trim();
  if (text.length < 10 || text.length > 4000)
    throw new ValidationFailed("Record what the discussion found.", { notes: "10 to 4000 characters." });
  await ctx.db.$transaction((tx) =>
    transition(tx, multiAgencyAuditMachine, "recordDiscussion", {
      id: a.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.multiAgencyAudit.updateMany({ where: { id: a.id, status: { in: from } }, data: { status: to, discussionNotes: text } }),
      alreadyDone: "The discussion is already recorded.",
    }),
  );
  return leadCardData(ctx, actor, auditId, "Discussion recorded. Add its recommendations below.");
}

/** A recommendation, assigned to an agency through one of its people on the audit. */
export async function addRecommendation(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  d: { text: string; ownerId: string; dueOn: string },
) {
  const a = await auditOf(ctx.db, auditId);
  requireLead(actor, a);
  if (a.status !== "discussed") throw new ValidationFailed("Record the discussion before its recommendations.");
  const text = d.text.trim();
  const owner = a.invitations.find((i) => i.staffId === d.ownerId && i.part !== "manager");
  const errors: Record<string, string> = {};
  if (text.length < 5 || text.length > TEXT_MAX) errors.text = `Write the recommendation (5 to ${TEXT_MAX} characters).`;
  if (!owner) errors.ownerId = "Choose who takes it forward, from the people on the audit.";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.dueOn) || d.dueOn < today(ctx)) errors.dueOn = "Give a due date from today.";
  if (Object.keys(errors).length) throw new ValidationFailed("The recommendation needs attention.", errors);
  await ctx.db.$transaction(async (tx) => {
    const r = await tx.multiAgencyRecommendation.create({
      data: {
        auditId: a.id,
        text,
        agency: owner!.agency || COUNCIL,
        ownerId: owner!.staffId,
        dueOn: day(d.dueOn),
        createdAt: ctx.clock.now(),
      },
    });
    await recordHistory(tx, {
      entityType: "multi_agency_recommendation",
      entityId: r.id,
      action: "created",
      actorId: actor.id,
      after: { status: "open", agency: r.agency },
    });
    await enqueueMessage(tx, {
      recipientId: r.ownerId,
      idempotencyKey: `multiAgency:rec:${r.id}`,
      cardKey: `multiAgency:rec:${r.id}`,
      payload: { template: "multi-agency-recommendation", data: recommendationData(r, a.caseRef) },
      ...deliveryOf(ctx, "multiAgency.recommendation"),
    });
  });
  return leadCardData(ctx, actor, auditId, "Recommendation recorded and sent.");
}

export function recommendationData(
  r: { id: string; text: string; agency: string; dueOn: Date; status: string; doneNote: string | null },
  caseRef: string,
) {
  return {
    recId: r.id,
    caseRef,
    text: r.text,
    agency: r.agency,
    dueOn: formatDate(r.dueOn),
    open: r.status === "open",
    status: r.status === "done" ? `Done: ${r.doneNote ?? ""}` : "Open",
    noteError: "",
  };
}

export async function recommendationCard(ctx: AppContext, actor: Actor, recId: string) {
  const r = await ctx.db.multiAgencyRecommendation.findUnique({ where: { id: recId }, include: { audit: true } });
  requireRecommendationOwner(actor, r, true);
  return recommendationData(r, r.audit.caseRef);
}

/** The owner marks a recommendation done; when the last one is, the audit closes. */
export async function completeRecommendation(ctx: AppContext, actor: Actor, recId: string, note: string) {
  const text = note.trim();
  return ctx.db.$transaction(async (tx) => {
    const r = await tx.multiAgencyRecommendation.findUnique({ where: { id: recId }, include: { audit: true } });
    requireRecommendationOwner(actor, r);
    if (text.length < 5 || text.length > TEXT_MAX)
      throw new ValidationFailed("Say what was done.", { note: `5 to ${TEXT_MAX} characters.` });
    await transition(tx, multiAgencyRecommendationMachine, "done", {
      id: r.id,
      actorId: actor.id,
      write: (from, to) =>
        tx.multiAgencyRecommendation.updateMany({
          where: { id: r.id, status: { in: from } },
          data: { status: to, doneAt: ctx.clock.now(), doneNote: text },
        }),
      alreadyDone: "This recommendation is already done. Nothing was recorded twice.",
    });
    const open = await tx.multiAgencyRecommendation.count({ where: { auditId: r.auditId, status: "open" } });
    if (open === 0)
      await transition(tx, multiAgencyAuditMachine, "close", {
        id: r.auditId,
        actorId: actor.id,
        write: (from, to) => tx.multiAgencyAudit.updateMany({ where: { id: r.auditId, status: { in: from } }, data: { status: to } }),
      });
    const data = recommendationData({ ...r, status: "done", doneNote: text }, r.audit.caseRef);
    await enqueueCardUpdate(tx, {
      recipientId: actor.id,
      cardKey: `multiAgency:rec:${r.id}`,
      idempotencyKey: `multiAgency:rec:${r.id}:done`,
      payload: { template: "multi-agency-recommendation", data },
    });
    return data;
  });
}
