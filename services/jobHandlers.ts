// Every job handler, in one list (like bot/routes/index.ts for routes). Feature modules add theirs.
import type { JobHandlers } from "./jobs";
import { REMINDER_JOB, selfAssessmentReminder } from "./audit/selfAssessment";
import { actionDueJob, auditFollowUpJob } from "./audit/actions";
import { STAGE_JOB, stageDeadlinePassed } from "./escalation/escalation";
import { OVERDUE_JOB as MODERATION_OVERDUE_JOB, TASKS_JOB, moderationOverdue, tasksDue } from "./moderation/moderation";
import { closeCampaignTx, sendReminders } from "./surveys/campaigns";
import { markSupervisionOverdue, sendSupervisionReminder } from "./supervision/sessions";
import { REPORT_JOB, sendMonthlyReports } from "./reports";
import { retentionJob } from "./retention";
import { OVERDUE_JOB as SUPERVISION_OVERDUE_JOB, REMIND_JOB as SUPERVISION_REMIND_JOB } from "./supervision/plan";

// Audit-of-practice days and multi-agency audits
import { REMIND_JOB as PRACTICE_DAY_REMIND_JOB, SELECT_JOB as PRACTICE_DAY_SELECT_JOB, selectionJob } from "./practiceDay/days";
import { FOLLOW_UP_JOB as PRACTICE_DAY_FOLLOW_UP_JOB, followUpJob, reminderJob } from "./practiceDay/analysis";

export function buildJobHandlers(): JobHandlers {
  return {
    [REMINDER_JOB]: selfAssessmentReminder,
    "audit.followUp": auditFollowUpJob,
    "action.due": actionDueJob,
    [STAGE_JOB]: (tx, ctx, data) => stageDeadlinePassed(tx, ctx, data),
    [MODERATION_OVERDUE_JOB]: (tx, ctx, data) => moderationOverdue(tx, ctx, data),
    [TASKS_JOB]: (tx, ctx, data) => tasksDue(tx, ctx, data),
    "survey.reminder": async (tx, ctx, data) => {
      await sendReminders(tx, ctx, String(data.campaignId), Number(data.n ?? 1));
    },
    "survey.close": async (tx, ctx, data) => {
      await closeCampaignTx(tx, ctx, null, String(data.campaignId));
    },
    [SUPERVISION_REMIND_JOB]: sendSupervisionReminder,
    [SUPERVISION_OVERDUE_JOB]: markSupervisionOverdue,
    [REPORT_JOB]: sendMonthlyReports,
    "retention.run": (tx, ctx) => retentionJob(tx, ctx),
    // Audit-of-practice days and multi-agency audits
    [PRACTICE_DAY_SELECT_JOB]: selectionJob,
    [PRACTICE_DAY_REMIND_JOB]: reminderJob,
    [PRACTICE_DAY_FOLLOW_UP_JOB]: followUpJob,
  };
}
