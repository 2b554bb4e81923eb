// After a Health Check closes: the next steps plan. Bexley Children's Social Care Quality Assurance
// Framework, §3.2.1 Social Work Health Check (Process): the findings are analysed alongside previous
// years, a report of the themes is shared across children's services, and "a next steps plan is
// developed to action how the services can implement changes". The QA lead who opened the survey
// and each head of service receive a card with the results summary (figures only from groups of at
// least MIN_GROUP_SIZE) and fields to record the plan's actions (what, owner, due date), saved as
// actions linked to the campaign through its history.
import type { AppContext } from "../context";
import type { Tx } from "../db";
import { NotFound, ValidationFailed } from "../errors";
import { refusal, SURVEY_MISSING } from "./access";
import { recordHistory } from "../history";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { may, type Actor } from "../permissions";
import { respondentCount } from "../disclosure";
import { MANAGER_ROLES } from "./audience";
import { endOfLocalDay, formatDay } from "./days";
import { CampaignStatus, campaignState } from "./states";

export const PLAN_TEMPLATES = ["health-check"];
export const NEXT_STEP_KIND = "health check next step";
const PLAN_READERS = ["HEAD_OF_SERVICE"] as const;

export interface NextStepsCard {
  campaignId: string;
  title: string;
  summary: { title: string; value: string }[];
  owners: { title: string; value: string }[];
  actions: { title: string; value: string }[];
  notice: string;
}

/** Who may see the plan card and record its actions: the survey's opener, heads of service, the QA team. */
export function mayPlan(actor: Actor, c: { createdById: string | null }): boolean {
  return (
    actor.id === c.createdById || actor.roles.some((r) => (PLAN_READERS as readonly string[]).includes(r)) || may(actor, "survey.manage")
  );
}

async function planData(db: Tx | AppContext["db"], ctx: AppContext, campaignId: string, notice = ""): Promise<NextStepsCard> {
  const c = await db.surveyCampaign.findUnique({ where: { id: campaignId } });
  if (!c) throw new NotFound(SURVEY_MISSING);
  const tz = ctx.config.TIMEZONE;
  const [invited, responded, owners, steps] = await Promise.all([
    db.surveyParticipation.count({ where: { campaignId } }),
    db.surveyParticipation.count({ where: { campaignId, responded: true } }),
    db.staff.findMany({
      where: { active: true, roles: { hasSome: [...MANAGER_ROLES, "HEAD_OF_QA", "QA_TEAM"] } },
      orderBy: { name: "asc" },
    }),
    db.history.findMany({
      where: { entityType: "survey_campaign", entityId: campaignId, action: "next step added" },
      orderBy: { id: "asc" },
    }),
  ]);
  const ids = steps.map((s) => (s.after as { actionId: string }).actionId);
  const actions = await db.action.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } });
  const names = new Map(owners.map((o) => [o.id, o.name]));
  return {
    campaignId,
    title: c.title,
    summary: [
      { title: "Window", value: `${formatDay(c.opensAt, tz)} – ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}` },
      {
        title: "Answered",
        // While open, in steps of the minimum, as on the survey card.
        value: `${respondentCount(responded, ctx.config.MIN_GROUP_SIZE, campaignState(c, ctx.clock.now()) === "closed")} of ${invited}`,
      },
    ],
    owners: owners.map((o) => ({ title: o.name, value: o.id })),
    actions: actions.map((a) => ({
      title: `${names.get(a.assigneeId) ?? "Owner"}, by ${formatDay(new Date(a.dueAt.getTime() - 1), tz)}`,
      value: a.description,
    })),
    notice,
  };
}

/** On the close of a Health Check: the plan card to its opener and each head of service. */
export async function sendNextStepsPlan(
  tx: Tx,
  ctx: AppContext,
  c: { id: string; templateId: string; createdById: string | null },
): Promise<void> {
  if (!PLAN_TEMPLATES.includes(c.templateId)) return;
  const heads = await tx.staff.findMany({ where: { active: true, roles: { hasSome: [...PLAN_READERS] } }, select: { id: true } });
  const recipients = [...new Set([...(c.createdById ? [c.createdById] : []), ...heads.map((s) => s.id)])];
  const data = await planData(tx, ctx, c.id);
  for (const id of recipients) {
    await enqueueMessage(tx, {
      recipientId: id,
      idempotencyKey: `survey:${c.id}:nextSteps:${id}`,
      cardKey: `survey:${c.id}:nextSteps`,
      ...deliveryOf(ctx, "survey.nextSteps"),
      payload: { template: "survey-next-steps", data: { ...data } },
    });
  }
}

/**
 * The Health Check whose plan the actor records. Refused: who may not know of the campaign finds
 * nothing (as for a missing one); who knows of it is told it has no plan, or that it is not theirs.
 */
async function planCampaign(db: Tx | AppContext["db"], actor: Actor, campaignId: string) {
  const c = await db.surveyCampaign.findUnique({ where: { id: campaignId } });
  if (!c) throw new NotFound(SURVEY_MISSING);
  if (!mayPlan(actor, c)) await refusal(db, actor, c.id, "Only the heads of service and the QA team record the next steps plan.");
  if (!PLAN_TEMPLATES.includes(c.templateId)) await refusal(db, actor, c.id, new NotFound("That survey has no next steps plan."));
  return c;
}

/** The plan card as it stands (its saved actions listed). */
export async function nextStepsPlan(ctx: AppContext, actor: Actor, campaignId: string): Promise<NextStepsCard> {
  await planCampaign(ctx.db, actor, campaignId);
  return planData(ctx.db, ctx, campaignId);
}

/** Records one action of the plan: an Action for its owner, linked to the campaign by its history. */
export async function addNextStep(
  ctx: AppContext,
  actor: Actor,
  input: { campaignId: string; description: string; ownerId: string; dueOn: string },
): Promise<NextStepsCard> {
  return ctx.db.$transaction(async (tx) => {
    const c = await planCampaign(tx, actor, input.campaignId);
    if (c.status !== CampaignStatus.closed) throw new ValidationFailed("The plan follows the results: close the survey first.", {});
    const owner = await tx.staff.findFirst({ where: { id: input.ownerId, active: true } });
    if (!owner) throw new ValidationFailed("The action could not be saved.", { ownerId: "Choose who owns this action." });
    const dueAt = endOfLocalDay(input.dueOn, ctx.config.TIMEZONE);
    if (dueAt <= ctx.clock.now()) throw new ValidationFailed("The action could not be saved.", { dueOn: "The date is in the past." });
    const action = await tx.action.create({
      data: { assigneeId: owner.id, createdById: actor.id, description: input.description, dueAt, kind: NEXT_STEP_KIND },
    });
    await recordHistory(tx, {
      entityType: "action",
      entityId: action.id,
      action: "created",
      actorId: actor.id,
      after: { assigneeId: owner.id, dueAt, description: input.description, kind: NEXT_STEP_KIND, campaignId: c.id },
    });
    await recordHistory(tx, {
      entityType: "survey_campaign",
      entityId: c.id,
      action: "next step added",
      actorId: actor.id,
      after: { actionId: action.id },
    });
    return planData(tx, ctx, c.id, "Action saved.");
  });
}
