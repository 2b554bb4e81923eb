// Step 1 of the collaborative case audit (Bexley Children's Social Care Quality Assurance
// Framework, §1.3): the QA team allocates a month's audits. Cases are sampled at random, stratified
// across plan types and service areas, optionally for a theme; each goes to an auditor (Deputy TM
// and above) from another team, spread evenly; a case audited within AUDIT_REPEAT_WINDOW_MONTHS is
// left out. The auditor accepts or asks to swap (with a reason): a swap moves the audit to a peer,
// never drops it.
import { heldUntilText } from "../delivery/held";
import { randomBytes, randomUUID } from "node:crypto";
import type { AppContext } from "../context";
import { quietHours } from "../context";
import type { Tx } from "../db";
import type { Prisma } from "../../generated/prisma/client";
import type { Role } from "../../generated/prisma/enums";
import { AlreadyDone, Conflict, NotFound, ValidationFailed } from "../errors";
import { recordHistory } from "../history";
import { enqueueCardUpdate, enqueueMessage } from "../outbox";
import { requireAllocatedAuditor, rolesWith, type Actor } from "../permissions";
import { roleLabel } from "../directory/roles";
import { isWorkingDay, isoDate, nextDeliveryTime, parseIsoDate, localDate, type LocalDate } from "../workingTime";
import { getGradeScale } from "../catalogue";
import { formatDate, shiftMonth } from "../dates";
import { SWAP_REASON_MAX } from "../../cards/schemas/allocation";
import { mayAudit, planAllocation, type PlanAuditor, type PlanCase, type StratumSummary } from "./plan";
import { planTypeLabel, resolveTheme, type AuditTheme } from "./themes";
import { REMINDER_JOB, scheduleSelfAssessmentReminder, selfAssessmentCardData, selfAssessmentReminderAt } from "./selfAssessment";

/** Auditors are drawn from Deputy Team Manager and above (Bexley framework, §1.3): the matrix's audits.conduct. */
export const AUDITOR_ROLES: Role[] = rolesWith("audits.conduct");

export const DEFAULT_TARGET = 30;
export const allocationCardKey = (auditId: string) => `audit:${auditId}:allocation`;
export const selfAssessmentCardKey = (auditId: string) => `audit:${auditId}:self-assessment`;

// ------------------------------------------------------------------ dates

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The last working day (England & Wales) of a month: the default due date of its audits. */
export function lastWorkingDayOfMonth(month: string): LocalDate {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0));
  let l: LocalDate = { y, m, d: last.getUTCDate() };
  while (!isWorkingDay(l)) l = { ...l, d: l.d - 1 };
  return l;
}

export const dbDate = (l: LocalDate | string): Date => new Date(`${typeof l === "string" ? l.slice(0, 10) : isoDate(l)}T00:00:00.000Z`);

// ------------------------------------------------------------------ allocation

export interface AllocateOptions {
  month: string;
  theme?: string | null;
  target?: number;
  seed?: string;
  dryRun?: boolean;
}

export interface AllocationRow {
  auditId?: string;
  caseRef: string;
  planType: string;
  teamId: string;
  auditorId: string;
  auditor: string;
  auditorTeamId: string | null;
  practitionerId: string;
}

export interface AllocationSummary {
  cycleId: string | null;
  month: string;
  theme: AuditTheme | null;
  target: number;
  seed: string;
  dryRun: boolean;
  alreadyAllocated: boolean;
  dueDate: string;
  poolSize: number;
  excludedRecent: number;
  auditorCount: number;
  strata: (StratumSummary & { label: string })[];
  loads: { auditorId: string; name: string; count: number }[];
  allocations: AllocationRow[];
  unassignable: string[];
  declines: number;
  ms: number;
  /** When the cards this run wrote are held by quiet hours: until when ("Mon 7 Dec, 08:00"). */
  heldUntil?: string;
}

