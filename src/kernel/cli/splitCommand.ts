import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { Coordination } from '../cluster/coordination.js';
import { createGateway } from '../cluster/gateway.js';
import { loadConfig } from '../config.js';
import { sleep } from '../event-store/subscription.js';
import { answerClientError } from '../http/problem.js';
import { loadTokenSecret } from '../http/tokens.js';
import type { SeamsConfig } from '../types/config.js';
import type { ModuleDefinition } from '../types/module.js';
import { positiveInteger } from './argParsers.js';
import { copyModuleHistory } from './historyCommand.js';
import { UsageError, type CliIo } from './io.js';
import { CliSession } from './session.js';
import { splitPlan, type Deployable } from './splitPlan.js';

export const LOCAL_BROKER = 'amqp://guest:guest@127.0.0.1:5672';

interface Started {
  deployable: Deployable;
  child: ChildProcess;
  url: string;
}

/**
 * `seams split --extract communications[,catalog]`: the whole application as separate
 * deployables — each extracted module on a store of its own, the rest on the existing one —
 * linked through RabbitMQ, behind one gateway on PORT, so that a client of the single
 * application works unchanged. The first time, each extracted module's history is copied into
 * its new store. Every deployable is a `seams serve` child; the gateway runs here.
 */
export function splitCommand(modules: readonly ModuleDefinition[], io: CliIo): Command {
  return new Command('split')
    .description('run the application as separate deployables: extracted modules on stores of their own, linked through RabbitMQ, behind one gateway')
    .requiredOption('--extract <list>', 'comma-separated modules, each extracted into a deployable with a store of its own')
    .option('--port <port>', "the gateway's HTTP port (default: $PORT or 3000)", positiveInteger)
    .option('--broker <url>', `RabbitMQ (default: $SEAMS_BROKER_URL or ${LOCAL_BROKER.replace('guest:guest@', '')}, user guest)`)
    .action(async (options: { extract: string; port?: number; broker?: string }, command: Command) => {
      const dataDir = command.parent?.opts<{ dataDir?: string }>().dataDir;
      const base = loadConfig();
      const config: SeamsConfig = { ...base, ...(dataDir ? { dataDir } : {}), ...(options.port !== undefined ? { port: options.port } : {}) };
      if (config.store !== 'sqlite') throw new UsageError('seams split runs on a SQLite data directory; on PostgreSQL start each deployable with seams serve --own-store (README, "Extracting a module")');
      const broker = options.broker ?? config.brokerUrl ?? LOCAL_BROKER;
      if (!/^amqps?:\/\/\S+$/.test(broker)) throw new UsageError(`--broker must be an amqp:// or amqps:// URL, got ${JSON.stringify(broker)}`);
      const plan = splitPlan(modules.map((m) => m.name), options.extract.split(',').map((m) => m.trim()).filter(Boolean), config.dataDir);
      const log = pino({ level: config.logLevel });
      const env = splitEnvironment(config, broker);

      await copyHistories(modules, config.dataDir, plan, io);
      const coordination = await Coordination.open({ ...config, clusterDir: config.dataDir });
      const children: Started[] = [];
      let gateway: Server | undefined;
      const exited = new Promise<string>((resolve) => {
        const stopping = () => resolve('signal');
        ['SIGTERM', 'SIGINT'].forEach((s) => process.once(s, stopping));
        void (async () => {
          try {
            for (const deployable of plan) {
              const started = await startDeployable(deployable, env, coordination, io);
              children.push(started);
              started.child.once('exit', (code, signal) => resolve(`deployable ${deployable.name} exited (${signal ?? `code ${code}`})`));
            }
            const app = createGateway({ coordination, modules: modules.map((m) => m.name), freshMs: (config.leaseTtlMs ?? 10_000) * 1.5, log });
            gateway = app.listen(config.port);
            gateway.on('clientError', answerClientError);
            await new Promise((r, reject) => gateway!.once('listening', r).once('error', reject));
            for (const { deployable, url } of children) {
              io.err(`  ${deployable.name.padEnd(16)} ${url}  ${deployable.modules.join(', ')}  (store ${deployable.dataDir})`);
            }
            io.err(`seams split: gateway on http://localhost:${config.port}, linked through ${broker.replace(/\/\/[^@/]*@/, '//')}; Ctrl-C stops everything`);
          } catch (error) {
            resolve(`could not start: ${(error as Error).message}`);
          }
        })();
      });
      const why = await exited;
      await new Promise((resolve) => (gateway ? gateway.close(resolve) : resolve(undefined)));
      await Promise.all(children.map(({ child }) => stopChild(child)));
      await coordination.close();
      if (why !== 'signal') throw new Error(`seams split: ${why}; stopped everything`);
    });
}

