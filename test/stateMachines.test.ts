// Each workflow's states are defined once (its states.ts) and the database agrees: a status no
// machine names is refused by a CHECK constraint, so no code path can write one.
import { describe, expect, it } from "vitest";
import { useDatabase } from "./support/hooks";
import type { Db } from "../services/db";
import { machines } from "../services/machines";
import { defineMachine, finalStatuses, openStatuses, transition } from "../services/stateMachine";
import { outboxMachine } from "../services/delivery/states";
import { actionMachine, auditMachine } from "../services/audit/states";
import {
  CLOSED_ACTION_STATUSES,
  NOT_COMPLETED_STATUSES,
  OPEN_ACTION_STATUSES,
  RETURNED_AUDIT_STATUSES,
} from "../services/reports/settings";

let db: Db;
useDatabase((opened) => (db = opened));

describe("state machines", () => {
  it("a machine that names a status it does not define is refused when it is defined", () => {
    expect(() => defineMachine("audit", ["a", "b"], { go: "a -> c" as "a -> b" })).toThrow(/names c/);
  });

  it("a step reads as its diagram: the statuses it may start from, then the one it ends in", () => {
    expect(auditMachine.steps.recordNotCompleted).toEqual({ from: ["allocated", "accepted", "in_progress"], to: "not_completed" });
    expect([auditMachine.table, auditMachine.initial]).toEqual(["Audit", "allocated"]);
    expect(openStatuses(outboxMachine)).toEqual(["pending", "waiting", "sending"]);
    expect(finalStatuses(outboxMachine)).toEqual(["sent", "dead", "blocked", "skipped"]);
  });

  it("transition moves a row once: a second call finds it moved and records nothing", async () => {
    const m = defineMachine("audit", ["open", "done"], { finish: "open -> done" }, { table: "T" });
    let status = "open";
    const write = async (from: string[], to: string) => (from.includes(status) ? ((status = to), { count: 1 }) : { count: 0 });
    expect(await transition(db, m, "finish", { id: "00000000-0000-0000-0000-000000000001", write })).toBe(true);
    expect(await transition(db, m, "finish", { id: "00000000-0000-0000-0000-000000000001", write })).toBe(false);
    const h = await db.history.findMany({ where: { entityId: "00000000-0000-0000-0000-000000000001" } });
    expect(h.map((e) => [e.action, e.before, e.after])).toEqual([["finish", { status: "open" }, { status: "done" }]]);
  });

  for (const m of machines)
    it(`${m.entity}: the database accepts exactly the statuses of its machine`, async () => {
      const rows = await db.$queryRawUnsafe<{ def: string }[]>(
        `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
          WHERE t.relname = $1 AND c.conname = $2`,
        m.table,
        `${m.table}_status_check`,
      );
      expect(rows, `no CHECK constraint ${m.table}_status_check`).toHaveLength(1);
      const named = [...rows[0]!.def.matchAll(/'([^']+)'/g)].map((x) => x[1]).sort();
      expect(named).toEqual([...m.statuses].sort());
    });

  it("the database refuses an action status no workflow writes (cancelled, completed, closed)", async () => {
    const insert = (id: string, status: string) =>
      db.$executeRawUnsafe(
        `INSERT INTO "Action" (id, "assigneeId", "createdById", description, "dueAt", status, "updatedAt")
         VALUES ($1, 'someone', 'someone', 'Update the chronology', now(), $2, now())`,
        id,
        status,
      );
    for (const status of ["cancelled", "completed", "closed"])
      await expect(insert(`bad-${status}`, status), status).rejects.toThrow(/Action_status_check/);
    await expect(insert("good", actionMachine.initial)).resolves.toBe(1);
    await expect(db.$executeRawUnsafe(`UPDATE "Action" SET status = 'withdrawn' WHERE id = 'good'`)).rejects.toThrow(/Action_status_check/);
  });

  it("the reports count the statuses the audit and action workflows write, and every one of them", () => {
    const audit: readonly string[] = auditMachine.statuses;
    for (const s of [...RETURNED_AUDIT_STATUSES, ...NOT_COMPLETED_STATUSES]) expect(audit).toContain(s);
    expect([...OPEN_ACTION_STATUSES, ...CLOSED_ACTION_STATUSES].sort()).toEqual([...actionMachine.statuses].sort());
  });
});
