import { inSpan, linkTo, tracingEnabled } from '../telemetry/tracing.js';
import type { RecordedEvent } from '../types/eventStore.js';

/** Links per batch span: enough to find the traces a batch served, without copying a 500-event batch into it. */
const MAX_LINKS = 32;

/**
 * A projection batch as a span of its own (a root: it serves events of many traces, which it
 * links). Idle batches (no events of the projection's types) are not traced.
 */
export function batchSpan<T>(module: string, projection: string, events: readonly RecordedEvent[], to: number, apply: () => Promise<T>): Promise<T> {
  if (!tracingEnabled() || events.length === 0) return apply();
  const links = events.slice(0, MAX_LINKS).flatMap((e) => linkTo(e.metadata.traceparent) ?? []);
  const attributes = { 'seams.module': module, 'seams.projection': projection, 'seams.events': events.length, 'seams.from': events[0]!.position, 'seams.to': to };
  return inSpan(`seams.projection ${module}/${projection}`, { root: true, links, attributes }, apply);
}
