import type { Knex } from 'knex';
import type { EventStore, RecordedEvent } from '../types/eventStore.js';
import type { ParkedStream } from '../types/projection.js';
import type { BatchApplier } from './batchApplier.js';
import type { Generation } from './generations.js';
import { lookParkedStreams, streamsToRetry } from './parking.js';

/**
 * A runner's view of its generation's parked streams, as last looked at (a leader looks twice a
 * second, so status never waits on the database), and the retries an operator asked for, which
 * the leader carries out (seams projections retry, /admin).
 */
export class ParkedLook {
  /** The parked streams as last looked at. */
  streams: ParkedStream[] = [];

  constructor(
    private readonly db: Knex,
    private readonly store: EventStore,
    private readonly applier: BatchApplier,
  ) {}

  /** One query: the parked streams, and whether a retry was asked. */
  async look(g: Generation): Promise<void> {
    this.streams = await lookParkedStreams(this.db, g);
  }

  /** Looks, and replays the streams an operator asked to retry (their parked events, in order). */
  async lookAndRetry(g: Generation): Promise<void> {
    await this.look(g);
    if (!this.streams.some((p) => p.retrying)) return;
    for (const [stream, positions] of await streamsToRetry(this.db, g)) {
      const events: RecordedEvent[] = [];
      for (const position of positions) {
        const [event] = await this.store.readAll({ after: position - 1, maxCount: 1 });
        if (event?.position === position) events.push(event);
      }
      await this.applier.replay(g, stream, events);
    }
    await this.look(g);
  }
}
