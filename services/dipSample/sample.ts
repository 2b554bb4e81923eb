// Defining a dip sample: a checklist on one practice area and many cases drawn by rule (plan type,
// team, period opened) from the directory, at random with a seed; checks are allocated to the
// chosen reviewers in batches, and each reviewer is told once (one card for all their cases).
import { randomBytes } from "node:crypto";
import type { AppContext } from "../context";
import type { PlanType } from "../../generated/prisma/enums";
import { ValidationFailed } from "../errors";
import { onlyChoices } from "../../cards/schemas/cardData";
import { recordHistory } from "../history";
import { enqueueAll } from "../outbox";
import { deliveryOf } from "../messageKinds";
import { may, requireCapability, rolesWith, type Actor } from "../permissions";
import { rng, shuffle } from "../random";
import { planTypeLabel } from "../audit/themes";
import { dbDate } from "../audit/allocation";
import { CHECKLISTS, checklistById } from "./checklists";
import { dipSampleMachine } from "./states";
import { COUNCIL_STAFF } from "../directory/staff";

export const MAX_SAMPLE = 500;
export const DEFAULT_SIZE = 50;
export const DEFAULT_BATCH = 25;
const PLAN_TYPES: PlanType[] = ["EARLY_HELP", "CHILD_IN_NEED", "CHILD_PROTECTION", "CHILD_LOOKED_AFTER", "CARE_LEAVER", "CONTACT"];

export interface SampleInput {
  checklistId?: string;
  planType?: string;
  teamId?: string;
  openedFrom?: string;
  openedTo?: string;
  size?: string | number;
  batchSize?: string | number;
  reviewers?: string;
  seed?: string;
}

/** The "new dip sample" card's choices (template "dip-sample-new"), with what was typed. */
export async function newSampleFormData(ctx: AppContext, typed: SampleInput = {}, errors: Record<string, string> = {}, error = "") {
  const [teams, reviewers] = await Promise.all([
    ctx.db.team.findMany({ where: { cases: { some: {} } }, orderBy: { id: "asc" } }),
    ctx.db.staff.findMany({ where: { ...COUNCIL_STAFF, roles: { hasSome: rolesWith("dipSamples.review") } }, orderBy: { name: "asc" } }),
  ]);
  const reviewerChoices = reviewers.map((r) => ({ title: `${r.name} (${r.teamId ?? ""})`, value: r.id }));
  // A number box shows only a whole number from 1 to MAX_SAMPLE (the renderer blocks the button on
  // anything else): a typed value outside that is shown as the default, and its error says why.
  const num = (v: unknown, d: number) => {
    const n = v === undefined || v === "" ? d : Number(v);
    return Number.isInteger(n) && n >= 1 && n <= MAX_SAMPLE ? n : d;
  };
  return {
    error,
    checklists: CHECKLISTS.map((c) => ({ title: `${c.title}: ${c.items.map((i) => i.id).join(", ")}`, value: c.id })),
    checklistId: typed.checklistId ?? CHECKLISTS[0]!.id,
    checklistError: errors.checklistId ?? "",
    planTypes: [
      { title: "The checklist's plan types", value: ANY },
      { title: "All plan types", value: ALL },
      ...PLAN_TYPES.map((p) => ({ title: planTypeLabel(p), value: p })),
    ],
    planType: typed.planType || ANY,
    teams: [{ title: "All teams", value: ANY }, ...teams.map((t) => ({ title: `${t.name} (${t.id})`, value: t.id }))],
    teamId: typed.teamId || ANY,
    openedFrom: typed.openedFrom ?? "",
    openedTo: typed.openedTo ?? "",
    periodError: errors.period ?? "",
    size: num(typed.size, DEFAULT_SIZE),
    sizeError: errors.size ?? "",
    batchSize: num(typed.batchSize, DEFAULT_BATCH),
    batchError: errors.batchSize ?? "",
    reviewerChoices,
    // A choice box shows only its choices: one typed that is none of them is left out (its error says why).
    reviewers: onlyChoices(typed.reviewers ?? "", reviewerChoices),
    reviewersError: errors.reviewers ?? "",
  };
}

