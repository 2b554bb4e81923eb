// Allocation (QA team), accept / swap (the auditor) and the self-assessment (the practitioner).
// Thin: validate with the card's zod schema, call the service with the authenticated actor,
// render the card. Validation problems re-show the card with what the person typed.
import type { Config } from "../../services/config";
import { mayDeliverHeldNow } from "../../services/delivery/held";
import { z } from "zod";
import { defineRoute, type Command } from "../router";
import { renderCard } from "../../cards/render";
import { typedNumber, type CardData } from "../../cards/schemas/cardData";
import { ValidationFailed } from "../../services/errors";
import type { AppContext } from "../../services/context";
import { localDate } from "../../services/workingTime";
import {
  acceptAllocation,
  allocateMonth,
  allocationCardFor,
  requestSwap,
  shiftMonth,
  formatDate,
  DEFAULT_TARGET,
  type AllocationSummary,
} from "../../services/audit/allocation";
import { loadAuditThemes, planTypeLabel } from "../../services/audit/themes";
import { NOT_COMPLETED_REASONS, recordNotCompleted } from "../../services/audit/notCompleted";
import {
  pendingSelfAssessments,
  saveSelfAssessment,
  selfAssessmentCard,
  selfAssessmentCardWithErrors,
} from "../../services/audit/selfAssessment";
import {
  acceptSchema,
  allocateFormRawSchema,
  allocateFormSchema,
  auditRefSchema,
  notCompletedSchema,
  selfAssessmentSchema,
  swapRawSchema,
  swapReasonSchema,
} from "../../cards/schemas/allocation";

export const allocationCommands: Command[] = [
  { words: "allocate", verb: "audit.allocate.form", description: "Allocate a month's case audits", button: "Allocate audits" },
  { words: "self assessment", verb: "audit.selfAssessment.mine", description: "Your self-assessments before an audit meeting" },
  { words: "not completed", verb: "audit.notCompleted.form", description: "Record that an allocated audit will not be completed, and why" },
];

function notCompletedForm(typed: { caseRef?: string; reason?: string } = {}, errors: Record<string, string> = {}, error = "") {
  return renderCard("audit-not-completed", {
    error,
    caseRef: typed.caseRef ?? "",
    caseRefError: errors.caseRef ?? "",
    reason: typed.reason ?? "",
    reasonError: errors.reason ?? "",
    reasons: NOT_COMPLETED_REASONS.map((r) => ({ value: r.value, title: r.title })),
  });
}

const MAX_ROWS = 40;

