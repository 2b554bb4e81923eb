// The shared escalation card: one per escalation, shown to every viewer with only the buttons
// they may press, and updated in place after every action.
import type { AppContext } from "../context";
import type { Actor } from "../permissions";
import { fmtDate, fmtDateTime, showCardToAll, type CardForAll } from "../viewerCards";
import type { Queryable } from "../sql";
import { cardKeyOf, escalationType, lastStageOf, LIMITS, stageOf, subjectOf } from "./rules";
import { EscalationStatus, isActive } from "./states";
import { requireView } from "./actors";
import {
  EVENTS_ON_CARD,
  loadWithEvents,
  viewersAndNames,
  type EscalationRow,
  type EventRow,
  type ExtensionRequest,
  type Loaded,
  type Person,
} from "./store";

/**
 * What every viewer's card shares (viewers, names, recent events): read once, however many
 * viewers, with the escalation and its events (`people`), else in one more read.
 */
async function cardBasis(tx: Queryable, e: EscalationRow, all: EventRow[], people?: Person[]) {
  const events = all.slice(-EVENTS_ON_CARD);
  const { viewers, names, refreshIds } = await viewersAndNames(tx, e, all, events, people);
  const proposal = e.status === EscalationStatus.proposed ? (all.findLast((x) => x.kind === "resolution_proposed") ?? null) : null;
  return { viewers, names, events, eventCount: all.length, proposal, refreshUserIds: refreshIds };
}
type CardBasis = Awaited<ReturnType<typeof cardBasis>>;

function statusText(ctx: AppContext, e: EscalationRow): string {
  if (e.status === EscalationStatus.resolved) return `Resolved on ${fmtDate(e.resolvedAt ?? ctx.clock.now(), ctx.config.TIMEZONE)}`;
  if (e.status === EscalationStatus.proposed) return "Resolution proposed: waiting for the raiser to confirm";
  return "Open";
}

/** The card as one viewer sees it (only the buttons they may press). */
export function cardData(ctx: AppContext, e: EscalationRow, viewerId: string, basis: CardBasis) {
  const tz = ctx.config.TIMEZONE;
  const type = escalationType(e.type);
  const stage = stageOf(type, e.stage);
  const { names, events, eventCount, proposal } = basis;
  const active = isActive(e.status);
  const isOwner = e.stageOwnerIds.includes(viewerId) && active;
  const isRaiser = e.raiserId === viewerId;
  const ext = e.extensionRequest as ExtensionRequest | null;
  const lastStage = lastStageOf(type);
  const open = e.status === EscalationStatus.open;
  return {
    id: e.id,
    v: e.version,
    stage: e.stage,
    subject: subjectOf(e),
    typeLabel: type.label,
    raiser: names.get(e.raiserId) ?? "",
    statusText: statusText(ctx, e),
    stageText: `Stage ${e.stage} of ${lastStage}: ${stage.title}`,
    owners: e.stageOwnerIds.map((id) => names.get(id) ?? "").join(", "),
    deadline: active ? fmtDateTime(e.stageDeadline, tz) : "",
    concern: e.concern,
    informal: e.informalAttempts,
    cafcass: e.cafcassReferredAt ? `Referred to Cafcass on ${fmtDate(e.cafcassReferredAt, tz)}` : "",
    events: events.map((x) => ({
      when: fmtDateTime(x.at, tz),
      text: `Stage ${x.stage} · ${x.actorId ? `${names.get(x.actorId) ?? ""}: ` : ""}${x.text ?? x.kind}`,
    })),
    olderEvents: eventCount > EVENTS_ON_CARD ? `${eventCount - EVENTS_ON_CARD} earlier entries are in the full history.` : "",
    extension: ext ? `${names.get(ext.byId) ?? "A stage owner"} asks for ${ext.days} more working days: ${ext.reason}` : "",
    proposal: proposal?.text ?? "",
    canOwnerAct: isOwner && open,
    canRequestTime: isOwner && open && !ext && type.furtherTime.allowed,
    canEscalateNow: isOwner && open && e.stage < lastStage,
    canAnswerTime: isRaiser && !!ext && active,
    canConfirm: isRaiser && e.status === EscalationStatus.proposed,
    canBypass: isRaiser && open && type.bypass.allowed && e.stage < lastStage,
    bypassChoices: type.stages
      .filter((s) => s.stage > e.stage)
      .map((s) => ({ title: `Stage ${s.stage}: ${s.title}`, value: String(s.stage) })),
    canCafcass: isRaiser && active && type.cafcass.available && !e.cafcassReferredAt,
    informPrompt: isRaiser && active && type.keepInformed.prompt ? `Stage ${e.stage}: ${type.keepInformed.prompt}` : "",
    cafcassText: type.cafcass.text ?? "",
    maxExtensionDays: LIMITS.maxExtensionDays,
    refresh: {
      action: { type: "Action.Execute", verb: "escalation.refresh", data: { id: e.id } },
      userIds: basis.refreshUserIds,
    },
  };
}

export type EscalationCard = ReturnType<typeof cardData>;

/** The card for every viewer (showCardToAll's arguments) and the card of any one viewer, from the row, its events and people. */
export async function cardsOf(tx: Queryable, ctx: AppContext, { row: e, events, people }: Loaded) {
  const basis = await cardBasis(tx, e, events, people);
  // The stage's owners must act by its deadline: their card is urgent; followers' cards are routine.
  const owners = isActive(e.status) ? e.stageOwnerIds : [];
  const all: CardForAll = {
    card: { cardKey: cardKeyOf(e.id), version: e.version, template: "escalation", kind: "escalation.card" },
    viewers: basis.viewers.map((v) => ({
      recipientId: v,
      data: cardData(ctx, e, v, basis),
      kind: owners.includes(v) ? "escalation.stageOwner" : undefined,
    })),
  };
  return { all, forViewer: (viewerId: string) => cardData(ctx, e, viewerId, basis) };
}

/**
 * Shows the current card to every viewer (first send for new viewers, in-place update for others);
 * returns the card data for the person who acted (the same reads, done once). `current` is the
 * row and its events as the caller just wrote them, when it knows them (spares reading them again).
 */
export async function publish(tx: Queryable, ctx: AppContext, id: string, current?: Loaded): Promise<(viewerId: string) => EscalationCard> {
  const { all, forViewer } = await cardsOf(tx, ctx, current ?? (await loadWithEvents(tx, id)));
  await showCardToAll(tx, ctx, all.card, all.viewers);
  return forViewer;
}

/** The card for this actor (Teams `refresh`, or opening it from a list). */
export async function escalationCardFor(ctx: AppContext, actor: Actor, id: string) {
  // Reads only: no transaction (each read sees committed data, as it would inside one).
  const loaded = await loadWithEvents(ctx.db, id);
  await requireView(ctx.db, actor, loaded);
  return cardData(ctx, loaded.row, actor.id, await cardBasis(ctx.db, loaded.row, loaded.events, loaded.people));
}
