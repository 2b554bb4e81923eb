// Optional directory sync from Microsoft Graph: staff (name, mail, Entra id, job title,
// department) and the manager chain (Staff.lineManagerId). The CSV import stays the default and
// owns what Graph does not know: roles, team, start date, NQSW and case-holding flags are never
// touched here, and a manager that Graph does not report leaves the CSV's line manager in place.
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Db } from "../db";
import { graphStatus, nextLinkPath } from "../graph/client";

interface GraphUserRow {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  accountEnabled?: boolean | null;
}

interface ManagerNode {
  id: string;
  manager?: ManagerNode;
}

export interface GraphSyncOptions {
  /** OData $filter for GET /users (e.g. department eq 'Children''s Services'). */
  filter?: string;
  /** Create staff Graph knows and the directory does not (no roles: the CSV or an admin gives those). Default true. */
  createMissing?: boolean;
  /** Users per page of GET /users (default 999, Graph's maximum). */
  pageSize?: number;
  /** Concurrent manager look-ups (default 4). */
  concurrency?: number;
}

export interface GraphSyncResult {
  users: number;
  created: number;
  updated: number;
  managersSet: number;
  managersUnknown: number;
}

const SELECT = "id,displayName,mail,userPrincipalName,jobTitle,department,accountEnabled";

async function listUsers(graph: Client, filter: string | undefined, pageSize: number): Promise<GraphUserRow[]> {
  const out: GraphUserRow[] = [];
  let req = graph.api("/users").select(SELECT).top(pageSize);
  if (filter) req = req.filter(filter);
  let page = (await req.get()) as { value: GraphUserRow[]; "@odata.nextLink"?: string };
  for (;;) {
    out.push(...page.value);
    const next = page["@odata.nextLink"];
    if (!next) break;
    page = (await graph.api(nextLinkPath(next)).get()) as typeof page;
  }
  return out;
}

/** The manager chain above a user, nearest first ($expand=manager($levels=max), needs ConsistencyLevel: eventual). */
async function managerChainOf(graph: Client, userId: string): Promise<string[]> {
  try {
    const u = (await graph
      .api(`/users/${encodeURIComponent(userId)}`)
      .header("ConsistencyLevel", "eventual")
      .select("id")
      .expand("manager($levels=max;$select=id)")
      .get()) as ManagerNode;
    const chain: string[] = [];
    for (let m = u.manager; m && !chain.includes(m.id); m = m.manager) chain.push(m.id);
    return chain;
  } catch (err) {
    if (graphStatus(err) === 404) return [];
    throw err;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function syncDirectoryFromGraph(db: Db, graph: Client, opts: GraphSyncOptions = {}): Promise<GraphSyncResult> {
  const users = (await listUsers(graph, opts.filter, opts.pageSize ?? 999)).filter((u) => u.accountEnabled !== false);
  const chains = await mapLimit(users, opts.concurrency ?? 4, (u) => managerChainOf(graph, u.id));
  const result: GraphSyncResult = { users: users.length, created: 0, updated: 0, managersSet: 0, managersUnknown: 0 };
  await db.$transaction(
    async (tx) => {
      const staff = await tx.staff.findMany({ select: { id: true, email: true, aadObjectId: true } });
      const byAad = new Map(staff.filter((s) => s.aadObjectId).map((s) => [s.aadObjectId!.toLowerCase(), s]));
      const byEmail = new Map(staff.map((s) => [s.email.toLowerCase(), s]));
      const idOfAad = new Map<string, string>();
      for (const u of users) {
        const email = (u.mail ?? u.userPrincipalName ?? "").trim().toLowerCase();
        const existing = byAad.get(u.id.toLowerCase()) ?? (email ? byEmail.get(email) : undefined);
        const data = {
          aadObjectId: u.id,
          ...(u.displayName ? { name: u.displayName } : {}),
          ...(u.jobTitle !== undefined ? { jobTitle: u.jobTitle } : {}),
          ...(u.department !== undefined ? { department: u.department } : {}),
        };
        if (existing) {
          const clash = email && email !== existing.email && byEmail.has(email);
          await tx.staff.update({ where: { id: existing.id }, data: { ...data, ...(email && !clash ? { email } : {}) } });
          idOfAad.set(u.id.toLowerCase(), existing.id);
          result.updated++;
        } else if ((opts.createMissing ?? true) && email) {
          const created = await tx.staff.create({ data: { ...data, email, name: u.displayName ?? email, roles: [], source: "graph" } });
          idOfAad.set(u.id.toLowerCase(), created.id);
          byEmail.set(email, { id: created.id, email, aadObjectId: u.id });
          result.created++;
        }
      }
      // Managers: from each chain, the nearest manager Assure knows. Chains also cover managers
      // outside the filter (they are matched by Entra id if already in the directory).
      for (const s of staff) if (s.aadObjectId && !idOfAad.has(s.aadObjectId.toLowerCase())) idOfAad.set(s.aadObjectId.toLowerCase(), s.id);
      for (const [i, u] of users.entries()) {
        const me = idOfAad.get(u.id.toLowerCase());
        const chain = chains[i] ?? [];
        if (!me || chain.length === 0) continue;
        const managerId = idOfAad.get(chain[0]!.toLowerCase());
        if (!managerId || managerId === me) {
          result.managersUnknown++;
          continue;
        }
        await tx.staff.update({ where: { id: me }, data: { lineManagerId: managerId } });
        result.managersSet++;
      }
    },
    { timeout: 120_000 },
  );
  return result;
}
