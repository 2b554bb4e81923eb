// Every workflow's state machine, for the checks that hold across all of them: the database's
// CHECK constraints equal the machines' statuses, and reports name statuses that exist.
import type { Machine } from "./stateMachine";
import { outboxMachine } from "./delivery/states";

// Each workflow's states.ts adds its machine here.
export const machines: readonly Machine<string, string>[] = [outboxMachine];
