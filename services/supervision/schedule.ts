// How often someone must be supervised: the rules of services/catalogue/supervision.json applied
// to a staff member (case-holding, non-case-holding, NQSW) or a team (group supervision), and the
// due dates that follow from them. Pure functions on local dates: no database, no clock.
import { loadSupervisionRules, type SupervisionPhase, type SupervisionRule } from "../catalogue";
import { addDays, isoDate, workingDayOnOrBefore, type LocalDate } from "../workingTime";
import { addMonths } from "../dates";

export interface Supervisee {
  isNqsw: boolean;
  isCaseHolding: boolean;
}

/** The individual-supervision rule that applies to a person. */
export function ruleFor(s: Supervisee): SupervisionRule {
  const rules = loadSupervisionRules().rules.filter((r) => r.kind === "individual");
  const hit = rules.find((r) =>
    Object.entries(r.appliesTo).every(([k, v]) => v === undefined || (s as unknown as Record<string, unknown>)[k] === v),
  );
  if (!hit) throw new Error(`no supervision rule applies to ${JSON.stringify(s)}`);
  return hit;
}

export function groupRule(): SupervisionRule {
  const r = loadSupervisionRules().rules.find((x) => x.kind === "group");
  if (!r) throw new Error("no group supervision rule in supervision.json");
  return r;
}

const offset = (start: LocalDate, p: { unit: "weeks" | "months"; value: number }): LocalDate =>
  p.unit === "weeks" ? addDays(start, p.value * 7) : addMonths(start, p.value);

/** The phase of a rule in force on `at` for someone who started on `start`. */
export function phaseAt(rule: SupervisionRule, start: LocalDate, at: LocalDate): SupervisionPhase {
  const day = isoDate(at);
  for (const p of rule.phases) {
    const from = isoDate(offset(start, p.from));
    const until = p.until ? isoDate(offset(start, p.until)) : undefined;
    if (day >= from && (until === undefined || day < until)) return p;
  }
  // Before the start date: the first phase.
  return rule.phases[0]!;
}

/**
 * The next due date after `prev`: the longest allowed gap of the phase in force at `prev`, moved
 * back to a working day (never later than the rule allows) but always after `prev`.
 */
export function nextDueDate(rule: SupervisionRule, start: LocalDate, prev: LocalDate): LocalDate {
  const gap = phaseAt(rule, start, prev).maxIntervalDays;
  const candidate = workingDayOnOrBefore(addDays(prev, gap));
  return isoDate(candidate) > isoDate(prev) ? candidate : addDays(prev, gap);
}

/** Due dates after `anchor` up to and including `horizon`. */
export function dueDatesBetween(rule: SupervisionRule, start: LocalDate, anchor: LocalDate, horizon: LocalDate, max = 200): LocalDate[] {
  const out: LocalDate[] = [];
  let prev = anchor;
  const end = isoDate(horizon);
  while (out.length < max) {
    const next = nextDueDate(rule, start, prev);
    if (isoDate(next) > end) break;
    out.push(next);
    prev = next;
  }
  return out;
}
