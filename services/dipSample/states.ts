// A dip sample (open while its checks are answered; closed by the QA team) and each of its case
// checks (allocated to a reviewer, then answered once).
import { defineMachine } from "../stateMachine";

export const dipSampleMachine = defineMachine("dip_sample", ["open", "closed"], { close: "open -> closed" });

export const dipCheckMachine = defineMachine("dip_check", ["allocated", "answered"], { answer: "allocated -> answered" });
