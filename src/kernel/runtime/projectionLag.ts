import type { ProjectionRunner } from '../projections/projectionRunner.js';
import type { EventStore } from '../types/eventStore.js';
import type { ProjectionStatus } from '../types/projection.js';

/**
 * A projection's lag in seconds: the age of the oldest event of its types that it has not
 * applied yet (0 when there is none). One indexed read per lagging projection.
 */
export async function withLagSeconds(store: EventStore, runners: readonly ProjectionRunner[], statuses: ProjectionStatus[]): Promise<ProjectionStatus[]> {
  const now = Date.now();
  return Promise.all(
    statuses.map(async (status, i) => {
      if (status.lag === 0) return { ...status, lagSeconds: 0 };
      const [oldest] = await store.readAll({ after: status.position, upTo: status.headPosition, maxCount: 1, filter: { eventTypes: runners[i]!.definition.eventTypes } });
      return { ...status, lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.recordedAt)) / 1000) : 0 };
    }),
  );
}
