// A supervision session's life: booked (scheduled), not recorded by its due date (overdue), or
// recorded as held. A session is moved by rescheduling, which books it again; nothing cancels one.
import { byName, defineMachine, step } from "../stateMachine";

export const supervisionMachine = defineMachine(
  "supervision",
  ["scheduled", "overdue", "held"],
  {
    /** The supervisor (or their manager) records that it took place. */
    hold: "scheduled | overdue -> held",
    /** Moved to a new date: scheduled again, its reminder and overdue jobs with it. */
    reschedule: "scheduled | overdue -> scheduled",
    /** Its due date passed without a record (the overdue job). */
    markOverdue: "scheduled -> overdue",
  },
  { table: "SupervisionSession" },
);
export type SupervisionStatus = (typeof supervisionMachine.statuses)[number];
/** The statuses by name, for readers (reports, views, card data). */
export const SupervisionStatus = byName(supervisionMachine);

/** Sessions still to be recorded (scheduled or overdue): these can be held or moved. */
export const OPEN_SESSION_STATUSES: readonly SupervisionStatus[] = step(supervisionMachine, "hold").from;

export const isOpen = (status: string) => (OPEN_SESSION_STATUSES as readonly string[]).includes(status);

/** A reminder goes only to a session still booked: never nag about finished or overdue work. */
export const isRemindable = (status: string) => status === SupervisionStatus.scheduled;
