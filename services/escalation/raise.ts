// Raising an escalation (Bexley Children's Social Care Quality Assurance Framework, §4.6, §5.3):
// a CP chair, IRO or fostering IRO (or a practitioner whose practice feels compromised) raises a
// concern about a case, or a foster carer, after trying to resolve it informally.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { requireCapability } from "../permissions";
import { recordHistory } from "../history";
import { scheduleJob } from "../jobs";
import { ValidationFailed } from "../errors";
import { loadEscalationConfig, type EscalationType } from "../catalogue";
import { addWorkingDays } from "../workingTime";
import { publish } from "./card";
import { jobKey, STAGE_JOB, stageOf, stageOwners, subjectOf } from "./rules";
import { escalationMachine } from "./states";
import { addEvent, inTransaction } from "./store";
import { promptToInform } from "./stages";

/** A foster carer's reference: letters, digits and hyphens with at least one digit, so never a name. */
const FOSTER_CARER_REF = /^(?=.*\d)[A-Z0-9][A-Z0-9-]{2,19}$/;

export interface RaiseInput {
  caseRef: string;
  type: string;
  concern: string;
  informal: string;
}

export async function raiseEscalation(ctx: AppContext, actor: Actor, input: RaiseInput): Promise<{ id: string }> {
  requireCapability(actor, "escalation.raise");
  const { type, concern, informal, caseRow, fosterCarerRef } = await checkRaise(ctx, actor, input);
  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now();
    const stage = stageOf(type, 1);
    const owners = await stageOwners(tx, type, caseRow?.workerId ?? null, stage);
    const deadline = addWorkingDays(now, stage.deadlineWorkingDays, ctx.config.TIMEZONE);
    const e = await tx.escalation.create({
      data: {
        createdAt: now,
        caseId: caseRow?.id ?? null,
        fosterCarerRef,
        raiserId: actor.id,
        type: type.id,
        concern,
        informalAttempts: informal,
        status: escalationMachine.initial,
        stage: 1,
        stageOwnerIds: owners,
        stageDeadline: deadline,
      },
    });
    await addEvent(tx, e, "raised", actor.id, `Raised: ${concern}`, now);
    for (const o of owners) await addEvent(tx, e, "stage_owner", o, `Stage ${stage.stage} owner (${stage.title})`, now);
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: "raised",
      actorId: actor.id,
      after: { status: escalationMachine.initial, stage: 1, owners, deadline },
    });
    await scheduleJob(tx, { key: jobKey(e.id, 1), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: 1 } });
    await promptToInform(tx, ctx, e, subjectOf({ case: caseRow, fosterCarerRef }), stage);
    await publish(tx, ctx, e.id);
    return { id: e.id };
  });
}

/** The raise form's answers checked: every problem at once, next to its field. */
async function checkRaise(ctx: AppContext, actor: Actor, input: RaiseInput) {
  const errors: Record<string, string> = {};
  const type: EscalationType | undefined = loadEscalationConfig().types.find((t) => t.id === input.type);
  if (!type) errors.type = "Choose the kind of escalation.";
  else if (!type.raiserRoles.some((r) => actor.roles.includes(r))) errors.type = "Your role cannot raise this kind of escalation.";
  const concern = input.concern.trim();
  const informal = input.informal.trim();
  if (!concern) errors.concern = "Say what the concern is.";
  if (!informal && (type?.informalResolution.required ?? true)) errors.informal = "Say what was tried informally first.";
  const ref = input.caseRef.trim().toUpperCase();
  // A fostering IRO's escalation concerns a foster carer, named by their reference (never a name).
  const fosterCarerRef = type?.subject ? (FOSTER_CARER_REF.test(ref) ? ref : null) : null;
  const caseRow = !type?.subject && ref ? await ctx.db.case.findUnique({ where: { caseRef: ref } }) : null;
  if (type?.subject && !fosterCarerRef)
    errors.caseRef = "Enter the foster carer's reference in the case system (letters and digits, with at least one digit; never a name).";
  else if (!type?.subject && !caseRow) errors.caseRef = "No case with that case-management ID.";
  if (Object.keys(errors).length || !type || !(caseRow || fosterCarerRef))
    throw new ValidationFailed("Please check the escalation.", errors);
  return { type, concern, informal, caseRow, fosterCarerRef };
}
