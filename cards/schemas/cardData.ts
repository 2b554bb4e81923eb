// The data each card template is expanded with, typed as the Adaptive Cards 1.5 schema types the
// properties the data lands in. A template binding `"value": "${count}"` puts the data's own JSON
// type on the card; the official renderer silently drops a value of the wrong type (a FactSet value
// that is a number, an Input.Number value that is a string) and shows the field blank. renderCard
// parses the data with these schemas, and the types make call sites build it right.
import { z } from "zod";

/** A FactSet value (schema `Fact.value`: string). */
const factValue = z.string();
/** An Input.Number value (schema: number); absent shows an empty box (templates leave `value` out). */
const numberValue = z.number().refine(Number.isFinite, "not a finite number");
const optionalNumber = numberValue.nullable().optional();

/** What a person typed into a number box, for showing it again: a number, or nothing (blank box). */
export function typedNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Buttons a card fits in a row (560 px); Teams puts the rest in its "…" overflow menu. */
export const PRIMARY_BUTTONS = 3;

/** Marks the buttons after the first PRIMARY_BUTTONS as `mode: "secondary"` (the template binds `mode`). */
export function withOverflow<T extends object>(buttons: T[]): (T & { mode: "primary" | "secondary" })[] {
  return buttons.map((b, i) => ({ ...b, mode: i < PRIMARY_BUTTONS ? "primary" : "secondary" }));
}

/** A choice box shows only one of its choices: a value that is none of them (re-shown with its error) is left out. */
export function onlyChoices(value: string, choices: { value: string }[]): string {
  return value
    .split(",")
    .filter((v) => choices.some((c) => c.value === v))
    .join(",");
}

export const cardDataSchemas = {
  "outbox-status": z.looseObject({
    counts: z.array(z.looseObject({ label: z.string(), count: factValue })),
  }),
  "moderation-sample": z.looseObject({
    eligible: factValue,
    open: factValue,
    overdue: factValue,
    byModerator: z.array(z.looseObject({ name: z.string(), count: factValue })),
    percent: numberValue,
    returnDays: numberValue,
  }),
  moderation: z.looseObject({
    areas: z.array(z.looseObject({ id: z.string(), label: z.string(), value: z.string() })),
    page: z.number(),
    pageCount: z.number(),
    newActions: z.array(z.looseObject({ whatId: z.string(), daysId: z.string(), what: z.string(), days: optionalNumber })),
  }),
  "audit-allocate": z.looseObject({ month: z.string(), theme: z.string(), target: optionalNumber, seed: z.string() }),
  "audit-allocation-summary": z.looseObject({
    month: z.string(),
    theme: z.string(),
    dueDate: z.string(),
    auditorsText: z.string(),
    declines: factValue,
    seed: z.string(),
    strata: z.array(z.looseObject({ label: z.string(), text: factValue })),
    rows: z.array(z.looseObject({ caseRef: z.string(), text: factValue })),
  }),
  "supervision-session": z.looseObject({
    form: z.looseObject({ heldOn: z.string(), durationMinutes: optionalNumber, kind: z.string(), newDate: z.string() }),
  }),
  "survey-home": z.looseObject({
    form: z.looseObject({ reminderEveryDays: optionalNumber }).optional(),
  }),
  "survey-next-steps": z.looseObject({
    summary: z.array(z.looseObject({ title: z.string(), value: factValue })),
  }),
  // ---- Audit-of-practice days and multi-agency audits
  "practice-day": z.looseObject({
    lead: factValue,
    volunteers: factValue,
    teams: z.array(z.looseObject({ title: z.string(), value: factValue })),
    cases: z.array(z.looseObject({ title: z.string(), value: factValue })),
    progress: z.array(z.looseObject({ title: z.string(), value: factValue })),
  }),
  "practice-day-notice": z.looseObject({ caseRef: factValue, area: factValue, date: factValue }),
  "practice-day-volunteer": z.looseObject({ date: factValue, lead: factValue, theme: factValue }),
  "practice-day-analysis": z.looseObject({ area: factValue, team: factValue, worker: factValue, pair: factValue, period: factValue }),
  "practice-day-recommendation": z.looseObject({ caseRef: factValue, date: factValue, dueOn: factValue }),
  "multi-agency": z.looseObject({
    focus: factValue,
    period: factValue,
    toolDue: factValue,
    discussion: factValue,
    invitations: z.array(z.looseObject({ title: z.string(), value: factValue })),
    recommendations: z.array(z.looseObject({ title: z.string(), value: factValue })),
  }),
  "multi-agency-invite": z.looseObject({
    caseRef: factValue,
    focus: factValue,
    period: factValue,
    agency: factValue,
    lead: factValue,
    toolDue: factValue,
    discussion: factValue,
    attendance: factValue,
  }),
  "multi-agency-recommendation": z.looseObject({ agency: factValue, dueOn: factValue }),
};

export type CardDataSchemas = typeof cardDataSchemas;
/** The data a template takes: typed for the cards above, any object for the rest. */
export type CardData<N extends string> = N extends keyof CardDataSchemas ? z.input<CardDataSchemas[N]> : Record<string, unknown>;