/** "Any" in a choice box (a choice needs a value). */
export const ANY = "any";
const ALL = "all";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Draws and allocates a dip sample; returns its id. */
export async function createDipSample(ctx: AppContext, actor: Actor, input: SampleInput): Promise<string> {
  requireCapability(actor, "dipSamples.manage");
  const errors: Record<string, string> = {};
  const checklist = checklistById(input.checklistId ?? "");
  if (!checklist) errors.checklistId = "Choose a checklist.";
  const planType = input.planType && input.planType !== ANY ? input.planType : "";
  const teamId = input.teamId && input.teamId !== ANY ? input.teamId : "";
  if (planType && planType !== ALL && !PLAN_TYPES.includes(planType as PlanType)) errors.checklistId = "Choose a plan type from the list.";
  const from = (input.openedFrom ?? "").trim();
  const to = (input.openedTo ?? "").trim();
  if ((from && !DAY.test(from)) || (to && !DAY.test(to)) || (from && to && from > to))
    errors.period = "Give the period as two dates, the first not after the second (or leave them empty).";
  const size = Number(input.size ?? DEFAULT_SIZE);
  if (!Number.isInteger(size) || size < 1 || size > MAX_SAMPLE)
    errors.size = `The sample is a whole number of cases from 1 to ${MAX_SAMPLE}.`;
  const batchSize = Number(input.batchSize ?? DEFAULT_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_SAMPLE)
    errors.batchSize = "A batch is a whole number of cases (1 or more).";
  const reviewerIds = [
    ...new Set(
      (input.reviewers ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const reviewers = await ctx.db.staff.findMany({ where: { id: { in: reviewerIds }, active: true } });
  if (!reviewerIds.length || reviewers.length !== reviewerIds.length || reviewers.some((r) => !may(r, "dipSamples.review")))
    errors.reviewers = "Choose one or more reviewers (Deputy Team Manager and above, or the QA team).";
  if (Object.keys(errors).length) throw new ValidationFailed("Some settings need attention.", errors);

  const planTypes = planType === ALL ? PLAN_TYPES : planType ? [planType as PlanType] : checklist!.planTypes;
  const cases = await ctx.db.case.findMany({
    where: {
      active: true,
      planType: { in: planTypes },
      ...(teamId ? { teamId } : {}),
      ...(from || to ? { openedOn: { ...(from ? { gte: dbDate(from) } : {}), ...(to ? { lte: dbDate(to) } : {}) } } : {}),
    },
    select: { id: true, caseRef: true, teamId: true, planType: true },
    orderBy: { caseRef: "asc" },
  });
  if (!cases.length)
    throw new ValidationFailed("No case matches this rule.", { period: "No case matches: widen the plan type, team or period." });
  const seed = input.seed?.trim() || randomBytes(6).toString("hex");
  // A random sample, then grouped by team so a batch is mostly one team's cases.
  const drawn = shuffle(cases, rng(seed))
    .slice(0, size)
    .sort((a, b) => a.teamId.localeCompare(b.teamId) || a.caseRef.localeCompare(b.caseRef));
  const allocated = allocateIndependently(drawn, reviewers, batchSize);
  const title = `${checklist!.title}${teamId ? ` · ${teamId}` : ""}`;
  const rule = { planTypes, teamId: teamId || null, openedFrom: from || null, openedTo: to || null, size, pool: cases.length, seed };
  return ctx.db.$transaction(
    async (tx) => {
      const sample = await tx.dipSample.create({
        data: { title, checklistId: checklist!.id, rule, batchSize, status: dipSampleMachine.initial, createdById: actor.id },
      });
      await tx.dipCheck.createMany({
        data: drawn.map((c, i) => ({
          sampleId: sample.id,
          caseId: c.id,
          caseRef: c.caseRef,
          teamId: c.teamId,
          planType: c.planType,
          reviewerId: allocated[i]!.id,
          batch: Math.floor(i / batchSize) + 1,
          position: i,
        })),
      });
      await recordHistory(tx, {
        entityType: "dip_sample",
        entityId: sample.id,
        action: "created",
        actorId: actor.id,
        after: { ...rule, drawn: drawn.length, reviewers: reviewerIds },
      });
      const counts = new Map<string, { n: number; own: number }>();
      drawn.forEach((c, i) => {
        const r = allocated[i]!;
        const k = counts.get(r.id) ?? { n: 0, own: 0 };
        counts.set(r.id, { n: k.n + 1, own: k.own + (c.teamId === r.teamId ? 1 : 0) });
      });
      const when = deliveryOf(ctx, "dipSample.card");
      await enqueueAll(
        tx,
        [...counts].map(([reviewerId, { n, own }]) => ({
          kind: "send" as const,
          recipientId: reviewerId,
          idempotencyKey: `dip:${sample.id}:batch:${reviewerId}`,
          payload: {
            template: "dip-sample-batch",
            data: {
              sampleId: sample.id,
              title: `Dip sample: ${title}`,
              text: `${n} cases to check against a short checklist, one after another: each "Save and next" shows the next case.${own ? ` ${ownTeamNote(own)}` : ""}`,
              items: checklist!.items.map((it) => ({ text: `• ${it.text}` })),
            },
          },
          ...when,
        })),
      );
      return sample.id;
    },
    { timeout: 60_000 },
  );
}

/** Said on the reviewer's cards when a case of their own team could go to nobody else. */
export const ownTeamNote = (n: number) =>
  `${n === 1 ? "One case is" : `${n} cases are`} of your own team: no reviewer from another team was chosen for ${n === 1 ? "it" : "them"}.`;

/**
 * Independence: each batch goes to the next reviewer in turn, but a case of that reviewer's own team
 * goes to the least loaded reviewer of another team; only when every reviewer chosen is of the
 * case's team does it stay with its own team's reviewer (and their cards say so).
 */
export function allocateIndependently<R extends { id: string; teamId: string | null }>(
  cases: { teamId: string }[],
  reviewers: R[],
  batchSize: number,
): R[] {
  const load = new Map(reviewers.map((r) => [r.id, 0]));
  return cases.map((c, i) => {
    const inTurn = reviewers[Math.floor(i / batchSize) % reviewers.length]!;
    const others = reviewers.filter((r) => r.teamId !== c.teamId);
    const r = inTurn.teamId !== c.teamId || !others.length ? inTurn : others.reduce((a, b) => (load.get(b.id)! < load.get(a.id)! ? b : a));
    load.set(r.id, load.get(r.id)! + 1);
    return r;
  });
}
