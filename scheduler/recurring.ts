// Recurring jobs run by Agenda (one run per interval across all instances). Each calls a service;
// the service is idempotent, so a run repeated after a crash does no harm. Feature modules append
// theirs here (e.g. "report.monthly").
import type { AppContext } from "../services/context";
import { planSupervision } from "../services/supervision/plan";
import { ensureMonthlyReportScheduled } from "../services/reports";
import { sendHeadOfServiceDigests } from "../services/audit/outcome";
import { inviteNewStarters } from "../services/surveys/induction";

export interface RecurringJob {
  name: string;
  /** Agenda interval: a cron expression (in config.TIMEZONE) or a human interval ("1 day"). */
  interval: string;
  /** `shouldStop` turns true on shutdown: stop at the next safe point (the job is idempotent). */
  run(ctx: AppContext, shouldStop: () => boolean): Promise<void>;
  lockLifetimeMs?: number;
}

export function buildRecurringJobs(): RecurringJob[] {
  return [
    {
      // Every morning: extend each supervisee's booked sessions to the booking horizon.
      name: "supervision.plan",
      interval: "15 6 * * *",
      async run(ctx, shouldStop) {
        await planSupervision(ctx, { shouldStop });
      },
    },
    {
      // Every morning: make sure this month's "audit at a glance" is scheduled for the first working
      // day of next month (the report job then schedules the month after).
      name: "report.ensureScheduled",
      interval: "5 6 * * *",
      async run(ctx) {
        await ensureMonthlyReportScheduled(ctx);
      },
    },
    {
      // Every morning: each head of service gets the previous day's audits of their service as one
      // card (delivered in working hours; idempotent per head of service and day).
      name: "audit.digest",
      interval: "0 7 * * *",
      async run(ctx) {
        await sendHeadOfServiceDigests(ctx);
      },
    },
    {
      // Every morning: starters whose start date was three months ago are invited to the induction
      // questionnaire (once per person; delivered in working hours).
      name: "survey.induction",
      interval: "30 6 * * *",
      async run(ctx) {
        await inviteNewStarters(ctx);
      },
    },
  ];
}
