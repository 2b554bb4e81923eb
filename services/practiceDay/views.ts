// What the QA team, the lead manager and each participant see of audit-of-practice days, and the
// lead manager's report: "a report and action plan that summarises the findings"; "recommendations
// about organisational practice, systems or policies are formulated".
import type { AppContext } from "../context";
import { NotPermitted, ValidationFailed } from "../errors";
import { may, type Actor } from "../permissions";
import { transition } from "../stateMachine";
import { isoDate, localDate } from "../workingTime";
import { loadAuditThemes, resolveTheme } from "../audit/themes";
import { dayLabel, isoOf, practiceDayOf } from "./shared";
import { areaLabel } from "./days";
import { SENIOR_ROLES } from "./plan";
import { practiceDayMachine } from "./states";

const STATUS_TEXT: Record<string, string> = {
  planned: "Planned: volunteers are offering to join the audit teams",
  teams_agreed: "Audit teams agreed: cases are selected five weeks before",
  cases_selected: "Cases selected: workers confirm attendance; pairs audit on the day",
  reported: "Reported: the lead manager's report is written",
};

export async function practiceDaysHome(
  ctx: AppContext,
  typed: Record<string, string> = {},
  errors: Record<string, string> = {},
  error = "",
) {
  const today = localDate(ctx.clock.now(), ctx.config.TIMEZONE);
  const days = await ctx.db.practiceDay.findMany({
    where: { heldOn: { gte: new Date(`${today.y}-01-01T00:00:00Z`) } },
    orderBy: { heldOn: "asc" },
    take: 12,
    include: { _count: { select: { volunteers: true, cases: true } } },
  });
  const leads = await ctx.db.staff.findMany({
    where: { active: true, partnerAgency: null, roles: { hasSome: SENIOR_ROLES } },
    orderBy: [{ name: "asc" }],
    select: { id: true, name: true, roles: true },
  });
  leads.sort((a, b) => Number(b.roles.includes("HEAD_OF_QA")) - Number(a.roles.includes("HEAD_OF_QA")));
  return {
    perYear: String(ctx.config.PRACTICE_DAYS_PER_YEAR),
    selectionWeeks: String(ctx.config.PRACTICE_DAY_SELECTION_WEEKS),
    days: days.map((d) => ({
      dayId: d.id,
      date: dayLabel(d.heldOn),
      text: `${STATUS_TEXT[d.status] ?? d.status} · ${d._count.volunteers} volunteers · ${d._count.cases} cases`,
    })),
    empty: days.length === 0,
    leads: leads.map((l) => ({ title: l.name, value: l.id })),
    lead: typed.lead ?? leads[0]?.id ?? "",
    themes: [{ title: "No theme", value: "none" }, ...loadAuditThemes().themes.map((t) => ({ title: t.label, value: t.id }))],
    theme: typed.theme ?? "none",
    heldOn: typed.heldOn ?? "",
    error,
    heldOnError: errors.heldOn ?? "",
    leadError: errors.lead ?? "",
  };
}

/** One day as the QA team and the lead manager see it. */
export async function dayCardData(ctx: AppContext, actor: Actor, dayId: string, notice = "") {
  const day = await practiceDayOf(ctx.db, dayId);
  const manage = may(actor, "practiceDay.manage");
  // Every member of staff was told of the day (access.ts): "Not allowed" tells them nothing new.
  if (!manage && day.leadManagerId !== actor.id)
    throw new NotPermitted("Only the QA team and the lead manager see a whole audit-of-practice day.");
  const [vols, cases, recs] = await Promise.all([
    ctx.db.practiceDayVolunteer.findMany({ where: { dayId }, orderBy: [{ pairNo: "asc" }, { createdAt: "asc" }] }),
    ctx.db.practiceDayCase.findMany({ where: { dayId }, orderBy: [{ pairNo: "asc" }, { caseRef: "asc" }] }),
    ctx.db.practiceDayRecommendation.findMany({ where: { dayId }, select: { status: true, poorPractice: true } }),
  ]);
  const people = await ctx.db.staff.findMany({
    where: { id: { in: [...vols.map((v) => v.staffId), day.leadManagerId] } },
    select: { id: true, name: true, roles: true },
  });
  const who = new Map(people.map((p) => [p.id, p]));
  const teams = new Map<number, string[]>();
  for (const v of vols) if (v.pairNo) teams.set(v.pairNo, [...(teams.get(v.pairNo) ?? []), who.get(v.staffId)?.name ?? ""]);
  const count = (s: string) => cases.filter((c) => c.status === s).length;
  const org = (day.orgRecommendations ?? []) as string[];
  return {
    dayId,
    date: dayLabel(day.heldOn),
    lead: who.get(day.leadManagerId)?.name ?? "",
    status: STATUS_TEXT[day.status] ?? day.status,
    theme: resolveTheme(day.theme || null)?.label ?? "",
    volunteers: String(vols.length),
    unpaired: vols
      .filter((v) => !v.pairNo)
      .map((v) => who.get(v.staffId)?.name ?? "")
      .join(", "),
    teams: [...teams].map(([n, names]) => ({ title: `Team ${n}`, value: names.join(" and ") })),
    cases: cases.map((c) => ({
      title: c.caseRef,
      value: `${areaLabel(c.planType)} (${c.teamId}) · team ${c.pairNo} · ${c.status === "selected" ? "attendance not confirmed" : c.status}`,
    })),
    progress: [
      { title: "Cases", value: String(cases.length) },
      { title: "Initial contacts", value: String(cases.filter((c) => c.reason === "contact").length) },
      { title: "Attendance confirmed", value: String(cases.length - count("selected")) },
      { title: "Analyses sent / quality-assured", value: `${count("analysed") + count("assured")} / ${count("assured")}` },
      { title: "Poor practice found", value: String(cases.filter((c) => c.poorPractice).length) },
      { title: "Recommendations completed", value: `${recs.filter((r) => r.status === "completed").length} of ${recs.length}` },
    ],
    canAgree: manage && (day.status === "planned" || day.status === "teams_agreed"),
    canSelect: manage && day.status === "teams_agreed",
    canReport: (day.leadManagerId === actor.id || manage) && day.status === "cases_selected",
    reported: day.status === "reported",
    findings: day.findings ?? "",
    orgRecommendations: org.map((text) => ({ text: `• ${text}` })),
    notice,
    findingsError: "",
  };
}

