// Reports end to end: the `report` command through /api/messages, scoped by role; the card, the
// XLSX written for it and direct SQL counts agree; team managers see only their team; calibration
// is for the QA team only; the scheduled monthly send reaches the right people.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { startHarness, cardText, cardActions, type Harness, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { seedReportFixture, type FixtureResult } from "../support/reportFixture";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { scheduleMonthlyReport } from "../../services/reports";

let h: Harness;
let fx: FixtureResult;
const MONTH = "2026-11";
const clock = new ManualClock("2026-12-01T09:00:00Z");

beforeAll(async () => {
  h = await startHarness({ clock });
  fx = await seedReportFixture(h.db, { month: MONTH });
});
afterAll(async () => {
  await h?.close();
});

/** The value of a fact (FactSet title → value) anywhere in a card, fallbacks excluded. */
function fact(card: unknown, title: string): string | undefined {
  let found: string | undefined;
  const walk = (n: unknown) => {
    if (found !== undefined || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Record<string, unknown>;
    if (o.type === "FactSet")
      for (const f of o.facts as { title: string; value: string }[]) if (f.title === title && found === undefined) found = f.value;
    for (const [k, v] of Object.entries(o)) if (k !== "fallback") walk(v);
  };
  walk(card);
  return found;
}

async function sqlCounts(teamIds?: string[]) {
  const team = teamIds ?? null;
  const [row] = await h.db.$queryRaw<{ allocated: number; returned: number; moderated: number; late: number; target: number }[]>`
    SELECT count(*)::int AS allocated,
           count(*) FILTER (WHERE a.status IN ('submitted', 'finalised'))::int AS returned,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "Moderation" m WHERE m."auditId" = a.id AND m.status = 'finalised'))::int AS moderated,
           count(*) FILTER (WHERE a.status IN ('submitted', 'finalised') AND a."submittedAt"::date > a."dueDate")::int AS late,
           (SELECT sum(target) FROM "AuditCycle" WHERE month = ${MONTH})::int AS target
    FROM "Audit" a JOIN "AuditCycle" c ON c.id = a."cycleId"
    WHERE c.month = ${MONTH} AND (${team}::text[] IS NULL OR a."teamId" = ANY(${team}::text[]))`;
  const grades = await h.db.$queryRaw<{ band: string; count: number }[]>`
    SELECT COALESCE(a."moderatedBand", a."gradeBand") AS band, count(*)::int AS count
    FROM "Audit" a JOIN "AuditCycle" c ON c.id = a."cycleId"
    WHERE c.month = ${MONTH} AND a.status IN ('submitted', 'finalised') AND a."submittedAt"::date <= a."dueDate" GROUP BY 1`;
  return { ...row!, grades: Object.fromEntries(grades.map((g) => [g.band, g.count])) };
}

async function readSheet(file: string, name: string): Promise<Map<string, unknown[]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  const out = new Map<string, unknown[]>();
  ws.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    out.set(String(values[0]), values.slice(1));
  });
  return out;
}

const casesOfOtherTeams = (team: string) => Object.entries(fx.casesByTeam).flatMap(([t, refs]) => (t === team ? [] : refs));

