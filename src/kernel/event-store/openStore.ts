import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRegistry } from '../contracts/registry.js';
import type { SeamsConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { SqliteEventStore } from './sqlite/sqliteEventStore.js';
import type { EventStore } from './types.js';

/** Opens the store the configuration names. */
export async function openStore(config: Pick<SeamsConfig, 'store' | 'dataDir' | 'databaseUrl' | 'eventstoreUrl'>, registry: EventRegistry): Promise<EventStore> {
  switch (config.store) {
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true });
      return SqliteEventStore.open({ filename: join(config.dataDir, 'events.sqlite'), registry });
    default:
      throw new ValidationError(`SEAMS_STORE=${config.store} is not available in this build yet`);
  }
}
