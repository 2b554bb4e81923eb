// The Health Check repeats every year. Bexley Children's Social Care Quality Assurance Framework,
// §3.2.1 Social Work Health Check: the Social Work Task Force "recommended that it should be
// completed annually", and "the health check findings are analysed by the PSQA service alongside
// results from previous years to monitor trends" (so each year uses the same form and item ids).
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, type StaffRef } from "../support/harness";
import { invitesTo, openHealthCheck } from "../support/surveyForm";
import { ManualClock } from "../../services/clock";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday, working hours
let staff: StaffRef[];
let qa: StaffRef;

const healthCheckInvites = (s: StaffRef) => invitesTo(h, s, "Social Work Health Check");

const h = useHarness(
  { clock },
  async () => {
    staff = await h.installEveryone();
    qa = await h.one("QA_TEAM");
  },
  180_000,
);

describe("Social Work Health Check repeating every year", () => {
  it("offers the setting when the QA team opens the survey", async () => {
    const home = await h.say(qa, "survey");
    expect(cardText(home.cards[0])).toMatch(/Repeat every year/);
    const opened = await openHealthCheck(h, qa, { repeatYearly: "true" });
    expect(opened.text).toMatch(/is open for 60 people.*opens again every year on the same date/s);
  });

  it("opens next year's round on the same date with the same form when this year's closes", async () => {
    const first = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "health-check" } });
    clock.set("2026-12-22T09:00:00Z");
    const closed = await h.execute(qa, "survey.close", { campaignId: first.id });
    expect(closed.invokeStatus).toBe(200);
    const next = await h.db.surveyCampaign.findFirstOrThrow({ where: { templateId: "health-check", id: { not: first.id } } });
    expect(next.templateVersion).toBe(first.templateVersion);
    expect(next.opensAt.toISOString()).toBe(new Date("2027-12-01T00:00:00Z").toISOString());
    const home = await h.say(qa, "survey");
    expect(cardText(home.cards[0])).toMatch(/Wednesday 1 December 2027 – Tuesday 21 December 2027/);
    // Nobody hears of it until it opens; then everyone is invited again.
    await h.drainOutbox();
    for (const s of staff) expect(healthCheckInvites(s), s.email).toHaveLength(1);
    clock.set("2027-12-01T09:00:00Z");
    await h.drainOutbox();
    for (const s of staff) expect(healthCheckInvites(s), s.email).toHaveLength(2);
  });
});
