// The tenant's ceiling (Teams: 50 requests per second per app and tenant), shared by every sender
// instance through PostgreSQL as a timeline of request slots (docs/delivery.md, "Pacing").
//
// One row per tenant holds the first slot no instance has taken yet. An instance takes the next few
// slots in one atomic statement (`UPDATE … SET next = GREATEST(next, now) + k·spacing`), on the
// database's clock, and makes each request at its slot, never before it; a slot it cannot use within
// a small tolerance is lost, never used late. Slots are `spacing` apart on one timeline, so however
// many instances there are, any second holds at most the ceiling's worth of requests:
// - an instance that stops holds at most a few slots (a tenth of a second or so), and a graceful
//   stop gives back its last block if nobody has taken slots after it;
// - a new one takes part with its first statement;
// - a stalled one cannot overspend: its slots pass while it is stalled and are lost to it.
import type { Sql } from "../sql";

/** Whether a request may go now under the tenant's ceiling, or how long until it may. */
export type SlotVerdict = { ok: true; at?: number } | { ok: false; waitMs: number };

/** Where a sender takes its requests' slots under the tenant's ceiling. */
export interface SlotSource {
  /** A slot now (used up), or how long to wait; `demand` is how many requests are ready. Never blocks. */
  take(tenant: string, now: number, demand?: number): SlotVerdict;
  /** A 429 about the whole app: no slot before `untilMs` (local clock), for any instance. */
  pause(tenant: string, untilMs: number): void;
  /** Gives back what can be given back (graceful stop). */
  close(): Promise<void>;
  /** A request taken at slot `at` had its body written at `writtenAt` (how late requests leave). */
  written?(at: number, writtenAt: number): void;
  /**
   * Whether a request about to be written at `now` is past its slot `at` (its preparation was slow):
   * the slot is then lost, as one not taken in time is.
   */
  missed?(at: number, now: number): boolean;
}

export interface TenantPaceOptions {
  /** The tenant's ceiling in requests per second. */
  rps: number;
  /**
   * Slots are (1 s + marginMs) / rps apart (default 20 ms: at most 98 % of the ceiling), which also
   * absorbs requests reaching the server up to marginMs later than their slot.
   */
  marginMs?: number;
  /** A slot not used within this many ms of its time is lost (default: half the margin, the rest absorbs jitter on the way). */
  toleranceMs?: number;
  /** Slots taken per statement at most (default: 150 ms worth, at least 1). */
  block?: number;
  /** Called when slots arrive (wakes the sender's loop). */
  onSlots?: () => void;
  onError?: (err: unknown) => void;
}

interface Tenant {
  /** Slot times held by this instance, local clock, ascending. */
  slots: number[];
  /** The same slots' times on the timeline (the database's clock). */
  dbSlots: number[];
  reserving: boolean;
  pausedUntil: number;
  /** The last block taken: given back on close if it is still the timeline's end. */
  lastBlock?: { firstDb: number; endDb: number };
  retryAt: number;
  /** A block arrived and none of its slots has been used or lost yet. */
  fresh?: boolean;
}

export class TenantPace implements SlotSource {
  readonly spacingMs: number;
  private readonly toleranceMs: number;
  private readonly block: number;
  private readonly tenants = new Map<string, Tenant>();
  /** Slots lost (not used within the tolerance): the share this instance reserved and did not use. */
  lost = 0;
  /** Statements that took slots. */
  reservations = 0;
  /** How late bodies were written after their slot: the most, and how many later than 10 and 20 ms. */
  private late = { max: 0, over10: 0, over20: 0 };
  /**
   * This process's clock minus the database's, as an upper bound: the least (answer's arrival −
   * database time) seen. One bound for every block, so round trips of different lengths do not
   * shift one block's slots against another's.
   */
  private offsetMs = Infinity;
  /**
   * How far ahead of the database's now a block starts, so its slots arrive (and the loop wakes)
   * before they are due: doubled whenever a block's first slot passed unused, eased back by a tenth
   * after each block that did not. A busy machine's late timers would otherwise lose every block.
   */
  leadMs = 10;
  private offsetAt = 0;

  constructor(
    private readonly sql: Sql,
    private readonly opts: TenantPaceOptions,
  ) {
    const margin = opts.marginMs ?? 20;
    this.spacingMs = (1_000 + margin) / opts.rps;
    this.toleranceMs = opts.toleranceMs ?? margin / 2;
    this.block = opts.block ?? Math.max(1, Math.round(150 / this.spacingMs));
  }

  private tenant(key: string): Tenant {
    let t = this.tenants.get(key);
    if (!t) {
      t = { slots: [], dbSlots: [], reserving: false, pausedUntil: 0, retryAt: 0 };
      this.tenants.set(key, t);
    }
    return t;
  }

  counters(): Record<string, number> {
    const l = this.late;
    return {
      slotReservations: this.reservations,
      slotsLost: this.lost,
      slotLeadMs: Math.round(this.leadMs),
      slotLateMaxMs: Math.round(l.max),
      slotLateOver10: l.over10,
      slotLateOver20: l.over20,
    };
  }

  written(at: number, writtenAt: number): void {
    const late = writtenAt - at;
    this.late.max = Math.max(this.late.max, late);
    if (late > 10) this.late.over10++;
    if (late > 20) this.late.over20++;
  }

  missed(at: number, now: number): boolean {
    if (now - at <= this.toleranceMs) return false;
    this.lost++;
    return true;
  }

