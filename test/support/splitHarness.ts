import { randomBytes } from 'node:crypto';
/**
 * The application split over stores, in this process: with `SEAMS_TEST_SPLIT=communications`
 * (or `catalog`, or both, comma-separated) `startApp` runs the modules as `seams split --extract`
 * would — each extracted module a deployable on a store of its own, the rest on another, linked
 * through the local RabbitMQ, behind the gateway — so that the modules' HTTP suites run
 * unchanged against it. What the suites read behind the HTTP surface (the log, the runtime) is
 * answered by the deployable that holds it.
 */
import { mkdirSync, copyFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Coordination, createGateway, loadTokenSecret, startServer, type CommandMeta, type EventStore, type ModuleDefinition, type RecordedEvent, type RunningServer, type SeamsConfig } from '../../src/kernel/host.js';
import { splitPlan } from '../../src/kernel/cli/splitPlan.js';
import { topology } from '../../src/kernel/broker/topology.js';
import { brokerPrefix, dropTopology, TEST_AMQP_URL } from './broker.js';
import { TEST_ENV } from './testEnv.js';
import { tempDir } from './tempDir.js';

/** The modules to extract, from SEAMS_TEST_SPLIT (none: the single application). */
export const splitUnderTest = (): string[] => (process.env.SEAMS_TEST_SPLIT ?? '').split(',').map((m) => m.trim()).filter(Boolean);

export interface Deployed {
  name: string;
  server: RunningServer;
  config: SeamsConfig;
}

