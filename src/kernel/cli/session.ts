import type { Knex } from 'knex';
import pino from 'pino';
import { loadConfig, moduleDatabaseConfig } from '../config.js';
import type { SeamsConfig } from '../types/config.js';
import { openStore } from '../event-store/openStore.js';
import type { EventStore } from '../types/eventStore.js';
import { registryOf } from '../modules/registry.js';
import type { ModuleDefinition } from '../types/module.js';
import { openModuleDatabase } from '../modules/moduleDatabase.js';
import { assertOwnership } from '../modules/ownership.js';
import { ModuleRuntime } from '../runtime/runtime.js';
import type { ModuleContext } from '../types/module.js';
import { UsageError } from './io.js';

/**
 * What a CLI command works on: the store and module databases of a data directory. It works
 * beside a running server (SQLite WAL lets several processes share the files).
 */
export class CliSession {
  private store?: EventStore;
  private readonly dbs = new Map<string, Knex>();
  private readonly runtimes = new Map<string, ModuleRuntime>();
  readonly config: SeamsConfig;
  readonly log = pino({ level: 'silent' });

  constructor(readonly modules: readonly ModuleDefinition[], dataDir?: string) {
    this.config = { ...loadConfig(), ...(dataDir ? { dataDir } : {}) };
    assertOwnership(modules);
  }

  module(name: string): ModuleDefinition {
    const found = this.modules.find((m) => m.name === name);
    if (!found) throw new UsageError(`unknown module "${name}" (modules: ${this.modules.map((m) => m.name).join(', ')})`);
    return found;
  }

  async openStore(): Promise<EventStore> {
    this.store ??= await openStore(this.config, registryOf(this.modules));
    return this.store;
  }

  /** A module's database, migrated on first open (`onMigrated` hears what was applied). */
  async db(module: string, onMigrated?: (applied: string[]) => void): Promise<Knex> {
    let db = this.dbs.get(module);
    if (!db) {
      db = await openModuleDatabase(this.module(module), moduleDatabaseConfig(this.config), onMigrated);
      this.dbs.set(module, db);
    }
    return db;
  }

  /** A module's context (its database and events), opened here without running its projections. */
  async context(module: string): Promise<ModuleContext> {
    let runtime = this.runtimes.get(module);
    if (!runtime) {
      const name = this.module(module).name;
      runtime = await ModuleRuntime.start({ modules: this.modules, run: [name], store: await this.openStore(), database: moduleDatabaseConfig(this.config), config: this.config, log: this.log, startProjections: false });
      this.runtimes.set(module, runtime);
    }
    return runtime.context(module);
  }

  async close(): Promise<void> {
    for (const runtime of this.runtimes.values()) await runtime.stop();
    for (const db of this.dbs.values()) await db.destroy();
    await this.store?.close();
  }
}

/** Parses `module/projection` (projection optional unless `required`). */
export function parseTarget(target: string, session: CliSession, required = false): { module: ModuleDefinition; projections: string[] } {
  const [moduleName, projection, ...rest] = target.split('/');
  if (!moduleName || rest.length > 0 || (required && !projection)) {
    throw new UsageError(`"${target}" is not ${required ? 'module/projection' : 'module or module/projection'}`);
  }
  const module = session.module(moduleName);
  if (projection === undefined) return { module, projections: module.projections.map((p) => p.name) };
  if (!module.projections.some((p) => p.name === projection)) {
    throw new UsageError(`module ${module.name} has no projection "${projection}" (it has: ${module.projections.map((p) => p.name).join(', ') || 'none'})`);
  }
  return { module, projections: [projection] };
}
