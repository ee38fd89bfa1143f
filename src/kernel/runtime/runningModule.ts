import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { parseModuleConfig } from '../modules/moduleConfig.js';
import { openModuleDatabase, openModuleReader } from '../modules/moduleDatabase.js';
import { ProcessEngine, type ProcessEngineOptions } from '../processes/processEngine.js';
import { processProjection } from '../processes/processProjection.js';
import { upgradeProcessTables, type ProcessTables } from '../processes/processTables.js';
import { Fence } from '../projections/fence.js';
import { ProjectionRunner, type RunnerOptions } from '../projections/projectionRunner.js';
import type { ModuleDatabaseConfig } from '../types/config.js';
import type { ModuleContext, ModuleDefinition } from '../types/module.js';
import type { ProcessDefinition } from '../types/process.js';
import { HandledCommands } from './handledCommands.js';
import { buildContext, type ContextParts } from './moduleContext.js';

/** One module as this process runs it: its databases, contexts, projection runners, process engine and fence. */
export interface RunningModule {
  definition: ModuleDefinition;
  db: Knex;
  /** Reads that must not queue behind the writer (SQLite: two query_only connections; PostgreSQL: db). */
  reader: Knex;
  context: ModuleContext;
  /** The context with `db` the reader: what an HTTP GET reads through. */
  reading: ModuleContext;
  handled: HandledCommands;
  runners: Map<string, ProjectionRunner>;
  engine: ProcessEngine;
  tablesOf(process: ProcessDefinition): ProcessTables;
  /** The module's fence: raised to the lease's number when this process takes the lease. */
  fence: Fence;
}

/** What opening a module needs from the runtime around it (the way to other modules: ask and dispatch). */
export interface ModuleHost extends Pick<ContextParts, 'store' | 'config' | 'tokens' | 'log' | 'ask' | 'dispatch'> {
  database: ModuleDatabaseConfig;
  projections?: RunnerOptions;
  processes?: ProcessEngineOptions;
}

/** Opens a module's databases and builds its context, runners and engine, all idle (following nobody yet). */
export async function openRunningModule(definition: ModuleDefinition, host: ModuleHost): Promise<RunningModule> {
  const settings = parseModuleConfig(definition, host.config.env ?? process.env);
  const db = await openModuleDatabase(definition, host.database);
  const reader = openModuleReader(definition.name, host.database) ?? db;
  const log = host.log.child({ module: definition.name });
  const runners = new Map<string, ProjectionRunner>();
  const fence = new Fence(db);
  const context = buildContext({
    leaseEpoch: () => fence.current,
    definition, db, store: host.store, log, runners, config: host.config, settings, tokens: host.tokens,
    ask: host.ask,
    dispatch: host.dispatch,
  });
  const tablesOf = (process: ProcessDefinition) => runners.get(process.name)!.tables as ProcessTables;
  const env = { tables: context.tables, config: host.config, settings };
  const engine = new ProcessEngine({ db, reader, tablesOf, env, catchUp: context.catchUp, fence }, definition.processes, host.dispatch, log, host.processes);
  // A process is run like a projection over its instance tables (processProjection.ts).
  for (const projection of [...definition.projections, ...definition.processes.map((p) => processProjection(p, env))]) {
    const runner = new ProjectionRunner(definition.name, projection, host.store, db, log, {
      ...host.projections,
      fence,
      beforeBatch: projection.waitsFor.length > 0 ? (to, signal) => waitForAll(runners, projection.waitsFor, to, signal) : undefined,
      afterBatch: () => engine.wake(projection.name), // a process's batch wrote to its outbox
    });
    // Read-only here: whoever leads the module (leadModule, directly or via a lease) creates and drops generations.
    await runner.refresh();
    runners.set(projection.name, runner);
  }
  return { definition, db, reader, context, reading: { ...context, db: reader }, handled: new HandledCommands(db, reader, log), runners, engine, tablesOf, fence };
}

/**
 * Runs a module's projections and processes here. With a lease (`epoch`, its fencing number)
 * the module's fence is raised to it first: from then on writes of earlier holders are refused.
 */
export async function leadModule(m: RunningModule, epoch?: number): Promise<void> {
  if (epoch !== undefined) await m.fence.raise(epoch);
  else await m.fence.begin();
  for (const runner of m.runners.values()) {
    await runner.stop(); // stop following
    await runner.load();
  }
  // Outbox and timer tables of generations made before they kept a command's origin get its columns, before any step writes.
  for (const process of m.definition.processes) await upgradeProcessTables(m.db, m.tablesOf(process));
  for (const runner of m.runners.values()) runner.start();
  m.engine.start();
}

/** Another process holds the module's lease: only follow its checkpoints. */
export async function followModule(m: RunningModule, log: Logger): Promise<void> {
  const module = m.definition.name;
  m.fence.end();
  // Each part is stopped and set following even when another one's stop fails (the database is away).
  await m.engine.stop().catch((error) => log.warn({ err: error, module }, 'stopping the process engine failed'));
  for (const runner of m.runners.values()) {
    await runner.stop().catch((error) => log.warn({ err: error, module, projection: runner.name }, 'stopping the projection runner failed'));
    runner.follow();
  }
}

/** Writes the handled commands it still holds, then closes the module's connections (its work stopped before). */
export async function closeModule(m: RunningModule): Promise<void> {
  await m.handled.close();
  if (m.reader !== m.db) await m.reader.destroy();
  await m.db.destroy();
}

/** Waits (outside any transaction) until the named projections have processed `to`. */
async function waitForAll(runners: Map<string, ProjectionRunner>, names: readonly string[], to: number, signal: AbortSignal): Promise<void> {
  for (const name of names) {
    const runner = runners.get(name);
    if (!runner) throw new Error(`waits for projection ${name}, which its module does not have`);
    while (!signal.aborted && !(await runner.waitFor(to, 1000)));
  }
}
