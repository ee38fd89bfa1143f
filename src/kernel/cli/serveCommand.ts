import type { Server } from 'node:http';
import { Command } from 'commander';
import { Coordination } from '../cluster/coordination.js';
import { createGateway } from '../cluster/gateway.js';
import { answerClientError } from '../http/problem.js';
import { loadConfig } from '../config.js';
import type { ModuleDefinition } from '../types/module.js';
import { processLogger } from '../server/logger.js';
import { startServer } from '../server/startServer.js';
import { positiveInteger } from './argParsers.js';
import { UsageError, type CliIo } from './io.js';

/** Resolves on the first SIGTERM or SIGINT. */
const untilSignal = () => new Promise<string>((resolve) => ['SIGTERM', 'SIGINT'].forEach((s) => process.once(s, () => resolve(s))));

export function serveCommand(modules: readonly ModuleDefinition[], io: CliIo): Command {
  return new Command('serve')
    .description('run the application, a subset of its modules (a cluster member), or the gateway in front of them')
    .option('--modules <list>', 'comma-separated modules to run here (default: $SEAMS_MODULES or all); implies --cluster')
    .option('--port <port>', 'HTTP port (default: $PORT or 3000)', positiveInteger)
    .option('--cluster', 'share the work with other processes on the same store (leases, peers)')
    .option('--gateway', 'route /<module> to the processes that serve it, as one base URL')
    .option('--broker <url>', 'link to deployables with stores of their own through this RabbitMQ broker (amqp://…; default: $SEAMS_BROKER_URL)')
    .option('--own-store', 'this deployable (--modules) has a store of its own (its data directory or database); needs --broker')
    .action(async (options: { modules?: string; port?: number; cluster?: boolean; gateway?: boolean; broker?: string; ownStore?: boolean }, command: Command) => {
      const dataDir = command.parent?.opts<{ dataDir?: string }>().dataDir;
      const base = loadConfig();
      const chosen = options.modules?.split(',').map((m) => m.trim()).filter(Boolean);
      for (const name of chosen ?? []) {
        if (!modules.some((m) => m.name === name)) throw new UsageError(`unknown module "${name}" (modules: ${modules.map((m) => m.name).join(', ')})`);
      }
      if (options.gateway && chosen) throw new UsageError('--gateway runs no modules; give --modules to the processes behind it');
      if (options.broker !== undefined && !/^amqps?:\/\/\S+$/.test(options.broker)) throw new UsageError(`--broker must be an amqp:// or amqps:// URL, got ${JSON.stringify(options.broker)}`);
      const brokerUrl = options.broker ?? base.brokerUrl;
      if (options.ownStore && !(brokerUrl && chosen)) throw new UsageError('--own-store needs --modules (what runs on the store) and --broker (how it hears from the others)');
      const config = {
        ...base,
        ...(brokerUrl ? { brokerUrl } : {}),
        ...(options.ownStore ? { ownStore: true } : {}),
        ...(dataDir ? { dataDir } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(chosen ? { modules: chosen } : {}),
        cluster: Boolean(options.cluster || chosen || brokerUrl || base.cluster),
      };
      const log = processLogger(config.logLevel, config.logFormat);
      if (options.gateway) {
        const coordination = await Coordination.open(config);
        const app = createGateway({ coordination, modules: modules.map((m) => m.name), freshMs: (config.leaseTtlMs ?? 10_000) * 1.5, log });
        const server: Server = app.listen(config.port, config.host ?? '127.0.0.1');
        server.on('clientError', answerClientError);
        await new Promise((resolve) => server.once('listening', resolve));
        io.err(`seams gateway listening on http://localhost:${config.port}`);
        await untilSignal();
        await new Promise((resolve) => server.close(resolve));
        await coordination.close();
        return;
      }
      const running = await startServer(modules, config, log);
      const link = running.broker && ` (store ${running.broker.storeName}, broker ${brokerUrl!.replace(/\/\/[^@/]*@/, '//')})`;
      io.err(`seams serving ${running.runtime.modules.map((m) => m.name).join(', ')} on http://localhost:${running.port}${config.cluster ? ' (cluster member)' : ''}${link ?? ''}`);
      await untilSignal();
      await running.close();
    });
}
