// Directory import from CSV: staff and cases. Header validated, every row validated with zod and
// reported by row number; idempotent (re-import updates in place); all-or-nothing per file.
import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Db } from "../db";
import { Role, PlanType } from "../../generated/prisma/enums";
import { ValidationFailed } from "../errors";

const yesNo = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["yes", "no", "true", "false", "y", "n", "1", "0", ""]))
  .transform((v) => ["yes", "true", "y", "1"].includes(v));
const optionalDate = z
  .string()
  .trim()
  .refine((v) => v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v), "must be a date YYYY-MM-DD")
  .transform((v) => (v === "" ? null : new Date(`${v}T00:00:00Z`)));

export const staffRowSchema = z
  .object({
    email: z.string().trim().toLowerCase().email(),
    name: z.string().trim().min(1).max(200),
    job_title: z.string().trim().max(200).default(""),
    roles: z
      .string()
      .trim()
      .transform((v) =>
        v
          .split(/[;|]/)
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(Role))),
    team_id: z.string().trim().max(50).default(""),
    team_name: z.string().trim().max(200).default(""),
    service_area: z.string().trim().max(200).default(""),
    line_manager_email: z.string().trim().toLowerCase().default(""),
    start_date: optionalDate.prefault(""),
    nqsw: yesNo.prefault("no"),
    case_holding: yesNo.prefault("no"),
    /** The auditor's audit group (1…12) in the monthly rotation; empty: none. */
    audit_group: z
      .string()
      .trim()
      .default("")
      .refine((v) => v === "" || /^(?:[1-9]|1[0-2])$/.test(v), "must be an audit group number from 1 to 12, or empty")
      .transform((v) => (v === "" ? null : Number(v))),
    aad_object_id: z
      .string()
      .trim()
      .refine((v) => v === "" || /^[0-9a-f-]{36}$/i.test(v), "must be an Entra object id (GUID)")
      .default(""),
    /**
     * A partner agency's person (health, police…), reaching the bot as a guest of the tenant: the
     * agency's name. They hold no council role and see only the multi-agency audits they are invited to.
     */
    partner_agency: z.string().trim().max(100).default(""),
  })
  .superRefine((r, ctx) => {
    if (!r.partner_agency && r.roles.length === 0) ctx.addIssue({ code: "custom", path: ["roles"], message: "at least one role" });
    if (r.partner_agency && r.roles.length > 0)
      ctx.addIssue({ code: "custom", path: ["roles"], message: "a partner agency's person holds no council role: leave roles empty" });
  });

export const caseRowSchema = z.object({
  case_ref: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9/_-]{1,39}$/, "must be a case-management ID (letters, digits, - / _), never a name"),
  team_id: z.string().trim().min(1),
  worker_email: z.string().trim().toLowerCase().default(""),
  plan_type: z.string().trim().toUpperCase().pipe(z.enum(PlanType)),
  opened_on: optionalDate.prefault(""),
});

const STAFF_REQUIRED = ["email", "name", "roles"];
const CASE_REQUIRED = ["case_ref", "team_id", "plan_type"];

function parseCsv<T extends z.ZodTypeAny>(text: string, schema: T, required: string[]): z.infer<T>[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: false,
      bom: true,
    });
  } catch (err) {
    throw new ValidationFailed(`The file is not valid CSV: ${(err as Error).message}`);
  }
  const header = records.length > 0 ? Object.keys(records[0]!) : (parse(text, { to_line: 1 })[0] ?? []);
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new ValidationFailed(`The header is missing column(s): ${missing.join(", ")}`);
  const errors: Record<string, string> = {};
  const rows: z.infer<T>[] = [];
  records.forEach((rec, i) => {
    const parsed = schema.safeParse(rec);
    const rowNo = i + 2; // 1-based, after the header line
    if (parsed.success) rows.push(parsed.data);
    else errors[`row ${rowNo}`] = parsed.error.issues.map((e) => `${e.path.join(".")}: ${e.message}`).join("; ");
  });
  if (Object.keys(errors).length) {
    const list = Object.entries(errors)
      .slice(0, 20)
      .map(([k, v]) => `${k}: ${v}`);
    throw new ValidationFailed(`${Object.keys(errors).length} row(s) are invalid; nothing was imported.\n${list.join("\n")}`, errors);
  }
  return rows;
}

export interface ImportResult {
  created: number;
  updated: number;
}

/** Any invalid row refuses the whole file: each row's problem is listed, and nothing is imported. */
function refuseInvalidRows(errors: Record<string, string>): void {
  const lines = Object.entries(errors).map(([row, problem]) => `${row}: ${problem}`);
  if (lines.length) throw new ValidationFailed(`Invalid rows; nothing was imported.\n${lines.join("\n")}`, errors);
}

