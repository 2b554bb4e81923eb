// A practice observation's life. Scheduled by the QA team or a head of service (or, when an
// inadequate audit requires it, created "required" and scheduled later); the practitioner is told
// in advance and agrees the date or proposes another, which the observer accepts; the observer
// records the Practice Observation form and the outcome goes to the practitioner and their manager.
// Until it is recorded, the observer or the QA team may move the date (the practitioner agrees
// again) or cancel it, each with a reason the practitioner is told.
import { defineMachine } from "../stateMachine";

export const observationMachine = defineMachine({
  entity: "observation",
  table: "Observation",
  statuses: ["required", "awaiting_agreement", "date_proposed", "agreed", "completed", "cancelled"],
  initial: "awaiting_agreement",
  steps: {
    schedule: { from: ["required"], to: "awaiting_agreement" },
    agree: { from: ["awaiting_agreement"], to: "agreed" },
    propose: { from: ["awaiting_agreement"], to: "date_proposed" },
    acceptDate: { from: ["date_proposed"], to: "agreed" },
    record: { from: ["agreed"], to: "completed" },
    reschedule: { from: ["awaiting_agreement", "date_proposed", "agreed"], to: "awaiting_agreement" },
    cancel: { from: ["awaiting_agreement", "date_proposed", "agreed"], to: "cancelled" },
  },
});

export type ObservationStatus = (typeof observationMachine.statuses)[number];
