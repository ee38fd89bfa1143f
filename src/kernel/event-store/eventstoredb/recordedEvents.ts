import { jsonEvent, type AllStreamResolvedEvent, type EventData, type JSONType, type ResolvedEvent } from '@eventstore/db-client';
import type { EventRegistry } from '../../contracts/registry.js';
import type { PreparedEvent } from '../prepare.js';
import type { EventMetadata, RecordedEvent } from '../../types/eventStore.js';
import { eventPosition, toRevisionNumber } from './positions.js';

/**
 * The metadata key the schema version is stored under, next to the caller's metadata
 * (correlationId, causationId, actor, module, ...). It is reserved: a caller's own
 * `schemaVersion` key would be replaced by the version the event was validated against.
 */
export const SCHEMA_VERSION_KEY = 'schemaVersion';

/**
 * A validated event as the client writes it: JSON content type (so server-side projections
 * can read it), and our id, so that the server's idempotence recognises a retried append.
 */
export function toEventData(event: PreparedEvent): EventData {
  const metadata: Record<string, unknown> = { ...(JSON.parse(event.metadata) as EventMetadata), [SCHEMA_VERSION_KEY]: event.schemaVersion };
  return jsonEvent({ id: event.id, type: event.type, data: JSON.parse(event.data) as JSONType, metadata });
}

/** A resolved event read from the server as a RecordedEvent, lifted to the current schema. */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, registry: EventRegistry): RecordedEvent {
  const record = resolved.event;
  if (!record) throw new Error('EventStoreDB returned a link whose event is gone; seams reads without resolving links');
  const { [SCHEMA_VERSION_KEY]: version, ...metadata } = metadataObject(record.metadata);
  const stored = typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
  const { data, schemaVersion } = registry.upcast(record.type, stored, jsonData(record.data, record.isJson));
  return {
    id: record.id,
    stream: record.streamId,
    revision: toRevisionNumber(record.revision),
    position: eventPosition(record.position?.commit, resolved.commitPosition),
    type: record.type,
    schemaVersion,
    data,
    metadata,
    recordedAt: record.created.toISOString(),
  };
}

/** The client parses JSON metadata; anything else (none, or bytes another writer left) reads as empty. */
function metadataObject(metadata: unknown): EventMetadata {
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) && !(metadata instanceof Uint8Array)
    ? (metadata as EventMetadata)
    : {};
}

/** Data of a JSON event is parsed by the client; bytes another writer stored are parsed if they are JSON. */
function jsonData(data: unknown, isJson: boolean): unknown {
  if (isJson || !(data instanceof Uint8Array)) return data;
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return data;
  }
}
