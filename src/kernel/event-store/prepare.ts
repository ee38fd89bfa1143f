import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { EventRegistry } from '../contracts/registry.js';
import { ValidationError, WrongExpectedRevisionError } from '../errors.js';
import type { ExpectedRevision, NewEvent, RecordedEvent } from '../types/eventStore.js';

/** Checks shared by every adapter, so they reject the same inputs with the same errors. */

export const MAX_STREAM_NAME_LENGTH = 200;
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event validated and serialised, ready to be written by an adapter. */
export interface PreparedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
}

export function checkStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new ValidationError('stream name must be a non-empty string');
  }
  if (stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new ValidationError(`stream name is ${stream.length} characters long; the limit is ${MAX_STREAM_NAME_LENGTH}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(stream)) throw new ValidationError('stream name must not contain control characters');
}

export function checkExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new ValidationError(`expectedRevision must be 'any', 'no_stream', 'stream_exists' or a revision >= 0, got ${String(expected)}`);
}

/**
 * uuid's v7 asks the system for 16 random bytes per id (a getrandom call each: 4 % of the CPU of
 * a POST /catalog/items in bench:http); these come from a pool filled once per 256 ids, as node's
 * own randomUUID does. Given its bytes, v7 keeps no counter: the ids of one millisecond are in
 * random order among themselves, which an index of ids does not mind.
 */
const randomPool = new Uint8Array(16 * 256);
let pooled = randomPool.length;
function random16(): Uint8Array {
  if (pooled === randomPool.length) {
    randomFillSync(randomPool);
    pooled = 0;
  }
  return randomPool.subarray(pooled, (pooled += 16));
}

export function prepareEvents(
  registry: EventRegistry,
  stream: string,
  events: readonly NewEvent[],
  maxEventBytes = DEFAULT_MAX_EVENT_BYTES,
): PreparedEvent[] {
  checkStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) throw new ValidationError('an append needs at least one event');
  const ids = new Set<string>();
  return events.map((event) => {
    // Time-ordered ids land at the end of the id index instead of at random pages of it.
    const id = event.id ?? uuidv7({ random: random16() });
    if (!UUID.test(id)) throw new ValidationError(`event id "${id}" is not a UUID`);
    if (ids.has(id)) throw new ValidationError(`event id ${id} appears twice in one append`);
    ids.add(id);
    const { data, schemaVersion } = registry.prepare(event.type, event.data);
    const dataJson = JSON.stringify(data);
    const metadataJson = JSON.stringify(event.metadata ?? {});
    const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson);
    if (bytes > maxEventBytes) {
      throw new ValidationError(`event ${event.type} is ${bytes} bytes; the limit is ${maxEventBytes}`);
    }
    return { id, type: event.type, schemaVersion, data: dataJson, metadata: metadataJson };
  });
}

/** `actual` is the stream's last revision, -1 when the stream does not exist. */
export function checkRevision(stream: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual;
  if (!ok) {
    throw new WrongExpectedRevisionError(stream, String(expected), actual === -1 ? 'no_stream' : String(actual));
  }
}

/** An event as the SQL adapters store it; each reads position and commit time in its own type. */
export interface StoredEvent {
  position: number | string;
  id: string;
  stream: string;
  revision: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: number | Date;
}

/** A stored event as readers see it: lifted to its type's current schema version. */
export function toRecorded(registry: EventRegistry, row: StoredEvent): RecordedEvent {
  const { data, schemaVersion } = registry.upcast(row.type, row.schema_version, JSON.parse(row.data));
  return {
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    position: Number(row.position),
    type: row.type,
    schemaVersion,
    data,
    metadata: JSON.parse(row.metadata),
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}
