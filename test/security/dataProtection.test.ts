// Data protection: no child names anywhere (schema, seeds, cards, form templates), a configurable
// retention job with a dry-run report, and a History the application cannot rewrite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { startHarness, type Harness } from "../support/harness";
import { runRetention, formatRetentionReport } from "../../services/retention";
import { loadConfig } from "../../services/config";
import { buildJobHandlers } from "../../services/jobHandlers";

const root = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(path.join(root, p), "utf8");
const jsonFiles = (dir: string) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(".json"))
    .map((f) => path.join(dir, f));

/** Field names that would hold a child's (or family member's) identity. */
const PERSONAL =
  /(child|young|person|family|parent|carer|mother|father|sibling|client|service.?user)?.?(first.?name|last.?name|given.?name|sur.?name|fore.?name|full.?name|date.?of.?birth|^dob$|birth|nhs|address|post.?code|phone|child.?name|name.?of.?child)/i;
const CASE_REF = /^LL\d{6}$/;

function keysOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => keysOf(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      out.push(k);
      if (k === "id" && typeof v === "string") out.push(v);
      keysOf(v, out);
    }
  }
  return out;
}

describe("no child names", () => {
  it("the schema has no column for a child's identity, and only staff and teams have a name", () => {
    const schema = read("prisma/schema.prisma");
    const models = [...schema.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)];
    expect(models.length).toBeGreaterThan(10);
    for (const [, model, body] of models) {
      const fields = body!
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^[a-z]\w*\s/.test(l))
        .map((l) => l.split(/\s+/)[0]!);
      for (const f of fields) {
        expect(PERSONAL.test(f), `${model}.${f}`).toBe(false);
        // A "name" column is a person's name only on Staff; the others name things, not people.
        const named: Record<string, string> = { "Team.name": "team name", "ScheduledJob.name": "job handler name" };
        if (/name/i.test(f) && model !== "Staff")
          expect(named[`${model}.${f}`], `${model}.${f}: a name column outside Staff`).toBeDefined();
      }
    }
  });

  it("the case seed has case-management ids only", () => {
    const rows = parse(read("prisma/seed-data/cases.csv"), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(100);
    expect(Object.keys(rows[0]!).sort()).toEqual(["case_ref", "opened_on", "plan_type", "team_id", "worker_email"]);
    for (const r of rows) expect(r.case_ref, r.case_ref).toMatch(CASE_REF);
  });

  it("the staff seed holds staff only (no child or family columns)", () => {
    const rows = parse(read("prisma/seed-data/staff.csv"), { columns: true }) as Record<string, string>[];
    for (const k of Object.keys(rows[0]!)) expect(PERSONAL.test(k) && !/^name$/.test(k), k).toBe(false);
    for (const r of rows) expect(r.email).toMatch(/@council\.example$/);
  });

  it("card templates, samples and form templates ask for and show no child identity", () => {
    // The network member's name and role is asked by the audit tool (Bexley Children's Social Care Quality Assurance Framework, §5): an adult in
    // the family or professional network, recorded with consent — never the child.
    const allowed = new Set(["network-name-role", "child-knows-worker-name"]);
    const files = [...jsonFiles("cards/templates"), ...jsonFiles("cards/samples"), ...jsonFiles("services/forms/templates")];
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      for (const k of keysOf(JSON.parse(read(f)))) if (!allowed.has(k)) expect(PERSONAL.test(k), `${f}: ${k}`).toBe(false);
      // Case references shown on cards look like case-management ids.
      for (const m of read(f).matchAll(/"caseRef"\s*:\s*"([^"$]+)"/g)) expect(m[1], f).toMatch(CASE_REF);
    }
  });
});

