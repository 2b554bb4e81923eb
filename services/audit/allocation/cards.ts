// The allocation's cards, data only: the auditor's allocation card, the notices to the
// practitioner and their manager, and the one-line status card.
import type { AppContext } from "../../context";
import type { Tx } from "../../db";
import { NotFound } from "../../errors";
import type { Actor } from "../../permissions";
import { requireAllocatedAuditor } from "../access";
import { roleLabel } from "../../directory/roles";
import { isoDate, parseIsoDate } from "../../workingTime";
import { planTypeLabel, resolveTheme, type AuditTheme } from "../themes";
import { auditMachine } from "../states";
import { AUDITOR_ROLES } from "./auditors";
import { formatDate } from "../../dates";

/** What a missing audit (or one the person may not read) answers on the allocation cards. */
export const AUDIT_GONE = "This audit does not exist (any more).";

export const allocationCardKey = (auditId: string) => `audit:${auditId}:allocation`;
export const selfAssessmentCardKey = (auditId: string) => `audit:${auditId}:self-assessment`;

export interface CardInfo {
  auditId: string;
  caseRef: string;
  planType: string;
  teamId: string;
  auditorName: string;
  auditorRole: string;
  auditorTeamId: string | null;
  practitionerName: string;
  managerName: string;
  dueDate: string;
  meetingDate: string | null;
  theme: AuditTheme | null;
}

export function allocationCardData(
  i: CardInfo,
  state: "allocated" | "accepted",
  extra: { error?: string; reason?: string; meetingDateError?: string; meetingDate?: string } = {},
): Record<string, unknown> {
  return {
    auditId: i.auditId,
    caseRef: i.caseRef,
    planType: planTypeLabel(i.planType),
    team: i.teamId,
    practitioner: i.practitionerName,
    manager: i.managerName,
    dueDate: formatDate(i.dueDate),
    dueIso: i.dueDate,
    meetingDate: i.meetingDate ? formatDate(i.meetingDate) : "",
    meetingIso: extra.meetingDate ?? i.meetingDate ?? "",
    theme: i.theme?.label ?? "",
    focus: (i.theme?.focus ?? []).map((f) => ({ text: `• ${f}` })),
    accepted: state === "accepted",
    status:
      state === "accepted" ? `Accepted${i.meetingDate ? ` · meeting ${formatDate(i.meetingDate)}` : ""}` : "Waiting for you to accept",
    reason: extra.reason ?? "",
    reasonError: extra.error ?? "",
    meetingDateError: extra.meetingDateError ?? "",
  };
}

export function noticeData(i: CardInfo, audience: "practitioner" | "manager", event: "allocated" | "swapped" | "meeting" = "allocated") {
  const who = `${i.auditorName}${i.auditorRole ? ` (${i.auditorRole}${i.auditorTeamId ? `, ${i.auditorTeamId}` : ""})` : ""}`;
  const title =
    event === "swapped"
      ? "Your case audit has a new auditor"
      : event === "meeting"
        ? "Audit meeting date proposed"
        : "A case is being audited";
  const lines =
    audience === "manager"
      ? [`Case ${i.caseRef} in your team (worker: ${i.practitionerName}) is being audited by ${who}.`]
      : event === "meeting" && i.meetingDate
        ? [
            `${who} proposes the audit meeting for case ${i.caseRef} on ${formatDate(i.meetingDate)}.`,
            "Please complete the self-assessment before the meeting.",
          ]
        : [
            `Case ${i.caseRef} is being audited this month by ${who}.`,
            "The auditor will set a meeting with you. Please complete the self-assessment before the meeting.",
          ];
  return {
    title: audience === "manager" && event === "allocated" ? "A case in your team is being audited" : title,
    lines: lines.map((text) => ({ text })),
    caseRef: i.caseRef,
    planType: planTypeLabel(i.planType),
    practitioner: i.practitionerName,
    auditor: who,
    dueDate: formatDate(i.dueDate),
    meetingDate: i.meetingDate ? formatDate(i.meetingDate) : "",
  };
}

export function statusCardData(d: { caseRef: string; status: string; who: string; when: Date | string; detail?: string }) {
  const when = typeof d.when === "string" ? d.when : formatDate(d.when);
  return { caseRef: d.caseRef, status: d.status, who: d.who, when, detail: d.detail ?? "" };
}

export async function cardInfo(
  tx: Tx | AppContext["db"],
  auditId: string,
): Promise<CardInfo & { auditorId: string; practitionerId: string }> {
  const a = await tx.audit.findUnique({ where: { id: auditId }, include: { case: true, cycle: true } });
  if (!a) throw new NotFound(AUDIT_GONE);
  const people = await tx.staff.findMany({
    where: { id: { in: [a.auditorId, a.practitionerId, a.managerId ?? a.practitionerId] } },
    select: { id: true, name: true, roles: true, teamId: true },
  });
  const p = new Map(people.map((s) => [s.id, s]));
  const auditor = p.get(a.auditorId);
  return {
    auditId: a.id,
    auditorId: a.auditorId,
    practitionerId: a.practitionerId,
    caseRef: a.case.caseRef,
    planType: a.case.planType,
    teamId: a.teamId,
    auditorName: auditor?.name ?? "",
    auditorRole: auditor?.roles.find((r) => AUDITOR_ROLES.includes(r))
      ? roleLabel(auditor.roles.find((r) => AUDITOR_ROLES.includes(r))!)
      : "",
    auditorTeamId: auditor?.teamId ?? null,
    practitionerName: p.get(a.practitionerId)?.name ?? "",
    managerName: a.managerId ? (p.get(a.managerId)?.name ?? "") : "",
    dueDate: isoDate(parseIsoDate(a.dueDate.toISOString())),
    meetingDate: a.meetingDate ? a.meetingDate.toISOString().slice(0, 10) : null,
    theme: resolveTheme(a.cycle.theme),
  };
}

/** The auditor's allocation card as it stands (for re-showing with an error). */
export async function allocationCardFor(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  extra: Parameters<typeof allocationCardData>[2] = {},
): Promise<Record<string, unknown>> {
  const a = await ctx.db.audit.findUnique({
    where: { id: auditId },
    select: { auditorId: true, practitionerId: true, teamId: true, managerId: true, status: true },
  });
  if (!a) throw new NotFound(AUDIT_GONE);
  await requireAllocatedAuditor(ctx.db, actor, a, AUDIT_GONE);
  const info = await cardInfo(ctx.db, auditId);
  return allocationCardData(info, a.status === auditMachine.steps.accept.to ? "accepted" : "allocated", extra);
}
