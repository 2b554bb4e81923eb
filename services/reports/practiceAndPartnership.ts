// The monthly report's section on audit-of-practice days (Halton framework) and multi-agency audits
// (Bexley framework §1.4), apart from the collaborative case audits: how many were held, what they
// found, and whether their recommendations are done. Counts of activity, not of people's answers.
import type { Db, Tx } from "../db";

export interface Fact {
  title: string;
  value: string;
}

/** The month's facts, or none when neither kind of activity touched the month. */
export async function practiceAndPartnershipFacts(db: Db | Tx, month: string, now: Date): Promise<Fact[]> {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1));
  const to = new Date(Date.UTC(y, m, 1));
  const inMonth = { gte: from, lt: to };
  const [days, cases, recs, maSetUp, maDiscussed, maRecs] = await Promise.all([
    db.practiceDay.count({ where: { heldOn: inMonth } }),
    db.practiceDayCase.groupBy({ by: ["status", "poorPractice"], where: { day: { heldOn: inMonth } }, _count: { _all: true } }),
    db.practiceDayRecommendation.findMany({ where: { createdAt: { lt: to } }, select: { status: true, dueOn: true } }),
    db.multiAgencyAudit.count({ where: { createdAt: inMonth } }),
    db.multiAgencyAudit.count({ where: { discussionOn: inMonth, status: { in: ["discussed", "closed"] } } }),
    db.multiAgencyRecommendation.findMany({ where: { createdAt: { lt: to } }, select: { status: true, dueOn: true } }),
  ]);
  const n = (f: (r: (typeof cases)[number]) => boolean) => cases.filter(f).reduce((s, r) => s + r._count._all, 0);
  const open = (rows: { status: string; dueOn: Date }[], doneStatus: string) => {
    const o = rows.filter((r) => r.status !== doneStatus);
    return `${rows.length - o.length} done, ${o.length} open (${o.filter((r) => r.dueOn < now).length} overdue)`;
  };
  if (!days && !recs.length && !maSetUp && !maDiscussed && !maRecs.length) return [];
  return [
    { title: "Audit of practice days held", value: String(days) },
    { title: "Cases audited on them", value: `${n(() => true)} (${n((r) => r.status === "assured")} analyses quality-assured)` },
    { title: "Poor practice found", value: String(n((r) => r.poorPractice)) },
    { title: "Practice day recommendations", value: open(recs, "completed") },
    { title: "Multi-agency audits set up", value: String(maSetUp) },
    { title: "Reflective practice discussions held", value: String(maDiscussed) },
    { title: "Multi-agency recommendations", value: open(maRecs, "done") },
  ];
}