function allocateForm(app: AppContext, typed: Record<string, unknown> = {}, errors: Record<string, string> = {}, error = "") {
  const now = localDate(app.clock.now(), app.config.TIMEZONE);
  const thisMonth = `${now.y}-${String(now.m).padStart(2, "0")}`;
  const months = [0, 1, 2, 3].map((i) => shiftMonth(thisMonth, i));
  const label = (m: string) =>
    new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${m}-01T00:00:00Z`));
  return renderCard("audit-allocate", {
    windowMonths: app.config.AUDIT_REPEAT_WINDOW_MONTHS,
    months: months.map((m) => ({ title: label(m), value: m })),
    month: String(typed.month ?? months[1]),
    themes: [{ title: "No theme", value: "none" }, ...loadAuditThemes().themes.map((t) => ({ title: t.label, value: t.id }))],
    theme: String(typed.theme || "none"),
    target: typed.target === undefined ? DEFAULT_TARGET : typedNumber(typed.target),
    seed: String(typed.seed ?? ""),
    error,
    monthError: errors.month ?? "",
    themeError: errors.theme ?? "",
    targetError: errors.target ?? "",
  });
}

export function summaryCard(s: AllocationSummary, config: Config) {
  return renderCard("audit-allocation-summary", summaryCardData(s, config));
}

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

export function allocationRoutes() {
  const allocate = (dryRun: boolean) =>
    defineRoute({
      verb: dryRun ? "audit.allocate.preview" : "audit.allocate.run",
      capability: "audits.allocate",
      schema: allocateFormRawSchema,
      async handle({ app, actor, data }) {
        const parsed = allocateFormSchema.safeParse(data);
        if (!parsed.success) {
          const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? "card"), i.message]));
          return { card: allocateForm(app, data, errors, "Some settings need attention.") };
        }
        const d = parsed.data;
        try {
          const summary = await allocateMonth(app, actor, {
            month: d.month ?? "",
            theme: d.theme,
            target: d.target,
            seed: d.seed || undefined,
            dryRun,
          });
          return { card: summaryCard(summary, app.config) };
        } catch (err) {
          if (err instanceof ValidationFailed) return { card: allocateForm(app, data, err.fieldErrors, err.message) };
          throw err;
        }
      },
    });

  return [
    defineRoute({
      verb: "audit.allocate.form",
      capability: "audits.allocate",
      schema: allocateFormRawSchema,
      async handle({ app }) {
        return { card: allocateForm(app) };
      },
    }),
    allocate(true),
    allocate(false),
    defineRoute({
      verb: "audit.allocation.accept",
      capability: "audits.allocation.respond",
      schema: acceptSchema,
      async handle({ app, actor, data }) {
        try {
          return {
            card: renderCard("audit-allocation", await acceptAllocation(app, actor, data.auditId, { meetingDate: data.meetingDate })),
          };
        } catch (err) {
          if (err instanceof ValidationFailed && err.fieldErrors.meetingDate) {
            const card = await allocationCardFor(app, actor, data.auditId, {
              meetingDateError: err.fieldErrors.meetingDate,
              meetingDate: data.meetingDate,
            });
            return { card: renderCard("audit-allocation", card) };
          }
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "audit.allocation.swap",
      capability: "audits.allocation.respond",
      schema: swapRawSchema,
      async handle({ app, actor, data }) {
        const reason = swapReasonSchema.safeParse(data.reason);
        if (!reason.success) {
          // The person's own card again, with their text and the rule next to the field.
          const card = await allocationCardFor(app, actor, data.auditId, {
            error: reason.error.issues[0]?.message ?? "Please give a reason.",
            reason: data.reason,
          });
          return { card: renderCard("audit-allocation", card) };
        }
        const r = await requestSwap(app, actor, data.auditId, reason.data);
        return { card: renderCard("audit-status", r.status) };
      },
    }),
    defineRoute({
      verb: "audit.notCompleted.form",
      capability: "audits.allocate",
      schema: z.object({}).passthrough(),
      async handle() {
        return { card: notCompletedForm() };
      },
    }),
    defineRoute({
      verb: "audit.notCompleted.record",
      capability: "audits.allocate",
      schema: notCompletedSchema,
      async handle({ app, actor, data }) {
        try {
          return { card: renderCard("audit-status", await recordNotCompleted(app, actor, data)) };
        } catch (err) {
          if (err instanceof ValidationFailed) return { card: notCompletedForm(data, err.fieldErrors, err.message) };
          throw err;
        }
      },
    }),
    defineRoute({
      verb: "audit.selfAssessment.mine",
      capability: "audits.selfAssessment.answer",
      // The caller's own list: no object id is read from card data.
      schema: z.object({}).passthrough(),
      async handle({ app, actor }) {
        const items = await pendingSelfAssessments(app, actor);
        if (items.length === 1)
          return { card: renderCard("audit-self-assessment", await selfAssessmentCard(app, actor, items[0]!.auditId)) };
        return { card: renderCard("audit-self-assessment-list", { items }) };
      },
    }),
    defineRoute({
      verb: "audit.selfAssessment.open",
      capability: "audits.selfAssessment.answer",
      schema: auditRefSchema,
      async handle({ app, actor, data }) {
        return { card: renderCard("audit-self-assessment", await selfAssessmentCard(app, actor, data.auditId)) };
      },
    }),
    ...(["save", "submit"] as const).map((kind) =>
      defineRoute({
        verb: `audit.selfAssessment.${kind}`,
        capability: "audits.selfAssessment.answer",
        schema: selfAssessmentSchema,
        async handle({ app, actor, data }) {
          const { auditId, ...answers } = data;
          try {
            return {
              card: renderCard(
                "audit-self-assessment",
                await saveSelfAssessment(app, actor, auditId, answers, { submit: kind === "submit" }),
              ),
            };
          } catch (err) {
            if (err instanceof ValidationFailed)
              return {
                card: renderCard(
                  "audit-self-assessment",
                  await selfAssessmentCardWithErrors(app, actor, auditId, answers, err.fieldErrors),
                ),
              };
            throw err;
          }
        },
      }),
    ),
  ];
}
