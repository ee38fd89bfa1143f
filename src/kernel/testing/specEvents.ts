import type { EventOf } from '../types/contracts.js';
import type { RecordedEvent } from '../types/eventStore.js';

/** Events given to a spec, recorded as the store would: on one stream, in order, at positions 1, 2, … */
export function recorded(events: readonly (EventOf | { id?: string; type: string; data: unknown })[], from = 0): RecordedEvent[] {
  return events.map((e, i) => ({
    id: e.id ?? `00000000-0000-7000-8000-${String(from + i).padStart(12, '0')}`,
    stream: 'spec.stream-1',
    revision: from + i,
    position: from + i + 1,
    type: e.type,
    schemaVersion: 1,
    data: e.data,
    metadata: {},
    recordedAt: new Date(0).toISOString(),
  }));
}
