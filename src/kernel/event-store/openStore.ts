import { join } from 'node:path';
import type { EventRegistry } from '../contracts/registry.js';
import type { SeamsConfig } from '../config.js';
import { privateDir, privateSqliteFile } from '../privateFiles.js';
import { SqliteEventStore } from './sqlite/sqliteEventStore.js';
import { PostgresEventStore } from './postgres/postgresEventStore.js';
import { EventStoreDbEventStore } from './eventstoredb/EventStoreDbEventStore.js';
import type { EventStore } from '../types/eventStore.js';

/** Opens the store the configuration names. */
export async function openStore(config: Pick<SeamsConfig, 'store' | 'dataDir' | 'databaseUrl' | 'eventstoreUrl' | 'pgSchemaPrefix'>, registry: EventRegistry): Promise<EventStore> {
  switch (config.store) {
    case 'sqlite':
      return SqliteEventStore.open({ filename: privateSqliteFile(join(privateDir(config.dataDir), 'events.sqlite')), registry });
    case 'postgres':
      return PostgresEventStore.open({ connectionString: config.databaseUrl!, schema: `${config.pgSchemaPrefix ?? ''}event_store`, registry });
    case 'eventstoredb':
      return EventStoreDbEventStore.open({ connectionString: config.eventstoreUrl!, registry });
  }
}