function validateOptions(o: AllocateOptions): { month: string; target: number } {
  const errors: Record<string, string> = {};
  if (!MONTH_RE.test(o.month ?? "")) errors.month = "Give the month as YYYY-MM, e.g. 2026-12.";
  const target = o.target ?? DEFAULT_TARGET;
  if (!Number.isInteger(target) || target < 1 || target > 1000) errors.target = "The target is a whole number of audits from 1 to 1000.";
  if (o.seed !== undefined && (o.seed.length < 1 || o.seed.length > 64)) errors.seed = "A seed is 1 to 64 characters.";
  if (Object.keys(errors).length) throw new ValidationFailed("Some allocation settings are not valid.", errors);
  return { month: o.month, target };
}

async function loadAuditors(db: AppContext["db"] | Tx) {
  return db.staff.findMany({
    where: { active: true, roles: { hasSome: AUDITOR_ROLES } },
    select: { id: true, email: true, name: true, teamId: true, roles: true, auditGroup: true },
    orderBy: { email: "asc" },
  });
}

/**
 * The audit group whose turn a month is, when the directory puts auditors in groups 1…n (null
 * otherwise). The groups work in rotation, one a month ("three Audit Groups that work in rotation");
 * which group starts is Assure's choice: month index (year × 12 + month − 1) mod n, plus 1.
 */
export function auditGroupOf(month: string, groups: number): number | null {
  if (groups < 1) return null;
  const [y, m] = month.split("-").map(Number);
  return ((y! * 12 + m! - 1) % groups) + 1;
}

/** Month loads: audits each auditor holds in cycles of this month. */
async function monthLoads(db: AppContext["db"] | Tx, month: string): Promise<Map<string, number>> {
  const rows = await db.audit.groupBy({ by: ["auditorId"], where: { cycle: { month } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.auditorId, r._count._all]));
}