describe("the History cannot be rewritten by the application", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.db.history.create({ data: { entityType: "staff", entityId: "x", action: "test.appended" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses Prisma update, updateMany, delete, deleteMany and upsert", async () => {
    const row = await h.db.history.findFirstOrThrow({ where: { action: "test.appended" } });
    await expect(h.db.history.update({ where: { id: row.id }, data: { action: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(h.db.history.updateMany({ data: { action: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(h.db.history.delete({ where: { id: row.id } })).rejects.toThrow(/append-only/);
    await expect(h.db.history.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(
      h.db.history.upsert({ where: { id: row.id }, update: { action: "x" }, create: { entityType: "x", entityId: "x", action: "x" } }),
    ).rejects.toThrow(/append-only/);
    expect((await h.db.history.findUniqueOrThrow({ where: { id: row.id } })).action).toBe("test.appended");
  });

  it("refuses raw SQL UPDATE, DELETE and TRUNCATE", async () => {
    const before = await h.db.history.count();
    await expect(h.db.$executeRawUnsafe(`UPDATE "History" SET action = 'rewritten'`)).rejects.toThrow(/append-only/);
    await expect(h.db.$executeRawUnsafe(`DELETE FROM "History"`)).rejects.toThrow(/append-only/);
    await expect(h.db.$executeRawUnsafe(`TRUNCATE "History"`)).rejects.toThrow(/append-only/);
    await expect(
      h.db.$transaction([h.db.$executeRawUnsafe(`DELETE FROM "History" WHERE id = (SELECT max(id) FROM "History")`)]),
    ).rejects.toThrow(/append-only/);
    expect(await h.db.history.count()).toBe(before);
  });

  it("is not purged by the retention job", async () => {
    const before = await h.db.history.count();
    const config = loadConfig({ RETENTION_AUDIT_YEARS: "1", RETENTION_OUTBOX_DAYS: "1" });
    await h.db.$transaction((tx) => runRetention(tx, config, new Date("2099-01-01"), { dryRun: false }));
    expect(await h.db.history.count()).toBe(before);
  });
});

describe("retention", () => {
  let h: Harness;
  const now = new Date("2033-06-01T09:00:00Z");
  const old = (days: number) => new Date(now.getTime() - days * 86_400_000);

  beforeAll(async () => {
    h = await startHarness();
    const db = h.db;
    const tm = await h.one("TEAM_MANAGER", "CIN");
    const worker = await h.one("PRACTITIONER", "CIN");
    const auditor = await h.one("TEAM_MANAGER", "CP");
    const kase = await db.case.findFirstOrThrow({ where: { teamId: "CIN" } });
    for (const [key, createdAt, status] of [
      ["old-sent", old(200), "sent"],
      ["old-dead", old(100), "dead"],
      ["old-pending", old(200), "pending"],
      ["new-sent", old(5), "sent"],
    ] as const)
      await db.outboxMessage.create({ data: { idempotencyKey: key, recipientId: tm.id, payload: { text: key }, status, createdAt } });
    await db.actionReceipt.create({ data: { key: "r-old", actorId: tm.id, verb: "x", createdAt: old(60) } });
    await db.actionReceipt.create({ data: { key: "r-new", actorId: tm.id, verb: "x", createdAt: old(1) } });
    await db.scheduledJob.create({ data: { key: "j-old", name: "x", runAt: old(200), status: "done", createdAt: old(200) } });
    await db.scheduledJob.create({ data: { key: "j-pending", name: "x", runAt: old(200), status: "pending", createdAt: old(200) } });
    const closed = await db.surveyCampaign.create({
      data: { templateId: "health-check", templateVersion: 1, title: "2031", audience: {}, opensAt: old(800), closesAt: old(700) },
    });
    const open = await db.surveyCampaign.create({
      data: { templateId: "health-check", templateVersion: 1, title: "2033", audience: {}, opensAt: old(10), closesAt: old(-10) },
    });
    await db.surveyParticipation.create({ data: { campaignId: closed.id, staffId: worker.id, draft: { q1: "half" } } });
    await db.surveyParticipation.create({ data: { campaignId: open.id, staffId: worker.id, draft: { q1: "in progress" } } });
    await db.surveyResponse.create({ data: { campaignId: closed.id, submittedOn: old(750), answers: { q1: 3 } } });
    const cycle = await db.auditCycle.create({ data: { month: "2026-01", target: 30, seed: "s", gradeScaleId: "collaborative-0-6" } });
    const mk = (finalisedAt: Date) =>
      db.audit.create({
        data: {
          cycleId: cycle.id,
          caseId: kase.id,
          auditorId: auditor.id,
          practitionerId: worker.id,
          teamId: "CIN",
          dueDate: finalisedAt,
          gradeScaleId: "collaborative-0-6",
          status: "finalised",
          finalisedAt,
          allocatedAt: finalisedAt,
          answers: {
            create: [
              { area: 1, score: 5 },
              { area: 2, score: 6 },
            ],
          },
          feedback: { create: [{ kind: "family", obtained: true, recordedById: auditor.id }] },
        },
      });
    const oldAudit = await mk(old(7 * 366));
    await mk(old(100));
    const mod = await db.moderation.create({ data: { auditId: oldAudit.id, moderatorId: tm.id, returnDate: old(7 * 366) } });
    await db.action.create({
      data: { auditId: oldAudit.id, assigneeId: worker.id, createdById: auditor.id, description: "d", dueAt: old(7 * 366) },
    });
    await db.action.create({
      data: { moderationId: mod.id, assigneeId: worker.id, createdById: tm.id, description: "m", dueAt: old(7 * 366) },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const config = loadConfig({
    RETENTION_AUDIT_YEARS: "6",
    RETENTION_OUTBOX_DAYS: "90",
    RETENTION_RECEIPTS_DAYS: "30",
    RETENTION_SURVEY_DRAFT_DAYS: "30",
  });
  const count = (r: Awaited<ReturnType<typeof runRetention>>, table: string) => r.lines.find((l) => l.table === table)?.count;

  it("reports what would go, by table, and changes nothing on a dry run", async () => {
    const historyBefore = await h.db.history.count();
    const report = await h.db.$transaction((tx) => runRetention(tx, config, now, { dryRun: true }));
    expect(count(report, "OutboxMessage")).toBe(2);
    expect(count(report, "ActionReceipt")).toBe(1);
    expect(count(report, "ScheduledJob")).toBe(1);
    expect(count(report, "SurveyParticipation")).toBe(1);
    expect(count(report, "SurveyResponse")).toBe(0);
    expect(count(report, "Audit")).toBe(1);
    expect(count(report, "AuditAnswer")).toBe(2);
    expect(count(report, "Feedback")).toBe(1);
    expect(count(report, "Moderation")).toBe(1);
    expect(count(report, "Action")).toBe(2);
    const text = formatRetentionReport(report);
    expect(text).toContain("nothing was changed");
    expect(text).toMatch(/OutboxMessage\s+2/);
    expect(text).toContain("History");
    expect(await h.db.outboxMessage.count()).toBe(4);
    expect(await h.db.audit.count()).toBe(2);
    expect(await h.db.history.count()).toBe(historyBefore);
  });

  it("removes only what is past its period when run for real (through the job handler)", async () => {
    const handler = buildJobHandlers()["retention.run"]!;
    await h.db.$transaction((tx) =>
      handler(tx, { ...h.service.ctx, config, clock: { now: () => now } }, {}, { key: "retention", runAt: now }),
    );
    expect((await h.db.outboxMessage.findMany({ orderBy: { idempotencyKey: "asc" } })).map((o) => o.idempotencyKey)).toEqual([
      "new-sent",
      "old-pending",
    ]);
    expect((await h.db.actionReceipt.findMany()).map((r) => r.key)).toEqual(["r-new"]);
    expect((await h.db.scheduledJob.findMany()).map((j) => j.key)).toEqual(["j-pending"]);
    const drafts = await h.db.surveyParticipation.findMany({ include: { campaign: true }, orderBy: { invitedAt: "asc" } });
    expect(drafts.find((d) => d.campaign.title === "2031")!.draft).toEqual({});
    expect(drafts.find((d) => d.campaign.title === "2033")!.draft).toEqual({ q1: "in progress" });
    expect(await h.db.surveyResponse.count()).toBe(1);
    expect(await h.db.audit.count()).toBe(1);
    expect(await h.db.auditAnswer.count()).toBe(2);
    expect(await h.db.moderation.count()).toBe(0);
    expect(await h.db.action.count()).toBe(0);
    const again = await h.db.$transaction((tx) => runRetention(tx, config, now, { dryRun: true }));
    expect(again.total).toBe(0);
  });
});
