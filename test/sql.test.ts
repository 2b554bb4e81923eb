// services/sql.ts: the hand-written SQL of the hot paths must read and write exactly what Prisma
// does, on the pool and inside a Prisma transaction, whatever the process's time zone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/testDb";
import { createPrisma, type Db } from "../services/db";
import { findAudit } from "../services/audit/access";
import { actorByAadId } from "../services/directory/staff";
import { recordHistory } from "../services/history";
import { sqlOf, transaction } from "../services/sql";

let tdb: TestDatabase;
let db: Db;
const tz = process.env.TZ;
beforeAll(async () => {
  tdb = await createTestDatabase({ seed: true });
  db = createPrisma(tdb.url, 2);
});
afterEach(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});
afterAll(async () => {
  await db?.$disconnect();
  await tdb?.drop();
});

async function anAudit() {
  const [c] = await db.case.findMany({ take: 1, orderBy: { caseRef: "asc" } });
  const auditor = await db.staff.findFirstOrThrow({ where: { roles: { has: "TEAM_MANAGER" } } });
  const cycle = await db.auditCycle.create({ data: { month: "2026-12", seed: "sql", gradeScaleId: "collaborative-0-6", target: 1 } });
  return db.audit.create({
    data: {
      cycleId: cycle.id,
      caseId: c!.id,
      auditorId: auditor.id,
      practitionerId: c!.workerId!,
      teamId: c!.teamId,
      status: "in_progress",
      dueDate: new Date("2026-12-18T00:00:00Z"),
      meetingDate: new Date("2026-12-03T00:00:00Z"),
      gradeScaleId: "collaborative-0-6",
      grade: 1.5,
      draft: { page: "areas-2", health: { hc_1: "Yes" } },
      submittedAt: new Date("2026-12-01T23:59:58.123Z"),
    },
    include: { case: { select: { caseRef: true } } },
  });
}

describe("hand-written SQL (services/sql.ts)", () => {
  it("reads an audit as Prisma does, on the pool and in a Prisma transaction, in a time zone far from UTC", async () => {
    process.env.TZ = "America/Los_Angeles";
    const created = await anAudit();
    const viaOrm = await db.audit.findUniqueOrThrow({ where: { id: created.id }, include: { case: { select: { caseRef: true } } } });
    const onPool = await findAudit(db, created.id);
    const inTx = await db.$transaction((tx) => findAudit(tx, created.id));
    expect(onPool).toEqual(viaOrm);
    expect(inTx).toEqual(viaOrm);
    expect(onPool.dueDate.toISOString()).toBe("2026-12-18T00:00:00.000Z");
    expect(onPool.submittedAt?.toISOString()).toBe("2026-12-01T23:59:58.123Z");
  });

  it("finds the actor with roles as an array, and refuses an inactive one", async () => {
    const s = await db.staff.findFirstOrThrow({ where: { aadObjectId: { not: null }, roles: { isEmpty: false } } });
    expect(await actorByAadId(db, s.aadObjectId!)).toEqual({ id: s.id, name: s.name, roles: s.roles, teamId: s.teamId });
    await db.staff.update({ where: { id: s.id }, data: { active: false } });
    await expect(actorByAadId(db, s.aadObjectId!)).rejects.toThrow(/not in Assure's staff directory/);
    await db.staff.update({ where: { id: s.id }, data: { active: true } });
  });

  it("a transaction is all or nothing: history written before a failure is rolled back, and the connection is reusable", async () => {
    process.env.TZ = "Asia/Tokyo";
    const entityId = `sql-test-${Date.now()}`;
    await expect(
      transaction(db, async (sql) => {
        await recordHistory(sql, { entityType: "audit", entityId, action: "draft_saved", after: { x: 1 } });
        await sql.query(`SELECT * FROM "NoSuchTable"`);
      }),
    ).rejects.toThrow(/NoSuchTable/);
    expect(await db.history.count({ where: { entityId } })).toBe(0);
    const before = Date.now();
    await transaction(db, (sql) =>
      recordHistory(sql, { entityType: "audit", entityId, action: "draft_saved", after: { at: new Date(0) } }),
    );
    const [row] = await db.history.findMany({ where: { entityId } });
    expect(row).toMatchObject({ action: "draft_saved", after: { at: "1970-01-01T00:00:00.000Z" } });
    // Stored as UTC wall time, as Prisma stores it: read back through Prisma, it is now (not 9 hours off).
    expect(Math.abs(row!.at.getTime() - before)).toBeLessThan(60_000);
    const [count] = await sqlOf(db).query<{ n: number }>(`SELECT count(*)::int AS n FROM "History" WHERE "entityId" = $1`, [entityId]);
    expect(count?.n).toBe(1);
  });

  it("refuses a database client not made by createPrisma, rather than running the SQL somewhere else", async () => {
    // A client without the pool createPrisma opened would have run the hot paths through Prisma
    // unnoticed, and transaction() would have lost its single connection.
    const stranger = { $connect: async () => {}, $transaction: db.$transaction.bind(db) } as unknown as Db;
    expect(() => sqlOf(stranger)).toThrow(/not made by createPrisma/);
    await expect(transaction(stranger, async () => 1)).rejects.toThrow(/not made by createPrisma/);
  });
});
