import type { EventStoreDBClient } from '@eventstore/db-client';
import type { EventRegistry } from '../../contracts/registry.js';
import { runningSubscription, sleep } from '../subscription.js';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../../types/eventStore.js';
import { isTransient, toSeamsError } from './errors.js';
import { matchesFilter, toServerFilter } from './filters.js';
import { eventPosition, toPortPosition } from './positions.js';
import { toRecordedEvent } from './recordedEvents.js';
import { itemsOf, subscribeInOrder } from './subscriptionItems.js';

/** Waits before subscribing again after the connection failed: doubling, capped. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 30_000;

/** Carries a handler's own error through the retry logic untouched. */
class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/**
 * A catch-up subscription on `$all`: the server sends the past after `after`, then live events,
 * filtered on its side. After a connection failure it subscribes again from the last position
 * handled, so nothing is skipped and nothing is delivered twice; a handler's error ends it.
 */
export function liveSubscription(
  client: Pick<EventStoreDBClient, 'subscribeToAll'>,
  registry: EventRegistry,
  options: SubscribeOptions,
  handler: (event: RecordedEvent) => Promise<void> | void,
): Subscription {
  const abort = new AbortController();
  const { filter } = options;
  const serverFilter = toServerFilter(filter);
  let position = options.after ?? 0;

  const run = async () => {
    let retryMs = RETRY_MIN_MS;
    while (!abort.signal.aborted) {
      try {
        for await (const item of itemsOf(subscribeInOrder(client, position, serverFilter), abort.signal)) {
          if (item.kind === 'event') {
            const record = item.resolved.event;
            const at = eventPosition(record?.position.commit, item.resolved.commitPosition);
            if (at <= position) continue;
            if (record && matchesFilter(filter, record.type, record.streamId, record.metadata)) {
              const event = toRecordedEvent(item.resolved, registry);
              try {
                await handler(event);
              } catch (error) {
                throw new HandlerFailure(error);
              }
            }
            position = at;
            retryMs = RETRY_MIN_MS;
          } else if (item.kind === 'checkpoint' && filter) {
            // Only a caller's filter skips events the port knows of. Without one the server skips
            // system events alone, which leave the position where the last event put it.
            position = Math.max(position, toPortPosition(item.position));
          }
        }
        // The server ended the call (a node going down): subscribe again, as after an error.
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.error;
        if (abort.signal.aborted) return;
        if (!isTransient(error)) throw toSeamsError(error);
      }
      await sleep(retryMs, abort.signal);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  };

  return runningSubscription(run(), abort, () => position);
}
