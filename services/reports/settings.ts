// What the reports count, in one place. Every threshold here is a setting, not a rule buried in SQL.
// The frameworks give no cut-offs for "below Good", "needs attention", "good" or "improving": the
// defaults are Assure's own, set by REPORT_* (services/config.ts) and named on the report (cutOffsText).
import type { Config } from "../config";
import * as states from "../audit/states";
import { ESCALATION_STATUSES, isActive as isActiveEscalation } from "../escalation/states";

export interface ReportSettings {
  /** An area score (0–10) below this is "below Good" (the model reports give "% not yet good" per question). */
  belowGoodScore: number;
  /** An area is "needing immediate attention" when at least this share of scored audits is below Good. */
  attentionPct: number;
  /** An area is "good" when at most this share of scored audits is below Good. */
  goodPct: number;
  /** An area is "improving" when its share below Good fell by at least this many points since the previous month. */
  improvingPoints: number;
  /** Mean-score change (0–10) under which a trend is "→" (no change). */
  trendEpsilon: number;
  /** Groups smaller than this are suppressed where a person could be identified (per-team feedback, survey means). */
  minGroupSize: number;
  /** Time zone for "submitted by the due date" and "overdue today". */
  timeZone: string;
  /** How many months the trend series covers. */
  trendMonths: number;
}

export const DEFAULT_SETTINGS: ReportSettings = {
  belowGoodScore: 6,
  attentionPct: 50,
  goodPct: 25,
  improvingPoints: 5,
  trendEpsilon: 0.2,
  minGroupSize: 5,
  timeZone: "Europe/London",
  trendMonths: 12,
};

type SettingsConfig = Pick<
  Config,
  "MIN_GROUP_SIZE" | "TIMEZONE" | "REPORT_BELOW_GOOD_SCORE" | "REPORT_ATTENTION_PCT" | "REPORT_GOOD_PCT" | "REPORT_IMPROVING_POINTS"
>;

export function settingsFrom(config: SettingsConfig, overrides: Partial<ReportSettings> = {}): ReportSettings {
  return {
    ...DEFAULT_SETTINGS,
    minGroupSize: config.MIN_GROUP_SIZE,
    timeZone: config.TIMEZONE,
    belowGoodScore: config.REPORT_BELOW_GOOD_SCORE,
    attentionPct: config.REPORT_ATTENTION_PCT,
    goodPct: config.REPORT_GOOD_PCT,
    improvingPoints: config.REPORT_IMPROVING_POINTS,
    ...overrides,
  };
}

/** The cut-offs in words, for the report where it uses them. */
export function cutOffsText(s: Pick<ReportSettings, "belowGoodScore" | "attentionPct" | "goodPct" | "improvingPoints">): string {
  const own = (v: number, d: number) => (v === d ? "Assure's default" : "set by this council");
  const d = DEFAULT_SETTINGS;
  return [
    `Cut-offs (the frameworks give none): an area score under ${s.belowGoodScore} of 10 is "below Good" (${own(s.belowGoodScore, d.belowGoodScore)});`,
    `an area needs attention when ${s.attentionPct}% or more of its scores are below Good (${own(s.attentionPct, d.attentionPct)}),`,
    `shows as good at ${s.goodPct}% or fewer (${own(s.goodPct, d.goodPct)}),`,
    `and is improving when its share fell by ${s.improvingPoints} points or more since last month (${own(s.improvingPoints, d.improvingPoints)}).`,
  ].join(" ");
}

// The statuses the reports count are those the workflows write (their states.ts), as
// plain string lists for SQL parameters and for testing a row's status.
/** Action statuses that mean the action is finished. */
export const CLOSED_ACTION_STATUSES: readonly string[] = states.CLOSED_ACTION_STATUSES;
/** Action statuses that mean the action is still to do. */
export const OPEN_ACTION_STATUSES: readonly string[] = states.OPEN_ACTION_STATUSES;
/** Audit statuses that mean the audit was returned (submitted by the auditor). */
export const RETURNED_AUDIT_STATUSES: readonly string[] = states.RETURNED_AUDIT_STATUSES;
/** Audit statuses that mean the audit will not be completed (its declineReason says why). */
export const NOT_COMPLETED_STATUSES: readonly string[] = states.NOT_COMPLETED_STATUSES;
/** Escalation statuses that are no longer open (services/escalation/states.ts). */
export const CLOSED_ESCALATION_STATUSES: readonly string[] = ESCALATION_STATUSES.filter((s) => !isActiveEscalation(s));
/** The form template id of the Social Work Health Check campaign. */
export const HEALTH_CHECK_TEMPLATE = "health-check";
