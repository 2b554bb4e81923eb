// The Social Work Health Check end to end: the QA team opens it for the 60 staff of the demo
// directory, half answer through /api/messages (paged; one resumes from a draft), reminders reach
// only the other half, results are shown once the window closes (respecting the minimum group size,
// compared with last year), closing the window refuses late answers, and no response can be joined
// back to a person.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { fill, inputsOf, openHealthCheck } from "../support/surveyForm";
import { ManualClock } from "../../services/clock";
import { runDueJobs } from "../../services/jobs";
import { buildJobHandlers } from "../../services/jobHandlers";
import { campaignResults } from "../../services/surveys/results";
import { exportResults, resultsCsv } from "../../services/surveys/resultsExport";
import { openDraft } from "../../services/surveys/campaigns";
import { cardSizeBytes, type CardJson } from "../../cards/render";
import { cardProblems } from "../../cards/validate";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday, working hours
let staff: StaffRef[];
let qa: StaffRef;
let campaignId: string;
let respondents: StaffRef[];
let others: StaffRef[];
let largestCard = 0;
const submissionOrder: string[] = [];
const MANAGERS = ["TEAM_MANAGER", "DEPUTY_TEAM_MANAGER", "SERVICE_MANAGER", "HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR"];

function track(card: Record<string, unknown>) {
  largestCard = Math.max(largestCard, cardSizeBytes(card as CardJson));
  return card;
}

async function press(s: StaffRef, card: Record<string, unknown>, title: string, answers: Record<string, string> = {}) {
  const action = cardActions(card).find((a) => a.title === title);
  if (!action)
    throw new Error(
      `no "${title}" on the card: ${cardActions(card)
        .map((a) => a.title)
        .join(", ")}\n${cardText(card)}`,
    );
  const res = await h.execute(s, action.verb, { ...action.data, ...fill(card, answers) });
  expect(res.invokeStatus).toBe(200);
  return track(res.card);
}

function answersFor(s: StaffRef, i: number): Record<string, string> {
  const manager = s.roles.some((r) => MANAGERS.includes(r));
  return {
    "role-group": manager ? "team-manager" : "practitioner",
    "direct-work": manager ? "no" : "yes",
    "confidence-three-houses": "8",
    "culture-challenge": "Agree",
    // Test-only marker so the test can see row order; a real respondent's text is their own.
    worrying: `marker-${String(i).padStart(2, "0")}`,
  };
}

/** Answers the whole form from its first page, pressing Next until Submit. */
async function answerAll(s: StaffRef, first: Record<string, unknown>, i: number) {
  let card = first;
  for (let guard = 0; guard < 12; guard++) {
    const titles = cardActions(card).map((a) => a.title);
    if (titles.includes("Submit")) {
      card = await press(s, card, "Submit", answersFor(s, i));
      submissionOrder.push(`marker-${String(i).padStart(2, "0")}`);
      return card;
    }
    card = await press(s, card, "Next", answersFor(s, i));
  }
  throw new Error("form did not end");
}

const h = useHarness(
  { clock },
  async () => {
    staff = await h.installEveryone();
    qa = await h.one("QA_TEAM");
    // Last year's Health Check, already closed, with its answers.
    const prev = await h.db.surveyCampaign.create({
      data: {
        templateId: "health-check",
        templateVersion: 1,
        title: "Social Work Health Check 2025",
        audience: {},
        opensAt: new Date("2025-12-01T00:00:00Z"),
        closesAt: new Date("2025-12-22T00:00:00Z"),
        status: "closed",
      },
    });
    await h.db.surveyResponse.createMany({
      data: Array.from({ length: 20 }, () => ({
        campaignId: prev.id,
        submittedOn: new Date("2025-12-05T00:00:00Z"),
        roleGroup: "practitioner",
        teamId: null,
        answers: { "role-group": "practitioner", "direct-work": "yes", "confidence-three-houses": 5, "culture-challenge": "Disagree" },
      })),
    });
  },
  180_000,
);

