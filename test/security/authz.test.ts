// Function-level and object-level authorization (OWASP API5 / API1), table-driven.
//
// Every route verb and typed command of the real router is walked with every role. What is
// allowed comes from the ONE matrix (services/permissions.ts); this file only says which
// capability each verb must be guarded by — a verb missing from `expectations` fails the suite, so
// a new route cannot ship without being placed here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildRouter } from "../../bot/routes";
import { may, permissionMatrix, rolesWith, ALL_STAFF, PARTNER_CAPABILITIES, type Capability } from "../../services/permissions";
import { AUDITOR_ROLES } from "../../services/audit/allocation";
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
  objects:
    | { none: string }
    | {
        forge: (h: Harness, p: Personas) => Promise<Record<string, unknown>>;
        intruders: PersonaName[];
        /**
         * The control: the person the object does belong to is NOT refused (so the refusals above are
         * about the person, not a broken forge). Defaults to the party the forge names in `forgedOwner`.
         */
        owner?: ((p: Personas) => StaffRef) | { skip: string };
      };
}

// ---- Objects that belong to someone else (team AI2: none of the personas works there). ----

/** A staff member of AI2 with a role (AI2 holds no persona). */
async function ai2(h: Harness, role: Role, nth = 0): Promise<StaffRef> {
  const s = (await h.staffWithRole(role, "AI2"))[nth];
  if (!s) throw new Error(`no ${role} in AI2`);
  return s;
}

/**
 * Intruders who may read the object all the same (the QA team every audit, the director those of
 * everyone they manage): they know it exists and are told "Not allowed". Keyed by feature, or by
 * verb where only that verb's object is known to them.
 */
const SEE_EVERY_AUDIT: PersonaName[] = ["qaTeam", "headOfQa", "director"];
const READ_IT_ANYWAY: Record<string, PersonaName[]> = {
  audit: SEE_EVERY_AUDIT,
  action: SEE_EVERY_AUDIT,
  // Whoever schedules observations may move or cancel any of them.
  observation: ["qaTeam", "headOfQa"],
  // The QA team and the head of QA (moderation.sample) sample, open and reassign every moderation.
  moderation: ["qaTeam", "headOfQa"],
  // The QA team, the head of QA and the director (escalations.overview) read every escalation.
  escalation: ["qaTeam", "headOfQa", "director"],
  // Supervision: nobody reads every session; only its supervisee (or team), supervisor and their managers.

  // Whoever manages dip samples (dipSamples.manage) reads every sample's results, case by case.
  dipSample: ["qaTeam", "headOfQa"],
  // The QA team (practiceDay.manage) sees every day with its cases and counts its recommendations.
  practiceDay: ["qaTeam", "headOfQa"],
  // A day itself is announced to all the council's staff (the card asking for volunteers names its
  // date and lead manager), so every member of staff knows it exists.
  "practiceDay.open": ["practitioner", "anotherTeamsWorker", "teamManager", "director"],
  "practiceDay.report": ["practitioner", "teamManager", "director"],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The same card data with every id replaced by one that names nothing. */
function withMissingIds<T>(data: T): T {
  if (typeof data === "string") return (UUID.test(data) ? randomUUID() : data) as T;
  if (Array.isArray(data)) return data.map(withMissingIds) as T;
  if (data && typeof data === "object") return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, withMissingIds(v)])) as T;
  return data;
}

let forged = 0;
/** The legitimate party of the object the last forge built (its auditor, moderator, supervisor…). */
let forgedOwner: StaffRef | undefined;
/** The raiser of the last forged escalation. */
let forgedRaiser: StaffRef | undefined;
/** An audit of an AI2 case: auditor the AI2 team manager, practitioner an AI2 worker. */
async function forgeAudit(h: Harness, status = "in_progress") {
  const n = ++forged;
  const auditor = await ai2(h, "TEAM_MANAGER");
  const practitioner = await ai2(h, "PRACTITIONER", n % 3);
  const c = await h.db.case.findFirstOrThrow({ where: { teamId: "AI2" }, skip: n, orderBy: { caseRef: "asc" } });
  const cycle = await h.db.auditCycle.create({
    data: {
      month: `2099-${String((n % 12) + 1).padStart(2, "0")}`,
      theme: `authz-${n}`,
      target: 1,
      seed: "authz",
      gradeScaleId: "collaborative-0-6",
    },
  });
  const audit = await h.db.audit.create({
    data: {
      cycleId: cycle.id,
      caseId: c.id,
      auditorId: auditor.id,
      practitionerId: practitioner.id,
      managerId: auditor.id,
      teamId: "AI2",
      status,
      dueDate: new Date("2099-01-31"),
      gradeScaleId: "collaborative-0-6",
      ...(status === "submitted" || status === "finalised" ? { grade: 4, gradeBand: "good", submittedAt: new Date() } : {}),
    },
  });
  forgedOwner = auditor;
  return { audit, auditor, practitioner, caseRef: c.caseRef };
}

async function forgeSelfAssessment(h: Harness) {
  const { audit, practitioner } = await forgeAudit(h, "accepted");
  forgedOwner = practitioner;
  await h.db.selfAssessment.create({ data: { auditId: audit.id, practitionerId: practitioner.id, dueDate: new Date("2099-01-31") } });
  return { auditId: audit.id };
}

