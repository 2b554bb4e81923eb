// Function-level and object-level authorization (OWASP API5 / API1), table-driven.
//
// Every route verb and typed command of the real router is walked with every role. What is
// allowed comes from the ONE matrix (services/permissions.ts); this file only says which
// capability each verb must be guarded by — a verb missing from `expectations` fails the suite, so
// a new route cannot ship without being placed here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { buildRouter } from "../../bot/routes";
import { may, permissionMatrix, ALL_STAFF, type Capability } from "../../services/permissions";
import { cardText, startHarness, type Harness, type StaffRef } from "../support/harness";
import { snapshot } from "./support";
import type { Role } from "../../generated/prisma/enums";

interface VerbExpectation {
  /** The capability the route must check before running. */
  capability: Capability;
  /**
   * Object-level cases: the verb takes ids of objects in its card data. `forge` builds data naming
   * an object that belongs to someone else; `intruders` are the personas (allowed by the matrix)
   * who must still be refused for it. `none` with a reason when the verb takes no object id.
   */
  objects: { none: string } | { forge: (h: Harness, p: Personas) => Promise<Record<string, unknown>>; intruders: PersonaName[] };
}

const expectations: Record<string, VerbExpectation> = {
  "help.show": { capability: "help.show", objects: { none: "shows the caller's own commands; ids in card data are ignored" } },
};

const personaSpecs = {
  practitioner: { role: "PRACTITIONER", team: "CIN" },
  nqsw: { role: "PRACTITIONER", team: "AI1", nqsw: true },
  anotherTeamsWorker: { role: "PRACTITIONER", team: "CP" },
  deputyTeamManager: { role: "DEPUTY_TEAM_MANAGER", team: "CIN" },
  teamManager: { role: "TEAM_MANAGER", team: "CIN" },
  otherTeamManager: { role: "TEAM_MANAGER", team: "CIC" },
  serviceManager: { role: "SERVICE_MANAGER" },
  headOfService: { role: "HEAD_OF_SERVICE" },
  assistantDirector: { role: "ASSISTANT_DIRECTOR" },
  director: { role: "DIRECTOR" },
  qaTeam: { role: "QA_TEAM" },
  headOfQa: { role: "HEAD_OF_QA" },
  moderator: { role: "MODERATOR", only: true },
  cpChair: { role: "CP_CHAIR" },
  iro: { role: "IRO" },
  fosteringIro: { role: "FOSTERING_IRO" },
  admin: { role: "ADMIN" },
} as const satisfies Record<string, { role: Role; team?: string; nqsw?: boolean; only?: boolean }>;
type PersonaName = keyof typeof personaSpecs;
type Personas = Record<PersonaName, StaffRef>;

const router = buildRouter();

