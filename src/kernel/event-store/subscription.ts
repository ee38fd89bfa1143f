import type { EventEmitter } from 'node:events';
import type { EventStore, RecordedEvent, SubscribeOptions, Subscription } from '../types/eventStore.js';

/** How long a caught-up subscription waits for a wake-up before it looks at the head again. */
const IDLE_WAIT_MS = 1000;

/**
 * A catch-up subscription over any adapter: it reads pages back to back while events are
 * waiting (no sleeps), then waits for the adapter's append signal. It reads only up to a
 * snapshot of the head, so it never sees an uncommitted event and never skips one.
 */
export function catchUpSubscription(
  store: Pick<EventStore, 'readAll' | 'headPosition' | 'waitForAppend'>,
  options: SubscribeOptions,
  handler: (event: RecordedEvent) => Promise<void> | void,
): Subscription {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 500;
  let position = options.after ?? 0;

  const run = async () => {
    while (!abort.signal.aborted) {
      const head = await store.headPosition();
      if (head <= position) {
        await store.waitForAppend(position, IDLE_WAIT_MS, abort.signal);
        continue;
      }
      const page = await store.readAll({ after: position, upTo: head, maxCount: batchSize, filter: options.filter });
      for (const event of page) {
        if (abort.signal.aborted) return;
        await handler(event);
        position = event.position;
      }
      // A short page means nothing else matches up to the head: filtered-out events are passed too.
      if (page.length < batchSize) position = head;
    }
  };

  return runningSubscription(run(), abort, () => position);
}

/** A Subscription over a delivery loop: `stop` aborts it and waits for the handler in flight. */
export function runningSubscription(done: Promise<void>, abort: AbortController, position: () => number): Subscription {
  return {
    get position() {
      return position();
    },
    done,
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

/**
 * Sleeps until this process's `appended` emitter reports a commit past `after`, or `ms` passes
 * (other processes' commits raise no event here: the caller looks again), or `signal` aborts.
 */
export function sleepUntilAppended(appended: EventEmitter, after: number, ms: number, signal?: AbortSignal): Promise<void> {
  // Plain listeners, no AbortController of its own: every commit wakes every sleeping runner, and
  // an abort makes a DOMException with a stack each time (2 % of the server's CPU under writes).
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    const onAppended = (position: number) => position > after && done();
    function done() {
      clearTimeout(timer);
      appended.off('appended', onAppended);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    appended.on('appended', onAppended);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
