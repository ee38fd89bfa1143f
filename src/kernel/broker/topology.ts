import { z } from 'zod';
import type { RecordedEvent } from '../types/eventStore.js';

/**
 * What deployables exchange through the broker (RabbitMQ), and under which names. One topic
 * exchange per deployment (`<prefix>.events`): an event's routing key is its type; a store's
 * relay also says how far it has published (`_position.<store>`), so that an inbox knows it has
 * everything up to a position even when none of the events there were for it.
 */
export interface Topology {
  readonly exchange: string;
  /** The durable queue of one module of a deployable (named after its store). */
  queue(store: string, module: string): string;
  /** The routing key of a store's "published up to" message. */
  positionKey(store: string): string;
  /** The binding every inbox queue has, to hear every store's progress. */
  readonly positionBinding: string;
}

export function topology(prefix: string): Topology {
  return {
    exchange: `${prefix}.events`,
    queue: (store, module) => `${prefix}.${store}.${module}`,
    positionKey: (store) => `_position.${store}`,
    positionBinding: '_position.*',
  };
}

const wireEvent = z.object({
  kind: z.literal('event'),
  store: z.string(),
  position: z.number().int().nonnegative(),
  id: z.string(),
  stream: z.string(),
  revision: z.number().int().nonnegative(),
  type: z.string(),
  schemaVersion: z.number().int().positive(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
});

/** "Everything of `store` up to `position` that the broker routes has been published (and confirmed)." */
const wirePosition = z.object({ kind: z.literal('position'), store: z.string(), position: z.number().int().nonnegative() });

const wireMessage = z.discriminatedUnion('kind', [wireEvent, wirePosition]);

export type WireEvent = z.infer<typeof wireEvent>;
export type WireMessage = z.infer<typeof wireMessage>;

export function encodeEvent(store: string, e: RecordedEvent): Buffer {
  const message: WireEvent = { kind: 'event', store, position: e.position, id: e.id, stream: e.stream, revision: e.revision, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt };
  return Buffer.from(JSON.stringify(message));
}

export function encodePosition(store: string, position: number): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'position', store, position } satisfies WireMessage));
}

/** Reads a message body; throws (with what is wrong) on anything that is not one of ours. */
export function decodeMessage(body: Buffer): WireMessage {
  const parsed = wireMessage.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) throw new Error(`not a seams broker message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
