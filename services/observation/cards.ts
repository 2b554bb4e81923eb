// Card data of a practice observation: the same card shows the practitioner (agree the date or
// propose another), the observer (accept a proposed date, open the form) and, once recorded, the
// outcome to the practitioner (who may add a reflection) and their manager; the QA team (whoever
// may schedule) sees it with the observer's "Move or cancel" panel. Text typed by one person
// reaches another only as data (cards/render.ts escapes it).
import type { Config } from "../config";
import { may, type Actor } from "../permissions";
import { formatDate } from "../dates";
import { OBSERVATION_THEMES, THEME_JUDGEMENTS, bandLabel, judgementBands, processTitle, type ObservationForm } from "./form";
import { PLANNED_STATUSES, type ObservationStatus } from "./states";

export const inviteCardKey = (id: string) => `observation:${id}:invite`;
export const observerCardKey = (id: string) => `observation:${id}:observer`;
export const outcomeCardKey = (id: string) => `observation:${id}:outcome`;

export interface ObservationView {
  id: string;
  status: string;
  process: string;
  date: Date | null;
  proposedDate: Date | null;
  proposedNote: string | null;
  changeNote: string | null;
  caseRef: string | null;
  /** The inadequate audit that requires this observation, and the action it opened for it. */
  auditId: string | null;
  actionId: string | null;
  auditCaseRef: string | null;
  practitionerId: string;
  practitionerName: string;
  observerId: string | null;
  observerName: string;
  managerId: string | null;
  managerName: string;
  form: ObservationForm;
  bandId: string | null;
  goodOrBetter: boolean | null;
  strengths: string | null;
  toDevelop: string | null;
  actions: string | null;
  reflection: string | null;
}

const STATUS_TEXT: Record<ObservationStatus, string> = {
  required: "Required: waiting to be scheduled",
  awaiting_agreement: "Waiting for the practitioner to agree the date",
  date_proposed: "The practitioner proposed another date",
  agreed: "Date agreed",
  completed: "Observation recorded",
  cancelled: "Cancelled",
};

/** What a cancelled observation an inadequate audit requires becomes (the authority's own default). */
const BACK_TO_QA =
  "It is still required after the inadequate audit, so it goes back to the QA team to arrange again (the authority's own default); the audit's action stays open until an observation is recorded.";

function facts(o: ObservationView) {
  return [
    { title: "Observation of", value: o.practitionerName },
    { title: "What", value: processTitle(o.process) },
    { title: "Observer", value: o.observerName || "to be named" },
    { title: "Date", value: o.date ? formatDate(o.date) : "to be agreed" },
    ...(o.proposedDate && o.status === "date_proposed" ? [{ title: "Proposed date", value: formatDate(o.proposedDate) }] : []),
    ...(o.changeNote
      ? [{ title: o.status === "cancelled" || o.status === "required" ? "Why cancelled" : "Why the date moved", value: o.changeNote }]
      : []),
    ...(o.caseRef ? [{ title: "Case", value: o.caseRef }] : []),
    ...(o.auditCaseRef ? [{ title: "Why", value: `Required: the audit of case ${o.auditCaseRef} found the work inadequate` }] : []),
    { title: "Status", value: STATUS_TEXT[o.status as ObservationStatus] ?? o.status },
  ];
}

/** What the card says to the viewer about where the observation stands. */
function observationIntro(o: ObservationView, isPractitioner: boolean): string {
  if (o.status === "cancelled") return "This observation is cancelled: nothing more is needed.";
  if (o.status === "required" && o.changeNote) return `This observation is cancelled. ${BACK_TO_QA}`;
  return isPractitioner
    ? o.status === "awaiting_agreement"
      ? "You are told in advance: please agree the date, or propose another that suits the visit or meeting."
      : o.status === "date_proposed"
        ? "You proposed another date; the observer will confirm it."
        : "The observation gives you a chance to reflect on the support and intervention you provide."
    : o.status === "date_proposed"
      ? `${o.practitionerName} proposed another date${o.proposedNote ? `: “${o.proposedNote}”` : "."}`
      : o.status === "agreed"
        ? "The date is agreed. After the observation, record it on the Practice Observation form."
        : "The practitioner has been asked to agree the date.";
}

type CardExtra = {
  proposedDate?: string;
  note?: string;
  newDate?: string;
  reason?: string;
  errors?: Record<string, string>;
  info?: string;
  /** The viewer may schedule observations (the QA team): they may move or cancel it too. */
  scheduler?: boolean;
};

