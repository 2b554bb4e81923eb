// Survey campaigns: the QA team opens a survey (any form template) for an audience with a window;
// invitations go out through the outbox; reminders reach non-respondents only; the form is paged,
// keeps a draft and can be resumed; closing the window stops answers.
//
// Anonymous against someone who reads the whole database (system columns included) and the logs.
// What links a person to a survey is SurveyParticipation (invited, responded yes/no, their
// unfinished draft). What they answered carries no staff id, no conversation id, no time and no
// order, and cannot be read until the campaign closes:
// - submit (one transaction): the participation is marked responded and the answers are held
//   sealed (seal.ts: encrypted under a key outside the database, padded to one size per form). The
//   held row shares the transaction id of the participation update, which says only that this
//   person answered, which the participation says anyway;
// - close: every held answer set is opened, team and role are kept only for groups of at least
//   MIN_GROUP_SIZE of the campaign's answers (coarsen), and all are written to SurveyResponse in one
//   shuffled insert dated with the closing day; the sealed rows are deleted. Results read only
//   SurveyResponse of closed campaigns (results.ts), so there is one view of the answers.
// Nothing else is written on submit (no history row, no outbox message, no receipt), and the bot
// logs survey page presses without the actor. docs/DPIA.md says what this rests on and its limits.
//
// One file each: open.ts, answer.ts, close.ts, list.ts; who it is for in audience.ts; who may
// know of one (and the answer for anyone else) in access.ts; the statuses in states.ts.
export { directoryAudience, MANAGER_ROLES, parseAudience, type AudienceSpec } from "./audience";
export { dayOnly, endOfLocalDay, formatDay, startOfLocalDay } from "./days";
export { campaignState, type CampaignState } from "./states";
export { inviteToCampaign, openCampaign, openCampaignTx, sendReminders, type OpenCampaignInput } from "./open";
export { closeCampaign, closeCampaignTx, coarsen } from "./close";
export { answerSurvey, myOpenSurveys, openDraft, type AnswerOutcome, type MySurvey } from "./answer";
export { listCampaigns, type CampaignSummary } from "./list";
