// Time is a dependency: production uses the system clock, tests a clock they move by hand.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move explicitly; no test sleeps for real deadlines. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = "2026-12-01T09:00:00Z") {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
