// The Social Work Health Check against someone who can read the whole database (every table,
// system columns xmin and ctid, physical order, dates) and the service's logs: 14 staff answer
// (a whole team, most of another, and 2 of a third, so some (team, role) cells are small), each
// with a private marker in their free text so the test knows whose answer a row is. Then the
// linkage attacks a database reader would try are run while the survey is open and after it
// closes; none may narrow an answer down to fewer than MIN_GROUP_SIZE people, and the order
// attacks may not do better than chance.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSecureHarness } from "./support";
import { cardActions, type Harness, type StaffRef } from "../support/harness";
import { answerWholeSurvey, fill, openHealthCheck } from "../support/surveyForm";
import type { ManualClock } from "../../services/clock";
import { directoryAudience } from "../../services/surveys/campaigns";

const MIN = 5;
const MANAGERS = ["TEAM_MANAGER", "DEPUTY_TEAM_MANAGER", "SERVICE_MANAGER", "HEAD_OF_SERVICE", "ASSISTANT_DIRECTOR", "DIRECTOR"];
let h: Harness;
let campaignId: string;
let respondents: StaffRef[];
const markerOf = new Map<string, string>(); // marker → staff id
const logLines: Record<string, unknown>[] = [];

interface Readable {
  xmin: bigint;
  ctid: string;
  staffId: string; // the truth, known to the test only
  teamId: string | null;
  /** The stored role group. (The answers themselves say which role the person gave, and role-routed
   *  questions show it too: that is a limit of the form, stated in docs/DPIA.md.) */
  role: string | null;
  day: string | null;
}
interface Participant {
  staffId: string;
  xmin: bigint;
  ctid: string;
  teamId: string | null;
  role: string;
}

const ctidKey = (c: string) => {
  const [page, item] = c.replace(/[()]/g, "").split(",").map(Number);
  return page! * 100_000 + item!;
};
const byPhysical = <T extends { xmin: bigint; ctid: string }>(xs: T[]) =>
  [...xs].sort((a, b) => (a.xmin === b.xmin ? ctidKey(a.ctid) - ctidKey(b.ctid) : a.xmin < b.xmin ? -1 : 1));

/** Every row of the answer tables whose content the reader can read (a marker shows in its text). */
async function readableAnswers(): Promise<Readable[]> {
  const out: Readable[] = [];
  for (const table of ["SurveyResponseHolding", "SurveyResponse"]) {
    const rows = await h.db.$queryRawUnsafe<{ xmin: string; ctid: string; t: Record<string, unknown> }[]>(
      `SELECT xmin::text AS xmin, ctid::text AS ctid, to_jsonb(t) AS t FROM "${table}" t WHERE "campaignId" = $1`,
      campaignId,
    );
    for (const r of rows) {
      const text = JSON.stringify(r.t);
      const marker = [...markerOf.keys()].find((m) => text.includes(m));
      if (!marker) continue;
      out.push({
        xmin: BigInt(r.xmin),
        ctid: r.ctid,
        staffId: markerOf.get(marker)!,
        teamId: (r.t.teamId as string | null | undefined) ?? null,
        role: (r.t.roleGroup as string | null | undefined) ?? null,
        day: (r.t.submittedOn as string | undefined) ?? null,
      });
    }
  }
  return out;
}

async function participants(): Promise<Participant[]> {
  const rows = await h.db.$queryRaw<{ staffId: string; xmin: string; ctid: string; teamId: string | null; roles: string[] }[]>`
    SELECT p."staffId", p.xmin::text AS xmin, p.ctid::text AS ctid, s."teamId", s.roles::text[] AS roles
    FROM "SurveyParticipation" p JOIN "Staff" s ON s.id = p."staffId" WHERE p."campaignId" = ${campaignId} AND p.responded`;
  return rows.map((r) => ({ ...r, xmin: BigInt(r.xmin), role: directoryAudience(r.roles as never) }));
}

/** Answers the attack narrows down to fewer than MIN people, the right one among them. */
function linked(answers: Readable[], candidates: (a: Readable) => Participant[]): string[] {
  return answers
    .filter((a) => {
      const c = candidates(a);
      return c.length > 0 && c.length < MIN && c.some((p) => p.staffId === a.staffId);
    })
    .map((a) => a.staffId);
}

/** Pairs the i-th answer with the i-th person of an order the reader can see; how many pairs are right. */
function rankHits(answers: Readable[], order: string[]): number {
  return byPhysical(answers).filter((a, i) => order[i] === a.staffId).length;
}