/** An escalation raised by an AI2 worker about an AI2 case, owned at stage 1 by the AI2 team manager. */
async function forgeEscalation(h: Harness, extra: Record<string, unknown> = {}, raisedBy?: StaffRef) {
  const raiser = raisedBy ?? (await ai2(h, "PRACTITIONER"));
  const owner = await ai2(h, "TEAM_MANAGER");
  const c = await h.db.case.findFirstOrThrow({ where: { teamId: "AI2" }, orderBy: { caseRef: "desc" } });
  const e = await h.db.escalation.create({
    data: {
      caseId: c.id,
      raiserId: raiser.id,
      type: "practitioner",
      concern: "Forged for the authorization walk",
      informalAttempts: "Spoke to the team manager",
      stageOwnerIds: [owner.id],
      stageDeadline: new Date("2099-01-31T17:00:00Z"),
      ...extra,
    },
  });
  forgedOwner = owner;
  forgedRaiser = raiser;
  return { id: e.id };
}

/** A moderation of a submitted AI2 audit, allocated to a moderator who is not a persona. */
async function forgeModeration(h: Harness, p: Personas, extra: Record<string, unknown> = {}) {
  const { audit } = await forgeAudit(h, "submitted");
  const moderator = (await h.staffWithRole("MODERATOR")).find(
    (s) => s.id !== p.moderator.id && !Object.values(p).some((x) => x.id === s.id),
  );
  if (!moderator) throw new Error("no second moderator");
  const m = await h.db.moderation.create({
    data: { auditId: audit.id, moderatorId: moderator.id, returnDate: new Date("2099-01-31"), status: "allocated", ...extra },
  });
  forgedOwner = moderator;
  return { id: m.id, moderatorId: p.moderator.id };
}

/** A supervision session of the AI2 team manager with an AI2 worker. */
async function forgeSession(h: Harness) {
  forgedOwner = await ai2(h, "TEAM_MANAGER");
  const s = await h.db.supervisionSession.create({
    data: {
      supervisorId: forgedOwner.id,
      superviseeId: (await ai2(h, "PRACTITIONER", 1)).id,
      teamId: "AI2",
      dueOn: new Date("2099-01-15"),
    },
  });
  return { sessionId: s.id, heldOn: "2099-01-10", durationMinutes: "60", kind: "individual", newDate: "2099-01-20" };
}

/** An open survey campaign sent to one AI2 worker only. */
async function forgeCampaign(h: Harness) {
  const now = h.clock.now();
  const c = await h.db.surveyCampaign.create({
    data: {
      templateId: "health-check",
      templateVersion: 1,
      title: "Forged health check",
      audience: { teams: ["AI2"] },
      opensAt: new Date(now.getTime() - 86_400_000),
      closesAt: new Date(now.getTime() + 30 * 86_400_000),
    },
  });
  forgedOwner = await ai2(h, "PRACTITIONER", 2);
  await h.db.surveyParticipation.create({ data: { campaignId: c.id, staffId: forgedOwner.id } });
  return { campaignId: c.id };
}

// ---- Audit-of-practice days and multi-agency audits: objects of AI2 people (none of them a persona).
let forgedDays = 0;
/**
 * An audit-of-practice day led by the AI2 team manager, with an AI2 worker's case analysed by a pair
 * of AI2 staff, and a recommendation to an AI2 line manager. `owner` names whose object it is.
 */
