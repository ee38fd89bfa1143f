import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { Leadership, type ClusterOptions } from '../cluster/leadership.js';
import { RemoteModules } from '../cluster/remoteModules.js';
import { loadConfig } from '../config.js';
import { tokenService } from '../http/tokens.js';
import { assertOwnership } from '../modules/ownership.js';
import type { ProcessEngineOptions } from '../processes/processEngine.js';
import type { ProjectionRunner, RunnerOptions } from '../projections/projectionRunner.js';
import type { ModuleDatabaseConfig, SeamsConfig } from '../types/config.js';
import type { EventStore } from '../types/eventStore.js';
import type { TokenService } from '../types/http.js';
import type { CommandMeta, CredentialEvents, ModuleContext, ModuleDefinition } from '../types/module.js';
import type { InstanceDetail, InstanceSummary } from '../types/process.js';
import type { ProjectionStatus } from '../types/projection.js';
import { assembleModules } from './assemble.js';
import { MessageRouter } from './messageRouter.js';
import { processInstance, processInstances, type InspectedModule } from './processInspection.js';
import { withLagSeconds } from './projectionLag.js';
import type { BreakerState, QueryGatewayOptions } from './queryGateway.js';
import { closeModule, followModule, leadModule, openRunningModule, type ModuleHost, type RunningModule } from './runningModule.js';

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
      runtime.running.set(name, await openRunningModule(definition, runtime.host()));
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

  /** What a module opened here gets from this runtime: the store, settings, and the way to other modules. */
  private host(): ModuleHost {
    const { store, database, projections, processes } = this.options;
    return {
      store, database, projections, processes, config: this.config, tokens: this.tokens, log: this.log,
      ask: (query, args) => this.router.ask(query, args),
      dispatch: (type, data, meta) => this.router.dispatch(type, data, meta),
    };
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
    return this.module(module).context;
  }

  /** The module's context for reads only (HTTP GETs): its `db` is the module's reader, which refuses writes. */
  readingContext(module: string): ModuleContext {
    return this.module(module).reading;
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

  /** Resolves once every module has written the handled commands it recorded so far (for tests that edit them). */
  async handledCommandsWritten(): Promise<void> {
    for (const m of this.running.values()) await m.handled.written();
  }

  /** Stops the projection runners (each finishes its batch and checkpoint), then closes the databases. */
  async stop(): Promise<void> {
    // The work stops first, then the leases are released: a successor never runs beside this process's last batch.
    const stopWork = async () => {
      await Promise.all([...this.running.values()].map((m) => m.engine.stop()));
      await Promise.all(this.runners().map((r) => r.stop()));
    };
    if (this.leadership) await this.leadership.stop(stopWork);
    else await stopWork();
    this.router.shutdown();
    for (const m of this.running.values()) await closeModule(m);
    this.running.clear();
  }

  private lead(module: string, epoch?: number): Promise<void> {
    return leadModule(this.module(module), epoch);
  }

  private follow(module: string): Promise<void> {
    return followModule(this.module(module), this.log);
  }

  private module(name: string): RunningModule {
    const m = this.running.get(name);
    if (!m) throw new Error(`module ${name} does not run in this process`);
    return m;
  }
}
