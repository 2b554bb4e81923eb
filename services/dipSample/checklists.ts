// Dip sample checklists: "high volume, focused review of practice areas of concern against
// accepted and local standards of good practice … for example, re-referrals or quality of care or
// child protection plans" (Southwark Children's Social Care Quality Assurance Framework, §7). Each
// is a short list of yes/no standards on one practice area; every check also gives the judgement
// all quality activity gets, "good or better" or "less than good" (§4).
import type { PlanType } from "../../generated/prisma/enums";

export interface Checklist {
  id: string;
  title: string;
  /** The plan types the sample is drawn from unless the QA team narrows it. */
  planTypes: PlanType[];
  items: { id: string; text: string }[];
}

/** A checklist from its items, each a yes/no standard keyed by its id (the id names the answer field). */
const checklist = (id: string, title: string, planTypes: PlanType[], items: Record<string, string>): Checklist => ({
  id,
  title,
  planTypes,
  items: Object.entries(items).map(([itemId, text]) => ({ id: itemId, text })),
});

export const CHECKLISTS: readonly Checklist[] = [
  checklist("cp-plans", "Child protection plans", ["CHILD_PROTECTION"], {
    smart: "The plan's outcomes are SMART (specific, measurable, achievable, realistic, timed)",
    voice: "The child's voice is recorded and shapes the plan",
    contingency: "There is a contingency plan if the plan does not work",
  }),
  checklist("re-referrals", "Re-referrals", ["CONTACT", "EARLY_HELP", "CHILD_IN_NEED"], {
    history: "Previous referrals and their outcomes were considered in the decision",
    seen: "The child was seen, or the reason they were not is recorded",
    rationale: "The manager's decision and its reason are recorded",
  }),
  checklist("care-plans", "Quality of care plans", ["CHILD_LOOKED_AFTER"], {
    current: "The care plan was reviewed within timescales",
    wishes: "The child's wishes and feelings are recorded",
    permanence: "There is a plan for permanence",
  }),
];

export const checklistById = (id: string): Checklist | undefined => CHECKLISTS.find((c) => c.id === id);

export const JUDGEMENTS = [
  { value: "good", title: "Good or better" },
  { value: "less", title: "Less than good" },
] as const;