async function forgePracticeDay(h: Harness, owner: "lead" | "worker" | "pair" | "manager", status = "planned", caseStatus = "selected") {
  const n = ++forgedDays;
  const [lead, worker, pairA, pairB, manager] = [
    await ai2(h, "TEAM_MANAGER"),
    await ai2(h, "PRACTITIONER", 0),
    await ai2(h, "PRACTITIONER", 1),
    await ai2(h, "DEPUTY_TEAM_MANAGER"),
    await ai2(h, "PRACTITIONER", 2),
  ];
  const day = await h.db.practiceDay.create({
    data: { heldOn: new Date(Date.UTC(2098, 0, n)), leadManagerId: lead.id, status },
  });
  await h.db.practiceDayVolunteer.createMany({
    data: [
      { dayId: day.id, staffId: pairA.id, pairNo: 1 },
      { dayId: day.id, staffId: pairB.id, pairNo: 1 },
    ],
  });
  const c = await h.db.practiceDayCase.create({
    data: {
      dayId: day.id,
      caseRef: `LL9${String(n).padStart(5, "0")}`,
      planType: "CHILD_IN_NEED",
      teamId: "AI2",
      workerId: worker.id,
      managerId: manager.id,
      pairNo: 1,
      reason: "random",
      status: caseStatus,
    },
  });
  const rec = await h.db.practiceDayRecommendation.create({
    data: { dayId: day.id, dayCaseId: c.id, text: "Forged recommendation", assigneeId: manager.id, dueOn: new Date("2099-01-31") },
  });
  forgedOwner = { lead, worker, pair: pairA, manager }[owner];
  return { dayId: day.id, dayCaseId: c.id, recId: rec.id };
}
const practiceDayVerb = (
  capability: Capability,
  intruders: PersonaName[],
  owner: "lead" | "worker" | "pair" | "manager" | "qa",
  extra: Record<string, unknown> = {},
  status = "planned",
  caseStatus = "selected",
): VerbExpectation => ({
  capability,
  objects: {
    forge: async (h) => ({ ...(await forgePracticeDay(h, owner === "qa" ? "lead" : owner, status, caseStatus)), ...extra }),
    intruders,
    ...(owner === "qa" ? { owner: (p: Personas) => p.qaTeam } : {}),
  },
});
let forgedMa = 0;
/** A multi-agency audit led by a QA team member who is not a persona, inviting an AI2 worker, with a recommendation to them. */
async function forgeMultiAgency(h: Harness, p: Personas, owner: "lead" | "invitee", status = "invited") {
  const n = ++forgedMa;
  const lead = (await h.staffWithRole("QA_TEAM")).find((s) => !Object.values(p).some((x) => x.id === s.id));
  if (!lead) throw new Error("no second QA team member");
  const invitee = await ai2(h, "PRACTITIONER", 3);
  const a = await h.db.multiAgencyAudit.create({
    data: {
      caseRef: `LL8${String(n).padStart(5, "0")}`,
      focus: "learning-from-practice",
      leadId: lead.id,
      periodFrom: new Date("2098-01-01"),
      periodTo: new Date("2099-01-01"),
      toolDueOn: new Date("2099-02-01"),
      status,
    },
  });
  const i = await h.db.multiAgencyInvitation.create({
    data: { auditId: a.id, staffId: invitee.id, part: "practitioner", agency: "Children's social care" },
  });
  const r = await h.db.multiAgencyRecommendation.create({
    data: {
      auditId: a.id,
      text: "Forged recommendation",
      agency: "Children's social care",
      ownerId: invitee.id,
      dueOn: new Date("2099-03-01"),
    },
  });
  forgedOwner = owner === "lead" ? lead : invitee;
  return { auditId: a.id, invitationId: i.id, recId: r.id };
}
const multiAgencyVerb = (
  capability: Capability,
  intruders: PersonaName[],
  owner: "lead" | "invitee",
  extra: Record<string, unknown> = {},
  status = "invited",
): VerbExpectation => ({
  capability,
  objects: { forge: async (h, p) => ({ ...(await forgeMultiAgency(h, p, owner, status)), ...extra }), intruders },
});
const notInvited: PersonaName[] = ["practitioner", "anotherTeamsWorker", "teamManager", "qaTeam", "headOfQa", "director"];

const notPracticeDayParty: PersonaName[] = ["practitioner", "anotherTeamsWorker", "teamManager", "qaTeam", "director"];

const auditOutsiders: PersonaName[] = [
  "practitioner",
  "nqsw",
  "anotherTeamsWorker",
  "deputyTeamManager",
  "teamManager",
  "otherTeamManager",
  "moderator",
];
const escalationOutsiders: PersonaName[] = [
  "practitioner",
  "anotherTeamsWorker",
  "teamManager",
  "otherTeamManager",
  "qaTeam",
  "moderator",
  "cpChair",
  "director",
  "headOfQa",
];
const supervisionOutsiders: PersonaName[] = [
  "practitioner",
  "anotherTeamsWorker",
  "deputyTeamManager",
  "teamManager",
  "otherTeamManager",
  "qaTeam",
];
const moderationOutsiders: PersonaName[] = ["moderator", "practitioner", "teamManager", "cpChair", "qaTeam"];
const notQa: PersonaName[] = ["practitioner", "teamManager", "moderator", "director"];

const auditVerb = (
  capability: Capability,
  intruders: PersonaName[],
  status = "in_progress",
  extra: Record<string, unknown> = {},
): VerbExpectation => ({
  capability,
  objects: { forge: async (h) => ({ auditId: (await forgeAudit(h, status)).audit.id, ...extra }), intruders },
});
/**
 * Acts of the stage owner by default; `raiser` for the raiser's own buttons; `iroRaiser` for the
 * IRO's powers (bypass, Cafcass): an IRO-CLA escalation raised by an IRO who is not a persona, so
 * that the IRO persona is an intruder too.
 */
const escalationVerb = (extra: Record<string, unknown> = {}, owner?: "raiser" | "iroRaiser"): VerbExpectation => ({
  capability: "escalation.act",
  objects: {
    forge: async (h, p) => {
      if (owner !== "iroRaiser") return { ...(await forgeEscalation(h)), ...extra };
      const iro = (await h.staffWithRole("IRO")).find((s) => !Object.values(p).some((x) => x.id === s.id));
      if (!iro) throw new Error("no second IRO");
      return { ...(await forgeEscalation(h, { type: "iro-cla" }, iro)), ...extra };
    },
    intruders: owner === "iroRaiser" ? [...escalationOutsiders, "iro", "fosteringIro"] : escalationOutsiders,
    ...(owner ? { owner: () => forgedRaiser! } : {}),
  },
});
const moderationVerb = (
  extra: Record<string, unknown> = {},
  intruders = moderationOutsiders,
  owner?: (p: Personas) => StaffRef,
): VerbExpectation => ({
  capability: "moderation.act",
  objects: { forge: async (h, p) => ({ ...(await forgeModeration(h, p)), ...extra }), intruders, ...(owner ? { owner } : {}) },
});
const selfAssessmentVerb: VerbExpectation = {
  capability: "audits.selfAssessment.answer",
  objects: { forge: forgeSelfAssessment, intruders: ["practitioner", "anotherTeamsWorker", "teamManager", "qaTeam", "director"] },
};
const campaignVerb = (capability: Capability, intruders: PersonaName[], extra: Record<string, unknown> = {}): VerbExpectation => ({
  capability,
  objects: {
    forge: async (h) => ({ ...(await forgeCampaign(h)), ...extra }),
    intruders,
    // Any of the QA team manages any campaign; the invited person answers it.
    ...(capability === "survey.manage" ? { owner: (p: Personas) => p.qaTeam } : {}),
  },
});
const none = (capability: Capability, reason: string): VerbExpectation => ({ capability, objects: { none: reason } });

