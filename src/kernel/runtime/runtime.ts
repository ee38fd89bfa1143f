import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import { Leadership, type ClusterOptions } from '../cluster/leadership.js';
import { RemoteModules } from '../cluster/remoteModules.js';
import { loadConfig } from '../config.js';
import { tokenService } from '../http/tokens.js';
import { parseModuleConfig } from '../modules/moduleConfig.js';
import { openModuleDatabase, openModuleReader } from '../modules/moduleDatabase.js';
import { assertOwnership } from '../modules/ownership.js';
import type { ProcessEngineOptions } from '../processes/processEngine.js';
import { ProcessEngine } from '../processes/processEngine.js';
import { processProjection } from '../processes/processProjection.js';
import { upgradeProcessTables, type ProcessTables } from '../processes/processTables.js';
import { Fence } from '../projections/fence.js';
import { ProjectionRunner, type RunnerOptions } from '../projections/projectionRunner.js';
import type { ModuleDatabaseConfig, SeamsConfig } from '../types/config.js';
import type { EventStore } from '../types/eventStore.js';
import type { TokenService } from '../types/http.js';
import type { CommandMeta, CredentialEvents, ModuleContext, ModuleDefinition } from '../types/module.js';
import type { InstanceDetail, InstanceSummary, ProcessDefinition } from '../types/process.js';
import type { ProjectionStatus } from '../types/projection.js';
import { assembleModules } from './assemble.js';
import { HandledCommands } from './handledCommands.js';
import { MessageRouter } from './messageRouter.js';
import { buildContext } from './moduleContext.js';
import { processInstance, processInstances, type InspectedModule } from './processInspection.js';
import { withLagSeconds } from './projectionLag.js';
import type { BreakerState, QueryGatewayOptions } from './queryGateway.js';

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

/**
 * Runs modules: opens their databases, builds their contexts, and runs their projections and
 * processes here (or, in a cluster, follows the process that holds their lease).
 */
export class ModuleRuntime {
  private readonly running = new Map<string, RunningModule>();
  private readonly router: MessageRouter;
  /** Signs and verifies bearer tokens (the deployment's secret). */
  readonly tokens: TokenService;
  private readonly config: SeamsConfig;
  private leadership: Leadership | undefined;

  private constructor(
    private readonly options: RuntimeOptions,
    private readonly all: readonly ModuleDefinition[],
    readonly log: Logger,
  ) {
    const { cluster } = options;
    const remote = cluster && new RemoteModules(cluster.coordination, { freshMs: (cluster.leaseTtlMs ?? 10_000) * 1.5, adminToken: cluster.adminToken, log });
    this.router = new MessageRouter(all, (name) => this.running.get(name), remote, options.queries);
    this.tokens = options.tokens ?? tokenService(randomBytes(32));
    this.config = Object.freeze(options.config ?? { ...loadConfig(), ...(options.database.kind === 'sqlite' ? { dataDir: options.database.dataDir } : {}) });
  }

