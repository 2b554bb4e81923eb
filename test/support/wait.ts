// Waiting in tests for something another process or timer does.

/** Polls `fn` every `everyMs` until it returns a truthy value (returned), failing after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ms = 60_000, everyMs = 50): Promise<NonNullable<T>> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
