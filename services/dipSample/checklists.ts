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

export const CHECKLISTS: readonly Checklist[] = [
  {
    id: "cp-plans",
    title: "Child protection plans",
    planTypes: ["CHILD_PROTECTION"],
    items: [
      { id: "smart", text: "The plan's outcomes are SMART (specific, measurable, achievable, realistic, timed)" },
      { id: "voice", text: "The child's voice is recorded and shapes the plan" },
      { id: "contingency", text: "There is a contingency plan if the plan does not work" },
    ],
  },
  {
    id: "re-referrals",
    title: "Re-referrals",
    planTypes: ["CONTACT", "EARLY_HELP", "CHILD_IN_NEED"],
    items: [
      { id: "history", text: "Previous referrals and their outcomes were considered in the decision" },
      { id: "seen", text: "The child was seen, or the reason they were not is recorded" },
      { id: "rationale", text: "The manager's decision and its reason are recorded" },
    ],
  },
  {
    id: "care-plans",
    title: "Quality of care plans",
    planTypes: ["CHILD_LOOKED_AFTER"],
    items: [
      { id: "current", text: "The care plan was reviewed within timescales" },
      { id: "wishes", text: "The child's wishes and feelings are recorded" },
      { id: "permanence", text: "There is a plan for permanence" },
    ],
  },
];

export const checklistById = (id: string): Checklist | undefined => CHECKLISTS.find((c) => c.id === id);

export const JUDGEMENTS = [
  { value: "good", title: "Good or better" },
  { value: "less", title: "Less than good" },
] as const;
