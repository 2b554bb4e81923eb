// When a Health Check closes, its results end in a next steps plan. Bexley Children's Social Care
// Quality Assurance Framework, §3.2.1 Social Work Health Check, Process: "The health check findings
// are analysed by the PSQA service alongside results from previous years ... A report is produced
// outlining the themes. This is shared across children services ... A next steps plan is developed
// to action how the services can implement changes that will support improvements."
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, cardText, cardActions, type Harness, type StaffRef } from "../support/harness";
import { answerWholeSurvey, openHealthCheck } from "../support/surveyForm";
import { nextStepsPlan } from "../../services/surveys/nextSteps";
import { ManualClock } from "../../services/clock";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday, working hours
let h: Harness;
let staff: StaffRef[];
let qa: StaffRef;
let hos: StaffRef;
let campaignId: string;

const planCards = (s: StaffRef) => h.connector.cardsTo(h.conversationOf(s)).filter((k) => cardText(k).includes("Next steps plan"));

beforeAll(async () => {
  h = await startHarness({ clock });
  staff = await h.db.staff.findMany({ where: { active: true }, orderBy: { email: "asc" } });
  qa = await h.one("QA_TEAM");
  hos = await h.one("HEAD_OF_SERVICE");
  for (const s of staff) await h.install(s);
  await h.drainOutbox();
  campaignId = (await openHealthCheck(h, qa)).id;
  const practitioners = await h.staffWithRole("PRACTITIONER");
  for (const s of practitioners.slice(0, 6)) await answerWholeSurvey(h, s, campaignId, { "role-group": "practitioner", __text: "" });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

describe("Health Check next steps plan", () => {
  it("reaches the QA lead who opened it and each head of service when the survey closes, with the results summary", async () => {
    await h.drainOutbox();
    expect(planCards(hos)).toHaveLength(0);
    // Read while the survey is open, the plan counts the answers in steps of 5, as the survey card
    // does (6 answered): the count does not move with one person's submit.
    const early = await nextStepsPlan(h.service.ctx, qa, campaignId);
    expect(early.summary.find((f) => f.title === "Answered")?.value).toBe("at least 5 of 60");
    clock.set("2026-12-22T09:00:00Z");
    expect((await h.execute(qa, "survey.close", { campaignId })).invokeStatus).toBe(200);
    await h.drainOutbox();
    for (const s of [qa, ...(await h.staffWithRole("HEAD_OF_SERVICE"))]) {
      const cards = planCards(s);
      expect(cards, s.email).toHaveLength(1);
      expect(cardText(cards[0])).toMatch(/Answered\s*6 of 60/);
      expect(cardActions(cards[0]).map((a) => a.title)).toEqual(expect.arrayContaining(["See the results", "Save action"]));
    }
    const worker = (await h.staffWithRole("PRACTITIONER"))[0]!;
    expect(planCards(worker)).toHaveLength(0);
  });

  it("links the head of service to the results summary", async () => {
    const see = cardActions(planCards(hos)[0]).find((a) => a.title === "See the results")!;
    const res = await h.execute(hos, see.verb, see.data);
    expect(res.invokeStatus).toBe(200);
    expect(res.text).toMatch(/Results: Social Work Health Check/);
  });

  it("saves the plan's actions with their owner and date", async () => {
    const sm = await h.one("SERVICE_MANAGER");
    const save = cardActions(planCards(hos)[0]).find((a) => a.title === "Save action")!;
    const res = await h.execute(hos, save.verb, {
      ...save.data,
      description: "Hold health check feedback sessions in each service before the March staff conference.",
      ownerId: sm.id,
      dueOn: "2027-02-26",
    });
    expect(res.invokeStatus).toBe(200);
    expect(res.text).toMatch(/Action saved/);
    expect(res.text).toMatch(/Hold health check feedback sessions/);
    expect(res.text).toMatch(new RegExp(`${sm.name}, by Friday 26 February 2027`));
    const actions = await h.db.action.findMany({ where: { kind: "health check next step" } });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ assigneeId: sm.id, createdById: hos.id });
    // Someone the plan is not for cannot add to it.
    const worker = (await h.staffWithRole("PRACTITIONER"))[0]!;
    const refused = await h.execute(worker, save.verb, { ...save.data, description: "x", ownerId: sm.id, dueOn: "2027-02-26" });
    expect(refused.text).toMatch(/Only the heads of service and the QA team/);
    expect(await h.db.action.count({ where: { kind: "health check next step" } })).toBe(1);
  });
});
