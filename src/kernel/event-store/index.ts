export type {
  AppendOptions,
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllFilter,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './types.js';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqliteEventStore.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgresEventStore.js';
export { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb/EventStoreDbEventStore.js';
export { catchUpSubscription, sleep } from './subscription.js';
export { DEFAULT_MAX_EVENT_BYTES, MAX_STREAM_NAME_LENGTH } from './prepare.js';
export { openStore } from './openStore.js';
