// A fostering IRO's escalation concerns a foster carer's care arrangement: it names the carer by
// reference (never a name), has no child's case, and goes to the fostering service's managers as
// the directory gives them (and up their chain), not to any child's social worker's chain.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { importStaffCsv } from "../../services/directory/import";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday, in working hours
let firo: StaffRef, fosteringTm: StaffRef, fosteringSm: StaffRef, hos: StaffRef, childrensTm: StaffRef, childrensSm: StaffRef;

const escalationCards = (s: StaffRef) =>
  h.connector
    .cardsTo(h.conversationOf(s))
    .map(cardText)
    .filter((t) => t.startsWith("Escalation · "));
const raise = (caseRef: string) =>
  h.execute(firo, "escalation.raise", {
    caseRef,
    type: "fostering-iro",
    concern: "The carer's support plan has not been reviewed since the respite package ended.",
    informal: "Discussed with the supervising social worker and the fostering manager on 20 Nov; noted on the carer's file.",
  });

/** The council's directory with its fostering service: a team manager and service manager, and a supervising social worker. */
const FOSTERING_ROWS = [
  'remi.adeyemi@council.example,Remi Adeyemi,"Service Manager, Fostering",SERVICE_MANAGER,FOS,Fostering Service,Fostering,femi.shah@council.example,2019-01-07,no,no,5d0b1f4e-2a67-4c39-9a51-0f3a6c1e7b21',
  'nia.osei@council.example,Nia Osei,"Team Manager, Fostering",TEAM_MANAGER,FOS,Fostering Service,Fostering,remi.adeyemi@council.example,2020-03-02,no,no,8e4c2a90-6b1d-4f7e-b3c5-2d9a7e0f1c44',
  "tom.bright@council.example,Tom Bright,Supervising Social Worker,PRACTITIONER,FOS,Fostering Service,Fostering,nia.osei@council.example,2022-09-05,no,no,c71a9e35-0d4b-4b8f-a6e2-9f1b3c5d7e08",
];

const h = useHarness({ clock }, async () => {
  // A child's team manager and service manager (Assessment & Intervention): never owners here.
  ({ fosteringIro: firo, tmCic: childrensTm, smAi: childrensSm } = await h.people());
  for (const s of [firo, childrensTm, childrensSm]) await h.install(s);
});

describe("a fostering IRO's escalation goes to the fostering service's managers", () => {
  it("is refused, saying why, while the directory has no fostering service", async () => {
    const r = await raise("FC-10482");
    expect(r.text).toMatch(/The directory has no fostering service to escalate to/);
    expect(await h.db.escalation.count()).toBe(0);
  });

  it("names the foster carer by reference, and climbs the fostering service's chain", async () => {
    // Bexley Children's Social Care Quality Assurance Framework, §5.3 "Escalations: Child Protection
    // Conference Chairs, Children Looked After Independent Reviewing Officers & Fostering Independent
    // Reviewing Officers", Fostering Independent Reviewing Officer: "Where problems are identified
    // in relations to a foster carers care arrangement […] the FIRO, will in the first instance, seek
    // to resolve the issue informally with the supervising social worker or the fostering manager.
    // […] the FIRO should consider raising a formal escalation […] through a number of levels of
    // seniority within the department […] Team Manager/Service Manager 5 days (Stage 1) Head of
    // Service 5 days (Stage 2) Assistant Director 5 days (Stage 3) Director 8 days (Stage 4)".
    const seed = readFileSync("prisma/seed-data/staff.csv", "utf8").trimEnd();
    await importStaffCsv(h.db, `${seed}\n${FOSTERING_ROWS.join("\n")}\n`);
    fosteringSm = await h.byEmail("remi.adeyemi@council.example");
    fosteringTm = await h.byEmail("nia.osei@council.example");
    hos = await h.byEmail("femi.shah@council.example");
    for (const s of [fosteringTm, fosteringSm, hos]) await h.install(s);

    // The form asks a fostering IRO for the carer's reference, and refuses a name.
    const form = await h.say(firo, "escalate");
    expect(cardText(form.cards[0])).toMatch(/Foster carer's reference \(from the case system, never a name\)/);
    expect((await raise("Smith")).text).toMatch(/Enter the foster carer's reference/);

    const r = await raise("fc-10482");
    expect(r.text).toMatch(/^Escalation · foster carer FC-10482/);
    expect(r.text).toMatch(/Stage 1 of 4: Team Manager\/Service Manager/);
    expect(r.text).toMatch(/Nia Osei, Remi Adeyemi/);
    const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: firo.id } });
    expect(esc).toMatchObject({ caseId: null, fosterCarerRef: "FC-10482", stageOwnerIds: [fosteringTm.id, fosteringSm.id] });
    await h.drainOutbox();
    for (const s of [fosteringTm, fosteringSm]) expect(escalationCards(s).at(-1)).toMatch(/Stage 1 of 4/);
    for (const s of [childrensTm, childrensSm]) expect(escalationCards(s)).toEqual([]);

    // No response by the deadline: Stage 2 is the fostering service manager's head of service.
    clock.set(new Date(esc.stageDeadline.getTime() + 60_000));
    await h.runJobs();
    await h.drainOutbox();
    const climbed = await h.db.escalation.findUniqueOrThrow({ where: { id: esc.id } });
    expect(climbed).toMatchObject({ stage: 2, stageOwnerIds: [hos.id] });
    expect(escalationCards(hos).at(-1)).toMatch(/^Escalation · foster carer FC-10482[\s\S]*Stage 2 of 4: Head of Service/);
    for (const s of [childrensTm, childrensSm]) expect(escalationCards(s)).toEqual([]);
  });
});