/** The lead manager's report: findings across the sample and recommendations about organisational practice. */
export async function writeReport(ctx: AppContext, actor: Actor, dayId: string, findings: string, orgText: string) {
  const day = await practiceDayOf(ctx.db, dayId);
  if (day.leadManagerId !== actor.id && !may(actor, "practiceDay.manage"))
    throw new NotPermitted("Only the lead manager (or the QA team) writes the day's report.");
  const f = findings.trim();
  const org = orgText
    .split(/\r?\n/)
    .map((l) => l.replace(/^[-•*]\s*/, "").trim())
    .filter(Boolean)
    .slice(0, 20);
  if (f.length < 10 || f.length > 4000)
    throw new ValidationFailed("The report needs its findings.", { findings: "Summarise the findings (10 to 4000 characters)." });
  await ctx.db.$transaction(async (tx) => {
    await transition(tx, practiceDayMachine, "report", {
      id: dayId,
      actorId: actor.id,
      write: (from, to) =>
        tx.practiceDay.updateMany({
          where: { id: dayId, status: { in: from } },
          data: { status: to, findings: f, orgRecommendations: org },
        }),
      after: { organisationalRecommendations: org.length },
      alreadyDone: "The report for this day is already written.",
    });
  });
  return dayCardData(ctx, actor, dayId, "Report saved.");
}

/** A participant's own part: days to volunteer for, their team's cases, attendance to confirm, analyses to assure, recommendations. */
export async function myPracticeDays(ctx: AppContext, actor: Actor) {
  const today = isoDate(localDate(ctx.clock.now(), ctx.config.TIMEZONE));
  const [open, mine, toConfirm, toAssure, recs] = await Promise.all([
    ctx.db.practiceDay.findMany({
      where: { heldOn: { gt: new Date(`${today}T00:00:00Z`) }, status: { in: ["planned", "teams_agreed"] } },
      orderBy: { heldOn: "asc" },
      include: { volunteers: { where: { staffId: actor.id } } },
    }),
    ctx.db.practiceDayVolunteer.findMany({ where: { staffId: actor.id, pairNo: { not: null } }, include: { day: true } }),
    ctx.db.practiceDayCase.findMany({ where: { workerId: actor.id, status: "selected" }, include: { day: true } }),
    ctx.db.practiceDayCase.findMany({ where: { status: "analysed", day: { leadManagerId: actor.id } }, orderBy: { caseRef: "asc" } }),
    ctx.db.practiceDayRecommendation.findMany({ where: { assigneeId: actor.id, status: "open" }, orderBy: { dueOn: "asc" } }),
  ]);
  const teamCases = mine.length
    ? await ctx.db.practiceDayCase.findMany({
        where: { OR: mine.map((m) => ({ dayId: m.dayId, pairNo: m.pairNo! })), status: { in: ["selected", "confirmed", "analysed"] } },
        orderBy: { caseRef: "asc" },
      })
    : [];
  const refs = new Map(
    (
      await ctx.db.practiceDayCase.findMany({
        where: { id: { in: recs.map((r) => r.dayCaseId ?? "") } },
        select: { id: true, caseRef: true },
      })
    ).map((c) => [c.id, c.caseRef]),
  );
  const items = {
    volunteerDays: open.map((d) => ({ dayId: d.id, date: dayLabel(d.heldOn), volunteered: d.volunteers.length > 0 })),
    teamCases: teamCases.map((c) => ({
      dayCaseId: c.id,
      caseRef: c.caseRef,
      text: `${areaLabel(c.planType)} · ${c.status === "analysed" ? "analysis sent" : "to analyse"}`,
    })),
    toConfirm: toConfirm.map((c) => ({ dayCaseId: c.id, caseRef: c.caseRef, text: `Audit of practice day ${dayLabel(c.day.heldOn)}` })),
    toAssure: toAssure.map((c) => ({
      dayCaseId: c.id,
      caseRef: c.caseRef,
      text: `${areaLabel(c.planType)}${c.poorPractice ? " · poor practice flagged" : ""}`,
    })),
    recommendations: recs.map((r) => ({ recId: r.id, caseRef: refs.get(r.dayCaseId ?? "") ?? "", text: `Due ${dayLabel(r.dueOn)}` })),
  };
  return { ...items, empty: Object.values(items).every((l) => l.length === 0), today: isoOf(new Date(`${today}T00:00:00Z`)) };
}
