// `npm run demo`, practice observations and dip samples: the QA team schedules the observation an
// inadequate audit required, the practitioner agrees the date, the observer records the Practice
// Observation form and the practitioner reflects; then a dip sample of child protection plans is
// drawn, answered case after case by two reviewers, and its results shown.
import { cardActions, cardText, inputOf, type Harness, type StaffRef } from "../test/support/harness";
import type { ManualClock } from "../services/clock";
import { OBSERVATION_THEMES } from "../services/observation/form";

function ok(step: string, text: string, expected: RegExp): string {
  if (!expected.test(text)) throw new Error(`${step}: expected ${expected}, got "${text.replace(/\n/g, " | ").slice(0, 300)}"`);
  return text;
}

export async function demoObservationsAndDips(h: Harness, clock: ManualClock, print: (line: string) => void) {
  const started = clock.now();
  const qa = (await h.staffWithRole("QA_TEAM")).find((s) => !s.roles.includes("HEAD_OF_QA"))!;
  const required = await h.db.observation.findFirst({ where: { status: "required" }, orderBy: { createdAt: "asc" } });
  const practitioner = (await h.db.staff.findUniqueOrThrow({
    where: { id: required?.practitionerId ?? (await h.one("PRACTITIONER", "CP")).id },
  })) as StaffRef;
  const observer = (await h.staffWithRole("DEPUTY_TEAM_MANAGER")).find((s) => s.teamId !== practitioner.teamId)!;
  const form = (await h.say(qa, "observations")).cards[0];
  const date = String(inputOf(form, "date")?.value);
  ok(
    "schedule observation",
    (
      await h.execute(qa, "observation.schedule.run", {
        requiredId: required?.id ?? "",
        practitionerId: practitioner.id,
        observerId: observer.id,
        process: "home_visit",
        date,
      })
    ).text,
    /Practice observation scheduled/,
  );
  const o = await h.db.observation.findFirstOrThrow({
    where: { practitionerId: practitioner.id, observerId: observer.id },
    orderBy: { createdAt: "desc" },
  });
  ok("agree date", (await h.execute(practitioner, "observation.agree", { observationId: o.id })).text, /date is agreed/);
  clock.set(`${date}T15:00:00Z`);
  const answers = {
    ...Object.fromEntries(
      OBSERVATION_THEMES.flatMap((t) => [
        [`theme_${t.id}`, "good"],
        [`seen_${t.id}`, `${t.title}: seen during the visit`],
      ]),
    ),
    band: "good",
    strengths: "Calm, child-centred conversation",
    toDevelop: "Record the child's words in the visit note",
    actions: "Joint visit with the team manager next month",
  };
  ok("record observation", (await h.execute(observer, "observation.record", { observationId: o.id, ...answers })).text, /Recorded/);
  ok(
    "reflect",
    (await h.execute(practitioner, "observation.reflect", { observationId: o.id, reflection: "I will use the three houses tool." })).text,
    /reflection/,
  );
  print(
    `Practice observation of ${practitioner.name} by ${observer.name} on ${date}${required ? " (required after an inadequate audit)" : ""}: recorded Good; outcome to practitioner and manager; reflection added`,
  );

  const reviewers = [await h.one("DEPUTY_TEAM_MANAGER", "CIN"), await h.one("DEPUTY_TEAM_MANAGER", "LC")];
  const res = await h.execute(qa, "dipSample.create", {
    checklistId: "cp-plans",
    planType: "any",
    teamId: "any",
    size: "40",
    batchSize: "10",
    reviewers: reviewers.map((r) => r.id).join(","),
  });
  ok("dip sample", res.text, /Cases checked\n0 of \d+/);
  const sampleId = String(cardActions(res.card).find((a) => a.verb === "dipSample.results")!.data.sampleId);
  let n = 0;
  for (const rv of reviewers) {
    let card = (await h.execute(rv, "dipSample.next", { sampleId })).card;
    for (
      let press = cardActions(card).find((a) => a.verb === "dipSample.answer");
      press;
      press = cardActions(card).find((a) => a.verb === "dipSample.answer")
    ) {
      const r = await h.execute(rv, press.verb, {
        ...press.data,
        item_smart: n % 3 ? "yes" : "no",
        item_voice: n % 4 ? "yes" : "no",
        item_contingency: n % 7 ? "yes" : "no",
        judgement: n % 3 ? "good" : "less",
        needsAction: n % 10 ? "false" : "true",
        note: n % 10 ? "" : "Add a contingency plan at the next core group",
      });
      ok("dip check", r.text, /Saved case/);
      card = r.card;
      n++;
    }
  }
  const results = cardText((await h.execute(qa, "dipSample.results", { sampleId })).card);
  print(`Dip sample of child protection plans: ${n} cases checked by 2 reviewers, case after case in one card`);
  for (const line of results
    .split("\n")
    .filter((l) => /: \d+ of \d+ \(\d+%\)$/.test(l))
    .slice(0, 6))
    print(`  ${line}`);
  clock.set(started);
  return { observations: 1, dipChecked: n };
}
