// Retention: records past their period are deleted (or, for survey drafts, cleared). Periods come
// from configuration (RETENTION_*). A dry run counts what would go, table by table, and changes
// nothing. The History table is NOT purged here: it is append-only by database trigger, and its
// retention is a deliberate, separate decision (see SECURITY.md, "Retention of the history").
import type { AppContext } from "./context";
import type { Config } from "./config";
import type { Tx } from "./db";

export interface RetentionLine {
  table: string;
  action: "delete" | "clear draft";
  rule: string;
  count: number;
}

export interface RetentionReport {
  dryRun: boolean;
  at: string;
  lines: RetentionLine[];
  total: number;
  notPurged: string[];
}

const DAY = 86_400_000;
const daysAgo = (now: Date, d: number) => new Date(now.getTime() - d * DAY);
const yearsAgo = (now: Date, y: number) => {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - y);
  return d;
};

const FINISHED_OUTBOX = ["sent", "dead", "skipped", "blocked"];
const FINISHED_JOBS = ["done", "cancelled", "failed", "dead"];

/** Runs every rule in one transaction; with dryRun the transaction only counts. */
export async function runRetention(tx: Tx, config: Config, now: Date, opts: { dryRun: boolean }): Promise<RetentionReport> {
  const lines: RetentionLine[] = [];
  const step = async (line: Omit<RetentionLine, "count">, count: () => Promise<number>, apply: () => Promise<number>) => {
    const n = opts.dryRun ? await count() : await apply();
    lines.push({ ...line, count: n });
  };

  const outboxBefore = daysAgo(now, config.RETENTION_OUTBOX_DAYS);
  const outboxWhere = { status: { in: FINISHED_OUTBOX }, createdAt: { lt: outboxBefore } };
  await step(
    {
      table: "OutboxMessage",
      action: "delete",
      rule: `delivered, dead or blocked card messages older than ${config.RETENTION_OUTBOX_DAYS} days`,
    },
    () => tx.outboxMessage.count({ where: outboxWhere }),
    async () => (await tx.outboxMessage.deleteMany({ where: outboxWhere })).count,
  );
  const cardWhere = { updatedAt: { lt: outboxBefore } };
  await step(
    { table: "CardInstance", action: "delete", rule: `where cards were delivered, untouched for ${config.RETENTION_OUTBOX_DAYS} days` },
    () => tx.cardInstance.count({ where: cardWhere }),
    async () => (await tx.cardInstance.deleteMany({ where: cardWhere })).count,
  );
  const jobsWhere = { status: { in: FINISHED_JOBS }, createdAt: { lt: daysAgo(now, config.RETENTION_JOBS_DAYS) } };
  await step(
    { table: "ScheduledJob", action: "delete", rule: `finished deadlines older than ${config.RETENTION_JOBS_DAYS} days` },
    () => tx.scheduledJob.count({ where: jobsWhere }),
    async () => (await tx.scheduledJob.deleteMany({ where: jobsWhere })).count,
  );
  const receiptWhere = { createdAt: { lt: daysAgo(now, config.RETENTION_RECEIPTS_DAYS) } };
  await step(
    { table: "ActionReceipt", action: "delete", rule: `double-click receipts older than ${config.RETENTION_RECEIPTS_DAYS} days` },
    () => tx.actionReceipt.count({ where: receiptWhere }),
    async () => (await tx.actionReceipt.deleteMany({ where: receiptWhere })).count,
  );

  // Survey drafts: half-filled answers of people who never submitted, once the survey is long closed.
  const draftWhere = {
    responded: false,
    campaign: { closesAt: { lt: daysAgo(now, config.RETENTION_SURVEY_DRAFT_DAYS) } },
    NOT: { draft: { equals: {} } },
  };
  await step(
    {
      table: "SurveyParticipation",
      action: "clear draft",
      rule: `unsubmitted survey drafts ${config.RETENTION_SURVEY_DRAFT_DAYS} days after the survey closed`,
    },
    () => tx.surveyParticipation.count({ where: draftWhere }),
    async () => (await tx.surveyParticipation.updateMany({ where: draftWhere, data: { draft: {} } })).count,
  );
  const responseWhere = { campaign: { closesAt: { lt: yearsAgo(now, config.RETENTION_SURVEY_RESPONSE_YEARS) } } };
  await step(
    {
      table: "SurveyResponse",
      action: "delete",
      rule: `anonymous survey answers ${config.RETENTION_SURVEY_RESPONSE_YEARS} years after the survey closed`,
    },
    () => tx.surveyResponse.count({ where: responseWhere }),
    async () => (await tx.surveyResponse.deleteMany({ where: responseWhere })).count,
  );

  // Audits finalised (or, never finalised, allocated) more than RETENTION_AUDIT_YEARS ago, with
  // everything hanging off them: answers, self-assessment, feedback, actions, moderations.
  const auditBefore = yearsAgo(now, config.RETENTION_AUDIT_YEARS);
  const oldAudits = await tx.audit.findMany({
    where: { OR: [{ finalisedAt: { lt: auditBefore } }, { finalisedAt: null, allocatedAt: { lt: auditBefore } }] },
    select: { id: true },
  });
  const auditIds = oldAudits.map((a) => a.id);
  const moderationIds = auditIds.length
    ? (await tx.moderation.findMany({ where: { auditId: { in: auditIds } }, select: { id: true } })).map((m) => m.id)
    : [];
  const actionWhere = { OR: [{ auditId: { in: auditIds } }, { moderationId: { in: moderationIds } }] };
  const rule = `audits finalised more than ${config.RETENTION_AUDIT_YEARS} years ago`;
  await step(
    { table: "Action", action: "delete", rule: `actions of ${rule}` },
    () => tx.action.count({ where: actionWhere }),
    async () => (await tx.action.deleteMany({ where: actionWhere })).count,
  );
  await step(
    { table: "Moderation", action: "delete", rule: `moderations of ${rule}` },
    async () => moderationIds.length,
    async () => (await tx.moderation.deleteMany({ where: { id: { in: moderationIds } } })).count,
  );
  for (const [table, count] of [
    ["AuditAnswer", () => tx.auditAnswer.count({ where: { auditId: { in: auditIds } } })],
    ["SelfAssessment", () => tx.selfAssessment.count({ where: { auditId: { in: auditIds } } })],
    ["Feedback", () => tx.feedback.count({ where: { auditId: { in: auditIds } } })],
  ] as const) {
    // Deleted with their audit (ON DELETE CASCADE); counted for the report.
    lines.push({ table, action: "delete", rule: `with their audit (${rule})`, count: await count() });
  }
  await step(
    { table: "Audit", action: "delete", rule },
    async () => auditIds.length,
    async () => (await tx.audit.deleteMany({ where: { id: { in: auditIds } } })).count,
  );

  return {
    dryRun: opts.dryRun,
    at: now.toISOString(),
    lines,
    total: lines.reduce((n, l) => n + l.count, 0),
    notPurged: [
      "History: append-only by database trigger; kept as the audit trail (see SECURITY.md, Retention of the history)",
      "Staff, Team, Case: the directory is maintained by import, not by age",
      "Escalation and EscalationEvent: kept with the child's case record; no period agreed yet",
    ],
  };
}

