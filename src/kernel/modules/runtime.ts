import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import { parseWith } from '../contracts/validation.js';
import { OwnershipError, UnavailableError, ValidationError } from '../errors.js';
import { deliverOnce } from './commandDelivery.js';
import { ProcessEngine, type ProcessEngineOptions } from '../processes/processEngine.js';
import { processProjection } from '../processes/processProjection.js';
import { listInstances, showInstance, type InstanceDetail, type InstanceSummary } from '../processes/inspect.js';
import type { ProcessTables } from '../processes/advance.js';
import type { EventStore } from '../event-store/types.js';
import { ProjectionRunner, type RunnerOptions } from '../projections/projectionRunner.js';
import type { ProjectionStatus } from '../projections/status.js';
import type { CommandMeta, ModuleDefinition, QueryHandler } from './defineModule.js';
import type { ModuleContext } from './moduleContext.js';
import { openModuleDatabase, type ModuleDatabaseConfig } from './moduleDatabase.js';
import { moduleEvents } from './moduleEvents.js';
import { assertOwnership } from './ownership.js';
import { QueryGateway, type QueryGatewayOptions } from './queryGateway.js';
import { tokenService, type TokenService } from '../http/tokens.js';
import { loadConfig, type SeamsConfig } from '../config.js';
import { Leadership, type ClusterOptions } from '../cluster/leadership.js';
import { RemoteModules } from '../cluster/remoteModules.js';

export interface RuntimeOptions {
  /** Every module of the application: ownership is checked across all of them. */
  modules: readonly ModuleDefinition[];
  /** The modules to run in this process (default: all). */
  run?: readonly string[];
  store: EventStore;
  database: ModuleDatabaseConfig;
  log?: Logger;
  projections?: RunnerOptions;
  queries?: QueryGatewayOptions;
  /** The deployment's configuration, handed to modules read-only (default: from the environment, with this data dir). */
  config?: SeamsConfig;
  /** Signs and verifies bearer tokens; a throwaway random secret when not given (tests, tools). */
  tokens?: TokenService;
  processes?: ProcessEngineOptions;
  /** Start projection runners and process engines (default true; the CLI opens modules without running them). */
  startProjections?: boolean;
  /** Modules spread over several processes: leases decide who runs projections; calls to modules elsewhere go over HTTP. */
  cluster?: ClusterOptions;
}

interface RunningModule {
  definition: ModuleDefinition;
  db: Knex;
  context: ModuleContext;
  runners: Map<string, ProjectionRunner>;
  engine: ProcessEngine;
}

/** Starts modules: their databases, contexts and projection runners. */
export class ModuleRuntime {
  private readonly running = new Map<string, RunningModule>();
  private readonly gateway: QueryGateway;
  private readonly tokens: TokenService;
  private readonly config: SeamsConfig;
  private leadership: Leadership | undefined;
  private readonly remote: RemoteModules | undefined;

  private constructor(private readonly options: RuntimeOptions, readonly log: Logger) {
    const { cluster } = options;
    this.remote = cluster && new RemoteModules(cluster.coordination, { freshMs: (cluster.leaseTtlMs ?? 10_000) * 1.5, adminToken: cluster.adminToken });
    this.gateway = new QueryGateway((module) => this.answerer(module), options.queries);
    this.tokens = options.tokens ?? tokenService(randomBytes(32));
    this.config = Object.freeze(options.config ?? { ...loadConfig(), ...(options.database.kind === 'sqlite' ? { dataDir: options.database.dataDir } : {}) });
  }

  static async start(options: RuntimeOptions): Promise<ModuleRuntime> {
    assertOwnership(options.modules);
    const log = options.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
    const runtime = new ModuleRuntime(options, log);
    const names = options.run ?? options.modules.map((m) => m.name);
    for (const name of names) {
      const definition = options.modules.find((m) => m.name === name);
      if (!definition) throw new Error(`unknown module "${name}"; modules: ${options.modules.map((m) => m.name).join(', ')}`);
      runtime.running.set(name, await runtime.open(definition));
    }
    if (options.startProjections === false) return runtime;
    if (options.cluster) {
      for (const m of runtime.running.values()) for (const runner of m.runners.values()) runner.follow();
      runtime.leadership = new Leadership(options.cluster, [...runtime.running.keys()], { lead: (m) => runtime.lead(m), follow: (m) => runtime.follow(m) }, log);
      await runtime.leadership.start();
    } else {
      for (const name of runtime.running.keys()) await runtime.lead(name);
    }
    return runtime;
  }

