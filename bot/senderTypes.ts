// What the outbox sender holds in memory and counts (bot/delivery.ts, bot/reach.ts).
import type { ConversationReference } from "botbuilder";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { RateWindow } from "../services/delivery/pacer";
import type { ClaimedRow } from "../services/delivery/store";
import type { SlotSource } from "../services/delivery/tenantPace";

/** A claimed row ready to send: its conversation, service URL, tenant and reference. */
export interface Held extends Omit<
  ClaimedRow,
  "refConversationId" | "serviceUrl" | "tenantId" | "reference" | "cardConversationId" | "cardActivityId" | "recentRequests"
> {
  conversationId: string;
  serviceUrl: string;
  tenant: string;
  reference: Partial<ConversationReference>;
  /** For updates: the activity to replace. */
  activityId?: string;
}

export interface SenderStats {
  sent: number;
  retried: number;
  dead: number;
  blocked: number;
  skipped: number;
  waiting: number;
  took_over: number;
  /** Sends taken over from an expired lease (in doubt: the dead owner may have delivered them). */
  inDoubt: number;
  /** In-doubt sends found in the recipient's chat through Graph: recorded as sent, not sent again. */
  reconciled: number;
  /** In-doubt sends sent again without a check (no Graph, no marker, or the lookup failed): at-least-once. */
  resentInDoubt: number;
  /** Sends that got no answer after their body was written (timeout, reset): their retry is in doubt. */
  unanswered: number;
  lostLease: number;
  requests: number;
  throttled: number;
  globalPauses: number;
  /** Claim queries run and the ms they took in all (the sender's main database cost). */
  claims: number;
  claimMs: number;
  /** The tenant's slots: statements that took them, slots passed unused (late or unneeded), the lead. */
  slotReservations: number;
  slotsLost: number;
  slotLeadMs: number;
  /** How late request bodies were written after their slot: the most (ms), and how many over 10 and 20 ms. */
  slotLateMaxMs: number;
  slotLateOver10: number;
  slotLateOver20: number;
}

export function newStats(): SenderStats {
  return {
    sent: 0,
    retried: 0,
    dead: 0,
    blocked: 0,
    skipped: 0,
    waiting: 0,
    took_over: 0,
    inDoubt: 0,
    reconciled: 0,
    resentInDoubt: 0,
    unanswered: 0,
    lostLease: 0,
    requests: 0,
    throttled: 0,
    globalPauses: 0,
    claims: 0,
    claimMs: 0,
    slotReservations: 0,
    slotsLost: 0,
    slotLeadMs: 0,
    slotLateMaxMs: 0,
    slotLateOver10: 0,
    slotLateOver20: 0,
  };
}

export interface SenderOptions {
  /** Identifies this instance in lockedBy (default: random). */
  instanceId?: string;
  /** Graph client: people without a conversation get Assure installed for them. */
  graph?: GraphClient;
  /** Per-conversation windows (default Teams'). */
  perConversation?: readonly RateWindow[];
  /** Global ceiling override (default config.DELIVERY_GLOBAL_RPS). */
  globalRps?: number;
  /** Rows held (claimed, not yet sent) at most; default 1 s of the global rate, at least 50. */
  maxHeld?: number;
  /** Concurrent Graph calls: installs and in-doubt checks (default 4). */
  graphConcurrency?: number;
  /** In-doubt checks look for messages created after the previous attempt started minus this (default 2 minutes). */
  inDoubtSkewMs?: number;
  /** Where the tenant's request slots come from (default: shared through the database). */
  slots?: SlotSource;
  /** How often the bot's token is renewed ahead of need (default bot/connectorRequests.ts TOKEN_REFRESH_MS). */
  tokenRefreshMs?: number;
}

/** A sleep that `poke` ends early: the sender's loop waits on it. */
export class Wakeup {
  private signal: (() => void) | undefined;

  poke(): void {
    const s = this.signal;
    this.signal = undefined;
    s?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          this.signal = undefined;
          resolve();
        },
        Math.max(0, ms),
      );
      this.signal = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
