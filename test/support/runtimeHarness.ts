import { join } from 'node:path';
import pino from 'pino';
import { ModuleRuntime, registryOf, SqliteEventStore, type ModuleDefinition, type RuntimeOptions } from '../../src/kernel/host.js';
import { fixtureModules } from './fixtureModules.js';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Opens the store and starts modules on a data directory, as src/main.ts does. */
export async function startModules(
  dataDir: string,
  options: Partial<Omit<RuntimeOptions, 'store' | 'database'>> & { modules?: readonly ModuleDefinition[] } = {},
) {
  const modules = options.modules ?? fixtureModules;
  const store = await SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite'), registry: registryOf(modules), pollIntervalMs: 50 });
  const runtime = await ModuleRuntime.start({
    log: quietLog,
    ...options,
    modules,
    store,
    database: { kind: 'sqlite', dataDir },
    projections: { backoffMs: 5, maxBackoffMs: 20, recheckMs: 50, ...options.projections },
  });
  return {
    store,
    runtime,
    async stop() {
      await runtime.stop();
      await store.close();
    },
  };
}