describe("Social Work Health Check campaign", () => {
  it("is opened only by the QA team", async () => {
    const worker = await h.one("PRACTITIONER", "CP");
    const res = await h.execute(worker, "survey.open", {
      templateId: "health-check",
      audience: "all",
      opensOn: "2026-12-01",
      closesOn: "2026-12-21",
      reminderEveryDays: 7,
    });
    expect(res.text).toMatch(/Not allowed/);
    expect(await h.db.surveyCampaign.count({ where: { opensAt: { gte: new Date("2026-01-01") } } })).toBe(0);
  });

  it("opens for all 60 staff from the survey card and invites each of them through Teams", async () => {
    expect(staff).toHaveLength(60);
    const home = await h.say(qa, "survey");
    expect(cardText(home.cards[0])).toMatch(/Open a survey/);
    const opened = await openHealthCheck(h, qa);
    track(opened.card);
    expect(opened.text).toMatch(/Social Work Health Check is open for 60 people/);
    campaignId = opened.id;
    expect(await h.db.surveyParticipation.count({ where: { campaignId } })).toBe(60);
    await h.drainOutbox();
    for (const s of staff) {
      const invites = h.connector
        .cardsTo(h.conversationOf(s))
        .filter((k) => cardText(k).includes("Social Work Health Check") && cardActions(k).some((a) => a.title === "Start"));
      expect(invites, s.email).toHaveLength(1);
      expect(cardText(invites[0])).toMatch(/Open until Monday 21 December 2026/);
      expect(cardActions(invites[0]).map((a) => a.title)).toContain("Start");
    }
    // Opening twice (a double click) would be a second campaign: the QA card shows the campaign once.
    const list = await h.execute(qa, "survey.home");
    expect(cardText(list.card)).toMatch(/Fewer than 5 of 60 answered/);
  });

  it("shows an invalid page again with the errors and the typed input kept", async () => {
    const s = (await h.staffWithRole("PRACTITIONER", "CP"))[0]!;
    const first = track((await h.execute(s, "survey.page", { campaignId, page: 0, nav: "open" })).card);
    // The role answered on this page shows more sections: the count is a floor until then.
    expect(cardText(first)).toMatch(/Page 1 of at least \d+/);
    expect(cardText(first)).toMatch(/About your role/);
    const again = await press(s, first, "Next", { "role-group": "practitioner", "direct-work": "" });
    expect(cardText(again)).toMatch(/1 answer needs attention/);
    expect(cardText(again)).toMatch(/This question needs an answer/);
    expect(inputsOf(again)["q_role-group"]!.value).toBe("practitioner");
    expect(cardText(again)).toMatch(/Page 1 of/);
  });

  it("lets half the staff answer through Teams, one of them resuming from a draft", async () => {
    const teamOf = (t: string) => staff.filter((s) => s.teamId === t);
    // Whole teams CP, CIC, LC and AI1 (7 each) answer; only 2 of CIN do.
    respondents = [...teamOf("CP"), ...teamOf("CIC"), ...teamOf("LC"), ...teamOf("AI1"), ...teamOf("CIN").slice(0, 2)];
    expect(respondents).toHaveLength(30);
    const ids = new Set(respondents.map((s) => s.id));
    others = staff.filter((s) => !ids.has(s.id));

    // The first respondent stops half way and saves.
    const resumer = respondents[0]!;
    const p1 = track((await h.execute(resumer, "survey.page", { campaignId, page: 0, nav: "open" })).card);
    const p2 = await press(resumer, p1, "Next", answersFor(resumer, 0));
    // Once the role is known, every section the form will show is counted.
    expect(cardText(p2)).toMatch(/Page 2 of \d+(?!\d)/);
    expect(cardText(p2)).not.toMatch(/at least/);
    const saved = await press(resumer, p2, "Save and finish later", { "confidence-mapping-with-family": "6" });
    expect(cardText(saved)).toMatch(/Saved/);
    // Kept sealed (its old row version outlives the submit), opened only by the service.
    const draft = await h.db.surveyParticipation.findFirstOrThrow({ where: { campaignId, staffId: resumer.id } });
    expect(JSON.stringify(draft.draft)).not.toMatch(/confidence-mapping-with-family/);
    expect(openDraft(h.service.ctx, draft.draft).answers!["confidence-mapping-with-family"]).toBe(6);

    // The next day they type "survey", see Resume, and carry on where they left off.
    clock.advanceDays(1);
    const home = await h.say(resumer, "survey");
    const resume = cardActions(home.cards[0]).find((a) => a.title === "Resume");
    expect(resume).toBeDefined();
    const back = track((await h.execute(resumer, resume!.verb, resume!.data)).card);
    expect(cardText(back)).toMatch(/Page 2 of/);
    expect(inputsOf(back)["q_confidence-mapping-with-family"]!.value).toBe("6");
    const done = await answerAll(resumer, back, 0);
    expect(cardText(done)).toMatch(/recorded anonymously/);

    // What the QA team's survey card says of it after each submit: it never moves with one person.
    const counted: string[] = [];
    const countNow = async () =>
      /((?:Fewer than|At least) \d+ of 60 answered\.)/.exec(cardText((await h.execute(qa, "survey.home")).card))?.[1];
    counted.push((await countNow())!);
    for (const [i, s] of respondents.slice(1).entries()) {
      const first = track((await h.execute(s, "survey.page", { campaignId, page: 0, nav: "open" })).card);
      const end = await answerAll(s, first, i + 1);
      expect(cardText(end), s.email).toMatch(/Thank you/);
      if (i < 11) counted.push((await countNow())!);
    }
    // While open, the count of answers moves only in whole steps of the minimum group size (5), so
    // its timing cannot tie a submit to one person; the card says why.
    expect(counted).toEqual([
      ...Array(4).fill("Fewer than 5 of 60 answered."),
      ...Array(5).fill("At least 5 of 60 answered."),
      ...Array(3).fill("At least 10 of 60 answered."),
    ]);
    const qaHome = cardText((await h.execute(qa, "survey.home")).card);
    expect(qaHome).toMatch(
      /At least 30 of 60 answered\. Counted in steps of 5 until it closes, so the count never moves with one person's answer \(the authority's own default\)/,
    );
    const rate = await h.execute(qa, "survey.results", { campaignId });
    expect(rate.text).toMatch(/at least 30 of 60 \(50%\)\. Counted in steps of 5/);
    expect(await h.db.surveyParticipation.count({ where: { campaignId, responded: true } })).toBe(30);
    // Held sealed until the survey closes.
    expect(await h.db.surveyResponse.count({ where: { campaignId } })).toBe(0);
    expect(await h.db.surveyResponseHolding.count({ where: { campaignId } })).toBe(30);
    const drafts = await h.db.surveyParticipation.findMany({ where: { campaignId, responded: true }, select: { draft: true } });
    expect(drafts.every((d) => JSON.stringify(d.draft) === "{}")).toBe(true);
  });

  it("records a double submission once and says so", async () => {
    const s = respondents[1]!;
    const again = await h.execute(s, "survey.page", { campaignId, page: 5, nav: "submit" });
    expect(again.text).toMatch(/already answered/);
    expect(await h.db.surveyResponseHolding.count({ where: { campaignId } })).toBe(30);
    const home = await h.say(s, "survey");
    expect(cardText(home.cards[0])).toMatch(/no surveys to answer/);
  });

  it("reminds only those who have not answered", async () => {
    clock.set("2026-12-08T09:00:00Z");
    const before = new Map(staff.map((s) => [s.id, h.connector.cardsTo(h.conversationOf(s)).length]));
    const ran = await runDueJobs(h.service.ctx, buildJobHandlers());
    expect(ran.failed).toBe(0);
    await h.drainOutbox();
    const reminded = (s: StaffRef) =>
      h.connector
        .cardsTo(h.conversationOf(s))
        .slice(before.get(s.id))
        .filter((k) => cardText(k).includes("Reminder: Social Work Health Check"));
    for (const s of others) expect(reminded(s), s.email).toHaveLength(1);
    for (const s of respondents) expect(reminded(s), s.email).toHaveLength(0);
    // The next reminder is already scheduled a week later.
    expect(await h.db.scheduledJob.count({ where: { key: `survey:${campaignId}:reminder:2`, status: "pending" } })).toBe(1);
  });

  it("shows only the response rate while the survey is open", async () => {
    const res = await h.execute(qa, "survey.results", { campaignId });
    track(res.card);
    expect(res.text).toMatch(/30 of 60 \(50%\)/);
    expect(res.text).toMatch(/Answers are shown when the survey closes/);
    expect(res.text).not.toMatch(/Mean \d/);
    const r = await campaignResults(h.service.ctx, qa, campaignId);
    expect(r.responses).toBeNull();
    expect(r.groups).toEqual([]);
    expect(r.openAnswers.every((o) => o.answers.length === 0)).toBe(true);
  });

  it("closes at the end of the window and refuses late answers with a clear message", async () => {
    const late = others[0]!;
    const start = track((await h.execute(late, "survey.page", { campaignId, page: 0, nav: "open" })).card);
    await press(late, start, "Next", answersFor(late, 99));
    clock.set("2026-12-22T00:00:01Z");
    const ran = await runDueJobs(h.service.ctx, buildJobHandlers());
    expect(ran.failed).toBe(0);
    const c = await h.db.surveyCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(c.status).toBe("closed");
    const refused = await h.execute(late, "survey.page", { campaignId, page: 1, nav: "next", "q_confidence-ears": "5" });
    expect(refused.text).toMatch(/Closed/);
    expect(refused.text).toMatch(/Social Work Health Check closed on Monday 21 December 2026, so answers can no longer be taken/);
    expect(await h.db.surveyResponse.count({ where: { campaignId } })).toBe(30);
    // Someone it was not sent to (a starter who joined since) learns nothing of it, not even its
    // title: the very answer of a survey that does not exist.
    const starter = await h.db.staff.create({
      data: {
        email: "nell.starter@council.example",
        name: "Nell Starter",
        roles: ["PRACTITIONER"],
        teamId: "CIN",
        aadObjectId: randomUUID(),
      },
    });
    await h.install(starter);
    const stranger = await h.execute(starter, "survey.page", { campaignId, page: 0, nav: "open" });
    expect(stranger.text).toMatch(/Not found/);
    expect(stranger.text).not.toMatch(/Health Check|closed/);
    expect(stranger.text).toBe((await h.execute(starter, "survey.page", { campaignId: randomUUID(), page: 0, nav: "open" })).text);
    // Unsent drafts are deleted at close; no reminder is left pending.
    const p = await h.db.surveyParticipation.findFirstOrThrow({ where: { campaignId, staffId: late.id } });
    expect(p.draft).toEqual({});
    expect(await h.db.scheduledJob.count({ where: { key: { startsWith: `survey:${campaignId}` }, status: "pending" } })).toBe(0);
  });

  it("shows results once closed, with the minimum group size respected and last year's comparison", async () => {
    const res = await h.execute(qa, "survey.results", { campaignId });
    track(res.card);
    expect(res.text).toMatch(/30 of 60 \(50%\)/);
    expect(res.text).toMatch(/Social Work Health Check 2025/);
    const r = await campaignResults(h.service.ctx, qa, campaignId);
    const q = (id: string) => r.sections.flatMap((s) => s.questions).find((x) => x.id === id)!;
    expect(q("culture-challenge")).toMatchObject({ n: 30, mean: 4, previousMean: 2, changePct: 100 });
    expect(q("confidence-three-houses").previousMean).toBe(5);
    expect(q("confidence-three-houses").mean).toBe(8);
    expect(q("confidence-three-houses").changePct).toBe(60);
    // Stored at the close: CIN's 2 without their team, and one more team's practitioners with them
    // (so the answers without a team are at least 5 and none can be worked out by elimination);
    // managers (2 a team) without their team.
    const teams = r.groups.filter((g) => g.kind === "team");
    expect(teams.find((g) => g.key === "CIN")).toBeUndefined();
    expect(res.text).not.toMatch(/\(CIN\)/);
    expect(teams.filter((g) => g.key !== "(not recorded)").map((g) => g.n)).toEqual([5, 5, 5]);
    expect(teams.find((g) => g.key === "(not recorded)")?.n).toBe(15);
    expect(teams.every((g) => (g.n ?? 0) >= 5)).toBe(true);
    const roles = r.groups.filter((g) => g.kind === "role");
    expect(roles.filter((g) => !g.suppressed).map((g) => g.key)).toContain("practitioner");
    const worries = r.openAnswers.find((o) => o.questionId === "worrying")!;
    expect(worries.answers).toHaveLength(30);
    expect(resultsCsv(r)).toMatch(/culture-challenge,.*,30,4,5,2,100,/);
  });

  it("exports the results to XLSX (summary + a sheet per section) and CSV", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "assure-survey-"));
    const r = await campaignResults(h.service.ctx, qa, campaignId);
    const files = await exportResults(r, dir, clock.now());
    expect(existsSync(files.csv)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(files.xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Summary",
      "About your role",
      "Section One  confidence in u",
      "Section Two  organisational",
      "Section Three  what’s worryi",
    ]);
    const summary = wb.getWorksheet("Summary")!;
    const rows = summary.getSheetValues().map((v) => (Array.isArray(v) ? v.slice(1).join("|") : ""));
    expect(rows).toContain("Response rate (%)|50");
    expect(rows.some((x) => /^team: \(not recorded\)\|15$/.test(x))).toBe(true);
    const viaCard = await h.execute(qa, "survey.export", { campaignId });
    expect(viaCard.text).toMatch(/\.xlsx \(Excel\) and .*\.csv \(CSV\)/);
    // The QA officer in Teams is told how the files reach them.
    expect(viaCard.text).toMatch(/copies them from its reports folder to the QA team \(a Teams file link is not available yet\)/);
  });

  it("never counts an answer given by fewer than 5 people, on the card or in the files, nor lets one be worked out", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §3.2.1 Social Work Health Check: "The
    // survey contains questions about the person's role which then take them either to the
    // practitioner version or manager version." Counting who gave each role names the few in a
    // role; the framework is silent on how few is too few: the minimum group size (5) is the
    // authority's own default, as for every survey figure.
    // A small closed Health Check: 6 answered, 3 of them newly qualified (one a team in the demo
    // directory), 3 doing direct work. Each option is a group of people: "Yes: 3 · No: 3" would name
    // what three colleagues said. A larger one: 12 answered, 7 practitioners, 3 newly qualified, 2
    // team managers, 10 doing direct work: "Yes: 10" of 12 would give "No: 2" by subtraction.
    const closedCampaign = async (title: string, rows: Record<string, string | number>[]) => {
      const c = await h.db.surveyCampaign.create({
        data: {
          templateId: "health-check",
          templateVersion: 1,
          title,
          audience: {},
          opensAt: new Date("2026-06-01T00:00:00Z"),
          closesAt: new Date("2026-06-22T00:00:00Z"),
          status: "closed",
        },
      });
      await h.db.surveyResponse.createMany({
        data: rows.map((answers) => ({
          campaignId: c.id,
          submittedOn: new Date("2026-06-22T00:00:00Z"),
          roleGroup: null,
          teamId: null,
          answers,
        })),
      });
      return c.id;
    };
    const answers = (role: string, direct: string, houses: number) => ({
      "role-group": role,
      "direct-work": direct,
      "confidence-three-houses": houses,
    });
    const small = await closedCampaign("Health Check, small", [
      ...[1, 2, 3].map(() => answers("nqsw", "yes", 7)),
      ...[1, 2, 3].map(() => answers("practitioner", "no", 8)),
    ]);
    const large = await closedCampaign("Health Check, large", [
      ...Array.from({ length: 7 }, (_, i) => answers("practitioner", "yes", i < 6 ? 8 : 3)),
      ...Array.from({ length: 3 }, () => answers("nqsw", "yes", 8)),
      ...Array.from({ length: 2 }, () => answers("team-manager", "no", 8)),
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "assure-survey-small-"));
    const surfaces = async (id: string) => {
      const r = await campaignResults(h.service.ctx, qa, id);
      const files = await exportResults(r, dir, clock.now());
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(files.xlsx);
      const cells = wb.worksheets.flatMap((ws) =>
        ws.getSheetValues().flatMap((row) => (Array.isArray(row) ? row.slice(1).map(String) : [])),
      );
      return { r, card: (await h.execute(qa, "survey.results", { campaignId: id })).text, csv: resultsCsv(r), xlsx: cells.join("\n") };
    };
    const q = (r: Awaited<ReturnType<typeof campaignResults>>, id: string) =>
      r.sections.flatMap((x) => x.questions).find((x) => x.id === id)!;
    // No option counted from 1 to 4 people, on any surface (the role question's words include a comma).
    const smallCount = /(?:Yes|No|worker|manager|year in employment\)|\b\d{1,2}): [1-4](?!\d)/;

    const s6 = await surfaces(small);
    for (const [where, text] of Object.entries({ card: s6.card, csv: s6.csv, xlsx: s6.xlsx })) {
      expect(text, where).not.toMatch(smallCount);
      expect(text, where).not.toMatch(/Yes: 3|No: 3|Newly qualified social worker \(assessed and supported year in employment\): 3/);
    }
    expect(s6.card).toMatch(
      /By answer: not shown \(some answers were given by fewer than 5 people and the other counts would show how many\)/,
    );
    expect(q(s6.r, "direct-work").distribution.map((d) => d.count)).toEqual([null]);
    // The mean of 6 answers is still shown: it names no one.
    expect(q(s6.r, "confidence-three-houses")).toMatchObject({ n: 6, mean: 7.5 });

    const s12 = await surfaces(large);
    for (const [where, text] of Object.entries({ card: s12.card, csv: s12.csv, xlsx: s12.xlsx })) {
      expect(text, where).not.toMatch(smallCount);
      expect(text, where).not.toMatch(/Yes: 10|No: 2/);
    }
    // Practitioners (7) are counted; the newly qualified (3) and team managers (2) only together (5).
    const roles = q(s12.r, "role-group").distribution;
    expect(roles.map((d) => [d.count, d.shown])).toEqual([
      [7, "7"],
      [5, "5 together (each fewer than 5 or counted with them so that none can be worked out)"],
    ]);
    expect(roles[1]!.label).toMatch(/^Newly qualified social worker .* \/ Team manager, deputy or assistant team manager \/ /);
    // 10 of 12 said yes: shown, the 2 who said no could be worked out, so neither is counted.
    expect(q(s12.r, "direct-work").distribution.map((d) => d.count)).toEqual([null]);
    // The scale: 11 said 8 and 1 said 3 in the export: not "8: 11" (which gives the 1 away).
    expect(s12.csv).not.toMatch(/8: 11/);
    expect(q(s12.r, "confidence-three-houses").n).toBe(12);
  });

  it("stores responses that cannot be joined back to a person", async () => {
    const db = h.db;
    // 1. The response tables hold no person, no conversation, no time finer than the day.
    const cols = await db.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
      SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name IN ('SurveyResponse', 'SurveyResponseHolding') ORDER BY table_name, column_name`;
    expect(cols.filter((c) => c.table_name === "SurveyResponse").map((c) => `${c.column_name}:${c.data_type}`)).toEqual([
      "answers:jsonb",
      "campaignId:text",
      "id:text",
      "roleGroup:text",
      "submittedOn:date",
      "teamId:text",
    ]);
    expect(cols.filter((c) => c.table_name === "SurveyResponseHolding").map((c) => `${c.column_name}:${c.data_type}`)).toEqual([
      "campaignId:text",
      "id:text",
      "sealed:bytea",
    ]);
    // 2. Nothing refers to a response: no foreign key, and no row of any other table contains a response id.
    const fks = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM information_schema.constraint_column_usage
      WHERE table_name = 'SurveyResponse' AND constraint_name NOT LIKE '%pkey'`;
    expect(fks[0]!.n).toBe(0);
    const responses = await db.surveyResponse.findMany({ where: { campaignId } });
    const tables = await db.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    for (const { table_name } of tables) {
      if (table_name === "SurveyResponse") continue;
      const rows = await db.$queryRawUnsafe<{ t: string }[]>(`SELECT t::text AS t FROM "${table_name}" t`);
      const text = rows.map((r) => r.t).join("\n");
      for (const r of responses) expect(text.includes(r.id), `${table_name} mentions response ${r.id}`).toBe(false);
    }
    // 3. The participation row says only whether someone answered (no response id, no answer time).
    const pcols = await db.$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'SurveyParticipation' ORDER BY column_name`;
    expect(pcols.map((c) => c.column_name)).toEqual(["campaignId", "draft", "id", "invitedAt", "remindedAt", "responded", "staffId"]);
    // 4. Submitting wrote no history, outbox message or receipt naming the respondent.
    const history = await db.history.findMany({ where: { entityType: "survey_campaign", entityId: campaignId } });
    expect(history.map((x) => x.action).sort()).toEqual(["closed", "opened"]);
    const respondentIds = respondents.map((s) => s.id);
    expect(await db.actionReceipt.count({ where: { actorId: { in: respondentIds } } })).toBe(0);
    const outboxToRespondents = await db.outboxMessage.findMany({
      where: { recipientId: { in: respondentIds } },
      select: { idempotencyKey: true },
    });
    expect(outboxToRespondents.every((m) => /:invite:/.test(m.idempotencyKey) || !m.idempotencyKey.startsWith("survey:"))).toBe(true);
    // 5. Day-only dates, random (v4) ids, and a stored order that is not the order of submission.
    expect(responses.every((r) => r.submittedOn.toISOString().endsWith("T00:00:00.000Z"))).toBe(true);
    expect(responses.every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id))).toBe(true);
    const physical = await db.$queryRaw<{ marker: string; xmin: string }[]>`
      SELECT answers->>'worrying' AS marker, xmin::text AS xmin FROM "SurveyResponse" WHERE "campaignId" = ${campaignId} ORDER BY ctid`;
    expect(physical.map((p) => p.marker).sort()).toEqual([...submissionOrder].sort());
    expect(physical.map((p) => p.marker)).not.toEqual(submissionOrder);
    // Rows were written in batches of at least 5: each insert transaction holds ≥ 5 rows.
    const perTx = new Map<string, number>();
    for (const p of physical) perTx.set(p.xmin, (perTx.get(p.xmin) ?? 0) + 1);
    expect([...perTx.values()].every((n) => n >= 5)).toBe(true);
    // Within each batch the order differs from the submission order in at least one batch.
    const batches = [...perTx.keys()].map((x) => physical.filter((p) => p.xmin === x).map((p) => p.marker));
    expect(batches.some((b) => b.join() !== [...b].sort((a, c) => submissionOrder.indexOf(a) - submissionOrder.indexOf(c)).join())).toBe(
      true,
    );
  });
});

describe("parent/carer survey entered by the QA team during a phone call", () => {
  it("records each family's answers anonymously, and nothing after QA closes it", async () => {
    clock.set("2027-01-05T10:00:00Z");
    const opened = await h.execute(qa, "survey.open", {
      templateId: "parent-carer-survey",
      audience: "all",
      opensOn: "2027-01-05",
      closesOn: "2027-03-31",
      reminderEveryDays: 7,
    });
    expect(opened.text).toMatch(/Parent.*open for \d+ people/);
    const c = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "parent-carer-survey" } });
    const invited = await h.db.surveyParticipation.findMany({ where: { campaignId: c.id } });
    const invitedStaff = await h.db.staff.findMany({ where: { id: { in: invited.map((p) => p.staffId) } } });
    expect(invitedStaff.length).toBeGreaterThan(0);
    expect(invitedStaff.every((s) => s.roles.some((r) => r === "QA_TEAM" || r === "HEAD_OF_QA"))).toBe(true);
    for (let family = 0; family < 2; family++) {
      const home = await h.say(qa, "survey");
      const enter = cardActions(home.cards[0]).find((a) => a.title === "Enter a family's answers" && a.data.campaignId === c.id)!;
      let card = track((await h.execute(qa, enter.verb, enter.data)).card);
      expect(cardText(card)).toMatch(/on behalf of a family/);
      for (let guard = 0; guard < 8 && !cardActions(card).some((a) => a.title === "Submit"); guard++)
        card = await press(qa, card, cardActions(card).some((a) => a.title === "Continue") ? "Continue" : "Next", {
          "agreed-to-take-part": "yes",
          "fs-listens": "Strongly agree",
        });
      card = await press(qa, card, "Submit", { experience: "Helpful worker." });
      expect(cardText(card)).toMatch(/recorded anonymously/);
    }
    expect(await h.db.surveyResponseHolding.count({ where: { campaignId: c.id } })).toBe(2);
    const closed = await h.execute(qa, "survey.close", { campaignId: c.id });
    expect(closed.text).toMatch(/closed: no more answers/);
    const rows = await h.db.surveyResponse.findMany({ where: { campaignId: c.id } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.teamId === null && r.roleGroup === null)).toBe(true);
    const late = await h.execute(qa, "survey.page", { campaignId: c.id, page: 0, nav: "open" });
    expect(late.text).toMatch(/Parent.*closed on Tuesday 5 January 2027, so answers can no longer be taken/);
    // Two families are fewer than the minimum group: nothing of their answers is shown.
    const r = await campaignResults(h.service.ctx, qa, c.id);
    expect(r.responses).toBeNull();
    expect(r.responded).toBe("fewer than 5");
    expect(r.withheld).toMatch(/Fewer than 5 people answered/);
    expect(r.sections.flatMap((s) => s.questions).find((q) => q.id === "fs-listens")).toMatchObject({ n: null, mean: null });
  });

  it("opens the managers' standards self-assessment for managers, and its next quarter when it closes", async () => {
    const opened = await h.execute(qa, "survey.open", {
      templateId: "managers-standards",
      audience: "managers",
      opensOn: "2027-01-05",
      closesOn: "2027-01-29",
      reminderEveryDays: 0,
    });
    expect(opened.text).toMatch(/open for \d+ people/);
    const c = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "managers-standards" } });
    expect(c.repeatEveryMonths).toBe(3);
    clock.set("2027-01-30T09:00:00Z");
    await runDueJobs(h.service.ctx, buildJobHandlers());
    const next = await h.db.surveyCampaign.findMany({ where: { templateId: "managers-standards" }, orderBy: { opensAt: "asc" } });
    expect(next).toHaveLength(2);
    expect(next[1]!.opensAt.toISOString().slice(0, 10)).toBe("2027-04-05");
    // Its invitations wait for the day it opens, outside quiet hours: 08:00 London time (BST).
    const invites = await h.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: `survey:${next[1]!.id}:invite:` } } });
    expect(invites.length).toBeGreaterThan(0);
    expect(new Set(invites.map((m) => m.notBefore.toISOString()))).toEqual(new Set(["2027-04-05T07:00:00.000Z"]));
  });

  it("records a manager's self-assessment once even when Submit is pressed twice at the same moment", async () => {
    clock.set("2027-04-06T10:00:00Z");
    const c = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "managers-standards", status: "open" } });
    const manager = await h.one("TEAM_MANAGER", "CP");
    let card = track((await h.execute(manager, "survey.page", { campaignId: c.id, page: 0, nav: "open" })).card);
    const text = { __text: "Seen in supervision records and team meeting notes." };
    for (let guard = 0; guard < 12 && !cardActions(card).some((a) => a.title === "Submit"); guard++)
      card = await press(manager, card, "Next", text);
    expect(cardText(card)).toMatch(/Page 9 of 9/);
    const submit = cardActions(card).find((a) => a.title === "Submit")!;
    const [a, b] = await Promise.all([
      h.execute(manager, submit.verb, { ...submit.data, ...fill(card, text) }),
      h.execute(manager, submit.verb, { ...submit.data, ...fill(card, text) }),
    ]);
    expect([a.text, b.text].filter((t) => /^Thank you\nYour answers .* were recorded anonymously/.test(t))).toHaveLength(1);
    expect([a.text, b.text].filter((t) => /already answered/.test(t))).toHaveLength(1);
    const stored =
      (await h.db.surveyResponse.count({ where: { campaignId: c.id } })) +
      (await h.db.surveyResponseHolding.count({ where: { campaignId: c.id } }));
    expect(stored).toBe(1);
  });
});

describe("card sizes", () => {
  it("kept every card the bot sent within Teams' budget", () => {
    console.log(`largest survey card sent in the e2e test: ${largestCard} bytes`);
    expect(largestCard).toBeGreaterThan(0);
    expect(largestCard).toBeLessThanOrEqual(28 * 1024);
    expect(cardProblems).toBeTypeOf("function");
  });
});