async function runAttacks() {
  const answers = await readableAnswers();
  const people = await participants();
  const sortedXids = [...new Set(answers.map((a) => a.xmin))].sort((a, b) => (a < b ? -1 : 1));
  const lastPress = new Map<string, number>();
  for (const l of logLines) if (typeof l.actorId === "string") lastPress.set(l.actorId, Number(l.time));
  return {
    answers,
    people,
    // 1. The xmin join: answer row and participation update written by the same transaction.
    xminJoin: linked(answers, (a) => people.filter((p) => p.xmin === a.xmin)),
    // 2. Batch membership: rows written by transaction X belong to those whose participation was
    //    updated after the previous answer-writing transaction and no later than X.
    batch: linked(answers, (a) => {
      const prev = sortedXids.filter((x) => x < a.xmin).pop() ?? -1n;
      return people.filter((p) => p.xmin > prev && p.xmin <= a.xmin);
    }),
    // 3. Small (team, role) cells: who of the respondents matches a row's team and role, leaving
    //    out the people of a (team, role) whose rows are all tagged with it (elimination).
    cells: linked(answers, (a) => {
      const match = (p: Participant, team: string | null) => (team === null || p.teamId === team) && (a.role === null || p.role === a.role);
      const accounted = (p: Participant) =>
        a.teamId === null &&
        p.teamId !== null &&
        answers.filter((b) => b.teamId === p.teamId && b.role === a.role).length >= people.filter((q) => match(q, p.teamId)).length;
      return people.filter((p) => match(p, a.teamId) && !accounted(p));
    }),
    // 4. Order: answers by (xmin, ctid) against participations by (xmin, ctid), and against the
    //    order of each person's last logged action.
    physicalHits: rankHits(
      answers,
      byPhysical(people).map((p) => p.staffId),
    ),
    logHits: rankHits(
      answers,
      [...lastPress.entries()]
        .filter(([id]) => people.some((p) => p.staffId === id))
        .sort((a, b) => a[1] - b[1])
        .map(([id]) => id),
    ),
    days: new Set(answers.map((a) => a.day)).size,
  };
}

beforeAll(async () => {
  h = await startSecureHarness({ logLevel: "info", logSink: (s) => logLines.push(JSON.parse(s) as Record<string, unknown>) });
  const clock = h.clock as ManualClock;
  clock.set("2026-12-01T09:00:00Z");
  const qa = await h.one("QA_TEAM");
  campaignId = (await openHealthCheck(h, qa)).id;
  const team = (t: string) => h.db.staff.findMany({ where: { teamId: t, active: true }, orderBy: { email: "asc" } });
  respondents = [...(await team("CP")), ...(await team("LC")).slice(0, 5), ...(await team("CIN")).slice(0, 2)];
  expect(respondents).toHaveLength(14);
  for (const [i, s] of respondents.entries()) {
    const marker = `m${i}-${randomUUID().slice(0, 8)}`;
    markerOf.set(marker, s.id);
    clock.advance(7 * 60_000);
    await h.execute(s, "survey.home");
    const manager = s.roles.some((r) => MANAGERS.includes(r));
    const done = await answerWholeSurvey(h, s, campaignId, {
      "role-group": manager ? "team-manager" : "practitioner",
      "direct-work": manager ? "no" : "yes",
      worrying: `Workload. ${marker}`,
    });
    expect(done, s.email).toMatch(/recorded anonymously/);
  }
  // Someone else stops half way: their draft is saved.
  const halfway = (await team("CIC"))[0]!;
  const first = await h.execute(halfway, "survey.page", { campaignId, page: 0, nav: "open" });
  const next = cardActions(first.card).find((x) => x.title === "Next")!;
  await h.execute(halfway, next.verb, { ...next.data, ...fill(first.card, { "role-group": "practitioner", "direct-work": "yes" }) });
}, 240_000);
afterAll(async () => {
  await h?.close();
});

describe("Health Check answers against a reader of the whole database and the logs", () => {
  it("while the survey is open: no answer can be read, so none can be linked", async () => {
    const a = await runAttacks();
    expect(a.people).toHaveLength(14);
    expect(a.xminJoin, "xmin join").toEqual([]);
    expect(a.batch, "batch membership").toEqual([]);
    expect(a.cells, "small (team, role) cells").toEqual([]);
    expect(a.answers.length, "answers readable while open").toBe(0);
    // Drafts (all but the last page of what will be submitted) are not readable either: a draft's
    // old row version outlives the submit that clears it.
    const drafts = await h.db.$queryRaw<{ t: string }[]>`
      SELECT draft::text AS t FROM "SurveyParticipation" WHERE "campaignId" = ${campaignId} AND draft <> '{}'::jsonb`;
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.t).not.toMatch(/role-group|direct-work|practitioner/);
  });

  it("never logs who pressed a survey page", () => {
    const pages = logLines.filter((l) => l.verb === "survey.page");
    expect(pages.length).toBeGreaterThan(14);
    expect(pages.filter((l) => "actorId" in l)).toEqual([]);
  });

  it("after the close: every answer is readable, and no attack links any better than chance", async () => {
    const qa = await h.one("QA_TEAM");
    const closed = await h.execute(qa, "survey.close", { campaignId });
    expect(closed.text).toMatch(/closed/);
    const a = await runAttacks();
    expect(a.answers).toHaveLength(14);
    expect(a.xminJoin, "xmin join").toEqual([]);
    expect(a.batch, "batch membership").toEqual([]);
    expect(a.cells, "small (team, role) cells").toEqual([]);
    // A random pairing of 14 gets 1 right on average; 6 or more happens with probability < 0.001.
    expect(a.physicalHits, "xmin/ctid order against participation order").toBeLessThanOrEqual(5);
    expect(a.logHits, "order of the last logged action").toBeLessThanOrEqual(5);
    expect(a.days, "distinct answer dates").toBe(1);
    // One transaction wrote them all, so their xmin says nothing about who answered when.
    expect(new Set(a.answers.map((x) => x.xmin)).size).toBe(1);
  });
});
