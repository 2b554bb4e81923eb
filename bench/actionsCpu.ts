// CPU that bench/actions.ts reads from /proc for the processes it does not run itself: the
// PostgreSQL backends serving the run's database, and the whole machine (other users' load too).
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { Db } from "../services/db";

const ticksPerSecond = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;

/** CPU (µs, user + system) a process has used, or undefined once it is gone. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
  } catch {
    return undefined;
  }
}

/** Busy CPU (µs) of every core together since boot: everything but idle and iowait. */
function machineBusyMicros(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const n = ticks.map(Number);
  const busy = n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0) - (n[8] ?? 0) - (n[9] ?? 0); // minus idle, iowait, guest (in user)
  return (busy / ticksPerSecond) * 1e6;
}

/** The backends connected to the run's database (the services', their workers', the floor's). */
async function backendCpu(db: Db): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const us = processCpuMicros(pid);
    if (us !== undefined) out.set(pid, us);
  }
  return out;
}

export interface CpuSnapshot {
  backends: Map<number, number>;
  machine: number;
}

export async function cpuSnapshot(db: Db): Promise<CpuSnapshot> {
  return { backends: await backendCpu(db), machine: machineBusyMicros() };
}

/**
 * CPU (µs) between two snapshots: PostgreSQL's backends for this database (a backend that started
 * during the run counts from its start; one that ended during it is missed), and the machine's.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): { postgresMicros: number; machineMicros: number; loadAverage: number } {
  let postgresMicros = 0;
  for (const [pid, us] of b.backends) postgresMicros += us - (a.backends.get(pid) ?? 0);
  return { postgresMicros, machineMicros: b.machine - a.machine, loadAverage: Math.round(loadavg()[0]! * 100) / 100 };
}
