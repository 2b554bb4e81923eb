// Answering a survey: one press of Start / Resume / Back / Next / Save / Submit. The draft is the
// participation's (sealed); the answers leave it only on submit, sealed into the holding table.
import type { Prisma } from "../../generated/prisma/client";
import type { AppContext } from "../context";
import { AlreadyDone, Closed, Conflict, NotFound, NotPermitted } from "../errors";
import { may, type Actor } from "../permissions";
import { loadFormTemplate, type FormTemplate } from "../forms/templateSchema";
import { stepForm, type Answers, type FormNav, type FormPageView } from "../forms/engine";
import { directoryAudience } from "./audience";
import { formatDay } from "./days";
import { lockCampaign } from "./lock";
import { refusal, SURVEY_MISSING } from "./access";
import { seal, sealedSize, sealKey, unseal } from "./seal";
import { campaignState, CampaignStatus } from "./states";

const CLOSED_MESSAGE = (title: string, closedOn: string) =>
  `${title} closed on ${closedOn}, so answers can no longer be taken. Nothing from this card was recorded. Thank you for your time.`;

interface Draft {
  answers?: Answers;
  page?: number;
}

/**
 * A draft is the person's own, but it holds all but the last page of what they will submit, and the
 * old row version stays readable (dead tuples, WAL, backups) after the submit clears it: so it is
 * sealed and padded like held answers, and its size says nothing about the answers released later.
 */
function sealDraft(ctx: AppContext, template: FormTemplate, draft: Draft): Prisma.InputJsonValue {
  const sealed = seal(sealKey(ctx.config), sealedSize(template), { answers: draft, teamId: null, stated: null, directory: null });
  return { sealed: Buffer.from(sealed).toString("base64") };
}

/** The draft of a participation (sealed; plain from before drafts were sealed; {} when none). */
export function openDraft(ctx: AppContext, draft: Prisma.JsonValue): Draft {
  const d = (draft ?? {}) as { sealed?: string } & Draft;
  if (typeof d.sealed !== "string") return d;
  return unseal(sealKey(ctx.config), Buffer.from(d.sealed, "base64")).answers as Draft;
}

export interface MySurvey {
  campaignId: string;
  title: string;
  closes: string;
  resume: boolean;
  onBehalf: boolean;
}

/** The open surveys a member of staff has still to answer (and on-behalf forms they can fill in). */
export async function myOpenSurveys(ctx: AppContext, actor: Actor): Promise<MySurvey[]> {
  const now = ctx.clock.now();
  const rows = await ctx.db.surveyParticipation.findMany({
    where: { staffId: actor.id, campaign: { status: CampaignStatus.open, opensAt: { lte: now }, closesAt: { gt: now } } },
    include: { campaign: true },
    orderBy: { campaign: { closesAt: "asc" } },
  });
  return rows
    .map((p) => ({ p, t: loadFormTemplate(p.campaign.templateId) }))
    .filter(({ p, t }) => t.enteredBy || !p.responded)
    .map(({ p, t }) => ({
      campaignId: p.campaignId,
      title: p.campaign.title,
      closes: formatDay(new Date(p.campaign.closesAt.getTime() - 1), ctx.config.TIMEZONE),
      resume: Object.keys(openDraft(ctx, p.draft).answers ?? {}).length > 0,
      onBehalf: Boolean(t.enteredBy),
    }));
}

export type AnswerOutcome =
  | { kind: "page"; template: FormTemplate; view: FormPageView }
  | { kind: "submitted"; title: string; message: string; again: boolean; campaignId: string };

/**
 * One press of Start / Resume / Back / Next / Save / Submit on a survey card. The draft is the
 * participation's; the answers leave it only on submit, into the anonymous holding table.
 */
