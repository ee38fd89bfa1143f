import type { AppendOptions, AppendResult, EventStore, NewEvent } from '../types/eventStore.js';
import type { SeamsMetrics } from './metrics.js';
import { inSpan, SpanKind } from './tracing.js';

/**
 * The store as the server uses it: every append is timed (latency and group-commit size, for
 * `/metrics`) and, when tracing is on, is a span of its own with the stream, the number of
 * events and the group-commit size. Everything else passes through.
 */
export function instrumentedStore(store: EventStore, metrics: SeamsMetrics): EventStore {
  const append = (stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> =>
    inSpan('seams.append', { kind: SpanKind.CLIENT, attributes: { 'seams.stream': stream, 'seams.events': events.length, 'db.system': store.kind } }, async (span) => {
      const stop = metrics.appendDuration.startTimer();
      const result = await store.append(stream, events, options);
      stop();
      if (result.batchSize !== undefined) {
        metrics.appendBatch.observe(result.batchSize);
        span?.setAttribute('seams.group_commit.appends', result.batchSize);
      }
      span?.setAttribute('seams.position', result.position);
      return result;
    });
  // A proxy, not a copy: adapters keep their own methods (tests reach some) and their state.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!bound.has(property)) bound.set(property, value.bind(target));
      return bound.get(property);
    },
  });
}
