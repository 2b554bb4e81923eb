// Oversight: the return date passed (chase the moderator, offer QA a reassignment), QA reassigns
// an allocated moderation, and each person's list of moderations still needing them.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { may, type Actor } from "../permissions";
import { recordHistory } from "../history";
import { cancelJobs, scheduleJob } from "../jobs";
import { AlreadyDone, NotPermitted, ValidationFailed } from "../errors";
import { addWorkingDays } from "../workingTime";
import { fmtDate, notify, showCardTo } from "../viewerCards";
import { can } from "../stateMachine";
import { cardData, publishModeration } from "./card";
import { DEFAULT_RETURN_WORKING_DAYS, excludedModerators, moderatorCandidates } from "./eligibility";
import { cardKeyOf, LIMITS, load, moderationTransition, OVERDUE_JOB, overdueJobKey, run } from "./model";
import { moderationMachine, OPEN_MODERATION_STATUSES } from "./states";

/** Job: the return date passed; chase the moderator and tell the QA officer who allocated it. */
export async function moderationOverdue(tx: Tx, ctx: AppContext, data: Record<string, unknown>): Promise<void> {
  const m = await tx.moderation.findUnique({
    where: { id: String(data.id) },
    include: { audit: { include: { case: true, actions: true } } },
  });
  if (!m || m.status !== moderationMachine.initial) return;
  const n = Number(data.n ?? 1);
  const now = ctx.clock.now();
  await recordHistory(tx, { entityType: "moderation", entityId: m.id, action: "chased", after: { n, moderatorId: m.moderatorId } });
  await notify(tx, ctx, {
    recipientId: m.moderatorId,
    idempotencyKey: `moderation:${m.id}:chase:${n}:${m.moderatorId}`,
    kind: "moderation.note",
    title: `Moderation overdue: case ${m.audit.case.caseRef}`,
    text: `It was due back on ${fmtDate(m.returnDate, ctx.config.TIMEZONE)}. Please complete it on the moderation card, or tell the QA team if you cannot.`,
  });
  if (m.allocatedById) {
    const qa = await tx.staff.findUnique({ where: { id: m.allocatedById }, select: { id: true, roles: true } });
    if (qa)
      await showCardTo(tx, ctx, {
        recipientId: qa.id,
        cardKey: cardKeyOf(m.id),
        version: m.version,
        template: "moderation",
        kind: "moderation.card",
        data: await cardData(tx, ctx, m, qa, "Overdue: you can reassign it."),
      });
  }
  await scheduleJob(tx, {
    key: overdueJobKey(m.id, n + 1),
    name: OVERDUE_JOB,
    runAt: addWorkingDays(now, LIMITS.chaseEveryWorkingDays, ctx.config.TIMEZONE),
    data: { id: m.id, n: n + 1 },
  });
}

/** QA moves an allocated moderation to another eligible moderator; the history keeps both. */
export async function reassign(ctx: AppContext, actor: Actor, p: { id: string; moderatorId: string; returnWorkingDays?: number }) {
  if (!may(actor, "moderation.sample")) throw new NotPermitted("Only the QA team reassigns moderations.");
  return run(ctx, async (tx) => {
    const m = await load(tx, p.id);
    if (!can(moderationMachine, "reassign", m.status))
      throw new AlreadyDone("This moderation has already been submitted; it cannot be reassigned.");
    const excluded = await excludedModerators(tx, m.audit);
    const ok = (await moderatorCandidates(tx)).find((c) => c.id === p.moderatorId);
    if (!ok || excluded.has(p.moderatorId) || p.moderatorId === m.moderatorId)
      throw new ValidationFailed("Choose another moderator who did not audit or manage this case.", { moderatorId: "Not eligible." });
    const now = ctx.clock.now();
    const returnDate = addWorkingDays(now, p.returnWorkingDays ?? DEFAULT_RETURN_WORKING_DAYS, ctx.config.TIMEZONE);
    await moderationTransition(tx, m, "reassign", {
      actorId: actor.id,
      historyAction: "reassigned",
      data: { moderatorId: p.moderatorId, returnDate, draft: {} },
      before: { moderatorId: m.moderatorId, returnDate: m.returnDate },
      after: { moderatorId: p.moderatorId, returnDate },
    });
    await cancelJobs(tx, `moderation:${m.id}`);
    await scheduleJob(tx, {
      key: `${overdueJobKey(m.id, 1)}:r${m.version + 1}`,
      name: OVERDUE_JOB,
      runAt: returnDate,
      data: { id: m.id, n: 1 },
    });
    await publishModeration(tx, ctx, m.id);
    return cardData(tx, ctx, await load(tx, m.id), actor);
  });
}

/** The actor's moderations still needing something from them. */
export async function myModerations(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db.moderation.findMany({
    where: { status: { in: [...OPEN_MODERATION_STATUSES] }, moderatorId: actor.id },
    include: { audit: { include: { case: true } } },
    orderBy: { returnDate: "asc" },
    take: 30,
  });
  return {
    total: rows.length,
    items: rows.map((m) => ({
      id: m.id,
      title: `${m.audit.case.caseRef} · ${m.status.replace("_", " ")}`,
      subtitle: `Due back ${fmtDate(m.returnDate, ctx.config.TIMEZONE)}`,
    })),
  };
}
