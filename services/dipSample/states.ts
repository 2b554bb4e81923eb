// A dip sample (open while its checks are answered; closed by the QA team) and each of its case
// checks (allocated to a reviewer, then answered once).
import { defineMachine } from "../stateMachine";

export const dipSampleMachine = defineMachine({
  entity: "dip_sample",
  table: "DipSample",
  statuses: ["open", "closed"],
  initial: "open",
  steps: { close: { from: ["open"], to: "closed" } },
});

export const dipCheckMachine = defineMachine({
  entity: "dip_check",
  table: "DipCheck",
  statuses: ["allocated", "answered"],
  initial: "allocated",
  steps: { answer: { from: ["allocated"], to: "answered" } },
});
