// Opening a survey campaign: participations for its audience, invitations through the outbox,
// the close job and the reminders to those who have not answered.
import type { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import { quietHours } from "../context";
import type { Tx } from "../db";
import { ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { scheduleJob } from "../jobs";
import { enqueueMessage } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { requireCapability, type Actor } from "../permissions";
import { nextDeliveryTime } from "../workingTime";
import { loadFormTemplate, type FormTemplate } from "../forms/templateSchema";
import { audienceStaff, type AudienceSpec } from "./audience";
import { formatDay } from "./days";
import { campaignMachine, campaignState } from "./states";

export interface OpenCampaignInput {
  templateId: string;
  audience: AudienceSpec;
  opensAt: Date;
  closesAt: Date;
  title?: string;
  reminderEveryDays?: number;
  repeatEveryMonths?: number | null;
  /** Exactly these people instead of the audience's match (the induction questionnaire's starters). */
  staffIds?: string[];
}

function inviteData(
  c: { id: string; title: string; closesAt: Date },
  template: FormTemplate,
  ctx: AppContext,
  kind: "invite" | "reminder",
) {
  const tz = ctx.config.TIMEZONE;
  return {
    kind,
    campaignId: c.id,
    title: c.title,
    heading: kind === "reminder" ? `Reminder: ${c.title}` : c.title,
    description: template.description ?? "",
    closes: `Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.`,
    privacy: template.anonymous
      ? `Your answers are anonymous: they are stored without your name, your Teams chat or the time you answered, and results are shown only for groups of at least ${ctx.config.MIN_GROUP_SIZE} people.`
      : "",
    onBehalf: template.enteredBy === "qa",
  };
}

/** Opens a campaign: participations for the audience, invitations, the close job and reminders. */
export async function openCampaign(ctx: AppContext, actor: Actor | null, input: OpenCampaignInput) {
  if (actor) requireCapability(actor, "survey.manage");
  let template: FormTemplate;
  try {
    template = loadFormTemplate(input.templateId);
  } catch {
    throw new ValidationFailed("There is no such form.", { templateId: `No form template called ${input.templateId}.` });
  }
  const now = ctx.clock.now();
  const fieldErrors: Record<string, string> = {};
  if (!(input.closesAt > input.opensAt)) fieldErrors.closesOn = "The survey must close after it opens.";
  if (!(input.closesAt > now)) fieldErrors.closesOn = "The closing date is in the past.";
  const every = input.reminderEveryDays ?? 7;
  if (!Number.isInteger(every) || every < 0 || every > 60)
    fieldErrors.reminderEveryDays = "Reminders: a whole number of days from 0 (none) to 60.";
  if (Object.keys(fieldErrors).length) throw new ValidationFailed("The survey could not be opened.", fieldErrors);
  return ctx.db.$transaction((tx) => openCampaignTx(tx, ctx, actor, template, input), { timeout: 60_000 });
}

/** The writes of opening a campaign, in the caller's transaction (also used to repeat one). */
export async function openCampaignTx(tx: Tx, ctx: AppContext, actor: Actor | null, template: FormTemplate, input: OpenCampaignInput) {
  const now = ctx.clock.now();
  const every = input.reminderEveryDays ?? 7;
  const repeat = input.repeatEveryMonths === undefined ? (template.frequency === "quarterly" ? 3 : null) : input.repeatEveryMonths;
  const staff = input.staffIds ? input.staffIds.map((id) => ({ id })) : await audienceStaff(tx, template, input.audience);
  if (!staff.length) throw new ValidationFailed("Nobody in the directory matches that audience.", { audience: "No staff match." });
  const campaign = await tx.surveyCampaign.create({
    data: {
      templateId: template.id,
      templateVersion: template.version,
      title: input.title ?? template.title,
      audience: input.audience as Prisma.InputJsonValue,
      opensAt: input.opensAt,
      closesAt: input.closesAt,
      status: campaignMachine.initial,
      createdById: actor?.id ?? null,
      reminderEveryDays: template.enteredBy ? 0 : every,
      repeatEveryMonths: repeat,
    },
  });
  await inviteToCampaign(
    tx,
    ctx,
    campaign,
    template,
    staff.map((s) => s.id),
  );
  await scheduleJob(tx, {
    key: `survey:${campaign.id}:close`,
    name: "survey.close",
    runAt: input.closesAt,
    data: { campaignId: campaign.id },
  });
  if (campaign.reminderEveryDays > 0) {
    const first = new Date(Math.max(input.opensAt.getTime(), now.getTime()) + campaign.reminderEveryDays * 86_400_000);
    if (first < input.closesAt) {
      await scheduleJob(tx, {
        key: `survey:${campaign.id}:reminder:1`,
        name: "survey.reminder",
        runAt: first,
        data: { campaignId: campaign.id, n: 1 },
      });
    }
  }
  await recordHistory(tx, {
    entityType: "survey_campaign",
    entityId: campaign.id,
    action: "opened",
    actorId: actor?.id ?? null,
    after: {
      templateId: template.id,
      version: template.version,
      audience: input.audience,
      invited: staff.length,
      opensAt: input.opensAt,
      closesAt: input.closesAt,
    },
  });
  return { campaign, invited: staff.length };
}

/** Participations and invitations (a routine message: held through quiet hours) for people added to a campaign. */
export async function inviteToCampaign(
  tx: Tx,
  ctx: AppContext,
  campaign: { id: string; title: string; opensAt: Date; closesAt: Date },
  template: FormTemplate,
  staffIds: string[],
): Promise<void> {
  const now = ctx.clock.now();
  await tx.surveyParticipation.createMany({ data: staffIds.map((staffId) => ({ campaignId: campaign.id, staffId, invitedAt: now })) });
  const { notBefore } = deliveryOf(ctx, "survey.invite", campaign.opensAt > now ? campaign.opensAt : now);
  for (const id of staffIds) {
    await enqueueMessage(tx, {
      recipientId: id,
      idempotencyKey: `survey:${campaign.id}:invite:${id}`,
      cardKey: `survey:${campaign.id}:invite`,
      payload: { template: "survey-invite", data: inviteData(campaign, template, ctx, "invite") },
      notBefore,
    });
  }
}

/** Job: remind those who have not answered (never those who have), then schedule the next reminder. */
export async function sendReminders(tx: Tx, ctx: AppContext, campaignId: string, n: number): Promise<number> {
  const c = await tx.surveyCampaign.findUnique({ where: { id: campaignId } });
  const now = ctx.clock.now();
  if (!c || campaignState(c, now) !== "open") return 0;
  const template = loadFormTemplate(c.templateId);
  const pending = await tx.surveyParticipation.findMany({ where: { campaignId, responded: false }, select: { id: true, staffId: true } });
  const sendAt = nextDeliveryTime(now, quietHours(ctx.config));
  const data = inviteData(c, template, ctx, "reminder");
  for (const p of pending) {
    await enqueueMessage(tx, {
      recipientId: p.staffId,
      idempotencyKey: `survey:${campaignId}:reminder:${n}:${p.staffId}`,
      payload: { template: "survey-invite", data },
      notBefore: sendAt,
    });
  }
  if (pending.length)
    await tx.surveyParticipation.updateMany({ where: { id: { in: pending.map((p) => p.id) } }, data: { remindedAt: now } });
  const next = new Date(now.getTime() + c.reminderEveryDays * 86_400_000);
  if (c.reminderEveryDays > 0 && next < c.closesAt) {
    await scheduleJob(tx, {
      key: `survey:${campaignId}:reminder:${n + 1}`,
      name: "survey.reminder",
      runAt: next,
      data: { campaignId, n: n + 1 },
    });
  }
  return pending.length;
}
