// Formal escalations (Bexley Children's Social Care Quality Assurance Framework, §4.6, §5.3): a CP
// chair, IRO or fostering IRO (or a practitioner whose practice feels compromised) raises a concern
// about a case after trying to resolve it informally. It climbs stages — TM & SM → Head of Service
// → Assistant Director → Director — each with a deadline in working days from the catalogue. Stage
// owners acknowledge, respond, propose a resolution, ask the raiser for more time or escalate at
// once; the raiser may bypass stages, refer to Cafcass (IRO types) and confirms any resolution.
// Every step is an EscalationEvent (in order) and a History row; one shared card per escalation is
// updated in place for every viewer.
//
// The use cases, one file each: raise.ts, ownerActions.ts, raiserActions.ts, stages.ts (moving
// between stages, and the deadline job), overview.ts; the statuses in states.ts; the card in
// card.ts; the SQL in store.ts; the catalogue's rules in rules.ts.
export { LIMITS, STAGE_JOB, cardKeyOf, escalationType, stageOwners, typesFor } from "./rules";
export { cardData, escalationCardFor } from "./card";
export { raiseEscalation, type RaiseInput } from "./raise";
export { acknowledge, requestMoreTime, respond } from "./ownerActions";
export { answerMoreTime, confirmResolution, referToCafcass } from "./raiserActions";
export { bypass, escalateNow, stageDeadlinePassed } from "./stages";
export { escalationsFor, openEscalations } from "./overview";