describe("the monthly report", () => {
  let hos: StaffRef;
  beforeAll(async () => {
    hos = await h.one("HEAD_OF_SERVICE");
  });

  it("gives a head of service the month at a glance, with charts and the numbers the database holds", async () => {
    const { cards } = await h.say(hos, `report ${MONTH}`);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    const text = cardText(card);
    expect(text).toContain("Audit at a glance — November 2026");
    const sql = await sqlCounts();
    expect(sql.allocated).toBe(30);
    expect(fact(card, "Cases allocated")).toBe(String(sql.allocated));
    expect(fact(card, "Returned")).toBe(String(sql.returned));
    expect(fact(card, "Moderated")).toBe(String(sql.moderated));
    expect(fact(card, "Not in time for moderation (not included)")).toBe(String(sql.late));
    const pct = Math.round((sql.returned / sql.target) * 100);
    expect(fact(card, "Target vs returned")).toBe(`${sql.returned} of ${sql.target} (${pct}%) of the target of ${sql.target}`);
    const graded = Object.values(sql.grades).reduce((s, n) => s + n, 0);
    expect(text).toContain(`Inadequate: ${sql.grades.inadequate ?? 0} of ${graded}`);
    // Charts are there for Teams, each with a fallback for other clients.
    const body = JSON.stringify(card);
    for (const t of ["Chart.VerticalBar", "Chart.Donut", "Chart.HorizontalBar", "Chart.Line"]) expect(body).toContain(`"type":"${t}"`);
    expect((card.body as { type: string; fallback?: unknown }[]).filter((e) => e.type.startsWith("Chart.")).every((e) => e.fallback)).toBe(
      true,
    );
    // Without charts, each fallback line says something of its own: the area by name and its figure.
    const fallbackLines = (card.body as { type: string; fallback?: unknown }[])
      .filter((e) => e.type.startsWith("Chart."))
      .flatMap((e) => cardText({ type: "AdaptiveCard", body: [e.fallback] }).split("\n"))
      .filter(Boolean);
    expect(fallbackLines.length).toBeGreaterThan(19);
    expect(fallbackLines.length - new Set(fallbackLines).size).toBe(0);
    const areaLines = fallbackLines.filter((l) => /below Good/.test(l));
    expect(areaLines).toHaveLength(19);
    expect(areaLines.find((l) => l.startsWith("17. "))).toMatch(/^17\. There is clear critical thinking.*: \d+ of \d+ \(\d+%\) below Good/);
    // Areas needing attention: area 17 (analysis) is the weakest in the fixture.
    expect(text).toMatch(/Area 17: There is clear critical thinking/);
    expect(text).toMatch(/Children seen to benefit, as recorded by auditors: \d+ of \d+ \(\d+%\)/);
    expect(text).toContain("1. My worker listens");
    expect(cardActions(card).map((a) => a.verb)).toEqual(expect.arrayContaining(["report.team", "report.files", "report.quarterly"]));
    expect(cardActions(card).map((a) => a.verb)).not.toContain("report.calibration");
  });

  it("refuses a practitioner, and does not offer reports in their help", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const { cards } = await h.say(worker, "report");
    const text = cardText(cards[0]);
    expect(text).toMatch(/does not allow/);
    expect(text).not.toMatch(/Audit at a glance/);
    const help = cardText((await h.say(worker, "help")).cards[0]);
    expect(help).not.toMatch(/monthly audit at a glance/);
  });

  it("agrees with its XLSX cell for cell and with direct SQL counts", async () => {
    const { card } = await h.execute(hos, "report.files", { month: MONTH });
    const name = /Workbook: (\S+\.xlsx)/.exec(cardText(card))?.[1];
    expect(name).toBeTruthy();
    const file = path.join("reports-out", name!);
    const much = await readSheet(file, "How much");
    const shown = (await h.say(hos, `report ${MONTH}`)).cards[0]!;
    const sql = await sqlCounts();
    for (const [label, sqlValue] of [
      ["Allocated", sql.allocated],
      ["Returned", sql.returned],
      ["Moderated", sql.moderated],
      ["Not in time for moderation (not included)", sql.late],
      ["Target", sql.target],
    ] as const) {
      expect(much.get(label)?.[0], label).toBe(sqlValue);
      if (label !== "Target") expect(fact(shown, label === "Allocated" ? "Cases allocated" : label), label).toBe(String(sqlValue));
    }
    const grades = await readSheet(file, "How well");
    for (const [band, label] of [
      ["inadequate", "Inadequate"],
      ["requires-improvement", "Requires Improvement"],
      ["good", "Good"],
    ]) {
      expect(grades.get(label!)?.[0], label).toBe(sql.grades[band!] ?? 0);
      expect(cardText(shown)).toContain(`${label}: ${grades.get(label!)?.[3]}`);
    }
    const appendix = await readSheet(file, "Team appendix");
    expect(appendix.size - 1).toBe(sql.allocated);
  });
});

