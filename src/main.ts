/**
 * Starts the application: every module of src/application.ts (or those in SEAMS_MODULES) on the
 * configured store, serving HTTP on PORT. SIGTERM/SIGINT stop it gracefully.
 */
import type { Logger } from 'pino';
import { loadConfig, processLogger, startServer, type RunningServer, type SeamsConfig } from './kernel/host.js';
import { modules } from './application.js';

let config: SeamsConfig;
let running: RunningServer;
let log: Logger;
try {
  config = loadConfig();
  log = processLogger(config.logLevel, config.logFormat);
  running = await startServer(modules, config, log);
} catch (error) {
  // A bad configuration or an unreachable store: one line, no stack trace.
  console.error(`seams: cannot start: ${(error as Error).message.split('\n').join(' ')}`);
  process.exit(1);
}
log.info({ port: running.port, dataDir: config.dataDir, store: config.store, modules: running.runtime.modules.map((m) => m.name) }, `seams listening on http://localhost:${running.port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down: finishing requests, checkpointing projections');
    running.close().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
