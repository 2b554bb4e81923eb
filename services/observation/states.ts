// A practice observation's life. Scheduled by the QA team or a head of service (or, when an
// inadequate audit requires it, created "required" and scheduled later); the practitioner is told
// in advance and agrees the date or proposes another, which the observer accepts; the observer
// records the Practice Observation form and the outcome goes to the practitioner and their manager.
// Until it is recorded, the observer or the QA team may move the date (the practitioner agrees
// again) or cancel it, each with a reason the practitioner is told. Cancelling one an inadequate
// audit requires does not end the requirement: it goes back to "required" for the QA team to
// arrange again, and the audit's action stays open until an observation is recorded (the
// framework is silent on cancelling; this is the authority's own default).
import { defineMachine } from "../stateMachine";

export const observationMachine = defineMachine(
  "observation",
  ["required", "awaiting_agreement", "date_proposed", "agreed", "completed", "cancelled"],
  {
    schedule: "required -> awaiting_agreement",
    agree: "awaiting_agreement -> agreed",
    propose: "awaiting_agreement -> date_proposed",
    acceptDate: "date_proposed -> agreed",
    record: "agreed -> completed",
    reschedule: "awaiting_agreement | date_proposed | agreed -> awaiting_agreement",
    cancel: "awaiting_agreement | date_proposed | agreed -> cancelled",
    cancelRequired: "awaiting_agreement | date_proposed | agreed -> required",
  },
  { initial: "awaiting_agreement" },
);

export type ObservationStatus = (typeof observationMachine.statuses)[number];

/** Planned and not yet recorded: the date may still be moved, or the observation cancelled. */
export const PLANNED_STATUSES: readonly ObservationStatus[] = observationMachine.steps.reschedule.from;