export async function importStaffCsv(db: Db, text: string): Promise<ImportResult> {
  const rows = parseCsv(text, staffRowSchema, STAFF_REQUIRED);
  const emails = new Set<string>();
  const errors: Record<string, string> = {};
  rows.forEach((r, i) => {
    if (emails.has(r.email)) errors[`row ${i + 2}`] = `email ${r.email} appears twice`;
    emails.add(r.email);
  });
  rows.forEach((r, i) => {
    if (r.line_manager_email && !emails.has(r.line_manager_email))
      errors[`row ${i + 2}`] = `line manager ${r.line_manager_email} is not in the file`;
  });
  refuseInvalidRows(errors);
  return db.$transaction(
    async (tx) => {
      const result: ImportResult = { created: 0, updated: 0 };
      const teams = new Map(
        rows.filter((r) => r.team_id).map((r) => [r.team_id, { name: r.team_name || r.team_id, serviceArea: r.service_area || "" }]),
      );
      for (const [id, t] of teams) await tx.team.upsert({ where: { id }, update: t, create: { id, ...t } });
      const existing = new Set(
        (await tx.staff.findMany({ where: { email: { in: [...emails] } }, select: { email: true } })).map((s) => s.email),
      );
      for (const r of rows) {
        const data = {
          name: r.name,
          jobTitle: r.job_title || null,
          roles: r.roles,
          teamId: r.team_id || null,
          startDate: r.start_date,
          isNqsw: r.nqsw,
          isCaseHolding: r.case_holding,
          auditGroup: r.audit_group,
          aadObjectId: r.aad_object_id || null,
          partnerAgency: r.partner_agency || null,
          active: true,
          source: "csv",
        };
        await tx.staff.upsert({ where: { email: r.email }, update: data, create: { email: r.email, ...data } });
        if (existing.has(r.email)) result.updated++;
        else result.created++;
      }
      const ids = new Map(
        (await tx.staff.findMany({ where: { email: { in: [...emails] } }, select: { id: true, email: true } })).map((s) => [s.email, s.id]),
      );
      for (const r of rows) {
        await tx.staff.update({
          where: { email: r.email },
          data: { lineManagerId: r.line_manager_email ? ids.get(r.line_manager_email)! : null },
        });
      }
      return result;
    },
    { timeout: 60_000 },
  );
}

export async function importCasesCsv(db: Db, text: string): Promise<ImportResult> {
  const rows = parseCsv(text, caseRowSchema, CASE_REQUIRED);
  const teams = new Set((await db.team.findMany({ select: { id: true } })).map((t) => t.id));
  const staff = new Map((await db.staff.findMany({ select: { id: true, email: true } })).map((s) => [s.email, s.id]));
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const row = `row ${i + 2}`;
    if (!teams.has(r.team_id)) errors[row] = `team ${r.team_id} is unknown (import staff first)`;
    else if (r.worker_email && !staff.has(r.worker_email)) errors[row] = `worker ${r.worker_email} is unknown`;
    else if (seen.has(r.case_ref)) errors[row] = `case ${r.case_ref} appears twice`;
    seen.add(r.case_ref);
  });
  refuseInvalidRows(errors);
  return db.$transaction(
    async (tx) => {
      const existing = new Map(
        (
          await tx.case.findMany({
            where: { caseRef: { in: [...seen] } },
            select: { caseRef: true, teamId: true, workerId: true, planType: true, openedOn: true, active: true },
          })
        ).map((c) => [c.caseRef, c]),
      );
      const all = rows.map((r) => ({
        caseRef: r.case_ref,
        teamId: r.team_id,
        workerId: r.worker_email ? staff.get(r.worker_email)! : null,
        planType: r.plan_type,
        openedOn: r.opened_on,
        active: true,
      }));
      const fresh = all.filter((d) => !existing.has(d.caseRef));
      if (fresh.length) await tx.case.createMany({ data: fresh });
      for (const d of all) {
        const e = existing.get(d.caseRef);
        const unchanged =
          e &&
          e.teamId === d.teamId &&
          e.workerId === d.workerId &&
          e.planType === d.planType &&
          e.active &&
          e.openedOn?.getTime() === d.openedOn?.getTime();
        if (e && !unchanged) await tx.case.update({ where: { caseRef: d.caseRef }, data: d });
      }
      return { created: fresh.length, updated: all.length - fresh.length };
    },
    { timeout: 60_000 },
  );
}
