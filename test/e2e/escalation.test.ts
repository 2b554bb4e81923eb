// Escalations end to end: raised from the `escalate` form, climbing stages on deadlines in working
// days (ManualClock + runDueJobs), bypass, extensions, Cafcass, raiser confirmation, one shared
// card updated in place for every viewer, refused presses and concurrent presses.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, type StaffRef } from "../support/harness";
import { ManualClock } from "../../services/clock";
import { cardSizeBytes, type CardJson } from "../../cards/render";
import { EVENTS_ON_CARD, loadWithEvents, viewersAndNames } from "../../services/escalation/store";

const clock = new ManualClock("2026-12-01T09:00:00Z"); // a Tuesday
let iro: StaffRef, cpChair: StaffRef, worker: StaffRef, tm: StaffRef, sm: StaffRef, hos: StaffRef, ad: StaffRef, dcs: StaffRef;
let caseRef: string;
let largestCard = 0;

/** The latest state of the shared escalation card in this person's chat (notes are skipped). */
const lastCard = (s: StaffRef) => {
  const c = h.connector
    .cardsTo(h.conversationOf(s))
    .filter((x) => cardText(x).startsWith("Escalation · case"))
    .at(-1);
  if (c) largestCard = Math.max(largestCard, cardSizeBytes(c as CardJson));
  return c;
};
const escalationOf = (id: string) => h.db.escalation.findUniqueOrThrow({ where: { id } });
/** The escalation's stage once the jobs due at `at` have run. */
async function stageAfterJobsAt(id: string, at: string) {
  clock.set(at);
  await h.runJobs();
  return (await escalationOf(id)).stage;
}
const verbsOn = (c: unknown) => cardActions(c).map((a) => a.verb);

async function raise(by: StaffRef, type: string, ref = caseRef) {
  const r = await h.execute(by, "escalation.raise", {
    caseRef: ref,
    type,
    concern: "The care plan has not been reviewed since the move.",
    informal: "Discussed with the social worker and TM on 20 Nov.",
  });
  const esc = await h.db.escalation.findFirstOrThrow({ where: { raiserId: by.id }, orderBy: { createdAt: "desc" } });
  await h.drainOutbox();
  return { r, esc };
}

const h = useHarness({ clock }, async () => {
  ({ iro, cpChair, tmCic: tm, smCic: sm, hosCic: hos, ad, dcs, cicWorker: worker } = await h.people());
  caseRef = (await h.db.case.findFirstOrThrow({ where: { workerId: worker.id }, orderBy: { caseRef: "asc" } })).caseRef;
  for (const s of [iro, cpChair, worker, tm, sm, hos, ad, dcs]) await h.install(s);
});
afterAll(() => {
  console.log(`escalation: largest card seen ${largestCard} bytes`);
});

