// The outbox sender: drains OutboxMessage rows and delivers them through the Bot Connector.
// Claims rows with FOR UPDATE SKIP LOCKED (several instances never send the same row), records the
// activity id, retries transient failures with backoff and dead-letters after the configured limit.
import type { CloudAdapter, ConversationReference } from "botbuilder";
import type { AppContext } from "../services/context";
import type { OutboxPayload } from "../services/outbox";
import { cardAttachment, renderCard } from "../cards/render";

interface ClaimedRow {
  id: string;
  idempotencyKey: string;
  recipientId: string;
  kind: string;
  cardKey: string | null;
  payload: OutboxPayload;
  attempts: number;
}

const FINAL_STATUSES = new Set([403, 404]);

export class OutboxSender {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private wakeRequested = false;

  constructor(
    private readonly app: AppContext,
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Ask for a drain soon (new outbox rows, or a user became reachable). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    let more = false;
    try {
      more = (await this.drainOnce()) > 0;
    } catch (err) {
      this.app.log.error({ err }, "outbox drain failed");
    } finally {
      this.running = false;
    }
    const again = more || this.wakeRequested;
    this.wakeRequested = false;
    if (!this.stopped) this.schedule(again ? 0 : this.app.config.DELIVERY_POLL_MS);
  }

  /** Claims and sends one batch; returns how many rows were handled. */
  async drainOnce(batch = 25): Promise<number> {
    const now = this.app.clock.now();
    const lockUntil = new Date(now.getTime() + 60_000);
    const rows = await this.app.db.$queryRaw<ClaimedRow[]>`
      UPDATE "OutboxMessage" SET status = 'sending', "lockedUntil" = ${lockUntil}
      WHERE id IN (
        SELECT o.id FROM "OutboxMessage" o
        WHERE (o.status IN ('pending', 'waiting') OR (o.status = 'sending' AND o."lockedUntil" < ${now}))
          AND o."nextAttemptAt" <= ${now} AND o."notBefore" <= ${now}
          AND EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId")
        ORDER BY o."createdAt" LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      RETURNING id, "idempotencyKey", "recipientId", kind, "cardKey", payload, attempts`;
    await this.markUnreachable(now);
    for (const row of rows) await this.deliver(row);
    return rows.length;
  }

  /** Messages for people who never opened the bot wait with a visible status. */
  private async markUnreachable(now: Date): Promise<void> {
    await this.app.db.$executeRaw`
      UPDATE "OutboxMessage" o SET status = 'waiting', "lastError" = 'not reachable yet: the person has not opened Assure in Teams'
      WHERE o.status = 'pending' AND o."notBefore" <= ${now}
        AND NOT EXISTS (SELECT 1 FROM "ConversationReference" c WHERE c."staffId" = o."recipientId")`;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const db = this.app.db;
    const ref = await db.conversationReference.findUnique({ where: { staffId: row.recipientId } });
    if (!ref) {
      await db.outboxMessage.update({ where: { id: row.id }, data: { status: "waiting", lockedUntil: null } });
      return;
    }
    const p = row.payload;
    const activity = p.template
      ? { type: "message", attachments: [cardAttachment(renderCard(p.template, p.data ?? {}))] }
      : { type: "message", text: p.text ?? "" };
    try {
      let activityId: string | undefined;
      if (row.kind === "update") {
        const instance = row.cardKey
          ? await db.cardInstance.findUnique({ where: { cardKey_recipientId: { cardKey: row.cardKey, recipientId: row.recipientId } } })
          : null;
        if (!instance) {
          await db.outboxMessage.update({
            where: { id: row.id },
            data: { status: "skipped", lockedUntil: null, lastError: "no card to update" },
          });
          return;
        }
        await this.adapter.continueConversationAsync(this.botAppId, ref.reference as unknown as ConversationReference, async (ctx) => {
          await ctx.updateActivity({ ...activity, id: instance.activityId, conversation: { id: instance.conversationId } } as never);
        });
        activityId = instance.activityId;
      } else {
        await this.adapter.continueConversationAsync(this.botAppId, ref.reference as unknown as ConversationReference, async (ctx) => {
          const res = await ctx.sendActivity(activity);
          activityId = res?.id;
        });
      }
      await db.$transaction(async (tx) => {
        await tx.outboxMessage.update({
          where: { id: row.id },
          data: {
            status: "sent",
            sentAt: this.app.clock.now(),
            activityId: activityId ?? null,
            conversationId: ref.conversationId,
            lockedUntil: null,
            attempts: row.attempts + 1,
          },
        });
        if (row.kind === "send" && row.cardKey && activityId) {
          await tx.cardInstance.upsert({
            where: { cardKey_recipientId: { cardKey: row.cardKey, recipientId: row.recipientId } },
            update: { activityId, conversationId: ref.conversationId },
            create: { cardKey: row.cardKey, recipientId: row.recipientId, activityId, conversationId: ref.conversationId },
          });
        }
      });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      const attempts = row.attempts + 1;
      const final = status !== undefined && FINAL_STATUSES.has(status);
      const dead = final || attempts >= this.app.config.DELIVERY_MAX_ATTEMPTS;
      const backoff = Math.min(60_000, 500 * 2 ** attempts) * (0.5 + Math.random());
      this.app.log.warn({ outboxId: row.id, status, attempts, dead, err: (err as Error).message }, "delivery failed");
      await db.outboxMessage.update({
        where: { id: row.id },
        data: {
          status: final ? "blocked" : dead ? "dead" : "pending",
          attempts,
          lockedUntil: null,
          lastError: `${status ?? "network"}: ${(err as Error).message}`.slice(0, 500),
          nextAttemptAt: new Date(this.app.clock.now().getTime() + backoff),
        },
      });
    }
  }
}