/** Allocates (or, with dryRun, previews) a month's audits. Idempotent per (month, theme). */
export async function allocateMonth(ctx: AppContext, actor: Actor | null, opts: AllocateOptions): Promise<AllocationSummary> {
  const started = performance.now();
  const { month, target } = validateOptions(opts);
  const theme = resolveTheme(opts.theme);
  const themeId = theme?.id ?? "";
  const existing = await ctx.db.auditCycle.findUnique({ where: { month_theme: { month, theme: themeId } } });
  if (existing)
    return { ...(await cycleSummary(ctx, existing.id)), dryRun: !!opts.dryRun, alreadyAllocated: true, ms: performance.now() - started };

  const seed = opts.seed ?? randomBytes(6).toString("hex");
  const window = ctx.config.AUDIT_REPEAT_WINDOW_MONTHS;
  const recentMonths = window > 0 ? Array.from({ length: 2 * window - 1 }, (_, i) => shiftMonth(month, i - (window - 1))) : [];
  const [cases, recent, auditors, loads] = await Promise.all([
    ctx.db.case.findMany({
      where: {
        active: true,
        worker: { active: true },
        ...(theme && theme.planTypes.length ? { planType: { in: theme.planTypes } } : {}),
      },
      select: {
        id: true,
        caseRef: true,
        teamId: true,
        planType: true,
        workerId: true,
        team: { select: { serviceArea: true } },
        worker: { select: { lineManagerId: true } },
      },
    }),
    recentMonths.length
      ? ctx.db.audit.findMany({ where: { cycle: { month: { in: recentMonths } } }, select: { caseId: true }, distinct: ["caseId"] })
      : Promise.resolve([]),
    loadAuditors(ctx.db),
    monthLoads(ctx.db, month),
  ]);
  const recentIds = new Set(recent.map((r) => r.caseId));
  const pool: PlanCase[] = cases
    .filter((c) => c.workerId && !recentIds.has(c.id))
    .map((c) => ({
      id: c.id,
      caseRef: c.caseRef,
      teamId: c.teamId,
      planType: c.planType,
      serviceArea: c.team.serviceArea || c.teamId,
      workerId: c.workerId!,
      managerId: c.worker?.lineManagerId ?? null,
    }));
  const planAuditors: PlanAuditor[] = auditors.map((a) => ({ id: a.id, email: a.email, teamId: a.teamId }));
  const plan = planAllocation({ cases: pool, auditors: planAuditors, target, seed, existingLoad: loads });
  const due = lastWorkingDayOfMonth(month);
  const caseById = new Map(pool.map((c) => [c.id, c]));
  const auditorById = new Map(auditors.map((a) => [a.id, a]));
  const rows: AllocationRow[] = plan.audits.map((p) => {
    const c = caseById.get(p.caseId)!;
    const a = auditorById.get(p.auditorId)!;
    return {
      caseRef: c.caseRef,
      planType: c.planType,
      teamId: c.teamId,
      auditorId: a.id,
      auditor: a.name,
      auditorTeamId: a.teamId,
      practitionerId: c.workerId,
    };
  });
  const summary: AllocationSummary = {
    cycleId: null,
    month,
    theme,
    target,
    seed,
    dryRun: !!opts.dryRun,
    alreadyAllocated: false,
    dueDate: isoDate(due),
    poolSize: pool.length,
    excludedRecent: cases.filter((c) => recentIds.has(c.id)).length,
    auditorCount: auditors.length,
    strata: plan.strata.map((s) => ({ ...s, label: `${planTypeLabel(s.planType)} · ${s.serviceArea}` })),
    loads: auditors.map((a) => ({ auditorId: a.id, name: a.name, count: plan.loads.get(a.id) ?? 0 })),
    allocations: rows,
    unassignable: plan.unassignable.map((id) => caseById.get(id)!.caseRef),
    declines: 0,
    ms: 0,
  };
  if (opts.dryRun) return { ...summary, ms: performance.now() - started };

  const now = ctx.clock.now();
  const notBefore = nextDeliveryTime(now, quietHours(ctx.config));
  const gradeScaleId = getGradeScale(ctx.config.GRADE_SCALE).id;
  try {
    const cycleId = await ctx.db.$transaction(
      async (tx) => {
        const cycle = await tx.auditCycle.create({
          data: { month, theme: themeId, target, seed, gradeScaleId, createdById: actor?.id ?? null },
        });
        await recordHistory(tx, {
          entityType: "audit_cycle",
          entityId: cycle.id,
          action: "allocated",
          actorId: actor?.id,
          after: { month, theme: themeId, target, seed, allocated: rows.length, excludedRecent: summary.excludedRecent },
        });
        const staff = await tx.staff.findMany({
          where: { id: { in: [...new Set([...rows.map((r) => r.practitionerId), ...pool.map((c) => c.managerId ?? "")])] } },
          select: { id: true, name: true },
        });
        const nameOf = new Map(staff.map((s) => [s.id, s.name]));
        const audits: Prisma.AuditCreateManyInput[] = [];
        const sas: Prisma.SelfAssessmentCreateManyInput[] = [];
        const history: Prisma.HistoryCreateManyInput[] = [];
        const outbox: Prisma.OutboxMessageCreateManyInput[] = [];
        for (const [i, p] of plan.audits.entries()) {
          const c = caseById.get(p.caseId)!;
          const a = auditorById.get(p.auditorId)!;
          const id = randomUUID();
          rows[i]!.auditId = id;
          const audit = {
            id,
            cycleId: cycle.id,
            caseId: c.id,
            auditorId: a.id,
            practitionerId: c.workerId,
            managerId: c.managerId,
            teamId: c.teamId,
            status: "allocated",
            dueDate: dbDate(due),
            gradeScaleId,
            allocatedAt: now,
          };
          audits.push(audit);
          const saId = randomUUID();
          sas.push({ id: saId, auditId: id, practitionerId: c.workerId, dueDate: dbDate(due) });
          history.push({
            entityType: "self_assessment",
            entityId: saId,
            action: "created",
            actorId: actor?.id ?? null,
            after: { auditId: id, practitionerId: c.workerId, status: "pending", dueDate: isoDate(due) },
          });
          history.push({
            entityType: "audit",
            entityId: id,
            action: "allocated",
            actorId: actor?.id ?? null,
            after: { ...audit, caseRef: c.caseRef, allocatedAt: now.toISOString(), dueDate: isoDate(due), seed } as Prisma.InputJsonValue,
          });
          const info: CardInfo = {
            auditId: id,
            caseRef: c.caseRef,
            planType: c.planType,
            teamId: c.teamId,
            auditorName: a.name,
            auditorRole: a.roles[0] ? roleLabel(a.roles[0]) : "",
            auditorTeamId: a.teamId,
            practitionerName: nameOf.get(c.workerId) ?? "",
            managerName: c.managerId ? (nameOf.get(c.managerId) ?? "") : "",
            dueDate: isoDate(due),
            meetingDate: null,
            theme,
          };
          const msg = (recipientId: string, idempotencyKey: string, template: string, data: Record<string, unknown>, cardKey?: string) =>
            outbox.push({
              idempotencyKey,
              recipientId,
              kind: "send",
              cardKey: cardKey ?? null,
              payload: { template, data } as Prisma.InputJsonValue,
              notBefore,
              nextAttemptAt: notBefore,
            });
          msg(a.id, `audit:${id}:allocation:${a.id}`, "audit-allocation", allocationCardData(info, "allocated"), allocationCardKey(id));
          msg(c.workerId, `audit:${id}:notice:${c.workerId}:0`, "audit-allocation-notice", noticeData(info, "practitioner"));
          if (c.managerId) msg(c.managerId, `audit:${id}:notice:${c.managerId}:0`, "audit-allocation-notice", noticeData(info, "manager"));
          msg(
            c.workerId,
            `audit:${id}:self-assessment`,
            "audit-self-assessment",
            selfAssessmentCardData({
              caseRecordSystem: ctx.config.CASE_RECORD_SYSTEM,
              auditId: id,
              caseRef: c.caseRef,
              dueDate: isoDate(due),
              answers: {},
              status: "pending",
            }),
            selfAssessmentCardKey(id),
          );
        }
        await tx.audit.createMany({ data: audits });
        await tx.selfAssessment.createMany({ data: sas });
        await tx.history.createMany({ data: history });
        await tx.outboxMessage.createMany({ data: outbox, skipDuplicates: true });
        const reminderAt = selfAssessmentReminderAt(ctx, isoDate(due));
        if (reminderAt)
          await tx.scheduledJob.createMany({
            data: audits.map((au) => ({
              key: `audit:${au.id}:self-assessment:reminder`,
              name: REMINDER_JOB,
              runAt: reminderAt,
              data: { auditId: au.id } as Prisma.InputJsonValue,
            })),
            skipDuplicates: true,
          });
        return cycle.id;
      },
      { timeout: 120_000 },
    );
    const heldUntil = notBefore > now ? heldUntilText(notBefore, ctx.config.TIMEZONE) : undefined;
    return { ...summary, cycleId, heldUntil, ms: performance.now() - started };
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") {
      // Another run for the same month and theme won the race: show what it allocated.
      const winner = await ctx.db.auditCycle.findUnique({ where: { month_theme: { month, theme: themeId } } });
      if (winner) return { ...(await cycleSummary(ctx, winner.id)), alreadyAllocated: true, ms: performance.now() - started };
    }
    throw err;
  }
}

