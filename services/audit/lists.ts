// "my audits": the audits I carry out (start / resume), the audits of my cases (status, my
// self-assessment), and, for managers, my team's audits (read-only). Drafts live in the database,
// so Resume works on any device.
import type { AppContext } from "../context";
import { may, type Actor } from "../permissions";
import { can } from "../stateMachine";
import { formatDate } from "../dates";
import { auditMachine, isOpenAudit, selfAssessmentMachine, type AuditStatus } from "./states";

const LIMIT = 10;

export const STATUS_LABELS: Record<string, string> = {
  allocated: "Allocated: waiting for the auditor to accept",
  accepted: "Accepted: not started",
  in_progress: "In progress (draft saved)",
  submitted: "Submitted",
  finalised: "Finalised",
  not_completed: "Not completed",
} satisfies Record<AuditStatus, string>;
const label = (s: string) => STATUS_LABELS[s] ?? s.replace(/_/g, " ");

/** Everyone below a manager in the line-management tree (a few levels deep). */
async function reportsUnder(db: AppContext["db"], managerId: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set([managerId]);
  let frontier = [managerId];
  for (let depth = 0; depth < 6 && frontier.length; depth++) {
    const rows = await db.staff.findMany({ where: { lineManagerId: { in: frontier } }, select: { id: true } });
    frontier = rows.map((r) => r.id).filter((id) => !seen.has(id));
    frontier.forEach((id) => seen.add(id));
    out.push(...frontier);
  }
  return out;
}

export async function myAudits(ctx: AppContext, actor: Actor) {
  const db = ctx.db;
  const include = { case: { select: { caseRef: true } }, selfAssessment: { select: { status: true } } } as const;
  const asAuditor = await db.audit.findMany({ where: { auditorId: actor.id }, include, orderBy: { dueDate: "asc" }, take: LIMIT });
  const asPractitioner = await db.audit.findMany({
    where: { practitionerId: actor.id },
    include,
    orderBy: { dueDate: "asc" },
    take: LIMIT,
  });
  const team = may(actor, "audits.team")
    ? await db.audit.findMany({
        where: {
          OR: [
            ...(actor.teamId ? [{ teamId: actor.teamId }] : []),
            { managerId: actor.id },
            { practitionerId: { in: await reportsUnder(db, actor.id) } },
          ],
          NOT: { auditorId: actor.id },
        },
        include,
        orderBy: { dueDate: "asc" },
        take: LIMIT,
      })
    : [];
  const names = new Map(
    (
      await db.staff.findMany({
        where: { id: { in: [...asPractitioner, ...team].flatMap((a) => [a.auditorId, a.practitionerId]) } },
        select: { id: true, name: true },
      })
    ).map((s) => [s.id, s.name]),
  );
  return {
    name: actor.name,
    auditing: asAuditor.map((a) => ({
      auditId: a.id,
      caseRef: a.case.caseRef,
      status: label(a.status),
      due: formatDate(a.dueDate),
      canAccept: can(auditMachine, "accept", a.status),
      canStart: a.status === auditMachine.steps.accept.to,
      canResume: a.status === auditMachine.steps.save.to,
      canView: !isOpenAudit(a.status),
    })),
    myCases: asPractitioner.map((a) => ({
      auditId: a.id,
      caseRef: a.case.caseRef,
      status: label(a.status),
      auditor: names.get(a.auditorId) ?? "",
      // Until it is submitted (a saved draft too), the practitioner can open it from here.
      selfAssessmentPending:
        can(selfAssessmentMachine, "submit", a.selfAssessment?.status ?? selfAssessmentMachine.initial) && isOpenAudit(a.status),
    })),
    team: team.map((a) => ({
      auditId: a.id,
      caseRef: a.case.caseRef,
      status: label(a.status),
      who: `${names.get(a.practitionerId) ?? ""} (auditor ${names.get(a.auditorId) ?? ""})`,
    })),
    hasAuditing: asAuditor.length > 0,
    hasMyCases: asPractitioner.length > 0,
    hasTeam: team.length > 0,
    isManager: may(actor, "audits.team"),
    nothing: asAuditor.length + asPractitioner.length + team.length === 0,
  };
}