  /** Runs a module's projections and processes here. */
  private async lead(module: string): Promise<void> {
    const m = this.running.get(module)!;
    for (const runner of m.runners.values()) {
      await runner.stop(); // stop following
      await runner.load();
      runner.start();
    }
    m.engine.start();
  }

  /** Another process holds the module's lease: only follow its checkpoints. */
  private async follow(module: string): Promise<void> {
    const m = this.running.get(module)!;
    await m.engine.stop();
    for (const runner of m.runners.values()) {
      await runner.stop();
      runner.follow();
    }
  }

  get modules(): ModuleDefinition[] {
    return [...this.running.values()].map((m) => m.definition);
  }

  context(module: string): ModuleContext {
    const m = this.running.get(module);
    if (!m) throw new Error(`module ${module} does not run in this process`);
    return m.context;
  }

  runner(module: string, projection: string): ProjectionRunner {
    const runner = this.running.get(module)?.runners.get(projection);
    if (!runner) throw new Error(`no projection ${module}/${projection}`);
    return runner;
  }

  runners(): ProjectionRunner[] {
    return [...this.running.values()].flatMap((m) => [...m.runners.values()]);
  }

  /** Process instances of the modules running here, optionally of one process type and status. */
  async processInstances(filter: { type?: string; status?: string } = {}): Promise<InstanceSummary[]> {
    const found: InstanceSummary[] = [];
    for (const m of this.running.values()) {
      for (const process of m.definition.processes) {
        if (filter.type && filter.type !== process.name) continue;
        found.push(...(await listInstances(m.db, m.context.tables(process.name) as unknown as ProcessTables, process.name, m.definition.name, filter)));
      }
    }
    return found;
  }

  async processInstance(type: string, id: string): Promise<InstanceDetail | undefined> {
    for (const m of this.running.values()) {
      if (m.definition.processes.some((p) => p.name === type)) return showInstance(m.db, m.context.tables(type) as unknown as ProcessTables, type, m.definition.name, id);
    }
    return undefined;
  }

  async projectionStatus(): Promise<ProjectionStatus[]> {
    return Promise.all(this.runners().map((r) => r.status()));
  }

  /** Stops the projection runners (each finishes its batch and checkpoint), then closes the databases. */
  async stop(): Promise<void> {
    await this.leadership?.stop();
    await Promise.all([...this.running.values()].map((m) => m.engine.stop()));
    await Promise.all(this.runners().map((r) => r.stop()));
    this.gateway.shutdown();
    for (const m of this.running.values()) await m.db.destroy();
    this.running.clear();
  }

