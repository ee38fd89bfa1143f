import { DuplicateEventIdError } from '../errors.js';
import { ownEvents } from '../modules/defineModule.js';
import type { EventStore, ExpectedRevision, RecordedEvent } from '../types/eventStore.js';
import type { ModuleDefinition } from '../types/module.js';
import { consumedFromElsewhere } from './subscriptions.js';

export interface HistoryCopy {
  /** Events of the module's own streams copied (or found there already). */
  own: number;
  /** Events of other modules it consumes, copied as its inbox would have taken them in. */
  received: number;
  /** The position in the source store up to which everything was copied. */
  upTo: number;
}

/**
 * Copies a module's history from the store it shared with others into the new store of its
 * own: every event of its own streams, with the same ids, streams, revisions and data (so its
 * aggregates, ETags and projections come out the same), and every public event it consumes
 * from the modules staying behind, marked as received from `fromStore` (what its inbox would
 * have appended). In log order; safe to interrupt and run again (an event already there is
 * passed over). The source store is only read: the log is never rewritten.
 */
export async function copyHistory(
  from: EventStore,
  to: EventStore,
  module: ModuleDefinition,
  all: readonly ModuleDefinition[],
  fromStore: string,
  onProgress: (copy: HistoryCopy & { head: number }) => void = () => undefined,
): Promise<HistoryCopy> {
  const own = new Set(ownEvents(module).map((e) => e.type));
  const eventTypes = [...own, ...consumedFromElsewhere(module, all, [module.name])];
  const head = await from.headPosition();
  const copy: HistoryCopy = { own: 0, received: 0, upTo: 0 };
  for (;;) {
    const batch = await from.readAll({ after: copy.upTo, upTo: head, maxCount: 1000, filter: { eventTypes } });
    const append = (e: RecordedEvent) => {
      if (own.has(e.type)) {
        copy.own++;
        // Its own streams keep their revisions exactly: the append says which one it must be.
        return appendOnce(to, e, e.metadata, e.revision === 0 ? 'no_stream' : e.revision - 1);
      }
      copy.received++;
      return appendOnce(to, e, { ...e.metadata, source: e.metadata.source ?? { store: fromStore, position: e.position, revision: e.revision } }, 'any');
    };
    // The log's order, across streams too. The SQL stores commit appends in the order they are
    // made (group commit), so a batch goes at once; EventStoreDB's would race, so one by one.
    if (to.kind === 'eventstoredb') for (const e of batch) await append(e);
    else await Promise.all(batch.map(append));
    copy.upTo = batch.length < 1000 ? head : batch[batch.length - 1]!.position;
    onProgress({ ...copy, head });
    if (copy.upTo >= head) return copy;
  }
}

async function appendOnce(to: EventStore, e: RecordedEvent, metadata: RecordedEvent['metadata'], expectedRevision: ExpectedRevision): Promise<void> {
  try {
    await to.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata }], { expectedRevision });
  } catch (error) {
    // Copied by an earlier run: the id is there (with the same content, the append was a no-op; with other, it is the same event).
    if (error instanceof DuplicateEventIdError) return;
    throw error;
  }
}
