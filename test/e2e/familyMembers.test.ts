// Family feedback from several family members of one audit, end to end through /api/messages: the
// auditor records each member's answers on the family feedback page, and the monthly report counts
// the people heard, not the audits.
//
// Bexley Children’s Social Care Quality Assurance Framework, §1.3 Audit Guidance, step 5 (Feedback):
// "Feedback should be sought from children of appropriate age and understanding and from families.
// The same questions can be repeated for different family members."
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/hooks";
import { cardText, cardActions, inputOf, pageOf, versionOf, type StaffRef } from "../support/harness";
import { fillAudit, setupAuditFixture, saveAndNext, submitReview } from "../support/auditFixture";
import { ManualClock } from "../../services/clock";
import { loadAuditTool } from "../../services/catalogue";

const listens = loadAuditTool().feedback.family.statements.find((s) => s.id === "fs-listens")!;
let fx: Awaited<ReturnType<typeof setupAuditFixture>>;
let qa: StaffRef;

// Two people are the whole test: the minimum group is lowered to 2 so their figures are shown.
const h = useHarness(
  { clock: new ManualClock("2026-12-01T09:00:00Z"), env: { MIN_GROUP_SIZE: "2" } },
  async () => {
    fx = await setupAuditFixture(h);
    qa = await h.one("QA_TEAM");
  },
  180_000,
);

describe("feedback from several family members of one audit", () => {
  it("records each family member's answers as its own, listed by role, and the report counts two people", async () => {
    const { audit } = await fx.makeAudit();
    await fillAudit(h, fx.auditor, audit.id, {
      grade: "6",
      actions: [{ what: "Share the good direct work at the staff conference", who: fx.auditor.id, when: "2026-12-18" }],
    });

    // Back to the family page: the first family member's answers, then "Add another family member".
    let card = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "feedback-family" })).card;
    const add = cardActions(card).find((a) => a.title === "Add another family member");
    expect(add, "the family page offers to add another family member").toBeDefined();
    expect(cardActions(card).some((a) => a.title === "Add another family member" && a.data.page !== "feedback-family")).toBe(false);
    card = (
      await h.execute(fx.auditor, "audit.page.save", {
        ...add!.data,
        version: versionOf(card),
        "family-obtained": "yes",
        "family-role": "Mother",
        "fs-listens": "8",
        "family-going-well": "Worker listens",
      })
    ).card;
    expect(pageOf(card)).toBe("feedback-family");
    const text = cardText(card);
    expect(text).toContain("Family members recorded so far: Mother. This is family member 2.");
    // A fresh set of questions: nothing of the mother's answers is carried over.
    expect(inputOf(card, "family-role")?.value ?? "").toBe("");
    expect(inputOf(card, "fs-listens")?.value ?? "").toBe("");

    // The second family member, then on to the end and submit.
    card = await saveAndNext(h, fx.auditor, audit.id, card, "feedback-family", {
      "family-obtained": "yes",
      "family-role": "Grandfather (kinship carer)",
      "fs-listens": "5",
    });
    expect(pageOf(card)).toBe("feedback-network");
    const review = (await h.execute(fx.auditor, "audit.open", { auditId: audit.id, page: "review" })).card;
    expect(cardText(review)).toContain("Feedback (family): obtained (2 of 2 people)");
    expect((await submitReview(h, fx.auditor, review)).text).toMatch(/Audit submitted/);

    const rows = await h.db.feedback.findMany({ where: { auditId: audit.id, kind: "family" }, orderBy: { member: "asc" } });
    expect(
      rows.map((r) => [
        r.member,
        (r.answers as Record<string, string>)["family-role"],
        (r.answers as Record<string, string>)["fs-listens"],
      ]),
    ).toEqual([
      [0, "Mother", "8"],
      [1, "Grandfather (kinship carer)", "5"],
    ]);

    // The monthly report: two people from one audit, and both sets of answers in the mean.
    const report = cardText((await h.say(qa, "report 2026-12")).cards[0]);
    expect(report).toContain("Family feedback from 2 people");
    expect(report).toMatch(new RegExp(`${listens.number}\\. [^\\n]*\\n6\\.5 \\(2\\)`));
  }, 120_000);
});
