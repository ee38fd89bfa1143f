import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { loadConfig, moduleDatabaseConfig, type SeamsConfig } from './config.js';
import { openStore } from './event-store/openStore.js';
import type { EventStore } from './event-store/types.js';
import { createHttpApp } from './http/app.js';
import { loadTokenSecret, tokenService } from './http/tokens.js';
import { registryOf } from './kernelEvents.js';
import type { ModuleDefinition } from './modules/defineModule.js';
import { ModuleRuntime } from './modules/runtime.js';

export interface RunningServer {
  server: Server;
  runtime: ModuleRuntime;
  store: EventStore;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Stops accepting, finishes requests in flight, checkpoints projections, closes the store. */
  close(): Promise<void>;
}

/** Starts the whole application: store, modules, HTTP. */
export async function startServer(modules: readonly ModuleDefinition[], config: SeamsConfig = loadConfig(), log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const registry = registryOf(modules);
  const store = await openStore(config, registry);
  const runtime = await ModuleRuntime.start({
    modules,
    run: config.modules,
    store,
    database: moduleDatabaseConfig(config),
    log,
    config,
    tokens: tokenService(loadTokenSecret(config.dataDir)),
  });
  const app = createHttpApp({ runtime, store, registry, log, adminToken: config.adminToken });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  return {
    server,
    runtime,
    store,
    port,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await runtime.stop();
        await store.close();
      })()),
  };
}
