// Card data of allocation (the QA team's form and its summary) and of "not completed": built apart
// from the use cases, so allocateMonth and recordNotCompleted read as the story they tell.
import type { Config } from "../config";
import type { AppContext } from "../context";
import { typedNumber, type CardData } from "../../cards/schemas/cardData";
import { mayDeliverHeldNow } from "../delivery/held";
import { localDate } from "../workingTime";
import { formatDate, formatMonth, shiftMonth } from "../dates";
import { DEFAULT_TARGET, type AllocationSummary } from "./allocation";
import { loadAuditThemes, planTypeLabel } from "./themes";
import { NOT_COMPLETED_REASONS } from "./notCompleted";

/** Most case rows the summary card lists; the rest are in the report and `npm run allocate`. */
const MAX_ROWS = 40;

type Typed = Record<string, unknown>;
type FieldErrors = Record<string, string>;

/** "Record an audit as not completed", again with what was typed and the problems when refused. */
export function notCompletedFormData(typed: Typed = {}, errors: FieldErrors = {}, error = ""): CardData<"audit-not-completed"> {
  return {
    error,
    caseRef: String(typed.caseRef ?? ""),
    caseRefError: errors.caseRef ?? "",
    reason: String(typed.reason ?? ""),
    reasonError: errors.reason ?? "",
    reasons: NOT_COMPLETED_REASONS.map((r) => ({ value: r.value, title: r.title })),
  };
}

/** The allocate form: this month and the next three, the themes, the target; refused input shown again. */
export function allocateFormData(ctx: AppContext, typed: Typed = {}, errors: FieldErrors = {}, error = ""): CardData<"audit-allocate"> {
  const now = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const thisMonth = `${now.y}-${String(now.m).padStart(2, "0")}`;
  const months = [0, 1, 2, 3].map((i) => shiftMonth(thisMonth, i));
  return {
    windowMonths: ctx.config.AUDIT_REPEAT_WINDOW_MONTHS,
    months: months.map((m) => ({ title: formatMonth(m), value: m })),
    month: String(typed.month ?? months[1]),
    themes: [{ title: "No theme", value: "none" }, ...loadAuditThemes().themes.map((t) => ({ title: t.label, value: t.id }))],
    theme: String(typed.theme || "none"),
    target: typed.target === undefined ? DEFAULT_TARGET : typedNumber(typed.target),
    seed: String(typed.seed ?? ""),
    error,
    monthError: errors.month ?? "",
    themeError: errors.theme ?? "",
    targetError: errors.target ?? "",
  };
}

/** What an allocation run did (or, previewed, would do), and when its cards reach people. */
export function summaryCardData(
  s: AllocationSummary,
  config: Pick<Config, "QUIET_HOURS_START" | "QUIET_HOURS_END" | "MicrosoftAppId" | "NODE_ENV">,
): CardData<"audit-allocation-summary"> {
  const deliverNow = !!s.heldUntil && mayDeliverHeldNow(config);
  const counts = s.loads.map((l) => l.count);
  const min = counts.length ? Math.min(...counts) : 0;
  const max = counts.length ? Math.max(...counts) : 0;
  const heading = s.alreadyAllocated
    ? `Already allocated: ${s.month}`
    : s.dryRun
      ? `Preview: ${s.month} (nothing allocated yet)`
      : `Allocated: ${s.month}`;
  const intro = s.alreadyAllocated
    ? "This month and theme were allocated before; nothing was allocated twice. This is what that run allocated."
    : s.dryRun
      ? "This is what allocation would do. Press “Allocate these” to allocate exactly this (same seed)."
      : s.heldUntil
        ? `Quiet hours: the auditors' allocation cards, the practitioners' and managers' notices and the self-assessments are held until ${s.heldUntil} (Assure sends no cards from ${config.QUIET_HOURS_START} to ${config.QUIET_HOURS_END} or on non-working days).` +
          (deliverNow ? ' This is a development run: press "Deliver now" or type "deliver now" to send them now.' : "")
        : "Each auditor has an allocation card; each practitioner and their manager were told who audits which case, and the practitioner has the self-assessment.";
  return {
    heading,
    intro,
    preview: s.dryRun && !s.alreadyAllocated,
    deliverNow,
    month: s.month,
    monthValue: s.month,
    theme: s.theme ? s.theme.label : "No theme",
    themeValue: s.theme?.id ?? "",
    target: s.target,
    targetValue: String(s.target),
    allocated: s.allocations.length,
    dueDate: formatDate(s.dueDate),
    auditorsText: `${s.auditorCount} auditors (Deputy Team Manager and above), ${min}–${max} audits each this month`,
    poolText: s.poolSize ? `${s.poolSize} eligible cases (${s.excludedRecent} left out: audited recently)` : "",
    declines: s.declines ? String(s.declines) : "",
    seed: s.seed,
    strata: s.strata.map((x) => ({ label: x.label, text: x.pool ? `${x.selected} of ${x.pool}` : String(x.selected) })),
    unassignable: s.unassignable.length ? `No auditor outside the team was available for: ${s.unassignable.join(", ")}` : "",
    rows: s.allocations.slice(0, MAX_ROWS).map((r) => ({
      caseRef: r.caseRef,
      text: `${planTypeLabel(r.planType)} (${r.teamId}) → ${r.auditor}${r.auditorTeamId ? ` (${r.auditorTeamId})` : ""}`,
    })),
    more:
      s.allocations.length > MAX_ROWS ? `… and ${s.allocations.length - MAX_ROWS} more (see "npm run allocate" or the audit report).` : "",
  };
}