/** What a cycle allocated (for a repeated run and for reports). */
export async function cycleSummary(ctx: AppContext, cycleId: string): Promise<AllocationSummary> {
  const cycle = await ctx.db.auditCycle.findUnique({
    where: { id: cycleId },
    include: { audits: { include: { case: { select: { caseRef: true, planType: true, team: { select: { serviceArea: true } } } } } } },
  });
  if (!cycle) throw new NotFound("No such audit cycle.");
  const auditors = await loadAuditors(ctx.db);
  const loads = await monthLoads(ctx.db, cycle.month);
  const nameOf = new Map(auditors.map((a) => [a.id, a]));
  const strata = new Map<string, StratumSummary & { label: string }>();
  for (const a of cycle.audits) {
    const key = `${a.case.planType}|${a.case.team.serviceArea}`;
    const s = strata.get(key) ?? {
      key,
      planType: a.case.planType,
      serviceArea: a.case.team.serviceArea,
      pool: 0,
      selected: 0,
      label: `${planTypeLabel(a.case.planType)} · ${a.case.team.serviceArea}`,
    };
    s.selected++;
    strata.set(key, s);
  }
  const theme = resolveTheme(cycle.theme);
  return {
    cycleId: cycle.id,
    month: cycle.month,
    theme,
    target: cycle.target,
    seed: cycle.seed,
    dryRun: false,
    alreadyAllocated: false,
    dueDate: isoDate(lastWorkingDayOfMonth(cycle.month)),
    poolSize: 0,
    excludedRecent: 0,
    auditorCount: auditors.length,
    strata: [...strata.values()].sort((a, b) => a.key.localeCompare(b.key)),
    loads: auditors.map((a) => ({ auditorId: a.id, name: a.name, count: loads.get(a.id) ?? 0 })),
    allocations: cycle.audits
      .map((a) => ({
        auditId: a.id,
        caseRef: a.case.caseRef,
        planType: a.case.planType,
        teamId: a.teamId,
        auditorId: a.auditorId,
        auditor: nameOf.get(a.auditorId)?.name ?? "",
        auditorTeamId: nameOf.get(a.auditorId)?.teamId ?? null,
        practitionerId: a.practitionerId,
      }))
      .sort((a, b) => a.caseRef.localeCompare(b.caseRef)),
    unassignable: [],
    declines: (await declinesForCycle(ctx, cycle.id)).count,
    ms: 0,
  };
}

