// Who may know of an audit-of-practice day, one of its cases or one of its recommendations
// (object-level refusals). Whoever may know of the item is told why they are refused ("Not
// allowed"); to anyone else a refusal is the very answer of a missing one, so it does not tell that
// the id names something.
//
// A day itself is announced to every member of the council's staff (scheduleDay sends each of them
// the card asking for volunteers, with its date and lead), so anyone past the role check knows it
// exists and is told "Not allowed". A case of the day and a recommendation are known only to the
// people below.
import type { Db, Tx } from "../db";
import { refuse } from "../errors";
import { may, type Actor } from "../permissions";

/** What a missing day answers. */
export const DAY_MISSING = "This audit-of-practice day does not exist (any more).";
/** What a missing case of a day answers, and what anyone who may not know of it is answered. */
export const DAY_CASE_MISSING = "This case is not in an audit-of-practice day (any more).";
/** The same for a recommendation of a day. */
export const RECOMMENDATION_MISSING = "This recommendation does not exist (any more).";

type DayCase = { dayId: string; pairNo: number; workerId: string; managerId: string | null; day: { leadManagerId: string } };

/**
 * Who knows of a case of a day: the QA team (the day's card lists its cases), the lead manager, the
 * worker who holds it, their manager, and the audit pair it is allocated to.
 */
async function mayKnowDayCase(db: Db | Tx, actor: Actor, c: DayCase): Promise<boolean> {
  if (may(actor, "practiceDay.manage") || [c.day.leadManagerId, c.workerId, c.managerId].includes(actor.id)) return true;
  return (await db.practiceDayVolunteer.count({ where: { dayId: c.dayId, pairNo: c.pairNo, staffId: actor.id } })) > 0;
}

type Pair = { staffId: string }[];
const inPair = (actor: Actor, pair: Pair) => pair.some((p) => p.staffId === actor.id);
const refuseCase = async (db: Db | Tx, actor: Actor, c: DayCase, message: string): Promise<never> =>
  refuse(await mayKnowDayCase(db, actor, c), DAY_CASE_MISSING, message);

/** Only the worker who holds the case confirms attendance. */
export async function requireCaseWorker(db: Db | Tx, actor: Actor, c: DayCase): Promise<void> {
  if (c.workerId !== actor.id) await refuseCase(db, actor, c, "Only the worker who holds this case confirms attendance.");
}

/** The case's audit pair (`pair`) and the day's lead manager open its analysis. */
export async function requirePairOrLead(db: Db | Tx, actor: Actor, c: DayCase, pair: Pair): Promise<void> {
  if (!inPair(actor, pair) && c.day.leadManagerId !== actor.id)
    await refuseCase(db, actor, c, "Only the audit pair for this case and the lead manager can open its analysis.");
}

/** Only the case's audit pair writes its analysis. */
export async function requirePair(db: Db | Tx, actor: Actor, c: DayCase, pair: Pair): Promise<void> {
  if (!inPair(actor, pair)) await refuseCase(db, actor, c, "Only the audit pair for this case can write its analysis.");
}

/** Only the day's lead manager quality-assures the analyses. */
export async function requireLead(db: Db | Tx, actor: Actor, c: DayCase): Promise<void> {
  if (c.day.leadManagerId !== actor.id)
    await refuseCase(db, actor, c, "Only the lead manager of this audit-of-practice day quality-assures analyses.");
}

type Recommendation = {
  assigneeId: string;
  seniorManagerId: string | null;
  createdById: string | null;
  day: { leadManagerId: string };
};

/**
 * Who knows of a recommendation: the line manager and senior manager it went to, the lead manager
 * who made it, and the QA team (the day's card counts its recommendations).
 */
const mayKnowRecommendation = (actor: Actor, r: Recommendation) =>
  may(actor, "practiceDay.manage") || [r.assigneeId, r.seniorManagerId, r.createdById, r.day.leadManagerId].includes(actor.id);

/** Only the line manager the recommendation went to confirms its completion. */
export async function requireAssignee(actor: Actor, r: Recommendation): Promise<void> {
  if (r.assigneeId !== actor.id)
    refuse(
      mayKnowRecommendation(actor, r),
      RECOMMENDATION_MISSING,
      "Only the line manager this recommendation went to confirms its completion.",
    );
}

/** The line manager and the senior manager it went to open the recommendation. */
export async function requireRecipient(actor: Actor, r: Recommendation): Promise<void> {
  if (r.assigneeId !== actor.id && r.seniorManagerId !== actor.id)
    refuse(
      mayKnowRecommendation(actor, r),
      RECOMMENDATION_MISSING,
      "Only the line manager and senior manager this recommendation went to can open it.",
    );
}