export async function answerSurvey(
  ctx: AppContext,
  actor: Actor,
  input: { campaignId: string; page: number; nav: FormNav; data: Record<string, unknown> },
): Promise<AnswerOutcome> {
  const tz = ctx.config.TIMEZONE;
  return ctx.db.$transaction(async (tx) => {
    const c = await tx.surveyCampaign.findUnique({ where: { id: input.campaignId } });
    if (!c) throw new NotFound(SURVEY_MISSING);
    // Lock the participation row: a double click on Submit records once. Checked before the window:
    // someone it was not sent to learns nothing of the survey, not even its title.
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "SurveyParticipation" WHERE "campaignId" = ${c.id} AND "staffId" = ${actor.id} FOR UPDATE`;
    if (!rows.length)
      await refusal(tx, actor, c.id, "This survey was not sent to you. If you think it should have been, tell the QA team.");
    const now = ctx.clock.now();
    const state = campaignState(c, now);
    if (state === "closed")
      throw new Closed(
        CLOSED_MESSAGE(c.title, formatDay(c.closedAt && c.closedAt < c.closesAt ? c.closedAt : new Date(c.closesAt.getTime() - 1), tz)),
      );
    if (state === "scheduled") throw new Closed(`${c.title} opens on ${formatDay(c.opensAt, tz)}.`);
    const p = await tx.surveyParticipation.findUniqueOrThrow({ where: { id: rows[0]!.id } });
    const template = loadFormTemplate(c.templateId);
    if (template.version !== c.templateVersion) {
      throw new Conflict(
        `The ${template.title} form changed (version ${c.templateVersion} → ${template.version}) after this survey opened; the QA team needs to reopen it.`,
      );
    }
    const onBehalf = Boolean(template.enteredBy);
    if (onBehalf && !may(actor, "survey.manage")) throw new NotPermitted("This form is filled in by the QA team.");
    if (p.responded && !onBehalf)
      throw new AlreadyDone(`You have already answered ${c.title}. Thank you. Answers are anonymous, so they cannot be changed.`);
    const draft = openDraft(ctx, p.draft);
    const dirAudience = directoryAudience(actor.roles);
    const step = stepForm(
      template,
      { answers: draft.answers ?? {}, page: draft.page ?? 0 },
      { ...input, directoryAudience: onBehalf ? undefined : dirAudience },
    );
    if (step.complete) {
      await lockCampaign(tx, c.id, "shared");
      const open = await tx.surveyCampaign.findUnique({ where: { id: c.id }, select: { status: true } });
      if (open?.status === CampaignStatus.closed) throw new Closed(CLOSED_MESSAGE(c.title, formatDay(now, tz)));
      // One transaction: participation marked (no response id, no time), draft cleared, answers sealed.
      await tx.surveyParticipation.update({ where: { id: p.id }, data: onBehalf ? { draft: {} } : { responded: true, draft: {} } });
      const stated = step.audience ?? dirAudience;
      await tx.surveyResponseHolding.create({
        data: {
          campaignId: c.id,
          sealed: seal(sealKey(ctx.config), sealedSize(template), {
            answers: step.complete,
            teamId: onBehalf ? null : actor.teamId,
            stated: onBehalf ? null : stated,
            directory: onBehalf ? null : dirAudience,
          }),
        },
      });
      return {
        kind: "submitted",
        campaignId: c.id,
        again: onBehalf,
        title: onBehalf ? "Recorded" : "Thank you",
        message: onBehalf
          ? `The answers for this family were recorded anonymously in ${c.title}. You can enter another family's answers.`
          : `Your answers to ${c.title} were recorded anonymously. They cannot be traced back to you.`,
      };
    }
    await tx.surveyParticipation.update({ where: { id: p.id }, data: { draft: sealDraft(ctx, template, step.state) } });
    const anonymityLine = template.anonymous ? " Your answers are anonymous." : "";
    return {
      kind: "page",
      template,
      view: {
        answers: step.state.answers,
        page: step.page,
        errors: step.errors,
        raw: step.raw,
        notice: step.notice,
        directoryAudience: onBehalf ? undefined : dirAudience,
        verb: "survey.page",
        actionData: { campaignId: c.id },
        subtitle: onBehalf
          ? `Entered on behalf of a family during a phone call. Do not type names. Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.`
          : `Open until ${formatDay(new Date(c.closesAt.getTime() - 1), tz)}.${anonymityLine}`,
      },
    };
  });
}
