// Moving an escalation between stages: the owner escalates now, the raiser bypasses, or the stage's
// deadline passes without resolution (Bexley Children's Social Care Quality Assurance Framework,
// §4.6, §5.3). Each move re-opens it at the new stage, with new owners and a new deadline.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import type { Actor } from "../permissions";
import { AlreadyDone, NotPermitted, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { casUpdate, notify } from "../viewerCards";
import type { EscalationStage } from "../catalogue";
import type { Queryable } from "../sql";
import { addWorkingDays } from "../workingTime";
import { publish } from "./card";
import { escalationType, jobKey, lastStageOf, STAGE_JOB, stageOf, stageOwners, subjectOf } from "./rules";
import { EscalationStatus, isActive, ownerMayEscalate } from "./states";
import { addEvent, inTransaction, moveStatus, type EscalationRow } from "./store";
import { asOwner, asRaiser, type Pressed } from "./actors";

/**
 * Prompts the raiser to keep the child (IRO) or the foster carer (fostering IRO) informed at this
 * stage: "The IRO will also consult and keep informed the child and other relevant persons at each
 * stage of the escalation process as appropriate" (§5.3). Once per stage.
 */
export async function promptToInform(
  tx: Queryable,
  ctx: AppContext,
  e: { id: string; raiserId: string; type: string },
  subject: string,
  stage: EscalationStage,
) {
  const prompt = escalationType(e.type).keepInformed.prompt;
  if (!prompt) return;
  await notify(tx, ctx, {
    recipientId: e.raiserId,
    idempotencyKey: `escalation:${e.id}:inform:${stage.stage}`,
    kind: "escalation.note",
    title: `Escalation for ${subject}, Stage ${stage.stage} (${stage.title}): keep people informed`,
    text: prompt,
  });
}

/** Moves the escalation and shows everyone the new card; returns the card for a given viewer. */
async function moveToStage(tx: Tx, ctx: AppContext, e: EscalationRow, to: number, why: string, actorId: string | null) {
  // Decide: the new stage, its owners and deadline.
  const now = ctx.clock.now();
  const stage = stageOf(escalationType(e.type), to);
  const owners = await stageOwners(tx, escalationType(e.type), e.case?.workerId ?? null, stage);
  const deadline = addWorkingDays(now, stage.deadlineWorkingDays, ctx.config.TIMEZONE);
  // Save: the row (open again, at the version read), its events, the history, the deadline's job.
  await moveStatus(tx, e, "changeStage", {
    actorId,
    historyAction: "stage_changed",
    data: { stage: to, stageOwnerIds: owners, stageDeadline: deadline, extensionRequest: null },
    before: { stage: e.stage, owners: e.stageOwnerIds },
    after: { stage: to, owners, deadline, why },
  });
  const moved = { ...e, stage: to };
  await addEvent(tx, moved, "stage", actorId, `Moved to Stage ${to} (${stage.title}): ${why}`, now);
  for (const o of owners) await addEvent(tx, moved, "stage_owner", o, `Stage ${to} owner (${stage.title})`, now);
  await cancelJobs(tx, `escalation:${e.id}`);
  await scheduleJob(tx, { key: jobKey(e.id, to), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: to } });
  // Notify: the raiser and the previous owners (not whoever moved it), then everyone's card.
  const tell = new Set([e.raiserId, ...e.stageOwnerIds]);
  if (actorId) tell.delete(actorId);
  for (const r of tell)
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: r,
      idempotencyKey: `escalation:${e.id}:to${to}:${r}`,
      title: `Escalation for ${subjectOf(e)} moved to Stage ${to}`,
      text: `${stage.title} now owns it (${why}). The escalation card shows the history.`,
    });
  await promptToInform(tx, ctx, e, subjectOf(e), stage);
  return publish(tx, ctx, e.id);
}

