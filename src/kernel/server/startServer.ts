import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { BrokerLink } from '../broker/brokerLink.js';
import { Coordination } from '../cluster/coordination.js';
import { assertServable, loadConfig, moduleDatabaseConfig } from '../config.js';
import { openStore } from '../event-store/openStore.js';
import type { SeamsConfig } from '../types/config.js';
import type { EventStore } from '../types/eventStore.js';
import { createHttpApp } from './app.js';
import { answerClientError, endWithProblem } from '../http/problem.js';
import { loadTokenSecret, tokenService } from '../http/tokens.js';
import { registryOf } from '../modules/registry.js';
import type { ModuleDefinition } from '../types/module.js';
import { ModuleRuntime } from '../runtime/runtime.js';
import { instrumentedStore } from '../telemetry/instrumentedStore.js';
import { SeamsMetrics } from '../telemetry/metrics.js';
import { startTracing, tracingRequested } from './telemetry.js';

export interface RunningServer {
  server: Server;
  runtime: ModuleRuntime;
  store: EventStore;
  /** The link to the other deployables, when this one has a store of its own (SEAMS_BROKER_URL). */
  broker?: BrokerLink;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Stops accepting, finishes requests in flight, checkpoints projections, releases leases, closes the store. */
  close(): Promise<void>;
}

/** How long a graceful stop waits for the projections to take in the last writes. */
const DRAIN_MS = 5000;

/**
 * Lets the projections running here reach the log's head (bounded), so that the checkpoints
 * saved on stop include the last requests' writes and a restart has nothing to catch up. A
 * failed projection, or one being rebuilt, is not waited for.
 */
async function drainProjections(runtime: ModuleRuntime, store: EventStore, timeoutMs: number): Promise<void> {
  const head = await store.headPosition().catch(() => undefined);
  if (head === undefined) return;
  await Promise.all(
    runtime.runners().map(async (runner) => {
      const status = await runner.status().catch(() => undefined);
      if (status && (status.state === 'live' || status.state === 'catching-up') && !status.building) await runner.waitFor(head, timeoutMs);
    }),
  );
}

/** Starts the whole application (or the modules of SEAMS_MODULES): store, modules, HTTP. */
export async function startServer(modules: readonly ModuleDefinition[], config: SeamsConfig = loadConfig(), log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  assertServable(config);
  // Listen first: in a cluster this process announces its address, which needs the port.
  // Until the modules are up, every request gets a quick 503 rather than hanging.
  const starting = (_req: IncomingMessage, res: ServerResponse) => endWithProblem(res, 503, 'starting', 1);
  const server = createServer(starting);
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const registry = registryOf(modules);
  const processId = config.processId ?? `${hostname()}:${port}`;
  const stopTracing = tracingRequested(config.env ?? process.env) ? startTracing(config.env ?? process.env, processId) : async () => undefined;
  const metrics = new SeamsMetrics({ processMetrics: true });
  const store = instrumentedStore(await openStore(config, registry), metrics);
  const coordination = config.cluster || config.brokerUrl ? await Coordination.open(config) : undefined;
  const secret = loadTokenSecret(config.dataDir);
  const runtime = await ModuleRuntime.start({
    modules,
    run: config.modules,
    store,
    database: moduleDatabaseConfig(config),
    log,
    config,
    tokens: tokenService(secret),
    cluster: coordination && {
      coordination,
      processId,
      url: config.publicUrl ?? `http://127.0.0.1:${port}`,
      leaseTtlMs: config.leaseTtlMs,
      adminToken: config.adminToken,
    },
  });
  const broker = config.brokerUrl
    ? await BrokerLink.start({ config, store, coordination: coordination!, registry, modules: runtime.application, running: runtime.modules.map((m) => m.name), processId, log })
    : undefined;
  server.off('request', starting);
  server.on(
    'request',
    createHttpApp({
      runtime, store, registry, log, adminToken: config.adminToken, secret, readyMaxLagS: config.readyMaxLagS, parkedMakesUnready: config.readyParked === 'down', metrics,
      positions: broker?.positions, admin: broker?.adminRoutes(), degraded: broker && (() => broker.degraded()),
    }),
  );
  let closing: Promise<void> | undefined;
  return {
    server,
    runtime,
    store,
    broker,
    port,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await drainProjections(runtime, store, DRAIN_MS);
        await broker?.stop();
        await runtime.stop();
        await coordination?.close();
        await store.close();
        await stopTracing();
      })()),
  };
}