// ---- Practice observations and dip samples: objects of AI2 staff (no persona works there). ----

/** An observation of an AI2 practitioner by the AI2 team manager, in `status`. */
async function forgeObservation(h: Harness, status: string, who: "practitioner" | "observer") {
  const n = ++forged;
  const practitioner = await ai2(h, "PRACTITIONER", n % 3);
  const observer = await ai2(h, "TEAM_MANAGER");
  const o = await h.db.observation.create({
    data: {
      practitionerId: practitioner.id,
      observerId: status === "required" ? null : observer.id,
      managerId: practitioner.lineManagerId,
      process: "home_visit",
      status,
      date: new Date("2099-01-20"),
      proposedDate: status === "date_proposed" ? new Date("2099-01-21") : null,
      ...(status === "completed" ? { bandId: "good", goodOrBetter: true, strengths: "s", toDevelop: "d", actions: "a" } : {}),
    },
  });
  forgedOwner = who === "practitioner" ? practitioner : observer;
  return { observationId: o.id };
}
const observationOutsiders: PersonaName[] = ["practitioner", "anotherTeamsWorker", "teamManager", "qaTeam", "director"];
const notTheObserver: PersonaName[] = ["deputyTeamManager", "teamManager", "qaTeam", "headOfQa", "director"];
const observationVerb = (
  capability: Capability,
  status: string,
  who: "practitioner" | "observer",
  extra: Record<string, unknown> = {},
): VerbExpectation => ({
  capability,
  objects: {
    forge: async (h) => ({ ...(await forgeObservation(h, status, who)), ...extra }),
    intruders: who === "practitioner" ? observationOutsiders : notTheObserver,
  },
});

/** A dip sample of two AI2 cases, both checks allocated to the AI2 team manager. */
async function forgeDipSample(h: Harness) {
  const reviewer = await ai2(h, "TEAM_MANAGER");
  const sample = await h.db.dipSample.create({ data: { title: "Forged", checklistId: "cp-plans", batchSize: 5 } });
  const cases = await h.db.case.findMany({ where: { teamId: "AI2" }, take: 2, orderBy: { caseRef: "asc" } });
  const checks = [];
  for (const [i, c] of cases.entries())
    checks.push(
      await h.db.dipCheck.create({
        data: {
          sampleId: sample.id,
          caseId: c.id,
          caseRef: c.caseRef,
          teamId: c.teamId,
          planType: c.planType,
          reviewerId: reviewer.id,
          batch: 1,
          position: i,
        },
      }),
    );
  forgedOwner = reviewer;
  return { sampleId: sample.id, checkId: checks[0]!.id };
}
const notTheReviewer: PersonaName[] = ["deputyTeamManager", "teamManager", "qaTeam", "headOfQa", "director"];
const dipManageVerb = (extra: Record<string, unknown> = {}): VerbExpectation => ({
  capability: "dipSamples.manage",
  // Any of the QA team (or a head of service) manages any dip sample.
  objects: { forge: async (h) => ({ sampleId: (await forgeDipSample(h)).sampleId, ...extra }), intruders: [], owner: (p) => p.qaTeam },
});

