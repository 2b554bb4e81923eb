// What the monthly "audit at a glance" holds (monthly.ts computes it; its definitions are there).
import type { Direction, Share } from "./format";

export interface MonthScope {
  month: string;
  theme?: string;
  /** Restrict everything to these teams (team appendix / team manager view). */
  teamIds?: string[];
}

export interface GradeRow {
  bandId: string;
  label: string;
  rank: number;
  isGood: boolean;
  share: Share;
}

export interface AreaRow {
  area: number;
  title: string;
  scored: number;
  below: Share;
  mean: number | null;
  previousBelowPct: number | null;
  previousMean: number | null;
  direction: Direction;
}

export interface StatementRow {
  id: string;
  number: number;
  text: string;
  /** null (with mean) when fewer than the minimum group answered it. */
  n: number | null;
  mean: number | null;
  /** null (with change) when fewer than the minimum group of cases can be compared. */
  pairs: number | null;
  change: number | null;
  direction: Direction;
}

export interface MonthlyReport {
  month: string;
  monthLabel: string;
  theme: string;
  teamIds: string[] | null;
  generatedAt: string;
  scale: { id: string; label: string };
  /** The cut-offs the areas were sorted by, in words (they are settings, not the frameworks'). */
  cutOffs: string;
  belowGoodScore: number;
  howMuch: {
    /** The target this view compares with: the authority's, or in a team's view the team's allocation. */
    target: number;
    targetBasis: "authority" | "team allocation";
    /** The month's target set for the whole authority (every team). */
    authorityTarget: number;
    allocated: number;
    returned: number;
    late: number;
    inTime: number;
    /** Returned in time: the audits the findings count ("late" ones are not included). */
    counted: number;
    /** Audits whose moderation is complete (finalised). */
    moderated: number;
    /** Audits whose moderation was submitted but is not complete (grade being agreed or approved). */
    beingModerated: number;
    /** Not returned, past the due date or recorded as not completed ("still in progress" apart). */
    notCompleted: number;
    inProgress: number;
    reasons: { reason: string; count: number }[];
    targetVsActual: Share;
  };
  howWell: {
    graded: number;
    grades: GradeRow[];
    movements: { from: string; to: string; direction: "up" | "down"; count: number }[];
    movedUp: number;
    movedDown: number;
    areas: AreaRow[];
    attention: AreaRow[];
    improving: AreaRow[];
    good: AreaRow[];
  };
  betterOff: {
    /** Families whose feedback is counted (whole steps of the minimum group); null when fewer than the minimum. */
    familyFeedback: number | null;
    statements: StatementRow[];
    /** Answers other than "not recorded", each a share of the counted audits that answered. */
    benefit: { label: string; share: Share }[];
    /** "yes", of the counted audits that answered. */
    seenToBenefit: Share;
    /** Counted audits that did not say whether the child was better off. */
    benefitNotRecorded: number;
    /** Children whose audit found them unsafe, of the counted audits that answered; and how many audits did not say. */
    foundUnsafe: Share;
    safetyNotRecorded: number;
  };
  actions: { open: number; overdue: number; immediateOverdue: number; fromThisMonth: number; fromThisMonthOpen: number };
  supervisionOverdue: { teamId: string; count: number }[];
}
