import type { AllStreamResolvedEvent, AllStreamSubscription, EventStoreDBClient, Filter, Position } from '@eventstore/db-client';
import { toReadPosition } from './positions.js';

/** What a `$all` subscription yields, in the order the server sent it. */
export type SubscriptionItem =
  | { kind: 'event'; resolved: AllStreamResolvedEvent }
  | { kind: 'checkpoint'; position: Position }
  | { kind: 'caughtUp' }
  /** Nothing arrived for `idleMs` (only when asked for). */
  | { kind: 'idle' };

const MARKER = Symbol('seams.eventstoredb.marker');
type Marker = { [MARKER]: 'checkpoint'; position: Position } | { [MARKER]: 'caughtUp' };

/**
 * Subscribes to `$all` strictly after `after` (the server skips the event at the position it
 * is given) with a server-side filter.
 *
 * The client reports checkpoints through a callback and "caught up" as an event, both outside
 * the stream of events, while events may still wait in the stream's buffer: taken as they come,
 * a checkpoint could move a reader past events it has not handled yet. The client calls both
 * while it transforms the server's responses one by one, so pushing a marker into the stream
 * right there puts it in its place among the events.
 */
export function subscribeInOrder(client: Pick<EventStoreDBClient, 'subscribeToAll'>, after: number, filter: Filter): AllStreamSubscription {
  const push = (target: AllStreamSubscription, marker: Marker) => {
    if (!target.destroyed && !target.readableEnded) target.push(marker);
  };
  const subscription = client.subscribeToAll({
    fromPosition: toReadPosition(after),
    filter: { ...filter, checkpointReached: (target, position) => push(target, { [MARKER]: 'checkpoint', position }) },
  });
  subscription.on('caughtUp', () => push(subscription, { [MARKER]: 'caughtUp' }));
  return subscription;
}

/**
 * The subscription's items until `signal` aborts (then it returns at once, without waiting
 * for the server) or the stream ends; stream errors are thrown. The subscription is cancelled
 * on the server and destroyed here when the iteration ends, however it ends.
 */
export async function* itemsOf(subscription: AllStreamSubscription, signal: AbortSignal, idleMs = Infinity): AsyncGenerator<SubscriptionItem> {
  const iterator = subscription[Symbol.asyncIterator]() as AsyncIterator<AllStreamResolvedEvent | Marker>;
  // Destroying the stream settles a read in flight, so an abort needs no race on every item.
  const onAbort = () => close(subscription);
  signal.addEventListener('abort', onAbort, { once: true });
  let pending: Promise<IteratorResult<AllStreamResolvedEvent | Marker>> | undefined;
  try {
    while (!signal.aborted) {
      // An idle tick leaves the read in flight: the next round waits on the same one.
      pending ??= iterator.next();
      const next = idleMs === Infinity ? await pending : await raceIdle(pending, idleMs);
      if (next === 'idle') {
        yield { kind: 'idle' };
        continue;
      }
      pending = undefined;
      if (next.done) return;
      yield toItem(next.value);
    }
  } catch (error) {
    // Destroyed by an abort: the stream reports a premature close, which is no failure.
    if (signal.aborted) return;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A read left in flight settles when the stream is destroyed; nobody awaits it any more.
    pending?.catch(() => undefined);
    close(subscription);
  }
}

async function raceIdle<T>(pending: Promise<T>, ms: number): Promise<T | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([pending, new Promise<'idle'>((resolve) => (timer = setTimeout(resolve, ms, 'idle')))]);
  } finally {
    clearTimeout(timer);
  }
}

function toItem(value: AllStreamResolvedEvent | Marker): SubscriptionItem {
  if (!(MARKER in value)) return { kind: 'event', resolved: value };
  return value[MARKER] === 'checkpoint' ? { kind: 'checkpoint', position: value.position } : { kind: 'caughtUp' };
}

const closed = new WeakSet<AllStreamSubscription>();

/** Cancels the call on the server and ends the stream here, without waiting for either. */
function close(subscription: AllStreamSubscription): void {
  if (closed.has(subscription)) return;
  closed.add(subscription);
  // The client cancels once its call exists; a call that never connected has nothing to cancel.
  subscription.unsubscribe().catch(() => undefined);
  subscription.destroy();
}