// ------------------------------------------------------------------ cards (data only)

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
    audience === "practitioner"
      ? [
          `Case ${i.caseRef} is being audited this month by ${who}.`,
          "The auditor will set a meeting with you. Please complete the self-assessment before the meeting.",
        ]
      : [`Case ${i.caseRef} in your team (worker: ${i.practitionerName}) is being audited by ${who}.`];
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

async function cardInfo(tx: Tx | AppContext["db"], auditId: string): Promise<CardInfo & { auditorId: string; practitionerId: string }> {
  const a = await tx.audit.findUnique({ where: { id: auditId }, include: { case: true, cycle: true } });
  if (!a) throw new NotFound("This audit does not exist (any more).");
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
  const a = await ctx.db.audit.findUnique({ where: { id: auditId }, select: { auditorId: true, practitionerId: true, status: true } });
  if (!a) throw new NotFound("This audit does not exist (any more).");
  requireAllocatedAuditor(actor, a);
  const info = await cardInfo(ctx.db, auditId);
  return allocationCardData(info, a.status === "accepted" ? "accepted" : "allocated", extra);
}

// ------------------------------------------------------------------ accept / swap

/** The allocated auditor accepts, optionally proposing the meeting date. */
export async function acceptAllocation(
  ctx: AppContext,
  actor: Actor,
  auditId: string,
  opts: { meetingDate?: string } = {},
): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  const today = isoDate(localDate(now, ctx.config.TIMEZONE));
  return ctx.db.$transaction(async (tx) => {
    const audit = await tx.audit.findUnique({ where: { id: auditId } });
    if (!audit) throw new NotFound("This audit does not exist (any more).");
    if (audit.auditorId !== actor.id && (await swappedAwayFrom(tx, auditId, actor.id)))
      throw new AlreadyDone("You asked to swap this audit; it is now with another auditor.");
    requireAllocatedAuditor(actor, audit);
    if (audit.status === "accepted") throw new AlreadyDone("You have already accepted this audit. Nothing was recorded twice.");
    if (audit.status !== "allocated") throw new AlreadyDone(`This audit is already ${audit.status.replace(/_/g, " ")}.`);
    const meeting = opts.meetingDate?.trim() || null;
    if (meeting) {
      const due = audit.dueDate.toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(meeting) || meeting < today || meeting > due)
        throw new ValidationFailed("The meeting date is not valid.", {
          meetingDate: `Choose a date from ${formatDate(today)} to the due date, ${formatDate(due)}.`,
        });
    }
    const r = await tx.audit.updateMany({
      where: { id: auditId, auditorId: actor.id, status: "allocated" },
      data: { status: "accepted", meetingDate: meeting ? dbDate(meeting) : audit.meetingDate, version: { increment: 1 } },
    });
    if (r.count === 0) throw new AlreadyDone("You have already accepted this audit. Nothing was recorded twice.");
    await recordHistory(tx, {
      entityType: "audit",
      entityId: auditId,
      action: "accepted",
      actorId: actor.id,
      before: { status: audit.status, meetingDate: audit.meetingDate },
      after: { status: "accepted", meetingDate: meeting },
    });
    const info = await cardInfo(tx, auditId);
    const notBefore = nextDeliveryTime(now, quietHours(ctx.config));
    if (meeting) {
      const sa = await tx.selfAssessment.findUnique({ where: { auditId } });
      if (sa && sa.status !== "submitted") {
        await tx.selfAssessment.update({ where: { auditId }, data: { dueDate: dbDate(meeting) } });
        await recordHistory(tx, {
          entityType: "self_assessment",
          entityId: sa.id,
          action: "due_date_changed",
          actorId: actor.id,
          before: { dueDate: sa.dueDate },
          after: { dueDate: meeting },
        });
        await scheduleSelfAssessmentReminder(tx, ctx, auditId, meeting);
      }
      await enqueueMessage(tx, {
        recipientId: audit.practitionerId,
        idempotencyKey: `audit:${auditId}:meeting:${audit.practitionerId}:${meeting}`,
        payload: { template: "audit-allocation-notice", data: noticeData(info, "practitioner", "meeting") },
        notBefore,
      });
    }
    const data = allocationCardData(info, "accepted");
    await enqueueCardUpdate(tx, {
      recipientId: actor.id,
      cardKey: allocationCardKey(auditId),
      idempotencyKey: `audit:${auditId}:allocation:accepted:${actor.id}`,
      payload: { template: "audit-allocation", data },
    });
    return data;
  });
}