describe("escalations", () => {
  it("the escalate form refuses an unknown case and a missing informal attempt, keeping what was typed", async () => {
    const form = await h.say(iro, "escalate");
    expect(cardText(form.cards[0])).toMatch(/Raise an escalation/);
    const bad = await h.execute(iro, "escalation.raise", { caseRef: "LL000000", type: "iro-cla", concern: "Worried", informal: "" });
    const text = cardText(bad.card);
    expect(text).toMatch(/No case with that case-management ID/);
    expect(text).toMatch(/what was tried informally/i);
    expect(text).toContain("Worried");
    expect(await h.db.escalation.count()).toBe(0);
  });

  it("climbs all four stages on working-day deadlines, prompting each owner and telling the previous one and the raiser", async () => {
    const { r, esc } = await raise(iro, "iro-cla");
    expect(r.text).toMatch(/Stage 1 of 4/);
    expect(esc.stageOwnerIds.sort()).toEqual([tm.id, sm.id].sort());
    // 5 working days from Tuesday 1 Dec 09:00 → Tuesday 8 Dec 09:00
    expect(esc.stageDeadline.toISOString()).toBe("2026-12-08T09:00:00.000Z");
    const tmCard = lastCard(tm);
    expect(verbsOn(tmCard)).toEqual(
      expect.arrayContaining(["escalation.acknowledge", "escalation.respond", "escalation.requestTime", "escalation.escalateNow"]),
    );
    expect((tmCard as { refresh?: { userIds?: string[] } }).refresh?.userIds?.length).toBeGreaterThan(0);
    // the case worker sees the card but no owner buttons
    expect(cardText(lastCard(worker))).toMatch(/Stage 1 of 4/);
    expect(verbsOn(lastCard(worker))).not.toContain("escalation.acknowledge");

    await h.execute(tm, "escalation.acknowledge", { id: esc.id });
    await h.drainOutbox();
    expect(cardText(lastCard(iro))).toMatch(/Acknowledged/);

    // a day before the deadline nothing moves
    expect(await stageAfterJobsAt(esc.id, "2026-12-07T09:00:00Z")).toBe(1);

    const expected = [
      { stage: 2, owner: hos, at: "2026-12-08T09:01:00Z" },
      { stage: 3, owner: ad, at: null },
      { stage: 4, owner: dcs, at: null },
    ];
    let previous = [tm, sm];
    for (const step of expected) {
      const before = await escalationOf(esc.id);
      clock.set(new Date(before.stageDeadline.getTime() + 60_000));
      const ran = await h.runJobs();
      expect(ran.failed).toBe(0);
      await h.drainOutbox();
      const now = await escalationOf(esc.id);
      expect(now.stage).toBe(step.stage);
      expect(now.stageOwnerIds).toEqual([step.owner.id]);
      const ownerCard = lastCard(step.owner);
      expect(cardText(ownerCard)).toContain(`Stage ${step.stage} of 4`);
      expect(verbsOn(ownerCard)).toContain("escalation.respond");
      for (const p of previous) {
        expect(cardText(lastCard(p))).toContain(`Stage ${step.stage} of 4`);
        expect(cardText(h.connector.cardsTo(h.conversationOf(p)).slice(-3))).toMatch(new RegExp(`moved to Stage ${step.stage}`));
      }
      expect(cardText(h.connector.cardsTo(h.conversationOf(iro)).slice(-3))).toMatch(new RegExp(`moved to Stage ${step.stage}`));
      previous = [step.owner];
    }
    // stage 4 has 8 working days; its deadline passing is recorded, not a fifth stage
    const s4 = await escalationOf(esc.id);
    clock.set(new Date(s4.stageDeadline.getTime() + 60_000));
    await h.runJobs();
    await h.drainOutbox();
    const events = await h.db.escalationEvent.findMany({ where: { escalationId: esc.id }, orderBy: { id: "asc" } });
    const kinds = events.map((e) => e.kind).filter((k) => k !== "stage_owner");
    expect(kinds).toEqual(["raised", "acknowledged", "stage", "stage", "stage", "deadline_final"]);
    // the raiser's one card was updated in place (not re-sent) as the stages moved
    const sends = h.connector.sentTo(h.conversationOf(iro)).filter((a) => a.kind === "update");
    expect(sends.length).toBeGreaterThanOrEqual(4);
    const history = await h.db.history.findMany({ where: { entityType: "escalation", entityId: esc.id } });
    expect(history.filter((x) => x.action === "stage_changed")).toHaveLength(3);
    // The card's people read with the escalation (one statement) are those read on their own.
    const loaded = await loadWithEvents(h.db, esc.id);
    const shown = loaded.events.slice(-EVENTS_ON_CARD);
    const alone = await viewersAndNames(h.db, loaded.row, loaded.events, shown);
    const withRow = await viewersAndNames(h.db, loaded.row, loaded.events, shown, loaded.people);
    const plain = (x: typeof alone) => ({
      viewers: [...x.viewers].sort(),
      names: [...x.names].sort(),
      refreshIds: [...x.refreshIds].sort(),
    });
    expect(loaded.events.length).toBeGreaterThan(EVENTS_ON_CARD);
    expect(plain(withRow)).toEqual(plain(alone));
    expect(alone.viewers).toEqual(expect.arrayContaining([iro.id, tm.id, sm.id, hos.id, ad.id, dcs.id]));
  });

  it("lets the raiser bypass to a later stage", async () => {
    clock.set("2026-12-01T10:00:00Z");
    const { esc } = await raise(cpChair, "cp-chair");
    const choices = cardActions(lastCard(cpChair)).map((a) => a.verb);
    expect(choices).toContain("escalation.bypass");
    const r = await h.execute(cpChair, "escalation.bypass", { id: esc.id, toStage: "3" });
    expect(r.text).toMatch(/Stage 3 of 4/);
    await h.drainOutbox();
    const now = await escalationOf(esc.id);
    expect(now.stage).toBe(3);
    expect(now.stageOwnerIds).toEqual([ad.id]);
    expect(cardText(lastCard(ad))).toMatch(/raiser bypassed/);
    // the old stage-1 job no longer fires
    expect(await stageAfterJobsAt(esc.id, "2026-12-08T09:30:00Z")).toBe(3);
  });

  it("extension granted moves the deadline; refused keeps it", async () => {
    clock.set("2026-12-01T11:00:00Z");
    const { esc } = await raise(iro, "iro-cla");
    const asked = await h.execute(tm, "escalation.requestTime", { id: esc.id, days: "3", reason: "Placement review booked for Friday" });
    expect(asked.text).toMatch(/asks for 3 more working days/);
    await h.drainOutbox();
    expect(verbsOn(lastCard(iro))).toContain("escalation.answerTime");
    // The raiser's note says what is asked and why, and its button brings up the card with Grant and Refuse.
    const note = h.connector
      .cardsTo(h.conversationOf(iro))
      .filter((x) => cardText(x).includes("more time requested"))
      .at(-1);
    expect(cardText(note)).toMatch(/asks for 3 more working days: Placement review booked for Friday/);
    const open = cardActions(note).find((a) => a.verb === "escalation.refresh");
    expect(open?.data).toEqual({ id: esc.id });
    const opened = await h.execute(iro, "escalation.refresh", open!.data);
    expect(verbsOn(opened.card)).toContain("escalation.answerTime");
    expect(cardText(opened.card)).toMatch(/asks for 3 more working days/);
    // The same button pressed by someone who may not read the escalation shows nothing of it.
    const { fosteringIro } = await h.people();
    const stranger = await h.execute(fosteringIro, "escalation.refresh", open!.data);
    expect(stranger.text).not.toContain("Placement review");
    // a second request while one is waiting is refused
    const again = await h.execute(sm, "escalation.requestTime", { id: esc.id, days: "2", reason: "x" });
    expect(again.text).toMatch(/already waiting/);
    const granted = await h.execute(iro, "escalation.answerTime", { id: esc.id, accept: true });
    expect(granted.text).toMatch(/Granted 3 more working days/);
    const after = await escalationOf(esc.id);
    expect(after.stageDeadline.toISOString()).toBe("2026-12-11T11:00:00.000Z");
    // the original deadline passes: nothing moves
    expect(await stageAfterJobsAt(esc.id, "2026-12-08T12:00:00Z")).toBe(1);

    await h.execute(sm, "escalation.requestTime", { id: esc.id, days: "5", reason: "More checks" });
    const refused = await h.execute(iro, "escalation.answerTime", { id: esc.id, accept: false });
    expect(refused.text).toMatch(/Refused the request/);
    expect((await escalationOf(esc.id)).stageDeadline.toISOString()).toBe("2026-12-11T11:00:00.000Z");
    expect(await stageAfterJobsAt(esc.id, "2026-12-11T11:01:00Z")).toBe(2);
  });

  it("records a Cafcass referral and informs the stage owners", async () => {
    clock.set("2026-12-14T10:00:00Z");
    const { esc } = await raise(iro, "iro-cla");
    const before = h.connector.cardsTo(h.conversationOf(tm)).length;
    const r = await h.execute(iro, "escalation.cafcass", { id: esc.id });
    expect(r.text).toMatch(/Referred to Cafcass/);
    await h.drainOutbox();
    expect(cardText(h.connector.cardsTo(h.conversationOf(tm)).slice(before))).toMatch(/referred to Cafcass/i);
    const twice = await h.execute(iro, "escalation.cafcass", { id: esc.id });
    expect(twice.text).toMatch(/already referred/);
    // a CP chair's escalation cannot go to Cafcass
    const { esc: cp } = await raise(cpChair, "cp-chair");
    expect(verbsOn(lastCard(cpChair))).not.toContain("escalation.cafcass");
    const no = await h.execute(cpChair, "escalation.cafcass", { id: cp.id });
    expect(no.text).toMatch(/Only IRO escalations/);
  });

  it("a resolution needs the raiser's confirmation", async () => {
    clock.set("2026-12-15T10:00:00Z");
    const { esc } = await raise(iro, "iro-cla");
    const p = await h.execute(sm, "escalation.respond", { id: esc.id, response: "Review held; plan updated and shared.", resolve: "true" });
    expect(p.text).toMatch(/waiting for the raiser to confirm/);
    expect((await escalationOf(esc.id)).status).toBe("resolution_proposed");
    const notRaiser = await h.execute(tm, "escalation.confirm", { id: esc.id, accept: true });
    expect(notRaiser.text).toMatch(/Only the person who raised/);
    const ok = await h.execute(iro, "escalation.confirm", { id: esc.id, accept: true });
    expect(ok.text).toMatch(/Resolved on/);
    // Its owner is told it is resolved; someone with no part in it is not even told that: the very
    // answer of an escalation that does not exist.
    expect((await h.execute(sm, "escalation.acknowledge", { id: esc.id })).text).toMatch(/Already done/);
    const stranger = await h.byEmail("isla.jones@council.example");
    const r = await h.execute(stranger, "escalation.acknowledge", { id: esc.id });
    expect(r.text).toMatch(/Not found/);
    expect(r.text).toBe((await h.execute(stranger, "escalation.acknowledge", { id: randomUUID() })).text);
    await h.drainOutbox();
    expect(verbsOn(lastCard(tm))).not.toContain("escalation.respond");
  });

  it("refuses a button the user may not press, changing nothing", async () => {
    clock.set("2026-12-16T10:00:00Z");
    const { esc } = await raise(iro, "iro-cla");
    const before = await escalationOf(esc.id);
    const eventsBefore = await h.db.escalationEvent.count({ where: { escalationId: esc.id } });
    for (const [who, verb, data] of [
      [worker, "escalation.escalateNow", { id: esc.id }],
      [tm, "escalation.bypass", { id: esc.id, toStage: "4" }],
      [hos, "escalation.acknowledge", { id: esc.id }],
    ] as const) {
      const r = await h.execute(who, verb, data);
      expect(r.text).toMatch(/Not allowed|Only/);
    }
    const after = await escalationOf(esc.id);
    expect(after.version).toBe(before.version);
    expect(after.stage).toBe(1);
    expect(await h.db.escalationEvent.count({ where: { escalationId: esc.id } })).toBe(eventsBefore);
    // someone with no part in it cannot even open the card, nor learn that it exists: the very
    // answer of an escalation that does not exist, whether they open it or press one of its buttons
    const stranger = await h.byEmail("isla.jones@council.example");
    for (const [verb, data] of [
      ["escalation.refresh", {}],
      ["escalation.acknowledge", {}],
      ["escalation.confirm", { accept: true }],
    ] as const) {
      const r = await h.execute(stranger, verb, { id: esc.id, ...data });
      expect(r.text, verb).toMatch(/Not found/);
      expect(r.text, verb).toBe((await h.execute(stranger, verb, { id: randomUUID(), ...data })).text);
    }
  });

  it("two owners pressing 'escalate now' at once: exactly one wins, the other is told", async () => {
    clock.set("2026-12-17T10:00:00Z");
    const { esc } = await raise(iro, "iro-cla");
    // No reason: refused, and nothing moves (the next stage's owner is told why it reached them early).
    const bare = await h.execute(tm, "escalation.escalateNow", { id: esc.id, escalateReason: " " });
    expect(bare.text).toMatch(/Say why you are escalating before the deadline/);
    expect((await escalationOf(esc.id)).stage).toBe(1);
    const escalateReason = "The plan's **review** is <b>overdue</b> again";
    const [a, b] = await Promise.all([
      h.execute(tm, "escalation.escalateNow", { id: esc.id, escalateReason }),
      h.execute(sm, "escalation.escalateNow", { id: esc.id, escalateReason }),
    ]);
    const texts = [a.text, b.text];
    expect(texts.filter((t) => /Stage 2 of 4/.test(t) && !/Someone else|Already done/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /Someone else got there first|no longer yours|Already done/.test(t))).toHaveLength(1);
    const now = await escalationOf(esc.id);
    expect(now.stage).toBe(2);
    expect(await h.db.escalationEvent.count({ where: { escalationId: esc.id, kind: "stage" } })).toBe(1);
    // The card everyone sees says why, as typed (never as markup).
    const moved = texts.find((t) => /Stage 2 of 4/.test(t) && !/Someone else|Already done/.test(t))!;
    expect(moved).toContain("escalated by the stage owner: The plan's **review** is <b>overdue</b> again");
  });

  it("a double click on Acknowledge, and two owners acknowledging at once, record each acknowledgement once", async () => {
    clock.set("2026-12-17T10:00:00Z");
    // The new escalation by its id (raise() picks the raiser's latest, and earlier tests raised at this time too).
    const earlier = (await h.db.escalation.findMany({ select: { id: true } })).map((e) => e.id);
    await raise(iro, "iro-cla");
    const esc = await h.db.escalation.findFirstOrThrow({ where: { id: { notIn: earlier } } });
    const presses = await Promise.all([
      h.execute(tm, "escalation.acknowledge", { id: esc.id }),
      h.execute(tm, "escalation.acknowledge", { id: esc.id }),
      h.execute(sm, "escalation.acknowledge", { id: esc.id }),
    ]);
    const told = presses.filter((r) => /Someone else got there first|Already done/.test(r.text));
    const acks = await h.db.escalationEvent.findMany({ where: { escalationId: esc.id, kind: "acknowledged" } });
    const history = await h.db.history.findMany({ where: { entityType: "escalation", entityId: esc.id, action: "acknowledged" } });
    // Every press either recorded an acknowledgement or was told why not; none recorded twice.
    expect(acks.length + told.length).toBe(3);
    expect(acks.length).toBeGreaterThanOrEqual(1);
    expect(acks.filter((a) => a.actorId === tm.id).length).toBeLessThanOrEqual(1);
    expect(history.map((x) => x.actorId).sort()).toEqual(acks.map((a) => a.actorId).sort());
    const now = await escalationOf(esc.id);
    expect(now.version).toBe(esc.version + acks.length);
  });

  it("an acknowledgement at night gives the followers' held cards its content and updates the owners' delivered ones", async () => {
    clock.set("2026-12-17T21:00:00Z");
    const earlier = (await h.db.escalation.findMany({ select: { id: true } })).map((e) => e.id);
    await raise(iro, "iro-cla");
    const esc = await h.db.escalation.findFirstOrThrow({ where: { id: { notIn: earlier } } });
    const cardKey = `escalation:${esc.id}`;
    // Quiet hours: the case worker's card waits for the morning, the stage owners' (urgent) went at once.
    const held = await h.db.outboxMessage.findMany({ where: { cardKey, kind: "send", status: "pending" } });
    expect(held.map((m) => m.recipientId)).toContain(worker.id);
    await h.execute(tm, "escalation.acknowledge", { id: esc.id });
    const rows = await h.db.outboxMessage.findMany({ where: { cardKey } });
    const workers = rows.filter((m) => m.recipientId === worker.id);
    expect(workers.map((m) => m.kind)).toEqual(["send"]);
    expect(JSON.stringify(workers[0]!.payload)).toMatch(/Acknowledged/);
    expect(workers[0]!.urgent).toBe(false);
    const updates = rows.filter((m) => m.kind === "update");
    expect(updates.map((m) => m.recipientId).sort()).toEqual([tm.id, sm.id].sort());
    expect(updates.map((m) => m.idempotencyKey.endsWith(`:v${esc.version + 1}`))).toEqual([true, true]);
  });

  it("lists open escalations by age and stage for heads of service; everyone else sees only the ones they may read", async () => {
    const list = await h.say(hos, "escalations");
    const text = cardText(list.cards[0]);
    expect(text).toMatch(/Open escalations/);
    expect(text).toMatch(/Stage 4/);
    expect(text).toMatch(/working days old/);
    // The case's worker is shown its escalations' cards: they list them too.
    const mine = cardText((await h.say(worker, "escalations")).cards[0]);
    expect(mine).toMatch(/Your open escalations/);
    expect(mine).toContain(caseRef);
    expect(mine).not.toMatch(/Not allowed/);
  });

  it("the raiser (an IRO, a CP chair) finds the escalations they raised with `escalations`, offered in help; no one sees others' escalations", async () => {
    clock.set("2026-12-21T10:00:00Z");
    const cpRef = (await h.db.case.findFirstOrThrow({ where: { teamId: "CP" }, orderBy: { caseRef: "asc" } })).caseRef;
    const { esc } = await raise(cpChair, "cp-chair", cpRef);
    expect(await h.db.escalation.count({ where: { id: esc.id } })).toBe(1);
    const help = cardText((await h.say(cpChair, "help")).cards[0]);
    expect(help).toMatch(/escalations/);
    expect(help).toMatch(/Open escalations you raised/);
    const said = await h.say(cpChair, "escalations");
    const text = cardText(said.cards[0]);
    expect(text).not.toMatch(/Not allowed|escalations\.overview/);
    expect(text).toMatch(/Your open escalations/);
    expect(text).toContain(cpRef);
    expect(said.cards[0] && cardActions(said.cards[0]).map((a) => a.verb)).toContain("escalation.refresh");
    // The IRO raised none on this case and is no owner of it: it is not in their list, though theirs are.
    const iroList = cardText((await h.say(iro, "escalations")).cards[0]);
    expect(iroList).toContain(caseRef);
    expect(iroList).not.toContain(cpRef);
    // Someone with no part in these escalations sees neither (and no refusal).
    const { fosteringIro } = await h.people();
    await h.install(fosteringIro);
    const none = cardText((await h.say(fosteringIro, "escalations")).cards[0]);
    expect(none).toMatch(/Your open escalations/);
    expect(none).not.toContain(cpRef);
    expect(none).not.toContain(caseRef);
  });
});