const expectations: Record<string, VerbExpectation> = {
  "help.show": none("help.show", "shows the caller's own commands; ids in card data are ignored"),

  // Audit allocation (QA administration) and the auditor's answers to it.
  "audit.allocate.form": none("audits.allocate", "the allocation form; month/theme/target only"),
  "audit.allocate.preview": none("audits.allocate", "previews a month's allocation; no object ids"),
  "audit.allocate.run": none("audits.allocate", "allocates a month; no object ids"),
  "audit.notCompleted.form": none("audits.allocate", "the not-completed form; no object ids"),
  "audit.notCompleted.record": none("audits.allocate", "records an audit as not completed, found by its case-management ID"),
  "audit.allocation.accept": auditVerb(
    "audits.allocation.respond",
    ["practitioner", "teamManager", "qaTeam", "headOfQa", "director"],
    "allocated",
    {
      meetingDate: "2099-01-20",
    },
  ),
  "audit.allocation.swap": auditVerb(
    "audits.allocation.respond",
    ["practitioner", "teamManager", "qaTeam", "headOfQa", "director"],
    "allocated",
    {
      reason: "Forged: not mine to swap",
    },
  ),

  // The audit form: the allocated auditor edits; managers of the team (and QA) only read.
  "audits.mine": none("audits.mine", "lists the caller's own audits"),
  "audit.open": auditVerb("audits.mine", auditOutsiders, "in_progress", { page: "health" }),
  "audit.view": auditVerb("audits.mine", auditOutsiders, "submitted"),
  "audit.page.save": auditVerb("audits.mine", [...auditOutsiders, "qaTeam", "headOfQa"], "in_progress", {
    page: "health",
    version: 0,
    nav: "next",
  }),
  "audit.submit": auditVerb("audits.mine", [...auditOutsiders, "qaTeam", "headOfQa"], "in_progress", { version: 0 }),
  "audit.followUp.save": auditVerb("audits.mine", [...auditOutsiders, "qaTeam", "headOfQa"], "finalised"),
  "audit.selfAssessment.mine": none("audits.selfAssessment.answer", "lists the caller's own pending self-assessments"),
  "audit.selfAssessment.open": selfAssessmentVerb,
  "audit.selfAssessment.save": selfAssessmentVerb,
  "audit.selfAssessment.submit": selfAssessmentVerb,
  "actions.mine": none("actions.mine", "lists the caller's own actions"),
  "action.done": {
    capability: "actions.mine",
    objects: {
      forge: async (h) => {
        const { audit, auditor, practitioner } = await forgeAudit(h, "finalised");
        const a = await h.db.action.create({
          data: {
            auditId: audit.id,
            assigneeId: practitioner.id,
            createdById: auditor.id,
            description: "Forged action",
            dueAt: new Date("2099-01-31"),
          },
        });
        forgedOwner = practitioner;
        return { actionId: a.id, note: "done (forged)" };
      },
      intruders: ["practitioner", "anotherTeamsWorker", "teamManager", "qaTeam", "director"],
    },
  },

  // Moderation: QA samples and reassigns; the moderator, auditor and approving manager act.
  "moderation.start": none("moderation.sample", "the sampling form; no object ids"),
  "moderation.sample": none("moderation.sample", "samples a month's submitted audits; percent and return days only"),
  "moderation.mine": none("moderation.moderate", "lists the caller's own moderations"),
  "moderation.reassign": {
    capability: "moderation.sample",
    objects: { forge: async (h, p) => forgeModeration(h, p), intruders: notQa, owner: (p) => p.qaTeam },
  },
  // The QA team (moderation.sample) may read every moderation.
  "moderation.refresh": moderationVerb({}, ["moderator", "practitioner", "teamManager", "cpChair"]),
  "moderation.save": moderationVerb(),
  "moderation.page": moderationVerb({ goTo: "2" }),
  "moderation.submit": moderationVerb(),
  "moderation.proposeGrade": moderationVerb({ grade: "2" }),
  "moderation.acceptGrade": moderationVerb({ v: 0 }),
  // The moderator's manager or the Head of QA approves.
  "moderation.approve": moderationVerb(
    { approve: "true" },
    ["moderator", "practitioner", "teamManager", "cpChair", "qaTeam", "director"],
    (p) => p.headOfQa,
  ),

  // Escalations: raising is by role; every act on one is checked against the escalation itself.
  "escalation.new": none("escalation.raise", "the blank form"),
  "escalation.raise": none("escalation.raise", "creates a new escalation from a case reference (no object id)"),
  "escalations.overview": none("escalations.overview", "the open escalations of the whole service"),
  "escalations.list": none("escalation.act", "the open escalations the caller may read (all of them for escalations.overview)"),
  // The QA team and senior leaders (escalations.overview) may read every escalation.
  "escalation.refresh": {
    ...escalationVerb(),
    objects: {
      forge: (h) => forgeEscalation(h),
      intruders: escalationOutsiders.filter((x) => !["qaTeam", "headOfQa", "director"].includes(x)),
    },
  },
  "escalation.acknowledge": escalationVerb(),
  "escalation.respond": escalationVerb({ response: "Forged response", resolve: "false" }),
  "escalation.requestTime": escalationVerb({ days: "5", reason: "Forged request" }),
  "escalation.answerTime": escalationVerb({ accept: "true" }, "raiser"),
  "escalation.confirm": escalationVerb({ accept: "true" }, "raiser"),
  "escalation.escalateNow": escalationVerb(),
  "escalation.bypass": escalationVerb({ toStage: "3" }, "iroRaiser"),
  "escalation.cafcass": escalationVerb({}, "iroRaiser"),

  // Supervision: the supervisor (or their managers) records; the supervisee also sees.
  "supervision.show": none("supervision.mine", "the caller's own supervision"),
  "supervision.open": { capability: "supervision.mine", objects: { forge: forgeSession, intruders: supervisionOutsiders } },
  "supervision.record": { capability: "supervision.record", objects: { forge: forgeSession, intruders: supervisionOutsiders } },
  "supervision.reschedule": { capability: "supervision.record", objects: { forge: forgeSession, intruders: supervisionOutsiders } },

  // Surveys: QA manages campaigns; people answer only the surveys sent to them.
  "survey.home": none("surveys.mine", "lists the surveys sent to the caller"),
  "survey.page": campaignVerb("surveys.mine", ["practitioner", "anotherTeamsWorker", "teamManager", "director"], { page: 0, nav: "next" }),
  "survey.open": {
    capability: "survey.manage",
    objects: {
      forge: async () => ({ templateId: "health-check", audience: "all", opensOn: "2099-01-01", closesOn: "2099-02-01" }),
      intruders: notQa,
      owner: (p) => p.qaTeam,
    },
  },
  "survey.close": campaignVerb("survey.manage", notQa),
  // Results: the QA team; heads of service too, once a Health Check has closed (its next steps plan).
  "survey.results": { capability: "surveys.mine", objects: { forge: forgeCampaign, intruders: notQa, owner: (p) => p.qaTeam } },
  "survey.nextSteps.add": {
    capability: "surveys.mine",
    objects: {
      forge: async (h) => ({
        ...(await forgeCampaign(h)),
        description: "An action",
        ownerId: "00000000-0000-4000-8000-000000000000",
        dueOn: "2099-01-01",
      }),
      intruders: ["practitioner", "anotherTeamsWorker", "teamManager", "director"],
      owner: (p) => p.qaTeam,
    },
  },
  "survey.export": campaignVerb("survey.manage", notQa),

  // Reports: no object ids (the service picks the scope from the caller).
  "report.show": none("report.view", "month/theme only; the service scopes it to the caller"),
  "report.team": none("report.view", "month/theme only; the team is the caller's own"),
  "report.files": none("report.view", "month/theme only; scoped to the caller"),
  "report.trends": none("report.monthly", "service-wide trends"),
  "report.quarterly": none("report.monthly", "service-wide quarter"),
  "report.calibration": none("report.calibration", "QA calibration of a month"),
  "outbox.view": none("outbox.view", "the delivery queue for QA / administrators"),
  "outbox.deliverNow": none("outbox.view", "releases cards held by quiet hours; development runs only, no object ids"),

  // Practice observations and dip samples.
  "observation.home": none("observations.mine", "the caller's own observations, or the schedule form"),
  "observation.mine": none("observations.mine", "the caller's own observations"),
  "observation.schedule.form": none("observations.schedule", "the schedule form; no object ids"),
  "observation.schedule.run": {
    capability: "observations.schedule",
    // Any scheduler may schedule any required observation; nobody else passes the role check.
    objects: {
      forge: async (h) => ({ requiredId: (await forgeObservation(h, "required", "practitioner")).observationId }),
      intruders: [],
      owner: (p) => p.qaTeam,
    },
  },
  // Whoever may schedule observations (the QA team) opens any of them, from the planned observations.
  "observation.open": {
    capability: "observations.mine",
    objects: {
      forge: async (h) => forgeObservation(h, "awaiting_agreement", "practitioner"),
      intruders: observationOutsiders.filter((x) => x !== "qaTeam"),
    },
  },
  "observation.agree": observationVerb("observations.mine", "awaiting_agreement", "practitioner"),
  "observation.propose": observationVerb("observations.mine", "awaiting_agreement", "practitioner", { proposedDate: "2099-02-01" }),
  "observation.reflect": observationVerb("observations.mine", "completed", "practitioner", { reflection: "my reflection" }),
  // The observer, or whoever may schedule observations (the QA team, a head of service), moves or cancels.
  "observation.reschedule": {
    capability: "observations.observe",
    objects: {
      forge: async (h) => ({
        ...(await forgeObservation(h, "agreed", "observer")),
        newDate: "2099-03-01",
        reason: "The family moved the visit.",
      }),
      intruders: ["deputyTeamManager", "teamManager", "director"],
    },
  },
  "observation.cancel": {
    capability: "observations.observe",
    objects: {
      forge: async (h) => ({ ...(await forgeObservation(h, "agreed", "observer")), reason: "The practitioner is on leave." }),
      intruders: ["deputyTeamManager", "teamManager", "director"],
    },
  },
  "observation.acceptDate": observationVerb("observations.observe", "date_proposed", "observer"),
  "observation.save": observationVerb("observations.observe", "agreed", "observer", { strengths: "x" }),
  "observation.record": observationVerb("observations.observe", "agreed", "observer", { strengths: "x" }),
  "dipSample.home": none("dipSamples.mine", "the caller's own dip sample cases, or (managers) the samples"),
  "dipSample.new": none("dipSamples.manage", "the new-sample form; no object ids"),
  "dipSample.create": {
    capability: "dipSamples.manage",
    // The checklist and team name the rule, not someone's object: any manager may draw any sample.
    objects: {
      forge: async () => ({ checklistId: "cp-plans", teamId: "AI2", size: "2", batchSize: "1", reviewers: "" }),
      intruders: [],
      owner: (p) => p.qaTeam,
    },
  },
  "dipSample.next": {
    capability: "dipSamples.review",
    objects: { forge: async (h) => ({ sampleId: (await forgeDipSample(h)).sampleId }), intruders: notTheReviewer },
  },
  "dipSample.answer": {
    capability: "dipSamples.review",
    objects: {
      forge: async (h) => ({
        checkId: (await forgeDipSample(h)).checkId,
        item_smart: "yes",
        item_voice: "yes",
        item_contingency: "yes",
        judgement: "good",
      }),
      intruders: notTheReviewer,
    },
  },
  "dipSample.results": dipManageVerb(),
  "dipSample.export": dipManageVerb(),
  "dipSample.close": dipManageVerb(),

  // ---- Audit-of-practice days: the QA team plans; each party acts only on what is theirs.
  "practiceDay.home": none("practiceDay.manage", "the year's days and the schedule form"),
  "practiceDay.schedule": none("practiceDay.manage", "sets a date; the lead is chosen from the directory"),
  "practiceDay.mine": none("practiceDay.participate", "the caller's own part in audit-of-practice days"),
  "practiceDay.open": practiceDayVerb("practiceDay.participate", ["practitioner", "anotherTeamsWorker", "teamManager", "director"], "lead"),
  "practiceDay.agreeTeams": practiceDayVerb("practiceDay.manage", notQa, "qa"),
  "practiceDay.select": practiceDayVerb("practiceDay.manage", notQa, "qa"),
  "practiceDay.report": practiceDayVerb(
    "practiceDay.participate",
    ["practitioner", "teamManager", "director"],
    "lead",
    { findings: "Forged findings of the day" },
    "cases_selected",
  ),
  // Anyone may volunteer for any day ("All staff have the opportunity to join an audit team"); partners may not.
  "practiceDay.volunteer": practiceDayVerb("practiceDay.participate", [], "worker"),
  "practiceDay.confirm": practiceDayVerb("practiceDay.participate", notPracticeDayParty, "worker"),
  "practiceDay.analysis.open": practiceDayVerb("practiceDay.participate", notPracticeDayParty, "pair"),
  "practiceDay.analysis.save": practiceDayVerb("practiceDay.participate", [...notPracticeDayParty, "headOfQa"], "pair", {
    livedExperience: "Forged",
  }),
  "practiceDay.analysis.submit": practiceDayVerb("practiceDay.participate", [...notPracticeDayParty, "headOfQa"], "pair", {
    livedExperience: "Forged",
  }),
  "practiceDay.assure": practiceDayVerb(
    "practiceDay.participate",
    [...notPracticeDayParty, "headOfQa"],
    "lead",
    { recommendation: "", poorPractice: "false" },
    "cases_selected",
    "analysed",
  ),
  "practiceDay.recommendation.open": practiceDayVerb("practiceDay.participate", notPracticeDayParty, "manager"),
  "practiceDay.recommendation.complete": practiceDayVerb("practiceDay.participate", notPracticeDayParty, "manager", {
    note: "Forged: done",
  }),

  // ---- Multi-agency audits: the lead runs their own audits; invitees (partners too) see only their invitations.
  "multiAgency.home": none("multiAgency.participate", "the caller's own invitations, recommendations and led audits"),
  "multiAgency.create": none("multiAgency.lead", "sets up an audit from a case reference and email addresses"),
  "multiAgency.open": multiAgencyVerb("multiAgency.lead", notInvited, "lead"),
  "multiAgency.discussion.set": multiAgencyVerb("multiAgency.lead", notInvited, "lead", { discussionOn: "2099-01-20" }),
  "multiAgency.discussion.record": multiAgencyVerb(
    "multiAgency.lead",
    notInvited,
    "lead",
    { notes: "Forged notes of the discussion" },
    "discussion_set",
  ),
  "multiAgency.recommendation.add": multiAgencyVerb(
    "multiAgency.lead",
    notInvited,
    "lead",
    { text: "Forged", dueOn: "2099-03-01" },
    "discussed",
  ),
  "multiAgency.invitation.open": multiAgencyVerb("multiAgency.participate", notInvited, "invitee"),
  "multiAgency.tool.submit": multiAgencyVerb("multiAgency.participate", notInvited, "invitee", {
    involvement: "Forged",
    learning: "Forged",
  }),
  "multiAgency.attendance": multiAgencyVerb("multiAgency.participate", notInvited, "invitee", { attending: "true" }, "discussion_set"),
  "multiAgency.recommendation.open": multiAgencyVerb("multiAgency.participate", notInvited, "invitee"),
  "multiAgency.recommendation.done": multiAgencyVerb("multiAgency.participate", notInvited, "invitee", { note: "Forged: done" }),
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
  practiceReviewLead: { role: "PRACTICE_REVIEW_LEARNING_MANAGER", only: true },
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
    // Nor has it the partnership's practice review and learning manager (Bexley §1.4).
    await h.db.staff.create({
      data: {
        email: "pr.lead@council.example",
        name: "Lee Learning",
        roles: ["PRACTICE_REVIEW_LEARNING_MANAGER"],
        aadObjectId: randomUUID(),
      },
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
    // Every persona has opened the bot (a conversation reference), so that a refusal is the only
    // thing the object-level cases below can observe, whatever order they run in.
    // A partner agency's person, a guest of the tenant (Bexley Children's Social Care Quality Assurance
    // Framework, §1.4: "other agencies may be invited to be a part of the audit team"): every verb but
    // help and the multi-agency audits they are invited to is refused.
    const partner = await h.db.staff.create({
      data: { email: "nia.nurse@health.example", name: "Nia Nurse", roles: [], partnerAgency: "Health", aadObjectId: randomUUID() },
    });
    (p as Record<string, StaffRef>).partner = partner as StaffRef;
    for (const staff of Object.values(p)) await h.install(staff);
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
        // In words a person understands: the capability's id is never shown.
        expect(r.text).toContain("Your role does not allow this.");
        expect(r.text).not.toContain(cap);
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
        expect(r.text, `${name} on ${verb} must not be refused by role`).not.toContain("Your role does not allow this");
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
    // Every persona (a partner agency's guest too) types every command: longer than the default timeout on a busy host.
  }, 180_000);

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
    it("has forge cases for the object verbs of every feature", () => {
      const features = new Set(objectVerbs.map(([v]) => v.split(".")[0]));
      expect([...features].sort()).toEqual([
        "action",
        "audit",
        "dipSample",
        "escalation",
        "moderation",
        "multiAgency",
        "observation",
        "practiceDay",
        "supervision",
        "survey",
      ]);
    });
    for (const [verb, e] of objectVerbs) {
      const o = e.objects as Extract<VerbExpectation["objects"], { forge: unknown }>;
      it(`${verb}: refused for ${o.intruders.join(", ")}, nothing changed`, async () => {
        forgedOwner = undefined;
        forgedRaiser = undefined;
        const data = await o.forge(h, p);
        const before = await snapshot(h.db);
        const parties = ([forgedOwner, forgedRaiser] as (StaffRef | undefined)[]).filter((s): s is StaffRef => !!s).map((s) => s.name);
        for (const who of o.intruders) {
          const r = await h.execute(p[who], verb, data);
          expect(r.text, `${who} on ${verb}`).toMatch(/Not allowed|Not found/);
          // A refusal says nothing about the object: not its case, not who it belongs to.
          expect(r.text, `${who} on ${verb}`).not.toMatch(/\b[A-Z]{2}\d{6}\b/);
          for (const name of parties) expect(r.text, `${who} on ${verb}`).not.toContain(name);
          // Nor whether it exists: the same answer as for an id that names nothing.
          const feature = verb.split(".")[0]!;
          const readers = [...(READ_IT_ANYWAY[feature] ?? []), ...(READ_IT_ANYWAY[verb] ?? [])];
          if (!readers.includes(who)) {
            const missing = await h.execute(p[who], verb, withMissingIds(data));
            expect(r.text, `${who} on ${verb}: as for a missing item`).toBe(missing.text);
          }
        }
        const after = await snapshot(h.db);
        expect(after.counts).toEqual(before.counts);
        expect(after.history).toEqual(before.history);
        expect(after.outbox).toEqual(before.outbox);
        // The control: the object is real and its own party gets past the object-level check.
        const owner = typeof o.owner === "function" ? o.owner(p) : o.owner ? undefined : forgedOwner;
        if (owner) {
          await h.install(owner);
          const r = await h.execute(owner, verb, data);
          expect(r.text, `${owner.name} (the object's own party) on ${verb}`).not.toMatch(/Not allowed|Not found/);
        }
      });
    }
  });
});