/** What every deployable shares: the token secret (tokens verify everywhere), the admin credential, the broker, the peers' record. */
function splitEnvironment(config: SeamsConfig, broker: string): NodeJS.ProcessEnv {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const adminFile = join(config.dataDir, 'admin-token');
  let adminToken = config.adminToken;
  if (!adminToken) {
    if (!existsSync(adminFile)) writeFileSync(adminFile, randomBytes(24).toString('base64url'), { mode: 0o600, flag: 'wx' });
    adminToken = readFileSync(adminFile, 'utf8').trim();
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEAMS_') && name !== 'PORT'));
  return {
    ...env,
    SEAMS_TOKEN_SECRET: new TextDecoder().decode(loadTokenSecret(config.dataDir)),
    SEAMS_ADMIN_TOKEN: adminToken,
    SEAMS_BROKER_URL: broker,
    SEAMS_BROKER_PREFIX: config.brokerPrefix ?? 'seams',
    SEAMS_CLUSTER_DIR: config.dataDir,
    ...(config.leaseTtlMs ? { SEAMS_LEASE_TTL_MS: String(config.leaseTtlMs) } : {}),
    PORT: '0',
  };
}

/** The first time a module runs on its own store, its history comes along (nothing runs yet). */
async function copyHistories(modules: readonly ModuleDefinition[], dataDir: string, plan: Deployable[], io: CliIo): Promise<void> {
  const extracted = plan.filter((d) => d.ownStore && !existsSync(join(d.dataDir, 'events.sqlite')));
  if (extracted.length === 0) return;
  const session = new CliSession(modules, dataDir);
  try {
    for (const d of extracted) await copyModuleHistory(session, session.module(d.modules[0]!), { dataDir: d.dataDir }, 'main', io);
  } finally {
    await session.close();
  }
}

/** Starts `seams serve` for one deployable and waits until it serves and its inbox receives (its queues exist). */
async function startDeployable(d: Deployable, env: NodeJS.ProcessEnv, coordination: Coordination, io: CliIo): Promise<Started> {
  const args = [...process.execArgv, process.argv[1]!, 'serve', '--modules', d.modules.join(','), ...(d.ownStore ? ['--own-store'] : [])];
  const child = spawn(process.execPath, args, { env: { ...env, SEAMS_DATA_DIR: d.dataDir, SEAMS_STORE_NAME: d.name, SEAMS_PROCESS_ID: `split-${d.name}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const line of lines) io.err(`[${d.name}] ${line}`);
    });
  }
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ?? `code ${code}`));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exit) throw new Error(`deployable ${d.name} exited while starting (${exit})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`deployable ${d.name} did not start within 60 s`);
    }
    const peer = (await coordination.peers(30_000)).find((p) => p.processId === `split-${d.name}`);
    const status = peer && (await fetch(`${peer.url}/admin/broker`, { headers: { authorization: `Bearer ${env.SEAMS_ADMIN_TOKEN}` }, signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? (r.json() as Promise<{ inbox: { state: string } | null }>) : undefined), () => undefined));
    if (peer && status && (status.inbox === null || status.inbox.state === 'receiving')) return { deployable: d, child, url: peer.url };
    await sleep(200);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
