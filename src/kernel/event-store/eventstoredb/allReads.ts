import { BACKWARDS, END, FORWARDS, type AllStreamResolvedEvent, type EventStoreDBClient, type ReadPosition } from '@eventstore/db-client';
import type { ReadAllOptions } from '../../types/eventStore.js';
import { matchesFilter, toServerFilter } from './filters.js';
import { eventPosition, toPortPosition, toReadPosition } from './positions.js';
import { RangeCollector, type RangeItem } from './rangeCollector.js';
import { itemsOf, subscribeInOrder } from './subscriptionItems.js';

export type AllReadClient = Pick<EventStoreDBClient, 'readAll' | 'subscribeToAll'>;

/** Events per request when reading `$all` without a server-side filter. */
const PAGE = 500;
/** Records per request when looking backwards for the last non-system event. */
const HEAD_PAGE = 50;

/** Collects a finite client read (a stream of a few hundred events at most) into an array. */
export async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of read) out.push(item);
  return out;
}

/**
 * The position of the last event that is not a system event, or 0. The log's very end may be
 * system records (links written by server projections, statistics); they are invisible to the
 * port, so they do not move its head either.
 */
export async function lastEventPosition(client: Pick<EventStoreDBClient, 'readAll'>): Promise<number> {
  let from: ReadPosition = END;
  for (;;) {
    const page: AllStreamResolvedEvent[] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE }));
    for (const resolved of page) {
      if (resolved.event && !resolved.event.type.startsWith('$')) return positionOf(resolved);
    }
    if (page.length < HEAD_PAGE) return 0;
    // A backwards read from a position returns what lies strictly before it.
    from = page[page.length - 1]!.event!.position;
  }
}

/**
 * One readAll page. With a filter, the server filters: a filtered `$all` read exists only as a
 * subscription in this client, so the page is read through one, stopped as soon as the page is
 * complete (see RangeCollector). Servers since 23.10 say when a subscription has caught up;
 * with older ones a subscription that falls silent (`idleMs`) may be waiting at the end of the
 * log, so the rest of the range is read unfiltered, which is always correct, only less frugal.
 */
export async function readAllPage(
  client: AllReadClient,
  options: ReadAllOptions,
  head: () => Promise<number>,
  idleMs: number,
): Promise<AllStreamResolvedEvent[]> {
  const { filter } = options;
  // A filtered scan must know where to stop; an unfiltered one stops at the end of the log.
  const upTo = Math.min(options.upTo ?? Infinity, filter ? await head() : Infinity);
  const collector = new RangeCollector<AllStreamResolvedEvent>(
    { after: options.after ?? 0, upTo, maxCount: options.maxCount ?? Infinity },
    (type, stream, metadata) => matchesFilter(filter, type, stream, metadata),
  );
  if (filter && !collector.done) await scanFiltered(client, collector, options, idleMs);
  if (!collector.done) await scanUnfiltered(client, collector);
  return collector.values;
}

async function scanFiltered(
  client: AllReadClient,
  collector: RangeCollector<AllStreamResolvedEvent>,
  options: ReadAllOptions,
  idleMs: number,
): Promise<void> {
  const abort = new AbortController();
  const subscription = subscribeInOrder(client, collector.scanned, toServerFilter(options.filter));
  try {
    for await (const item of itemsOf(subscription, abort.signal, idleMs)) {
      if (item.kind === 'idle') return;
      const done = collector.accept(
        item.kind === 'event' ? eventItem(item.resolved) : item.kind === 'checkpoint' ? { kind: 'checkpoint', position: toPortPosition(item.position) } : item,
      );
      if (done) return;
    }
  } finally {
    abort.abort();
  }
}

async function scanUnfiltered(client: AllReadClient, collector: RangeCollector<AllStreamResolvedEvent>): Promise<void> {
  // Forward reads include the event at the position they start from; the collector skips it.
  let from: ReadPosition = toReadPosition(collector.scanned);
  while (!collector.done) {
    const page: AllStreamResolvedEvent[] = await collect(client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: PAGE }));
    for (const resolved of page) if (collector.accept(eventItem(resolved))) return;
    if (page.length < PAGE) return collector.endOfLog();
    from = page[page.length - 1]!.event!.position;
  }
}

function eventItem(resolved: AllStreamResolvedEvent): RangeItem<AllStreamResolvedEvent> {
  const record = resolved.event;
  // Without link resolution every `$all` entry carries its record; the guard is for the type.
  if (!record) return { kind: 'event', position: positionOf(resolved), type: '$>', stream: '$', value: resolved };
  return { kind: 'event', position: positionOf(resolved), type: record.type, stream: record.streamId, metadata: record.metadata, value: resolved };
}

function positionOf(resolved: AllStreamResolvedEvent): number {
  return eventPosition(resolved.event?.position.commit, resolved.commitPosition);
}