export async function applyRetention(ctx: AppContext, opts: { dryRun: boolean }): Promise<RetentionReport> {
  const report = await ctx.db.$transaction((tx) => runRetention(tx, ctx.config, ctx.clock.now(), opts), { timeout: 120_000 });
  ctx.log.info({ dryRun: report.dryRun, total: report.total, lines: report.lines.filter((l) => l.count > 0) }, "retention");
  return report;
}

/** The report as text (the dry-run output). */
export function formatRetentionReport(r: RetentionReport): string {
  const head = r.dryRun ? `Retention dry run at ${r.at}: nothing was changed. Would remove:` : `Retention run at ${r.at}. Removed:`;
  const width = Math.max(...r.lines.map((l) => l.table.length));
  const body = r.lines.map((l) => `  ${l.table.padEnd(width)}  ${String(l.count).padStart(7)}  ${l.action}: ${l.rule}`);
  return [
    head,
    ...body,
    `  ${"total".padEnd(width)}  ${String(r.total).padStart(7)}`,
    "Not purged by this job:",
    ...r.notPurged.map((n) => `  - ${n}`),
  ].join("\n");
}

/** Job handler: runs retention inside the scheduler's transaction (services/jobHandlers.ts). */
export async function retentionJob(tx: Tx, ctx: AppContext): Promise<void> {
  const report = await runRetention(tx, ctx.config, ctx.clock.now(), { dryRun: false });
  ctx.log.info({ total: report.total, lines: report.lines.filter((l) => l.count > 0) }, "retention job");
}
