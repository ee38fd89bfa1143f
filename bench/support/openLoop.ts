/**
 * Load generators the benches share. `closedLoop`: a fixed number of clients, each sending its next
 * request when the last is answered (the maximum rate). `openLoop`: requests sent on a schedule
 * (`rate` per second) whether or not earlier ones were answered, each told the wall-clock time it
 * was due, so that a latency counted from there includes any stall of the server or the generator
 * (coordinated omission is not hidden).
 */

/** Runs `send(n)` for n = 0 … count−1 from `clients` concurrent loops. */
export async function closedLoop(count: number, clients: number, send: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: clients }, client));
}

/**
 * Runs `send(n, dueAt)` for n = 0 … count−1, the n-th due at start + n/rate seconds (`dueAt` in
 * epoch milliseconds, comparable with events' recordedAt); resolves when every send has settled,
 * rejects with the first failure. Returns how late, at most, a send started after its due time.
 */
export async function openLoop(count: number, rate: number, send: (n: number, dueAt: number) => Promise<void>): Promise<{ maxStartLagMs: number }> {
  const started = performance.now();
  const epochAtStart = Date.now();
  const pending: Promise<void>[] = [];
  let maxStartLagMs = 0;
  for (let n = 0; n < count; n++) {
    const due = (n * 1000) / rate;
    const wait = started + due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    maxStartLagMs = Math.max(maxStartLagMs, performance.now() - started - due);
    const sent = send(n, epochAtStart + due);
    sent.catch(() => {}); // reported by Promise.all below; not an unhandled rejection meanwhile
    pending.push(sent);
  }
  await Promise.all(pending);
  return { maxStartLagMs: Math.round(maxStartLagMs) };
}