async function swappedAwayFrom(tx: Tx, auditId: string, staffId: string): Promise<boolean> {
  const h = await tx.history.findFirst({ where: { entityType: "audit", entityId: auditId, action: "swapped", actorId: staffId } });
  return !!h;
}

/**
 * The allocated auditor cannot do the audit: it moves to a peer (an auditor from another team
 * than the case, not the worker's manager, not anyone who already declined it; lowest load this
 * month first). The reason is recorded and counted. Returns the status card for the old auditor.
 */
export async function requestSwap(ctx: AppContext, actor: Actor, auditId: string, reason: string) {
  const text = reason.trim();
  if (text.length < 5 || text.length > SWAP_REASON_MAX)
    throw new ValidationFailed("Please say why you cannot do this audit.", {
      reason: `A reason of 5 to ${SWAP_REASON_MAX} characters is needed.`,
    });
  const now = ctx.clock.now();
  return ctx.db.$transaction(async (tx) => {
    // Lock the audit row: two swap clicks at once move it once.
    await tx.$queryRaw`SELECT id FROM "Audit" WHERE id = ${auditId} FOR UPDATE`;
    const audit = await tx.audit.findUnique({ where: { id: auditId }, include: { case: true, cycle: true } });
    if (!audit) throw new NotFound("This audit does not exist (any more).");
    if (audit.auditorId !== actor.id && (await swappedAwayFrom(tx, auditId, actor.id)))
      throw new AlreadyDone("You already asked to swap this audit; it has moved to another auditor. Nothing was recorded twice.");
    requireAllocatedAuditor(actor, audit);
    if (audit.status !== "allocated" && audit.status !== "accepted")
      throw new AlreadyDone(`This audit is already ${audit.status.replace(/_/g, " ")}: it can no longer be swapped.`);
    const decliners = await tx.history.findMany({
      where: { entityType: "audit", entityId: auditId, action: "swapped" },
      select: { actorId: true },
    });
    const excluded = new Set([actor.id, ...decliners.map((d) => d.actorId ?? "")]);
    const worker = await tx.staff.findUnique({ where: { id: audit.practitionerId }, select: { lineManagerId: true } });
    const c = { teamId: audit.case.teamId, workerId: audit.practitionerId, managerId: worker?.lineManagerId ?? audit.managerId };
    const loads = await monthLoads(tx, audit.cycle.month);
    // "If someone is unable to complete an audit they swap with a peer in the next month's audit
    // schedule": where the directory has audit groups, the peer is one of next month's group.
    const auditors = await loadAuditors(tx);
    const nextGroup = auditGroupOf(shiftMonth(audit.cycle.month, 1), Math.max(0, ...auditors.map((a) => a.auditGroup ?? 0)));
    const peers = auditors
      .filter((a) => !excluded.has(a.id) && mayAudit(c, a) && (nextGroup === null || a.auditGroup === nextGroup))
      .sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0) || a.email.localeCompare(b.email));
    const peer = peers[0];
    if (!peer)
      throw new Conflict(
        nextGroup === null
          ? "No other auditor is free to take this audit, so it stays with you for now. Please talk to the QA team: nothing was changed."
          : `No auditor of next month's audit group (group ${nextGroup}) is free to take this audit, so it stays with you for now. Please talk to the QA team: nothing was changed.`,
      );
    await tx.audit.update({
      where: { id: auditId },
      // The reason is the swapping auditor's (kept in the history, counted as a decline): the audit
      // now with the peer carries none, so the report never shows it as the peer's.
      data: { auditorId: peer.id, status: "allocated", meetingDate: null, declineReason: null, version: { increment: 1 } },
    });
    await recordHistory(tx, {
      entityType: "audit",
      entityId: auditId,
      action: "swapped",
      actorId: actor.id,
      before: { auditorId: actor.id, status: audit.status },
      after: { auditorId: peer.id, status: "allocated", reason: text },
    });
    const sa = await tx.selfAssessment.findUnique({ where: { auditId } });
    const due = audit.dueDate.toISOString().slice(0, 10);
    if (sa && sa.status !== "submitted" && audit.meetingDate) {
      await tx.selfAssessment.update({ where: { auditId }, data: { dueDate: audit.dueDate } });
      await scheduleSelfAssessmentReminder(tx, ctx, auditId, due);
    }
    const info = await cardInfo(tx, auditId);
    const notBefore = nextDeliveryTime(now, quietHours(ctx.config));
    const n = decliners.length + 1;
    await enqueueMessage(tx, {
      recipientId: peer.id,
      idempotencyKey: `audit:${auditId}:allocation:${peer.id}`,
      cardKey: allocationCardKey(auditId),
      payload: { template: "audit-allocation", data: allocationCardData(info, "allocated") },
      notBefore,
    });
    const status = statusCardData({
      caseRef: audit.case.caseRef,
      status: `Swapped to ${peer.name}`,
      who: `You asked to swap: “${text.length > 120 ? `${text.slice(0, 117)}…` : text}”`,
      when: now,
    });
    await enqueueCardUpdate(tx, {
      recipientId: actor.id,
      cardKey: allocationCardKey(auditId),
      idempotencyKey: `audit:${auditId}:allocation:swapped:${actor.id}`,
      payload: { template: "audit-status", data: status },
    });
    for (const [who, audience] of [
      [audit.practitionerId, "practitioner"],
      [audit.managerId, "manager"],
    ] as const) {
      if (!who) continue;
      await enqueueMessage(tx, {
        recipientId: who,
        idempotencyKey: `audit:${auditId}:notice:${who}:swap:${n}`,
        payload: { template: "audit-allocation-notice", data: noticeData(info, audience, "swapped") },
        notBefore,
      });
    }
    return { status, peer: { id: peer.id, name: peer.name } };
  });
}

/** Declines (swap requests) in a cycle, with their reasons: counted in the monthly report. */
export async function declinesForCycle(ctx: AppContext, cycleId: string) {
  const audits = await ctx.db.audit.findMany({ where: { cycleId }, select: { id: true, case: { select: { caseRef: true } } } });
  const refOf = new Map(audits.map((a) => [a.id, a.case.caseRef]));
  const rows = await ctx.db.history.findMany({
    where: { entityType: "audit", action: "swapped", entityId: { in: audits.map((a) => a.id) } },
    orderBy: { id: "asc" },
  });
  return {
    count: rows.length,
    declines: rows.map((r) => ({
      auditId: r.entityId,
      caseRef: refOf.get(r.entityId) ?? "",
      byId: r.actorId,
      toId: (r.after as { auditorId?: string } | null)?.auditorId ?? null,
      reason: (r.after as { reason?: string } | null)?.reason ?? "",
      at: r.at,
    })),
  };
}
