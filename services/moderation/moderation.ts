// Moderation of completed audits (Bexley Children's Social Care Quality Assurance Framework, §1.3, fig 1.4). The moderator re-scales the areas,
// records feedback (good practice / areas to develop), checks whether each audit action was
// completed, adds actions with timescales and agrees or disagrees with the auditor's grade.
// Agree → the audit is finalised. Disagree → moderator and auditor agree a grade (either proposes,
// the other accepts), the moderator's manager approves it in Teams, and the audit keeps both
// grades ("moderated down from Good to Requires Improvement"). Still inadequate or actions
// outstanding → worker, TM and SM get a card with tasks due within 24 hours; the Head of QA is told
// of inadequate moderations. One shared card per moderation, rendered per viewer.
//
// One use case per file: card.ts (the shared card), moderatorForm.ts, agreeGrade.ts, finalise.ts,
// oversight.ts (chasing, reassigning, my moderations); sampling.ts allocates them; states.ts holds
// the statuses. This file is their entry.
export { cardData, moderationCardFor, publishModeration } from "./card";
export { saveDraft, submitModeration, type FormValues } from "./moderatorForm";
export { acceptGrade, decideApproval, proposeGrade } from "./agreeGrade";
export { tasksDue } from "./finalise";
export { moderationOverdue, myModerations, reassign } from "./oversight";
export { gradeChoices, gradeLabel, movementText } from "./grades";
export { AREAS_PER_PAGE, cardKeyOf, LIMITS, modPageCount, OVERDUE_JOB, overdueJobKey, TASKS_JOB } from "./model";