describe("the matrix itself", () => {
  const practitionerOnly = { roles: ["PRACTITIONER"] as Role[] };
  it("refuses a partner agency's person every capability but help and their own multi-agency audits, whatever roles they hold", () => {
    const partner = { roles: ["DIRECTOR", "QA_TEAM"] as Role[], partnerAgency: "Police" };
    const allowed = (Object.keys(permissionMatrix) as Capability[]).filter((c) => may(partner, c));
    expect(allowed.sort()).toEqual([...PARTNER_CAPABILITIES].sort());
    expect(allowed.sort()).toEqual(["help.show", "multiAgency.participate"]);
  });
  it("lets the practice review and learning manager lead multi-agency audits and nothing of the council's QA (Bexley Children's Social Care Quality Assurance Framework, §1.4: “led by the partnership's practice review and learning manager”)", () => {
    const prlm = { roles: ["PRACTICE_REVIEW_LEARNING_MANAGER"] as Role[] };
    expect(may(prlm, "multiAgency.lead")).toBe(true);
    expect(may(practitionerOnly, "multiAgency.lead")).toBe(false);
    for (const c of ["audits.allocate", "audits.conduct", "practiceDay.manage", "report.monthly", "dipSamples.manage"] as Capability[])
      expect(may(prlm, c), c).toBe(false);
  });
  it("gives every capability to somebody", () => {
    for (const [cap, roles] of Object.entries(permissionMatrix)) expect((roles as readonly string[]).length, cap).toBeGreaterThan(0);
  });
  it("keeps QA administration, reports and the outbox away from practitioners", () => {
    const restricted = Object.keys(permissionMatrix).filter((c) =>
      /^(audits\.allocate|moderation\.sample|survey\.manage|report\.|outbox\.view|audits\.team|escalations\.overview)/.test(c),
    ) as Capability[];
    expect(restricted.length).toBeGreaterThan(5);
    for (const c of restricted) {
      expect(may(practitionerOnly, c), c).toBe(false);
      expect((permissionMatrix[c] as readonly string[]).includes(ALL_STAFF), c).toBe(false);
    }
  });
  it("holds no capability that nothing checks (a dead entry would mislead a reviewer)", () => {
    const routed = new Set(router.verbs().map((v) => router.get(v)!.capability));
    // Capabilities services check themselves (may/requireCapability/rolesWith), found in their source.
    const source = servicesSource();
    const unused = (Object.keys(permissionMatrix) as Capability[]).filter((c) => !routed.has(c) && !source.includes(`"${c}"`));
    expect(unused).toEqual([]);
  });
  it("allocates audits only to the roles the matrix lets conduct them", () => {
    expect([...AUDITOR_ROLES].sort()).toEqual(rolesWith("audits.conduct").sort());
    expect(AUDITOR_ROLES).not.toContain("PRACTITIONER");
    expect(AUDITOR_ROLES).toContain("DEPUTY_TEAM_MANAGER");
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

/** The TypeScript source of services/ except the matrix itself, to find the capabilities it checks. */
function servicesSource(): string {
  const dir = fileURLToPath(new URL("../../services", import.meta.url));
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && f !== "permissions.ts")
    .map((f) => readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}