describe("authorization matrix", () => {
  let h: Harness;
  const p = {} as Personas;

  beforeAll(async () => {
    h = await startHarness();
    // The demo directory has no administrator: add one (an operator account) for the walk.
    await h.db.staff.create({
      data: { email: "it.admin@council.example", name: "Ira Admin", roles: ["ADMIN"], aadObjectId: randomUUID(), teamId: null },
    });
    for (const [name, spec] of Object.entries(personaSpecs) as [PersonaName, (typeof personaSpecs)[PersonaName]][]) {
      const all = await h.staffWithRole(spec.role, "team" in spec ? spec.team : undefined);
      const pick = all.find((s) => {
        const full = s as StaffRef & { isNqsw?: boolean };
        if ("only" in spec && s.roles.length !== 1) return false;
        if ("nqsw" in spec) return full.isNqsw === true;
        return true;
      });
      if (!pick) throw new Error(`no persona for ${name}`);
      p[name] = pick;
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it("has an expectation for every route verb (new routes must be added to this table)", () => {
    const missing = router.verbs().filter((v) => !(v in expectations));
    expect(missing, `add these verbs to test/security/authz.test.ts expectations: ${missing.join(", ")}`).toEqual([]);
    const stale = Object.keys(expectations).filter((v) => !router.get(v));
    expect(stale, "expectations for verbs that no longer exist").toEqual([]);
  });

  it("guards every verb with the capability the table names", () => {
    for (const verb of router.verbs()) expect(router.get(verb)!.capability, verb).toBe(expectations[verb]?.capability);
  });

  it("routes every typed command to a verb that exists", () => {
    for (const c of router.commands) expect(router.get(c.verb), `command "${c.words}"`).toBeDefined();
  });

  it("declares object-level cases for every verb whose card data carries ids", () => {
    for (const verb of router.verbs()) {
      const shape = shapeOf(router.get(verb)!.schema);
      const ids = Object.keys(shape).filter((k) => /(^id$|Id$)/.test(k));
      if (ids.length) expect("forge" in expectations[verb]!.objects, `${verb} takes ${ids.join(", ")}: add a forge case`).toBe(true);
    }
  });

  for (const verb of router.verbs()) {
    it(`${verb}: every role gets exactly what the matrix says (Action.Execute and Action.Submit)`, async () => {
      const cap = router.get(verb)!.capability;
      const refused: string[] = [];
      const before = await snapshot(h.db);
      for (const [name, staff] of Object.entries(p)) {
        if (may(staff, cap)) continue;
        refused.push(name);
        const r = await h.execute(staff, verb, {});
        expect(r.status).toBe(200);
        expect(r.text, `${name} on ${verb}`).toContain("Not allowed");
        expect(r.text).toContain(`(${cap})`);
        const conv = h.conversationOf(staff);
        const sent = h.connector.sentTo(conv).length;
        await h.submit(staff, { verb });
        const reply = h.connector.cardsTo(conv).slice(sent);
        expect(cardText(reply.at(-1))).toContain("Not allowed");
      }
      // Refusals change nothing (the conversation references of the refused people aside: they
      // spoke to the bot, which is how Teams makes them reachable).
      const after = await snapshot(h.db);
      expect({ ...after, refs: undefined, counts: { ...(after.counts as object), ConversationReference: 0 } }).toEqual({
        ...before,
        refs: undefined,
        counts: { ...(before.counts as object), ConversationReference: 0 },
      });
      for (const [name, staff] of Object.entries(p)) {
        if (!may(staff, cap)) continue;
        const r = await h.execute(staff, verb, {});
        expect(r.status).toBe(200);
        expect(r.text, `${name} on ${verb} must not be refused by role`).not.toContain(`Your role does not allow this (${cap})`);
      }
    });
  }

  it("offers each person only the commands their role allows, and refuses the others when typed", async () => {
    for (const [name, staff] of Object.entries(p)) {
      const help = await h.execute(staff, "help.show");
      for (const c of router.commands) {
        const allowed = may(staff, router.get(c.verb)!.capability);
        const shown = help.text.includes(c.description);
        if (!allowed) expect(shown, `${name} sees "${c.words}"`).toBe(false);
        const said = await h.say(staff, c.words);
        expect(said.status).toBe(200);
        const text = said.cards.map(cardText).join("\n");
        if (allowed) expect(text, `${name} typing "${c.words}"`).not.toContain("Your role does not allow this");
        else expect(text, `${name} typing "${c.words}"`).toContain("Not allowed");
      }
    }
  });

  it("refuses people who are not in the directory for every verb, touching nothing", async () => {
    const stranger: StaffRef = { ...p.practitioner, id: "x", aadObjectId: randomUUID(), name: "Stranger" };
    const before = await snapshot(h.db);
    for (const verb of [...router.verbs(), "no.such.verb"]) {
      const r = await h.execute(stranger, verb, {});
      expect(r.status).toBe(200);
      expect(r.text).toContain("Assure does not know you yet");
    }
    expect(await snapshot(h.db)).toEqual(before);
  });

  it("takes the actor from the authenticated activity, never from card data", async () => {
    const forged = {
      actorId: p.director.id,
      staffId: p.director.id,
      from: { aadObjectId: p.director.aadObjectId },
      roles: ["ADMIN", "DIRECTOR"],
    };
    const r = await h.execute(p.practitioner, "help.show", forged);
    expect(r.text).toContain(p.practitioner.name);
    expect(r.text).not.toContain(p.director.name);
    expect(r.text).not.toContain("Administrator");
  });

  describe("object level: forged ids of other people's objects", () => {
    const objectVerbs = Object.entries(expectations).filter(([v, e]) => "forge" in e.objects && router.get(v));
    it("has a forge case for each object verb (none yet in this tree is fine: the id check above enforces it)", () => {
      expect(objectVerbs.length).toBeGreaterThanOrEqual(0);
    });
    for (const [verb, e] of objectVerbs) {
      const o = e.objects as Extract<VerbExpectation["objects"], { forge: unknown }>;
      it(`${verb}: refused for ${o.intruders.join(", ")}, nothing changed`, async () => {
        const data = await o.forge(h, p);
        const before = await snapshot(h.db);
        for (const who of o.intruders) {
          const r = await h.execute(p[who], verb, data);
          expect(r.text, `${who} on ${verb}`).toMatch(/Not allowed|Not found/);
        }
        const after = await snapshot(h.db);
        expect(after.counts).toEqual(before.counts);
        expect(after.history).toEqual(before.history);
        expect(after.outbox).toEqual(before.outbox);
      });
    }
  });
});

describe("the matrix itself", () => {
  const practitionerOnly = { roles: ["PRACTITIONER"] as Role[] };
  it("gives every capability to somebody", () => {
    for (const [cap, roles] of Object.entries(permissionMatrix)) expect((roles as readonly string[]).length, cap).toBeGreaterThan(0);
  });
  it("keeps QA administration, reports and the outbox away from practitioners", () => {
    const restricted = Object.keys(permissionMatrix).filter((c) =>
      /^(audits\.allocate|moderation\.sample|survey\.manage|report\.|directory\.import|outbox\.view|audits\.team|escalations\.overview)/.test(
        c,
      ),
    ) as Capability[];
    expect(restricted.length).toBeGreaterThan(5);
    for (const c of restricted) {
      expect(may(practitionerOnly, c), c).toBe(false);
      expect((permissionMatrix[c] as readonly string[]).includes(ALL_STAFF), c).toBe(false);
    }
  });
  it("lets only the QA team, head of QA and administrators allocate audits and sample moderations", () => {
    const allRoles = new Set(
      Object.values(permissionMatrix)
        .flat()
        .filter((r) => r !== ALL_STAFF) as Role[],
    );
    for (const role of allRoles) {
      const ok = ["QA_TEAM", "HEAD_OF_QA", "ADMIN"].includes(role);
      expect(may({ roles: [role] }, "audits.allocate"), role).toBe(ok);
      expect(may({ roles: [role] }, "moderation.sample"), role).toBe(ok);
    }
  });
});

/** The object shape of a zod schema (zod 4), through wrappers; {} when it has none. */
function shapeOf(schema: unknown): Record<string, unknown> {
  let s = schema as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown; in?: unknown; schema?: unknown } } };
  for (let i = 0; i < 5 && s && !s.shape; i++) {
    const def = s._zod?.def;
    s = (def?.innerType ?? def?.in ?? def?.schema) as typeof s;
  }
  return s?.shape ?? {};
}