const log = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function startSplit(modules: readonly ModuleDefinition[], extract: string[], options: { config?: Partial<SeamsConfig>; dataDir?: string }) {
  const dir = options.dataDir ? { path: options.dataDir, cleanup: async () => {} } : await tempDir('seams-split-');
  const prefix = brokerPrefix();
  const wanted = options.config?.modules ?? modules.map((m) => m.name);
  loadTokenSecret(dir.path, '');
  // Cluster members authenticate their calls to each other with the admin credential.
  const adminToken = options.config?.adminToken ?? randomBytes(24).toString('hex');
  const deployed: Deployed[] = [];
  for (const d of splitPlan(modules.map((m) => m.name), extract, dir.path)) {
    const run = d.modules.filter((m) => wanted.includes(m));
    if (run.length === 0) continue;
    mkdirSync(d.dataDir, { recursive: true });
    if (d.dataDir !== dir.path) copyFileSync(join(dir.path, 'token-secret'), join(d.dataDir, 'token-secret'));
    const config: SeamsConfig = {
      port: 0, store: 'sqlite', logLevel: 'silent', ...options.config, adminToken, env: { ...TEST_ENV, ...options.config?.env },
      dataDir: d.dataDir, modules: run, cluster: true, clusterDir: dir.path, processId: `test-${d.name}`,
      brokerUrl: TEST_AMQP_URL, brokerPrefix: prefix, storeName: d.name, ownStore: d.ownStore, storeModules: d.modules,
    };
    const server = await startServer(modules, config, log());
    deployed.push({ name: d.name, server, config });
    // Its queues exist before the next deployable's relay publishes what it consumes.
    const inbox = server.broker!.inbox;
    const deadline = Date.now() + 10_000;
    while (inbox && inbox.status().state !== 'receiving' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
  const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path, clusterDir: dir.path });
  // The gateway routes the modules deployed (as the single application mounts only those it runs).
  const gateway = createGateway({ coordination, modules: wanted, freshMs: 15_000, log: log() }).listen(0, '127.0.0.1');
  await new Promise((resolve) => gateway.once('listening', resolve));
  const base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  const holding = (module: string) => {
    const found = deployed.find((d) => d.server.runtime.modules.some((m) => m.name === module));
    if (!found) throw new Error(`module ${module} runs in no deployable of this split`);
    return found;
  };
  const storeNamed = (name: string) => {
    const found = deployed.find((d) => d.name === name);
    if (!found) throw new Error(`no store ${name} in this split`);
    return found.server.store;
  };
  /** Everything each store wrote itself (what its inbox took in is another store's), store after store. */
  const log_ = async (): Promise<RecordedEvent[]> => {
    const all: RecordedEvent[] = [];
    for (const { server } of deployed) {
      for (let after = 0; ; ) {
        const batch = await server.store.readAll({ after, maxCount: 500 });
        if (batch.length === 0) break;
        all.push(...batch.filter((e) => e.metadata.source === undefined));
        after = batch[batch.length - 1]!.position;
      }
    }
    return all;
  };
  /** No process has a command waiting in its outbox. */
  const outboxesEmpty = async () => {
    for (const { server } of deployed) {
      for (const module of server.runtime.modules) {
        const ctx = server.runtime.context(module.name);
        for (const process of module.processes) {
          const pending = await ctx.db(ctx.tables(process.name).outbox!).where({ status: 'pending' }).count({ n: '*' }).first();
          if (Number(pending?.n ?? 0) > 0) return false;
        }
      }
    }
    return true;
  };
  /**
   * Waits until nothing is in flight: every relay has published its store's head, every inbox has
   * taken in every store it hears from, the projections are caught up, no outbox holds a command —
   * and the heads hold still.
   */
  const settle = async (): Promise<Map<string, number>> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      for (const { server } of deployed) for (const m of server.runtime.modules) await server.runtime.context(m.name).catchUp(1000);
      const heads = new Map(await Promise.all(deployed.map(async (d) => [d.name, await d.server.store.headPosition()] as const)));
      const quiet = (await outboxesEmpty()) && deployed.every(({ name, server }) => {
        const { relay, inbox } = server.broker!.status();
        const relayed = !relay || relay.position >= heads.get(name)!;
        const taken = !inbox || deployed.every((other) => !other.server.broker!.relay || other.name === name || (inbox.sources[other.name] ?? -1) >= heads.get(other.name)!);
        return relayed && taken;
      });
      if (quiet) {
        await new Promise((r) => setTimeout(r, 20));
        const again = await Promise.all(deployed.map((d) => d.server.store.headPosition()));
        if (again.every((head, i) => head === heads.get(deployed[i]!.name))) return heads;
      }
      if (Date.now() > deadline) throw new Error(`the split did not settle: ${JSON.stringify(deployed.map((d) => d.server.broker!.status()))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const store: Pick<EventStore, 'readStream' | 'readAll'> = {
    readStream: (stream, options) => holding(stream.split('.')[0]!).server.store.readStream(stream, options),
    readAll: () => Promise.reject(new Error('readAll across stores: use app.eventAt(token) or wholeLog(app)')),
  };
  const runtime = {
    context: (module: string) => holding(module).server.runtime.context(module),
    dispatch: (type: string, data: unknown, meta: CommandMeta) => holding(type.split('.')[0]!).server.runtime.dispatch(type, data, meta),
    processInstances: async (filter?: { type?: string; status?: string }) => (await Promise.all(deployed.map((d) => d.server.runtime.processInstances(filter)))).flat(),
    processInstance: async (type: string, id: string) => {
      for (const d of deployed) {
        const found = await d.server.runtime.processInstance(type, id);
        if (found) return found;
      }
      return undefined;
    },
    get modules() {
      return deployed.flatMap((d) => d.server.runtime.modules);
    },
  };

  return {
    base,
    dir,
    deployed,
    adminToken,
    /** Stops one deployable (its process gone) until `start` brings it back on the same store. */
    async stopDeployable(name: string) {
      await deployed.find((d) => d.name === name)!.server.close();
    },
    async startDeployable(name: string) {
      const d = deployed.find((x) => x.name === name)!;
      d.server = await startServer(modules, d.config, log());
    },
    server: { store, runtime },
    dataDirOf: (module: string) => holding(module).server.runtime.context(module).config.dataDir,
    log: log_,
    async eventAt(token: string): Promise<RecordedEvent | undefined> {
      const [name, position] = token.split(':');
      const [event] = await storeNamed(name!).readAll({ after: Number(position) - 1, maxCount: 1 });
      return event?.position === Number(position) ? event : undefined;
    },
    /** The sum of the stores' heads, once settled: it moves whenever anything is appended anywhere. */
    async headPosition(): Promise<number> {
      return [...(await settle()).values()].reduce((sum, head) => sum + head, 0);
    },
    async headOf(token: string): Promise<string> {
      const heads = await settle();
      const name = token.split(':')[0]!;
      const own = (await storeNamed(name).readAll({ after: Math.max(0, heads.get(name)! - 1000) })).filter((e) => e.metadata.source === undefined);
      return `${name}:${own.at(-1)?.position ?? 0}`;
    },
    async stop() {
      await new Promise((resolve) => gateway.close(resolve));
      await coordination.close();
      const queues = deployed.flatMap((d) => d.server.broker!.inbox?.queues ?? []);
      for (const d of [...deployed].reverse()) await d.server.close();
      await dropTopology(TEST_AMQP_URL, topology(prefix).exchange, queues);
      await dir.cleanup();
    },
  };
}
