import { join } from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { OwnershipError } from '../errors.js';
import { privateDir } from '../privateFiles.js';
import { moduleEvents } from '../modules/moduleEvents.js';
import { randomIds } from '../modules/scopedIds.js';
import { traceparentOf } from '../telemetry/tracing.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import type { SeamsConfig } from '../types/config.js';
import type { EventStore } from '../types/eventStore.js';
import type { TokenService } from '../types/http.js';
import type { CommandMeta, ModuleContext, ModuleDefinition } from '../types/module.js';
import type { QueryContract } from '../types/contracts.js';

export interface ContextParts {
  definition: ModuleDefinition;
  db: Knex;
  store: EventStore;
  log: Logger;
  /** The module's projection runners (its views, replicas and processes), by name. */
  runners: ReadonlyMap<string, ProjectionRunner>;
  config: Readonly<SeamsConfig>;
  settings: unknown;
  tokens: TokenService;
  ask(query: QueryContract, args: unknown): Promise<unknown>;
  dispatch(type: string, data: unknown, meta: CommandMeta): Promise<void>;
  /** The module's current fencing number (see ModuleContext.leaseEpoch). */
  leaseEpoch(): number | undefined;
}

/** The context a module's code receives: its own database, events, tables, settings, and the way to other modules. */
export function buildContext(parts: ContextParts): ModuleContext {
  const { definition, runners, store } = parts;
  const runnerOf = (name: string) => {
    const runner = runners.get(name);
    if (!runner) throw new Error(`module ${definition.name} has no projection ${name}`);
    return runner;
  };
  const context: ModuleContext = {
    name: definition.name,
    db: parts.db,
    events: moduleEvents(definition, store),
    log: parts.log,
    tables: ((of: string | { name: string }) => runnerOf(typeof of === 'string' ? of : of.name).tables) as ModuleContext['tables'],
    waitFor: async (position, timeoutMs, projection) => {
      const waiting = projection ? [runnerOf(projection)] : [...runners.values()];
      const results = await Promise.all(waiting.map((r) => r.waitFor(position, timeoutMs)));
      return results.every(Boolean);
    },
    catchUp: async (timeoutMs, projection) => context.waitFor(await store.headPosition(), timeoutMs, projection),
    tokens: parts.tokens,
    config: parts.config,
    settings: parts.settings,
    newId: randomIds(),
    leaseEpoch: () => parts.leaseEpoch(),
    filesDir: () => {
      // Private like the rest of the data directory (0700); files the module writes there are its to keep 0600.
      privateDir(parts.config.dataDir);
      privateDir(join(parts.config.dataDir, 'modules'));
      return privateDir(join(parts.config.dataDir, 'modules', `${definition.name}-files`));
    },
    query: async (query, args) => {
      if (!definition.asks.some((q) => q.type === query.type)) {
        throw new OwnershipError(`module ${definition.name} asks ${query.type} without declaring it in \`asks\``);
      }
      return parts.ask(query, args) as never;
    },
    send: async (command, data, options = {}) => {
      if (!definition.sends.some((c) => c.type === command.type)) {
        throw new OwnershipError(`module ${definition.name} sends ${command.type} without declaring it in \`sends\``);
      }
      await parts.dispatch(command.type, data, {
        commandId: options.commandId ?? crypto.randomUUID(),
        correlationId: options.correlationId,
        causationId: options.causationId,
        actor: options.actor ?? definition.name,
        traceparent: traceparentOf(),
      });
    },
  };
  return context;
}
