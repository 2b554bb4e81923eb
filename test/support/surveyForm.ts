// Answering a survey form through the bot as a person would: fill each page's inputs (answers by
// question id, else a sensible default) and press Next until Submit.
import { cardActions, cardText, type Harness, type StaffRef } from "./harness";

/** The inputs on a card: id → the element. */
export function inputsOf(card: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    if (typeof o.type === "string" && o.type.startsWith("Input.") && typeof o.id === "string") out[o.id] = o;
    for (const [k, v] of Object.entries(o)) if (k !== "fallback" && typeof v === "object") walk(v);
  };
  walk(card);
  return out;
}

/** Values for a form page: overrides by question id (`__text` for every free text), else a default. */
export function fill(card: unknown, answers: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [id, el] of Object.entries(inputsOf(card))) {
    const qid = id.replace(/^q_/, "");
    if (answers[qid] !== undefined) values[id] = answers[qid];
    else if (el.type === "Input.ChoiceSet") {
      const choices = (el.choices as { value: string }[]).map((c) => c.value);
      values[id] = choices.includes("7") ? "7" : choices.includes("Agree") ? "Agree" : choices[0]!;
    } else values[id] = answers.__text ?? "";
  }
  return values;
}

/** Opens the survey and answers every page; returns the text of the last card. */
export async function answerWholeSurvey(h: Harness, s: StaffRef, campaignId: string, answers: Record<string, string>): Promise<string> {
  let card = (await h.execute(s, "survey.page", { campaignId, page: 0, nav: "open" })).card;
  for (let guard = 0; guard < 15; guard++) {
    const actions = cardActions(card);
    const next = actions.find((a) => a.title === "Submit") ?? actions.find((a) => a.title === "Next" || a.title === "Continue");
    if (!next) throw new Error(`no Next or Submit: ${actions.map((a) => a.title).join(", ")}`);
    const res = await h.execute(s, next.verb, { ...next.data, ...fill(card, answers) });
    if (next.title === "Submit") return res.text;
    card = res.card;
  }
  throw new Error("form did not end");
}

/** The QA team opens the Health Check for all staff, 1–21 December 2026: the campaign id and the card they got back. */
export async function openHealthCheck(
  h: Harness,
  qa: StaffRef,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; card: Record<string, unknown>; text: string }> {
  const opened = await h.execute(qa, "survey.open", {
    templateId: "health-check",
    audience: "all",
    opensOn: "2026-12-01",
    closesOn: "2026-12-21",
    reminderEveryDays: 7,
    ...extra,
  });
  if (!/is open for/.test(opened.text)) throw new Error(`survey not opened: ${opened.text}`);
  const c = await h.db.surveyCampaign.findFirstOrThrow({
    where: { templateId: "health-check", status: "open" },
    orderBy: { opensAt: "desc" },
  });
  return { id: c.id, card: opened.card, text: opened.text };
}

/** The invitations to a survey (cards with its title and a Start button) a person has received. */
export function invitesTo(h: Harness, s: StaffRef, title: string): Record<string, unknown>[] {
  return h.connector
    .cardsTo(h.conversationOf(s))
    .filter((k) => cardText(k).includes(title) && cardActions(k).some((a) => a.title === "Start"));
}