/** The invitation / status card (template "observation") as `viewer` sees it. */
export function observationCardData(o: ObservationView, viewerId: string, extra: CardExtra = {}) {
  const isPractitioner = viewerId === o.practitionerId;
  const isObserver = viewerId === o.observerId;
  const heading = isPractitioner
    ? "A practice observation of your work"
    : isObserver
      ? "A practice observation you will carry out"
      : "A practice observation";
  const intro = observationIntro(o, isPractitioner);
  return {
    observationId: o.id,
    heading,
    intro,
    info: extra.info ?? "",
    facts: facts(o),
    focus: OBSERVATION_THEMES.map((t) => ({ text: `• ${t.title}` })),
    canAgree: isPractitioner && o.status === "awaiting_agreement",
    canAccept: isObserver && o.status === "date_proposed",
    canRecord: isObserver && o.status === "agreed",
    canChange: (isObserver || (!!extra.scheduler && !isPractitioner)) && PLANNED_STATUSES.includes(o.status as ObservationStatus),
    newDate: extra.newDate ?? "",
    reason: extra.reason ?? "",
    reasonError: extra.errors?.reason ?? extra.errors?.newDate ?? "",
    proposedDate: extra.proposedDate ?? "",
    proposedDateError: extra.errors?.proposedDate ?? "",
    note: extra.note ?? "",
    noteError: extra.errors?.note ?? "",
  };
}

/** The card as an authenticated actor sees it: the QA team's view has the "Move or cancel" panel too. */
export const observationCardFor = (o: ObservationView, actor: Actor, extra: Omit<CardExtra, "scheduler"> = {}) =>
  observationCardData(o, actor.id, { ...extra, scheduler: may(actor, "observations.schedule") });

/** The observer's Practice Observation form (template "observation-form"). */
export function observationFormData(
  o: ObservationView,
  config: Pick<Config, "GRADE_SCALE">,
  bands: { title: string; value: string }[],
  markers: readonly string[],
  typed: ObservationForm = o.form,
  errors: Record<string, string> = {},
  info = "",
) {
  return {
    observationId: o.id,
    heading: `Practice Observation form: ${o.practitionerName}`,
    facts: facts(o).filter((f) => f.title !== "Status"),
    markers: markers.map((text) => ({ text: `• ${text}` })),
    themes: OBSERVATION_THEMES.map((t) => ({
      title: t.title,
      prompt: t.prompt,
      judgementId: `theme_${t.id}`,
      judgement: typed.themes[t.id]?.judgement ?? "",
      judgementError: errors[`theme_${t.id}`] ?? "",
      seenId: `seen_${t.id}`,
      seen: typed.themes[t.id]?.seen ?? "",
      seenError: errors[`seen_${t.id}`] ?? "",
    })),
    bands,
    band: typed.bandId ?? "",
    bandError: errors.band ?? "",
    scaleNote: `On the authority's grade scale: ${judgementBands(config)
      .filter((b) => b.isGood)
      .map((b) => b.label)
      .join(", ")} count as "good or better", the rest as "less than good".`,
    strengths: typed.strengths ?? "",
    strengthsError: errors.strengths ?? "",
    toDevelop: typed.toDevelop ?? "",
    toDevelopError: errors.toDevelop ?? "",
    actions: typed.actions ?? "",
    actionsError: errors.actions ?? "",
    error: errors.date ?? (Object.keys(errors).length ? "Some answers need attention before the observation can be recorded." : ""),
    info,
  };
}

/** The outcome (template "observation-outcome") for the practitioner (who may reflect), their manager or another viewer. */
export function outcomeCardData(o: ObservationView, config: Pick<Config, "GRADE_SCALE">, viewerId: string, reflectionError = "") {
  const judgement = bandLabel(config, o.bandId);
  const themeText = (id: string) => {
    const a = o.form.themes[id];
    const j = THEME_JUDGEMENTS.find((x) => x.value === a?.judgement)?.title ?? "not recorded";
    return a?.seen?.trim() ? `${j}: ${a.seen.trim()}` : j;
  };
  const isPractitioner = viewerId === o.practitionerId;
  return {
    observationId: o.id,
    heading: `Practice observation outcome: ${o.practitionerName}`,
    intro: isPractitioner
      ? `${o.observerName} recorded the observation. ${o.reflection ? "Your reflection is below." : "You can add your reflection below."}`
      : `${o.observerName} observed ${o.practitionerName}${viewerId === o.managerId ? " (your team)" : ""}. ${o.reflection ? "The practitioner's reflection is below." : "The practitioner can add a reflection."}`,
    facts: [
      { title: "What", value: processTitle(o.process) },
      { title: "Date", value: o.date ? formatDate(o.date) : "not recorded" },
      { title: "Observer", value: o.observerName },
      { title: "Judgement", value: `${judgement} (${o.goodOrBetter ? "good or better" : "less than good"})` },
    ],
    themes: OBSERVATION_THEMES.map((t) => ({ title: t.title, value: themeText(t.id) })),
    strengths: o.strengths ?? "",
    toDevelop: o.toDevelop ?? "",
    actions: o.actions ?? "",
    reflection: o.reflection ?? "",
    canReflect: isPractitioner && !o.reflection,
    reflectionError,
  };
}
