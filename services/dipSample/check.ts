// Answering a dip sample, case after case in one card: the reviewer's next allocated case is shown
// with the checklist; "Save and next" records it (once: a second press of the same card records
// nothing and shows the next case) and returns the next one. A case needing action goes to its
// team manager at once (a routine card).
import type { AppContext } from "../context";
import { NotFound } from "../errors";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import type { Actor } from "../permissions";
import { transition } from "../stateMachine";
import { planTypeLabel } from "../audit/themes";
import { JUDGEMENTS, checklistById, type Checklist } from "./checklists";
import { dipCheckMachine } from "./states";
import { CHECK_MISSING, requireDipReviewer, requireSampleReviewer, SAMPLE_MISSING } from "./access";

export interface CheckTyped {
  answers: Record<string, string>;
  judgement?: string;
  needsAction?: string;
  note?: string;
}

type Card = { template: string; data: Record<string, unknown> };

async function sampleOf(ctx: AppContext, sampleId: string) {
  const s = await ctx.db.dipSample.findUnique({ where: { id: sampleId } });
  if (!s) throw new NotFound(SAMPLE_MISSING);
  return { ...s, checklist: checklistById(s.checklistId)! };
}

/** How many of their cases in a sample the reviewer has answered, of how many (one grouped count). */
async function progressOf(ctx: AppContext, sampleId: string, reviewerId: string) {
  const rows = await ctx.db.dipCheck.groupBy({ by: ["status"], where: { sampleId, reviewerId }, _count: { _all: true } });
  const n = (st?: string) => rows.filter((r) => !st || r.status === st).reduce((a, r) => a + r._count._all, 0);
  return { done: n("answered"), total: n() };
}

/** The reviewer's next case of a sample (or the "all done" card). */
export async function nextCheckCard(ctx: AppContext, actor: Actor, sampleId: string, info = ""): Promise<Card> {
  const s = await sampleOf(ctx, sampleId);
  const [next, { done, total }] = await Promise.all([
    ctx.db.dipCheck.findFirst({ where: { sampleId, reviewerId: actor.id, status: "allocated" }, orderBy: { position: "asc" } }),
    progressOf(ctx, sampleId, actor.id),
  ]);
  requireSampleReviewer(actor, total);
  if (!next || s.status !== "open")
    return {
      template: "message",
      data: {
        title: `Dip sample: ${s.title}`,
        text: `${info ? `${info} ` : ""}${s.status !== "open" ? "This dip sample is closed. " : ""}You have checked ${done} of your ${total} cases. Thank you.`,
      },
    };
  return {
    template: "dip-check",
    data: checkCardData(
      s.checklist,
      s.title,
      { ...next, ownTeam: next.teamId === actor.teamId },
      { done, total },
      { answers: {} },
      {},
      info,
    ),
  };
}

export function checkCardData(
  checklist: Checklist,
  title: string,
  c: { id: string; caseRef: string; planType: string; teamId: string; batch: number; ownTeam?: boolean },
  progress: { done: number; total: number },
  typed: CheckTyped,
  errors: Record<string, string>,
  info = "",
) {
  return {
    checkId: c.id,
    heading: `Dip sample: ${title}`,
    progress: `Case ${progress.done + 1} of ${progress.total} (batch ${c.batch})`,
    info,
    error: Object.keys(errors).length ? "Please answer every item and the judgement." : "",
    facts: [
      { title: "Case", value: c.caseRef },
      { title: "Plan", value: planTypeLabel(c.planType) },
      { title: "Team", value: c.teamId },
      ...(c.ownTeam ? [{ title: "Independence", value: "A case of your own team: no reviewer from another team was chosen for it." }] : []),
    ],
    items: checklist.items.map((it) => ({
      id: `item_${it.id}`,
      text: it.text,
      value: typed.answers[it.id] ?? "",
      error: errors[`item_${it.id}`] ?? "",
    })),
    judgements: JUDGEMENTS.map((j) => ({ title: j.title, value: j.value })),
    judgement: typed.judgement ?? "",
    judgementError: errors.judgement ?? "",
    needsAction: typed.needsAction === "true" ? "true" : "false",
    note: typed.note ?? "",
    noteError: errors.note ?? "",
  };
}

/** Records one case's check and returns the next case's card. */
export async function answerCheck(ctx: AppContext, actor: Actor, checkId: string, typed: CheckTyped): Promise<Card> {
  const c = await ctx.db.dipCheck.findUnique({ where: { id: checkId }, include: { sample: true } });
  if (!c) throw new NotFound(CHECK_MISSING);
  requireDipReviewer(actor, c);
  const checklist = checklistById(c.sample.checklistId)!;
  if (c.status !== "allocated" || c.sample.status !== "open")
    return nextCheckCard(
      ctx,
      actor,
      c.sampleId,
      c.status === "answered" ? `Case ${c.caseRef} was already recorded; nothing was recorded twice.` : "",
    );
  const errors: Record<string, string> = {};
  for (const it of checklist.items) if (!["yes", "no"].includes(typed.answers[it.id] ?? "")) errors[`item_${it.id}`] = "Yes or no?";
  if (!JUDGEMENTS.some((j) => j.value === typed.judgement)) errors.judgement = "Good or better, or less than good?";
  const note = (typed.note ?? "").trim();
  if (note.length > 1000) errors.note = "Please keep the note to 1000 characters.";
  const needsAction = typed.needsAction === "true";
  if (needsAction && note.length < 3) errors.note = "Say what the team needs to do (it goes to the team manager).";
  if (Object.keys(errors).length) {
    return {
      template: "dip-check",
      data: checkCardData(
        checklist,
        c.sample.title,
        { ...c, ownTeam: c.teamId === actor.teamId },
        await progressOf(ctx, c.sampleId, actor.id),
        typed,
        errors,
      ),
    };
  }
  const answers = Object.fromEntries(checklist.items.map((it) => [it.id, typed.answers[it.id] === "yes"]));
  const good = typed.judgement === "good";
  const now = ctx.clock.now();
  const moved = await ctx.db.$transaction(async (tx) => {
    const ok = await transition(tx, dipCheckMachine, "answer", {
      id: checkId,
      actorId: actor.id,
      after: { answers, goodOrBetter: good, needsAction },
      write: (from, to) =>
        tx.dipCheck.updateMany({
          where: { id: checkId, reviewerId: actor.id, status: { in: from } },
          data: { status: to, answers, goodOrBetter: good, needsAction, note: note || null, answeredAt: now },
        }),
    });
    if (ok && needsAction) {
      const tm = await tx.staff.findFirst({
        where: { teamId: c.teamId, roles: { has: "TEAM_MANAGER" }, active: true },
        orderBy: { name: "asc" },
      });
      if (tm)
        await enqueueMessage(tx, {
          recipientId: tm.id,
          idempotencyKey: `dip:${c.sampleId}:action:${checkId}`,
          payload: {
            template: "dip-sample-action",
            data: {
              heading: `Dip sample: case ${c.caseRef} needs action`,
              sample: c.sample.title,
              caseRef: c.caseRef,
              reviewer: actor.name,
              judgement: good ? "Good or better" : "Less than good",
              unmet: checklist.items.filter((it) => !answers[it.id]).map((it) => ({ text: `• Not met: ${it.text}` })),
              note,
            },
          },
          ...deliveryOf(ctx, "dipSample.card"),
        });
    }
    return ok;
  });
  return nextCheckCard(
    ctx,
    actor,
    c.sampleId,
    moved ? `Saved case ${c.caseRef}.` : `Case ${c.caseRef} was already recorded; nothing was recorded twice.`,
  );
}
