// Types of bench/workingDayClock.mjs (a plain module: child processes load it before tsx).
export function withBenchClock(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export const benchClockStart: string;
