// Agreeing a grade after the moderator disagreed: either party proposes, the other accepts; the
// moderator's manager (or the Head of QA) approves the agreed grade, or sends it back.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { AlreadyDone, Conflict, NotPermitted, ValidationFailed } from "../errors";
import { getGradeScale } from "../catalogue";
import { notify } from "../viewerCards";
import { can } from "../stateMachine";
import { cardData, publishModeration } from "./card";
import { finalise } from "./finalise";
import { parseGrade } from "./grades";
import { approversOf, load, moderationTransition, partiesOf, refusal, run, type ModerationRow } from "./model";
import { moderationMachine } from "./states";

/** The longest reason for sending an agreed grade back. */
export const SEND_BACK_REASON_MAX = 1000;
export const SEND_BACK_REASON_MISSING = "Say why you are sending the agreed grade back: the auditor and the moderator are told.";

async function asParty(tx: Tx, actor: Actor, id: string): Promise<ModerationRow> {
  const m = await load(tx, id);
  const parties = await partiesOf(tx, m);
  if (!parties.includes(actor.id)) await refusal(tx, actor, m, "Only the moderator and the auditor agree the grade.");
  if (!can(moderationMachine, "propose", m.status))
    throw new AlreadyDone(
      m.status === moderationMachine.initial ? "The moderator has not submitted the moderation yet." : "The grade has already been agreed.",
    );
  return m;
}

export async function proposeGrade(ctx: AppContext, actor: Actor, p: { id: string; grade: string }) {
  return run(ctx, async (tx) => {
    const m = await asParty(tx, actor, p.id);
    const scale = getGradeScale(m.audit.gradeScaleId);
    const g = parseGrade(scale, p.grade, "grade");
    await moderationTransition(tx, m, "propose", {
      actorId: actor.id,
      historyAction: "grade_proposed",
      data: { proposedGrade: g.grade, proposedBand: g.band, proposedById: actor.id },
      before: { grade: m.proposedGrade, band: m.proposedBand, by: m.proposedById },
      after: { grade: g.grade, band: g.band },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

export async function acceptGrade(ctx: AppContext, actor: Actor, p: { id: string; v?: number }) {
  return run(ctx, async (tx) => {
    const m = await asParty(tx, actor, p.id);
    if (m.proposedById === actor.id) throw new NotPermitted("You proposed this grade: the other person accepts it (or proposes another).");
    if (p.v !== undefined && p.v !== m.version)
      throw new Conflict("The proposed grade changed since your card was shown. Look at the new proposal before accepting.");
    await moderationTransition(tx, m, "acceptGrade", {
      actorId: actor.id,
      historyAction: "grade_agreed",
      data: { agreedGrade: m.proposedGrade, agreedBand: m.proposedBand },
      after: { grade: m.proposedGrade, band: m.proposedBand, proposedBy: m.proposedById },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

/** The moderator's manager (or the Head of QA) approves the agreed grade, or sends it back to the parties. */
export async function decideApproval(ctx: AppContext, actor: Actor, p: { id: string; approve: boolean; reason?: string }) {
  const reason = (p.reason ?? "").trim();
  if (!p.approve && !reason) throw new ValidationFailed(SEND_BACK_REASON_MISSING, { reason: SEND_BACK_REASON_MISSING });
  if (reason.length > SEND_BACK_REASON_MAX)
    throw new ValidationFailed(`At most ${SEND_BACK_REASON_MAX} characters.`, { reason: `At most ${SEND_BACK_REASON_MAX} characters.` });
  return run(ctx, async (tx) => {
    const m = await load(tx, p.id);
    const approvers = await approversOf(tx, m);
    if (!approvers.includes(actor.id))
      await refusal(tx, actor, m, "Only the moderator's manager (or the Head of QA) approves a moderated grade.");
    const decision = p.approve ? "approve" : "refuseApproval";
    if (!can(moderationMachine, decision, m.status))
      throw new AlreadyDone(
        m.status === moderationMachine.steps.approve.to
          ? "This moderated grade has already been approved."
          : "Nothing is waiting for approval.",
      );
    const now = ctx.clock.now();
    await moderationTransition(tx, m, decision, {
      actorId: actor.id,
      historyAction: p.approve ? "grade_approved" : "grade_not_approved",
      data: p.approve ? { approverId: actor.id, approvedAt: now } : { agreedGrade: null, agreedBand: null },
      after: p.approve ? { grade: m.agreedGrade, band: m.agreedBand } : { grade: m.agreedGrade, band: m.agreedBand, reason },
    });
    if (p.approve) await finalise(tx, ctx, await load(tx, m.id), { grade: m.agreedGrade ?? 0, band: m.agreedBand ?? "" }, actor.id);
    else
      for (const party of await partiesOf(tx, m))
        await notify(tx, ctx, {
          recipientId: party,
          idempotencyKey: `moderation:${m.id}:notapproved:${m.version}:${party}`,
          kind: "moderation.note",
          title: `Moderation of case ${m.audit.case.caseRef}: agreed grade not approved`,
          text: `${actor.name} sent the agreed grade back: ${reason}. Please agree the grade again on the moderation card.`,
          open: { title: "Open the moderation", verb: "moderation.refresh", id: m.id },
        });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}
