// The supervision session card (template supervision-session): what it shows one reader, built
// apart from the use cases that record, move and remind.
import { typedNumber } from "../../cards/schemas/cardData";
import type { Tx } from "../db";
import { loadSupervisionRules } from "../catalogue";
import { fromDbDate, isoDate, type LocalDate } from "../workingTime";
import { formatDate } from "../dates";
import { isOpen, SupervisionStatus } from "./states";

export const SESSION_CARD = "supervision-session";
/** Audit actions shown on one supervision card (the oldest due first). */
const MAX_ACTIONS = 10;

export type SessionRow = NonNullable<Awaited<ReturnType<typeof loadSession>>>;

export async function loadSession(db: Tx, id: string) {
  return db.supervisionSession.findUnique({ where: { id } });
}

export interface SessionForm {
  heldOn?: string;
  durationMinutes?: string;
  kind?: string;
  newDate?: string;
  /** Audit actions the supervisor ticked as reviewed in this session. */
  reviewed?: string[];
}

/** Audit actions still open for a supervisee: theirs, and those of audits of their cases. */
export async function openAuditActions(db: Tx, superviseeId: string | null) {
  if (!superviseeId) return [];
  return db.action.findMany({
    where: { status: "open", auditId: { not: null }, OR: [{ assigneeId: superviseeId }, { audit: { practitionerId: superviseeId } }] },
    include: { audit: { select: { case: { select: { caseRef: true } } } } },
    orderBy: { dueAt: "asc" },
    take: MAX_ACTIONS,
  });
}

function statusText(s: SessionRow): string {
  if (s.status === SupervisionStatus.held) return `Held on ${formatDate(s.heldOn!)} (${s.durationMinutes} minutes, ${s.kind})`;
  if (s.status === SupervisionStatus.overdue)
    return `Overdue: it was due on ${formatDate(fromDbDate(s.dueOn))} and has not been recorded as held`;
  return `Due on ${formatDate(fromDbDate(s.dueOn))}`;
}

/** The data of the session card (template supervision-session) for one reader. */
export async function sessionCardData(
  db: Tx,
  s: SessionRow,
  opts: { canRecord: boolean; notice?: string; form?: SessionForm; errors?: Record<string, string>; today?: LocalDate },
) {
  const ids = [s.supervisorId, s.superviseeId].filter((x): x is string => !!x);
  const people = await db.staff.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  const name = (id: string | null) => people.find((p) => p.id === id)?.name ?? "";
  const team = s.teamId ? await db.team.findUnique({ where: { id: s.teamId }, select: { name: true } }) : null;
  const booking = loadSupervisionRules().booking;
  const open = isOpen(s.status);
  const actions = open ? await openAuditActions(db, s.superviseeId) : [];
  const due = fromDbDate(s.dueOn);
  const errors = opts.errors ?? {};
  return {
    sessionId: s.id,
    title: s.superviseeId ? `Supervision: ${name(s.superviseeId)}` : `Group supervision: ${team?.name ?? s.teamId ?? ""}`,
    status: s.status,
    statusText: statusText(s),
    overdue: s.status === SupervisionStatus.overdue,
    supervisor: name(s.supervisorId),
    supervisee: s.superviseeId ? name(s.superviseeId) : "Team (group supervision)",
    team: team?.name ?? "",
    due: formatDate(due),
    notice: opts.notice ?? "",
    guidance: booking.text,
    canRecord: opts.canRecord && open,
    form: {
      heldOn: opts.form?.heldOn ?? isoDate(opts.today ?? due),
      durationMinutes: opts.form ? typedNumber(opts.form.durationMinutes) : booking.durationMinutes.min,
      kind: opts.form?.kind ?? (s.superviseeId ? "individual" : "group"),
      newDate: opts.form?.newDate ?? "",
    },
    errors: {
      heldOn: errors.heldOn ?? "",
      durationMinutes: errors.durationMinutes ?? "",
      kind: errors.kind ?? "",
      newDate: errors.newDate ?? "",
    },
    hasErrors: Object.keys(errors).length > 0,
    // Bexley: audit actions are reviewed in supervision until the team manager is satisfied.
    auditActions: actions.map((a) => ({
      id: `reviewed_${a.id}`,
      text: `Case ${a.audit?.case.caseRef ?? ""}: ${a.description}`,
      due: `Due ${formatDate(a.dueAt)}${a.reviewedAt ? `, last reviewed in supervision on ${formatDate(a.reviewedAt)}` : ""}`,
      value: opts.form?.reviewed?.includes(a.id) ? "true" : "false",
    })),
  };
}