  static async start(options: RuntimeOptions): Promise<ModuleRuntime> {
    const all = assembleModules(options.modules);
    assertOwnership(all);
    const runtime = new ModuleRuntime(options, all, options.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }));
    for (const name of options.run ?? all.map((m) => m.name)) {
      const definition = all.find((m) => m.name === name);
      if (!definition) throw new Error(`unknown module "${name}"; modules: ${all.map((m) => m.name).join(', ')}`);
      runtime.running.set(name, await runtime.open(definition));
    }
    if (options.startProjections === false) return runtime;
    if (options.cluster) {
      for (const m of runtime.running.values()) for (const runner of m.runners.values()) runner.follow();
      runtime.leadership = new Leadership(options.cluster, [...runtime.running.keys()], { lead: (m, epoch) => runtime.lead(m, epoch), follow: (m) => runtime.follow(m) }, runtime.log);
      await runtime.leadership.start();
    } else {
      for (const name of runtime.running.keys()) await runtime.lead(name);
    }
    return runtime;
  }

  /** Every module of the application (those running elsewhere too), as the kernel runs them. */
  get application(): readonly ModuleDefinition[] {
    return this.all;
  }

  /** The events of the module that issues credentials, which revoke them (each module's access replica reads them). */
  get credentialEvents(): CredentialEvents | undefined {
    return this.all.find((m) => m.credentials)?.credentials;
  }

  /** The modules running here, as the kernel runs them (with the replicas it attaches). */
  get modules(): ModuleDefinition[] {
    return [...this.running.values()].map((m) => m.definition);
  }

  context(module: string): ModuleContext {
    const m = this.running.get(module);
    if (!m) throw new Error(`module ${module} does not run in this process`);
    return m.context;
  }

  /** The module's context for reads only (HTTP GETs): its `db` is the module's reader, which refuses writes. */
  readingContext(module: string): ModuleContext {
    const m = this.running.get(module);
    if (!m) throw new Error(`module ${module} does not run in this process`);
    return m.reading;
  }

  runner(module: string, projection: string): ProjectionRunner {
    const runner = this.running.get(module)?.runners.get(projection);
    if (!runner) throw new Error(`no projection ${module}/${projection}`);
    return runner;
  }

  runners(): ProjectionRunner[] {
    return [...this.running.values()].flatMap((m) => [...m.runners.values()]);
  }

  dispatch(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    return this.router.dispatch(type, data, meta);
  }

  dispatchHere(type: string, data: unknown, meta: CommandMeta): Promise<void> {
    return this.router.dispatchHere(type, data, meta);
  }

  answerHere(type: string, args: unknown): Promise<unknown> {
    return this.router.answerHere(type, args);
  }

  processInstances(filter: { type?: string; status?: string } = {}): Promise<InstanceSummary[]> {
    return processInstances(this.running.values(), filter);
  }

  processInstance(type: string, id: string): Promise<InstanceDetail | undefined> {
    return processInstance(this.running.values(), type, id);
  }

  /** The modules running here as the process inspection (processInspection.ts) reads and acts on them. */
  inspected(): InspectedModule[] {
    return [...this.running.values()];
  }

  /** Whether this process runs the module's projections and processes (always, outside a cluster). */
  isLeading(module: string): boolean {
    return this.running.has(module) && (!this.leadership || this.leadership.isLeading(module));
  }

  /** Who holds each running module's lease (this process, outside a cluster). */
  async leases(): Promise<{ module: string; holder: string; here: boolean }[]> {
    const here = this.options.cluster?.processId ?? 'this process';
    return Promise.all(
      [...this.running.keys()].map(async (module) => {
        if (!this.options.cluster || this.isLeading(module)) return { module, holder: here, here: true };
        return { module, holder: (await this.options.cluster.coordination.holder(module)) ?? 'none', here: false };
      }),
    );
  }

  breakerStates(): { module: string; state: BreakerState }[] {
    return this.router.breakerStates();
  }

  /** Each projection's status, with how long (in seconds) it is behind the oldest event it has not applied. */
  async projectionStatus(): Promise<ProjectionStatus[]> {
    return withLagSeconds(this.options.store, this.runners(), await Promise.all(this.runners().map((r) => r.status())));
  }

  /** Stops the projection runners (each finishes its batch and checkpoint), then closes the databases. */
  /** Resolves once every module has written the handled commands it recorded so far (for tests that edit them). */
  async handledCommandsWritten(): Promise<void> {
    for (const m of this.running.values()) await m.handled.written();
  }

  async stop(): Promise<void> {
    // The work stops first, then the leases are released: a successor never runs beside this process's last batch.
    const stopWork = async () => {
      await Promise.all([...this.running.values()].map((m) => m.engine.stop()));
      await Promise.all(this.runners().map((r) => r.stop()));
    };
    if (this.leadership) await this.leadership.stop(stopWork);
    else await stopWork();
    this.router.shutdown();
    for (const m of this.running.values()) {
      await m.handled.close();
      if (m.reader !== m.db) await m.reader.destroy();
      await m.db.destroy();
    }
    this.running.clear();
  }

  /**
   * Runs a module's projections and processes here. With a lease (`epoch`, its fencing number)
   * the module's fence is raised to it first: from then on writes of earlier holders are refused.
   */
  private async lead(module: string, epoch?: number): Promise<void> {
    const m = this.running.get(module)!;
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
  private async follow(module: string): Promise<void> {
    const m = this.running.get(module)!;
    m.fence.end();
    // Each part is stopped and set following even when another one's stop fails (the database is away).
    await m.engine.stop().catch((error) => this.log.warn({ err: error, module }, 'stopping the process engine failed'));
    for (const runner of m.runners.values()) {
      await runner.stop().catch((error) => this.log.warn({ err: error, module, projection: runner.name }, 'stopping the projection runner failed'));
      runner.follow();
    }
  }

  private async open(definition: ModuleDefinition): Promise<RunningModule> {
    const settings = parseModuleConfig(definition, this.config.env ?? process.env);
    const db = await openModuleDatabase(definition, this.options.database);
    const reader = openModuleReader(definition.name, this.options.database) ?? db;
    const log = this.log.child({ module: definition.name });
    const runners = new Map<string, ProjectionRunner>();
    const fence = new Fence(db);
    const context = buildContext({
      leaseEpoch: () => fence.current,
      definition, db, store: this.options.store, log, runners, config: this.config, settings, tokens: this.tokens,
      ask: (query, args) => this.router.ask(query, args),
      dispatch: (type, data, meta) => this.router.dispatch(type, data, meta),
    });
    const tablesOf = (process: ProcessDefinition) => runners.get(process.name)!.tables as ProcessTables;
    const env = { tables: context.tables, config: this.config, settings };
    const engine = new ProcessEngine({ db, tablesOf, env, catchUp: context.catchUp, fence }, definition.processes, (type, data, meta) => this.router.dispatch(type, data, meta), log, this.options.processes);
    // A process is run like a projection over its instance tables (processProjection.ts).
    for (const projection of [...definition.projections, ...definition.processes.map((p) => processProjection(p, env))]) {
      const runner = new ProjectionRunner(definition.name, projection, this.options.store, db, log, {
        ...this.options.projections,
        fence,
        beforeBatch: projection.waitsFor.length > 0 ? (to, signal) => this.waitForAll(runners, projection.waitsFor, to, signal) : undefined,
        afterBatch: () => engine.wake(projection.name), // a process's batch wrote to its outbox
      });
      // Read-only here: whoever leads the module (lead(), below or via a lease) creates and drops generations.
      await runner.refresh();
      runners.set(projection.name, runner);
    }
    return { definition, db, reader, context, reading: { ...context, db: reader }, handled: new HandledCommands(db, reader, log), runners, engine, tablesOf, fence };
  }

  /** Waits (outside any transaction) until the named projections have processed `to`. */
  private async waitForAll(runners: Map<string, ProjectionRunner>, names: readonly string[], to: number, signal: AbortSignal): Promise<void> {
    for (const name of names) {
      const runner = runners.get(name);
      if (!runner) throw new Error(`waits for projection ${name}, which its module does not have`);
      while (!signal.aborted && !(await runner.waitFor(to, 1000)));
    }
  }
}