/** A stage owner escalates to the next stage at once (from the stage their card showed). */
export async function escalateNow(ctx: AppContext, actor: Actor, p: Pressed & { stage?: number; reason?: string }) {
  return inTransaction(ctx, async (tx) => {
    const { row: e } = await asOwner(tx, actor, p.id);
    const refused = ownerMayEscalate(e, lastStageOf(escalationType(e.type)), p.stage);
    if (refused) throw new AlreadyDone(refused);
    // The next stage's owner is told why it reached them before its deadline.
    const reason = (p.reason ?? "").trim();
    if (!reason) throw new ValidationFailed(ESCALATE_REASON_MISSING, { escalateReason: ESCALATE_REASON_MISSING });
    return (await moveToStage(tx, ctx, e, e.stage + 1, `escalated by the stage owner: ${reason}`, actor.id))(actor.id);
  });
}

export const ESCALATE_REASON_MISSING = "Say why you are escalating before the deadline: the next stage's owner reads it.";

/** The raiser goes straight to a later stage, where the type allows it. */
export async function bypass(ctx: AppContext, actor: Actor, p: Pressed & { toStage: number }) {
  return inTransaction(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const type = escalationType(e.type);
    if (!type.bypass.allowed) throw new NotPermitted("This kind of escalation cannot bypass stages.");
    if (!type.stages.some((s) => s.stage === p.toStage) || p.toStage <= e.stage)
      throw new ValidationFailed("Choose a later stage.", { toStage: `Choose a stage after Stage ${e.stage}.` });
    return (await moveToStage(tx, ctx, e, p.toStage, "the raiser bypassed the earlier stage(s)", actor.id))(actor.id);
  });
}

/** Job: the stage deadline passed without resolution → next stage (or record it at the last). */
export async function stageDeadlinePassed(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const e = await tx.escalation.findUnique({ where: { id: String(data.id) }, include: { case: true } });
  const now = ctx.clock.now();
  // Gone, resolved, moved on, or its deadline was moved later by agreed extra time (that deadline has its own job).
  if (!e || !isActive(e.status) || e.stage !== Number(data.stage) || e.stageDeadline > now) return;
  if (e.status === EscalationStatus.proposed || e.extensionRequest !== null) return waitForRaiser(tx, ctx, e, data);
  if (e.stage >= lastStageOf(escalationType(e.type))) return finalDeadlinePassed(tx, ctx, e);
  await moveToStage(tx, ctx, e, e.stage + 1, "the deadline passed without resolution", null);
}

/**
 * The raiser is deciding on a proposed resolution or a request for more time: the stage does not
 * move mid-decision ("the CP Chair can consider requests from managers for further time to provide
 * a resolution to the escalation, before further escalation to the next stage", §5.3). Look again
 * a working day later; refusing the request re-runs the deadline at once.
 */
async function waitForRaiser(tx: Tx, ctx: AppContext, e: EscalationRow, data: Record<string, unknown>) {
  if (e.extensionRequest !== null)
    await notify(tx, ctx, {
      recipientId: e.raiserId,
      idempotencyKey: `escalation:${e.id}:extwait:${e.stage}`,
      kind: "escalation.note",
      title: `Escalation for ${subjectOf(e)}: the stage deadline has passed`,
      text: `Stage ${e.stage} stays where it is until you accept or refuse the request for more time on the escalation card.`,
    });
  await scheduleJob(tx, {
    key: `${jobKey(e.id, e.stage)}:again${e.version}`,
    name: STAGE_JOB,
    runAt: addWorkingDays(ctx.clock.now(), 1, ctx.config.TIMEZONE),
    data,
  });
}

/** The last stage's deadline passed: recorded, and the raiser and owners are told. */
async function finalDeadlinePassed(tx: Tx, ctx: AppContext, e: EscalationRow) {
  await casUpdate(tx.escalation.updateMany({ where: { id: e.id, version: e.version }, data: { version: { increment: 1 } } }));
  await addEvent(tx, e, "deadline_final", null, "The final stage's deadline passed without resolution.", ctx.clock.now());
  await recordHistory(tx, { entityType: "escalation", entityId: e.id, action: "final_deadline_passed" });
  for (const r of new Set([e.raiserId, ...e.stageOwnerIds]))
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: r,
      idempotencyKey: `escalation:${e.id}:finaldeadline:${r}`,
      title: `Escalation for ${subjectOf(e)}: final deadline passed`,
      text: "The last stage's deadline passed without a resolution.",
    });
  await publish(tx, ctx, e.id);
}