describe("team appendix", () => {
  it("gives a team manager only their own team's cases, in the card and in the files", async () => {
    const tm = await h.one("TEAM_MANAGER", "CP");
    const { cards } = await h.say(tm, `report team ${MONTH}`);
    const text = cardText(cards[0]);
    expect(text).toContain("Team appendix — November 2026");
    for (const ref of fx.casesByTeam.CP!.slice(0, 5)) expect(text).toContain(ref);
    for (const ref of casesOfOtherTeams("CP")) expect(text).not.toContain(ref);

    const monthly = await h.say(tm, `report ${MONTH}`);
    const sql = await sqlCounts(["CP"]);
    expect(fact(monthly.cards[0], "Cases allocated")).toBe(String(sql.allocated));
    expect(cardText(monthly.cards[0])).not.toMatch(/^By team$/m);

    const files = await h.execute(tm, "report.files", { month: MONTH });
    const file = path.join("reports-out", /Workbook: (\S+\.xlsx)/.exec(cardText(files.card))![1]!);
    expect(file).toContain("team-CP");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const all: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((r) => all.push((r.values as unknown[]).join("|"))));
    const dump = all.join("\n");
    for (const ref of fx.casesByTeam.CP!.slice(0, 5)) expect(dump).toContain(ref);
    for (const ref of casesOfOtherTeams("CP")) expect(dump).not.toContain(ref);
    expect(wb.getWorksheet("Teams")).toBeUndefined();
  });
});

describe("calibration and the quarterly report", () => {
  it("shows auditor calibration to the QA team only", async () => {
    const qa = await h.one("HEAD_OF_QA");
    const { cards } = await h.say(qa, `report calibration ${MONTH}`);
    const text = cardText(cards[0]);
    expect(text).toMatch(/Auditor calibration/);
    expect(text).toMatch(/agreed \d+ of \d+ \(\d+%\) · mean shift/);
    expect(cardActions((await h.say(qa, `report ${MONTH}`)).cards[0]).map((a) => a.verb)).toContain("report.calibration");

    for (const who of [await h.one("HEAD_OF_SERVICE"), await h.one("TEAM_MANAGER", "CIN")]) {
      const refused = cardText((await h.say(who, `report calibration ${MONTH}`)).cards[0]);
      expect(refused).toMatch(/does not allow/);
      expect(refused).not.toMatch(/mean shift/);
    }
  });

  it("brings audits, moderation, escalations, the health check and feedback together each quarter", async () => {
    const hos = await h.one("HEAD_OF_SERVICE");
    const { cards } = await h.say(hos, "report quarterly 2026-Q4");
    const card = cards[0]!;
    const text = cardText(card);
    expect(text).toContain("Quarterly QA report — 2026-Q4");
    expect(fact(card, "Open now")).toBe("4");
    expect(fact(card, "Open over 28 days")).toBe("1");
    expect(text).toMatch(/Social Work Health Check 2026: 12 of 20 \(60%\) of invited staff responded/);
    // A question answered by fewer than the minimum group is not shown.
    expect(text).toContain("sos-confidence");
    expect(text).not.toContain("rare-question");
  });
});

describe("the scheduled monthly send", () => {
  it("sends heads of service and the QA team the report and each team manager only their team, then schedules next month", async () => {
    const hos = await h.one("HEAD_OF_SERVICE");
    const qa = await h.one("QA_TEAM");
    const tmCp = await h.one("TEAM_MANAGER", "CP");
    for (const s of [hos, qa, tmCp]) await h.install(s);
    const ctx = h.service.ctx;
    await ctx.db.$transaction((tx) => scheduleMonthlyReport(tx, ctx, MONTH));
    const job = await ctx.db.scheduledJob.findUnique({ where: { key: `report:monthly:${MONTH}` } });
    expect(job?.runAt.toISOString()).toBe("2026-12-01T08:00:00.000Z"); // Tue 1 Dec 2026, 08:00 London
    clock.set("2026-12-01T08:30:00Z");
    expect((await runDueJobs(ctx, buildJobHandlers())).ran).toBe(1);
    await h.drainOutbox();

    const toHos = cardText(h.connector.lastCardTo(h.conversationOf(hos)));
    expect(toHos).toContain("Audit at a glance — November 2026");
    expect(cardText(h.connector.lastCardTo(h.conversationOf(qa)))).toContain("Audit at a glance — November 2026");
    const toTm = cardText(h.connector.lastCardTo(h.conversationOf(tmCp)));
    expect(toTm).toContain("Team appendix — November 2026");
    for (const ref of casesOfOtherTeams("CP")) expect(toTm).not.toContain(ref);

    const next = await ctx.db.scheduledJob.findUnique({ where: { key: "report:monthly:2026-12" } });
    expect(next?.status).toBe("pending");
    expect(next?.runAt.toISOString()).toBe("2027-01-04T08:00:00.000Z"); // 1 Jan bank holiday, then the weekend
  });
});