  private async open(definition: ModuleDefinition): Promise<RunningModule> {
    const db = await openModuleDatabase(definition.name, this.options.database);
    const log = this.log.child({ module: definition.name });
    const runners = new Map<string, ProjectionRunner>();
    let engine: ProcessEngine | undefined;
    // A process is run like a projection over its instance tables (processProjection.ts).
    const readers = [...definition.projections, ...definition.processes.map((p) => processProjection(p, { tables: (name) => context.tables(name), config: this.config }))];
    for (const projection of readers) {
      const runner = new ProjectionRunner(definition.name, projection, this.options.store, db, log, {
        ...this.options.projections,
        beforeBatch: projection.waitsFor.length > 0 ? (to, signal) => this.waitForAll(runners, projection.waitsFor, to, signal) : undefined,
        afterBatch: () => engine?.wake(),
      });
      // Read-only here: whoever leads the module (lead(), below or via a lease) creates and drops generations.
      await runner.refresh();
      runners.set(projection.name, runner);
    }
    const context: ModuleContext = {
      name: definition.name,
      db,
      events: moduleEvents(definition, this.options.store),
      log,
      tables: (projection) => {
        const runner = runners.get(projection);
        if (!runner) throw new Error(`module ${definition.name} has no projection ${projection}`);
        return runner.tables;
      },
      waitFor: async (position, timeoutMs, projection) => {
        const waiting = projection ? [runners.get(projection)].filter((r) => r !== undefined) : [...runners.values()];
        const results = await Promise.all(waiting.map((r) => r.waitFor(position, timeoutMs)));
        return results.every(Boolean);
      },
      catchUp: async (timeoutMs, projection) => context.waitFor(await this.options.store.headPosition(), timeoutMs, projection),
      tokens: this.tokens,
      config: this.config,
      filesDir: () => {
        const dir = join(this.config.dataDir, 'modules', `${definition.name}-files`);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      query: (query, args) => {
        if (!definition.asks.some((q) => q.type === query.type)) {
          return Promise.reject(new OwnershipError(`module ${definition.name} asks ${query.type} without declaring it in \`asks\``));
        }
        return this.gateway.ask(query, args);
      },
      send: async (command, data, options = {}) => {
        if (!definition.sends.some((c) => c.type === command.type)) {
          throw new OwnershipError(`module ${definition.name} sends ${command.type} without declaring it in \`sends\``);
        }
        await this.dispatch(command.type, data, {
          commandId: options.commandId ?? randomUUID(),
          correlationId: options.correlationId,
          causationId: options.causationId,
          actor: options.actor ?? definition.name,
        });
      },
    };
    engine = new ProcessEngine(context, definition.processes, (type, data, meta) => this.dispatch(type, data, meta), log, this.options.processes);
    return { definition, db, context, runners, engine };
  }

  /**
   * Delivers a command to the module that owns it, once per command id. Throws UnavailableError
   * (worth retrying) when the owner does not run here, ValidationError for bad data.
   */
  async dispatch(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    const owner = this.options.modules.find((m) => m.commands.some((h) => h.command.type === type));
    const handler = owner?.commands.find((h) => h.command.type === type);
    if (!owner || !handler) throw new ValidationError(`no module handles command ${type}`);
    const parsed = parseWith(handler.command.schema, data, `command ${type}`);
    const target = this.running.get(owner.name);
    if (target) return deliverOnce(target.db, target.context, handler, parsed, meta);
    if (!this.remote) throw new UnavailableError(`module ${owner.name} does not run here to take ${type}`);
    await this.remote.command(owner.name, type, parsed, meta);
  }

  /** A command that came over HTTP from another process: handled here or refused (never forwarded again). */
  async dispatchHere(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    const owner = this.options.modules.find((m) => m.commands.some((h) => h.command.type === type));
    if (!owner || !this.running.has(owner.name)) throw new UnavailableError(`command ${type}: its module does not run in this process`);
    await this.dispatch(type, data, meta);
  }

  /** A query that came over HTTP from another process. */
  async answerHere(type: string, args: unknown): Promise<unknown> {
    const owner = this.options.modules.find((m) => m.queries.some((h) => h.query.type === type));
    const handler = owner?.queries.find((h) => h.query.type === type);
    const target = owner && this.running.get(owner.name);
    if (!handler || !target) throw new UnavailableError(`query ${type}: its module does not run in this process`);
    const parsed = parseWith(handler.query.args, args, `arguments of ${type}`);
    return handler.handle(target.context, parsed);
  }

  /** Waits (outside any transaction) until the named projections have processed `to`. */
  private async waitForAll(runners: Map<string, ProjectionRunner>, names: readonly string[], to: number, signal: AbortSignal): Promise<void> {
    for (const name of names) {
      const runner = runners.get(name);
      if (!runner) throw new Error(`waits for projection ${name}, which its module does not have`);
      while (!signal.aborted && !(await runner.waitFor(to, 1000)));
    }
  }

  private answerer(module: string) {
    const target = this.running.get(module);
    const remote = this.remote;
    if (!target) return remote && ((query: { type: string }, args: unknown) => remote.query(module, query.type, args));
    return async (query: { type: string }, args: unknown) => {
      const handler: QueryHandler | undefined = target.definition.queries.find((h) => h.query.type === query.type);
      if (!handler) throw new UnavailableError(`module ${module} answers no query ${query.type}`);
      return handler.handle(target.context, args);
    };
  }
}
