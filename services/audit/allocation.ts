// Allocation (Bexley Children's Social Care Quality Assurance Framework, §1.3): the QA team
// allocates a month's audits; the auditor accepts or asks to swap (with a reason): a swap moves
// the audit to a peer, never drops it. One use case per file in allocation/; this is their entry.
export { allocateMonth, DEFAULT_TARGET } from "./allocation/allocateMonth";
export { acceptAllocation } from "./allocation/accept";
export { requestSwap } from "./allocation/swap";
export { cycleSummary, declinesForCycle } from "./allocation/summary";
export type { AllocateOptions, AllocationRow, AllocationSummary } from "./allocation/summary";
export { AUDITOR_ROLES, auditGroupOf } from "./allocation/auditors";
export { dbDate, lastWorkingDayOfMonth } from "./allocation/dates";
export {
  allocationCardData,
  allocationCardFor,
  allocationCardKey,
  noticeData,
  selfAssessmentCardKey,
  statusCardData,
  type CardInfo,
} from "./allocation/cards";
