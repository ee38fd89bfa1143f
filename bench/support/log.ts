/** Reading the benches' results back from the log: the events' recordedAt is the clock. */
import type { EventStore, RecordedEvent } from '../../src/kernel/host.js';

/** Every event of these types, in log order, read in pages. */
export async function* eventsOfTypes(store: EventStore, eventTypes: string[]): AsyncGenerator<RecordedEvent> {
  let after = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: 5000, filter: { eventTypes } });
    if (batch.length === 0) return;
    yield* batch;
    after = batch.at(-1)!.position;
  }
}

/** How many events of these types the log holds. */
export async function countEvents(store: EventStore, eventTypes: string[]): Promise<number> {
  let n = 0;
  for await (const _ of eventsOfTypes(store, eventTypes)) n++;
  return n;
}

/** Polls `done` every `everyMs` until it is true; throws after `timeoutMs` with what `progress` says. */
export async function until(done: () => Promise<boolean>, options: { timeoutMs: number; everyMs?: number; progress?: () => Promise<string> }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${options.timeoutMs} ms${options.progress ? `: ${await options.progress()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 200));
  }
}
