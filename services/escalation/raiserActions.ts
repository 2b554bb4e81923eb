// What the raiser does on the escalation card: answer a request for more time, refer to Cafcass
// (IRO types), and confirm or refuse a proposed resolution. Bypassing stages is in stages.ts.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { AlreadyDone, NotPermitted } from "../errors";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { fmtDateTime, notify } from "../viewerCards";
import { addWorkingDays } from "../workingTime";
import { publish } from "./card";
import { escalationType, jobKey, STAGE_JOB, subjectOf } from "./rules";
import { raiserMayConfirm } from "./states";
import { addEvent, bump, inTransaction, moveStatus, type ExtensionRequest } from "./store";
import { asRaiser, type Pressed } from "./actors";

export async function answerMoreTime(ctx: AppContext, actor: Actor, p: Pressed & { accept: boolean }) {
  return inTransaction(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const req = e.extensionRequest as ExtensionRequest | null;
    if (!req) throw new AlreadyDone("There is no request for more time waiting (it was answered, or the stage moved on).");
    const now = ctx.clock.now();
    const tz = ctx.config.TIMEZONE;
    const deadline = p.accept ? addWorkingDays(e.stageDeadline, req.days, tz) : e.stageDeadline;
    await bump(tx, e, { extensionRequest: null, stageDeadline: deadline });
    const [kind, said] = p.accept
      ? ["extension_granted", `Granted ${req.days} more working days: new deadline ${fmtDateTime(deadline, tz)}`]
      : ["extension_refused", "Refused the request for more time"];
    await addEvent(tx, e, kind, actor.id, said, now);
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: kind,
      actorId: actor.id,
      before: { deadline: e.stageDeadline },
      after: { deadline },
    });
    if (p.accept)
      await scheduleJob(tx, { key: jobKey(e.id, e.stage), name: STAGE_JOB, runAt: deadline, data: { id: e.id, stage: e.stage } });
    else if (deadline <= now)
      // Refused after the deadline passed while the raiser decided: the stage moves on now.
      await scheduleJob(tx, {
        key: `${jobKey(e.id, e.stage)}:refused${e.version}`,
        name: STAGE_JOB,
        runAt: now,
        data: { id: e.id, stage: e.stage },
      });
    await notify(tx, ctx, {
      kind: "escalation.note",
      recipientId: req.byId,
      idempotencyKey: `escalation:${e.id}:extans:${e.version}`,
      title: `Escalation for ${subjectOf(e)}: request for more time ${p.accept ? "granted" : "refused"}`,
      text: p.accept ? `The new deadline is ${fmtDateTime(deadline, tz)}.` : "The deadline stands.",
    });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

export async function referToCafcass(ctx: AppContext, actor: Actor, p: Pressed) {
  return inTransaction(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const type = escalationType(e.type);
    if (!type.cafcass.available) throw new NotPermitted("Only IRO escalations can be referred to Cafcass.");
    if (e.cafcassReferredAt) throw new AlreadyDone("This escalation was already referred to Cafcass.");
    const now = ctx.clock.now();
    await bump(tx, e, { cafcassReferredAt: now });
    await addEvent(tx, e, "cafcass", actor.id, "Referred to Cafcass", now);
    await recordHistory(tx, {
      entityType: "escalation",
      entityId: e.id,
      action: "cafcass_referral",
      actorId: actor.id,
      after: { at: now },
    });
    for (const o of e.stageOwnerIds)
      await notify(tx, ctx, {
        recipientId: o,
        idempotencyKey: `escalation:${e.id}:cafcass:${o}`,
        kind: "escalation.cafcass",
        title: `Escalation for ${subjectOf(e)}: referred to Cafcass`,
        text: type.cafcass.text ?? "The IRO has referred the matter to Cafcass.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}

/** The raiser confirms the proposed resolution (resolved) or does not (open again at the same stage). */
export async function confirmResolution(ctx: AppContext, actor: Actor, p: Pressed & { accept: boolean }) {
  return inTransaction(ctx, async (tx) => {
    const e = await asRaiser(tx, actor, p.id);
    const refused = raiserMayConfirm(e);
    if (refused) throw new AlreadyDone(refused);
    const now = ctx.clock.now();
    if (p.accept) await moveStatus(tx, e, "confirmResolution", { actorId: actor.id, historyAction: "resolved", data: { resolvedAt: now } });
    else await moveStatus(tx, e, "rejectResolution", { actorId: actor.id, historyAction: "resolution_rejected" });
    const [kind, said] = p.accept ? ["resolved", "Confirmed the resolution"] : ["resolution_rejected", "Does not accept the resolution"];
    await addEvent(tx, e, kind, actor.id, said, now);
    if (p.accept) await cancelJobs(tx, `escalation:${e.id}`);
    else if (e.stageDeadline <= now)
      await scheduleJob(tx, {
        key: `${jobKey(e.id, e.stage)}:reopened${e.version}`,
        name: STAGE_JOB,
        runAt: now,
        data: { id: e.id, stage: e.stage },
      });
    for (const o of e.stageOwnerIds)
      await notify(tx, ctx, {
        kind: "escalation.note",
        recipientId: o,
        idempotencyKey: `escalation:${e.id}:confirm:${e.version}:${o}`,
        title: `Escalation for ${subjectOf(e)}: ${p.accept ? "resolved" : "resolution not accepted"}`,
        text: p.accept
          ? "The raiser confirmed the resolution."
          : "The raiser does not accept the proposed resolution; the escalation stays open.",
      });
    return (await publish(tx, ctx, e.id))(actor.id);
  });
}
