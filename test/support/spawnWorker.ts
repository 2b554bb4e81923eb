// Starts a worker script of test/support (schedulerWorker.ts unless named) as a child process
// (node with the tsx loader) and waits for "ready".
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

export interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export async function spawnWorker(env: Record<string, string>, timeoutMs = 90_000, script = "schedulerWorker.ts"): Promise<Worker> {
  // One process (node with the tsx loader), not the tsx CLI: the CLI runs the script in a second
  // process, which a SIGKILL of the CLI would leave running.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started = Date.now();
  while (!out.includes("ready")) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
    if (Date.now() - started > timeoutMs) throw new Error(`worker did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, exited };
}