  take(tenant: string, now: number, demand = 1): SlotVerdict {
    const t = this.tenant(tenant);
    const paused = now < t.pausedUntil;
    // The first slot not yet passed: used now if due; a request between two of this instance's
    // consecutive slots (the earlier one passed, the later one not yet due) takes both, which keeps
    // every second under the ceiling as taking one of them on time would.
    let j = 0;
    while (j < t.slots.length && (t.slots[j]! < now - this.toleranceMs || t.slots[j]! < t.pausedUntil)) j++;
    let use = -1;
    let drop = j;
    if (!paused && j < t.slots.length && t.slots[j]! <= now) {
      use = j;
      drop = j + 1;
    } else if (!paused && j > 0 && j < t.slots.length && t.dbSlots[j]! - t.dbSlots[j - 1]! < this.spacingMs * 1.5) {
      use = j - 1;
      drop = j + 1;
    }
    const lost = drop - (use >= 0 ? 1 : 0);
    // A request between two slots is on time until the later one's tolerance has passed.
    const at = use >= 0 ? t.slots[drop - 1]! : 0;
    if (lost > 0 && t.fresh && !paused && use < 0) this.leadMs = Math.min(1_000, this.leadMs * 2);
    if (drop > 0) {
      t.fresh = false;
      this.lost += lost;
      t.slots.splice(0, drop);
      t.dbSlots.splice(0, drop);
    }
    if (use >= 0) {
      this.refill(tenant, t, demand - 1, now);
      return { ok: true, at };
    }
    this.refill(tenant, t, demand, now);
    const first = t.slots[0];
    const wait = first !== undefined ? Math.max(first, t.pausedUntil) - now : Math.max(50, t.pausedUntil - now, t.retryAt - now); // woken when slots arrive
    return { ok: false, waitMs: Math.max(1, Math.ceil(wait)) };
  }

  /**
   * Takes a block of slots when fewer than a block are held and the ready requests need more: an
   * instance holds one to two blocks, and a statement takes a whole block.
   */
  private refill(key: string, t: Tenant, demand: number, now: number): void {
    if (t.reserving || now < t.retryAt) return;
    const need = Math.min(this.block, demand);
    if (t.slots.length >= need) return;
    t.reserving = true;
    void this.reserve(key, t, need).finally(() => {
      t.reserving = false;
    });
  }

  private async reserve(key: string, t: Tenant, count: number): Promise<void> {
    try {
      // The database's clock is the timeline's; a slot is converted to this process's clock as
      // "this much after the answer arrived", so it is never earlier than its time on the timeline.
      const [row] = await this.sql.query<{ first: number; end: number; dbNow: number }>(
        `INSERT INTO "DeliveryPace" AS p (tenant, "nextSlotMs")
         VALUES ($1, extract(epoch from clock_timestamp()) * 1000 + $4::float8 + $2::float8 * $3::int)
         ON CONFLICT (tenant) DO UPDATE
           SET "nextSlotMs" = GREATEST(p."nextSlotMs", extract(epoch from clock_timestamp()) * 1000 + $4::float8) + $2::float8 * $3::int
         RETURNING "nextSlotMs" - $2::float8 * $3::int AS first, "nextSlotMs" AS end, extract(epoch from clock_timestamp()) * 1000 AS "dbNow"`,
        [key, this.spacingMs, count, this.leadMs],
      );
      const arrived = Date.now();
      this.reservations++;
      const first = Number(row!.first);
      // Renewed each minute, so a clock adjusted meanwhile is followed.
      const sample = arrived - Number(row!.dbNow);
      if (sample < this.offsetMs || arrived - this.offsetAt > 60_000) {
        this.offsetMs = sample;
        this.offsetAt = arrived;
      }
      const offset = this.offsetMs;
      for (let i = 0; i < count; i++) {
        t.dbSlots.push(first + i * this.spacingMs);
        t.slots.push(first + i * this.spacingMs + offset);
      }
      t.lastBlock = { firstDb: first, endDb: Number(row!.end) };
      if (!t.fresh) this.leadMs = Math.max(10, this.leadMs * 0.9);
      t.fresh = true;
      this.opts.onSlots?.();
    } catch (err) {
      t.retryAt = Date.now() + 200;
      this.opts.onError?.(err);
    }
  }

  pause(tenant: string, untilMs: number): void {
    const t = this.tenant(tenant);
    t.pausedUntil = Math.max(t.pausedUntil, untilMs);
    // Every instance pauses: the timeline's next free slot moves past the pause.
    const ms = Math.max(0, untilMs - Date.now());
    void this.sql
      .query(
        `UPDATE "DeliveryPace" SET "nextSlotMs" = GREATEST("nextSlotMs", extract(epoch from clock_timestamp()) * 1000 + $2::float8)
         WHERE tenant = $1`,
        [tenant, ms],
      )
      .catch((err: unknown) => this.opts.onError?.(err));
  }

  async close(): Promise<void> {
    for (const [key, t] of this.tenants) {
      const b = t.lastBlock;
      const unused = t.dbSlots.find((d) => b !== undefined && d >= b.firstDb);
      t.slots = [];
      t.dbSlots = [];
      if (!b || unused === undefined) continue;
      // The last block's unused slots go back to the timeline if nobody has taken slots after them.
      await this.sql.query(
        `UPDATE "DeliveryPace" SET "nextSlotMs" = GREATEST($2::float8, extract(epoch from clock_timestamp()) * 1000)
         WHERE tenant = $1 AND "nextSlotMs" = $3::float8`,
        [key, unused, b.endDb],
      );
    }
  }
}

/** No shared ceiling: every slot is free (the Pacer keeps a per-process ceiling). */
export const unlimitedSlots: SlotSource = {
  take: () => ({ ok: true }),
  pause: () => undefined,
  close: async () => undefined,
};
