/**
 * npm run bench:relay [-- --events 20000 --rate 500 --seconds 10 --runs 3 --broker amqp://…]
 * The broker link between two stores of their own, on the local RabbitMQ (SQLite stores in a
 * temp dir; exchange and queues under a prefix of their own, deleted afterwards).
 * (1) Throughput: `--events` public events already in the log, the relay publishes them with
 *     publisher confirms (persistent, mandatory, batches of 500) into a durable queue, until its
 *     checkpoint reaches the head: events/s. Floor: the same messages published by a bare
 *     amqplib confirm channel in the same batches, nothing read or checkpointed.
 * (2) Lag under a steady workload: one event per append at `--rate` events/s for `--seconds`;
 *     each event carries its append time, and the projection on the other side (its inbox's
 *     store) notes how long it took to arrive there: p50/p99/max. Floor: the same workload with
 *     the projection on the same store (no broker between).
 * Figures are medians over the runs; the last line is one JSON object.
 */
import amqplib from 'amqplib';
import { Command } from 'commander';
import pino from 'pino';
import { z } from 'zod';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import { BrokerConnection } from '../src/kernel/broker/connection.js';
import { Inbox } from '../src/kernel/broker/inbox.js';
import { Relay } from '../src/kernel/broker/relay.js';
import { encodeEvent, topology } from '../src/kernel/broker/topology.js';
import { Coordination, defineEvent, defineModule, defineProjection, ModuleRuntime, on, registryOf, SqliteEventStore, type EventStore } from '../src/kernel/host.js';
import { tempDir } from '../test/support/tempDir.js';

const opts = new Command('bench:relay')
  .description("Benchmark the broker link: the relay's throughput with confirms, and the lag from append to the other side's projection")
  .option('--events <n>', 'events the relay publishes in the throughput phase', positiveInteger, 20_000)
  .option('--rate <n>', 'events per second appended in the lag phase', positiveInteger, 500)
  .option('--seconds <n>', 'length of the lag phase', positiveInteger, 10)
  .option('--runs <n>', 'runs, each on fresh stores; figures are medians', positiveInteger, 3)
  .option('--broker <url>', 'RabbitMQ', process.env.SEAMS_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672')
  .parse()
  .opts<{ events: number; rate: number; seconds: number; runs: number; broker: string }>();

const log = pino({ level: 'silent' });
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** ticker publishes; watcher's projection notes, for each tick, how long after its append it was applied. */
const Ticked = defineEvent('ticker.Ticked', 1, z.object({ n: z.number().int(), at: z.number() }));
const ticker = defineModule({ name: 'ticker', publicEvents: [Ticked], streams: ['tick'] });
let arrived: (at: number) => void = () => undefined;
const watcher = defineModule({
  name: 'watcher',
  projections: [
    defineProjection({
      name: 'ticks',
      version: 1,
      tables: { ticks: (t) => void t.integer('n').primary() },
      handlers: [
        on(Ticked, async (e, { db, tables }) => {
          await db(tables.ticks).insert({ n: e.data.n }).onConflict('n').ignore();
          arrived(e.data.at);
        }),
      ],
    }),
  ],
});
const modules = [ticker, watcher];

async function openStore(dir: string, name: string): Promise<SqliteEventStore> {
  return SqliteEventStore.open({ filename: `${dir}/${name}.sqlite`, registry: registryOf(modules) });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** (1) The relay's throughput with confirms, and the bare broker's in the same batches. */
async function throughput(dir: string, prefix: string): Promise<{ relay: number; floor: number }> {
  const names = topology(prefix);
  const model = await amqplib.connect(opts.broker);
  const channel = await model.createConfirmChannel();
  const queue = `${prefix}.bench`;
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  await channel.bindQueue(queue, names.exchange, Ticked.type);
  const store = await openStore(dir, 'throughput');
  const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir });
  const connection = new BrokerConnection(opts.broker, 'bench relay', log);
  try {
    for (let n = 0; n < opts.events; n += 100) {
      await store.append(`ticker.tick-${n}`, Array.from({ length: Math.min(100, opts.events - n) }, (_, i) => ({ type: Ticked.type, data: { n: n + i, at: 0 } })));
    }
    const head = await store.headPosition();
    const relay = new Relay({ store, storeName: 'ticker-burst', types: [Ticked.type], connection, topology: names, coordination, holder: 'bench', log });
    const began = performance.now();
    relay.start();
    await until(() => relay.status().position >= head, 300_000, 'the relay to publish everything');
    const relayPerS = opts.events / ((performance.now() - began) / 1000);
    await relay.stop();
    await channel.purgeQueue(queue);

    const bodies = (await store.readAll({ maxCount: opts.events })).map((e) => [e.id, encodeEvent('ticker', e)] as const);
    const floorBegan = performance.now();
    for (let i = 0; i < bodies.length; i += 500) {
      for (const [id, body] of bodies.slice(i, i + 500)) channel.publish(names.exchange, Ticked.type, body, { persistent: true, mandatory: true, messageId: id, type: Ticked.type, contentType: 'application/json' });
      await channel.waitForConfirms();
    }
    const floorPerS = bodies.length / ((performance.now() - floorBegan) / 1000);
    return { relay: relayPerS, floor: floorPerS };
  } finally {
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteExchange(names.exchange).catch(() => undefined);
    await model.close();
    await connection.close();
    await coordination.close();
    await store.close();
  }
}

/** Appends one event per append at the configured rate; resolves with how many. */
async function steadyWorkload(store: EventStore): Promise<number> {
  const total = opts.rate * opts.seconds;
  const began = performance.now();
  for (let n = 0; n < total; n++) {
    const due = began + (n * 1000) / opts.rate;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
    await store.append(`ticker.tick-${n}`, [{ type: Ticked.type, data: { n, at: Date.now() } }]);
  }
  return total;
}

/** Lags of every tick, from its append to the watcher's projection; `split` puts a broker between them. */
async function lag(dir: string, prefix: string, split: boolean): Promise<number[]> {
  const lags: number[] = [];
  arrived = (at) => lags.push(Date.now() - at);
  const source = await openStore(dir, `${split ? 'split' : 'local'}-source`);
  const sink = split ? await openStore(dir, 'split-sink') : source;
  const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir });
  const names = topology(prefix);
  const connections = [new BrokerConnection(opts.broker, 'bench relay', log), new BrokerConnection(opts.broker, 'bench inbox', log)];
  const inbox = split ? new Inbox({ store: sink, storeName: 'watcher', registry: registryOf(modules), connection: connections[1]!, topology: names, coordination, modules: ['watcher'], types: [Ticked.type], log }) : undefined;
  const relay = split ? new Relay({ store: source, storeName: 'ticker', types: [Ticked.type], connection: connections[0]!, topology: names, coordination, holder: 'bench', log }) : undefined;
  const runtime = await ModuleRuntime.start({ modules, run: ['watcher'], store: sink, database: { kind: 'sqlite', dataDir: `${dir}/${split ? 'split' : 'local'}-modules` }, log });
  try {
    await inbox?.start();
    if (inbox) await until(() => inbox.status().state === 'receiving', 10_000, 'the inbox to receive');
    relay?.start();
    const total = await steadyWorkload(source);
    await until(() => lags.length >= total, 60_000, 'every tick to reach the projection');
    return lags.sort((a, b) => a - b);
  } finally {
    await relay?.stop();
    await inbox?.stop();
    await runtime.stop();
    for (const c of connections) await c.close();
    const model = await amqplib.connect(opts.broker);
    const channel = await model.createChannel();
    await channel.deleteQueue(names.queue('watcher', 'watcher')).catch(() => undefined);
    await channel.deleteExchange(names.exchange).catch(() => undefined);
    await model.close();
    await coordination.close();
    if (sink !== source) await sink.close();
    await source.close();
  }
}

const results: { relayPerS: number; floorPerS: number; p50: number; p99: number; max: number; localP50: number; localP99: number }[] = [];
for (let i = 1; i <= opts.runs; i++) {
  const dir = await tempDir('seams-bench-relay-');
  const prefix = `seams-bench-${process.pid}-${i}`;
  try {
    const { relay, floor } = await throughput(dir.path, prefix);
    const split = await lag(dir.path, prefix, true);
    const local = await lag(dir.path, prefix, false);
    const figures = { relayPerS: relay, floorPerS: floor, p50: percentile(split, 50), p99: percentile(split, 99), max: split.at(-1)!, localP50: percentile(local, 50), localP99: percentile(local, 99) };
    results.push(figures);
    console.log(
      `run ${i}: relay ${Math.round(relay)} events/s with confirms (bare broker ${Math.round(floor)}/s, ${round(relay / floor, 2)}×); ` +
        `append → other store's projection at ${opts.rate}/s: p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms (same store: p50 ${figures.localP50} ms, p99 ${figures.localP99} ms)`,
    );
  } finally {
    await dir.cleanup();
  }
}
const m = (key: keyof (typeof results)[number]) => median(results.map((r) => r[key]));
const summary = {
  bench: 'relay',
  runs: opts.runs,
  relayEventsPerS: Math.round(m('relayPerS')),
  floorEventsPerS: Math.round(m('floorPerS')),
  // The ratio within each run (same sitting), then its median: the machine's load varies between runs.
  relayToFloor: round(median(results.map((r) => r.relayPerS / r.floorPerS)), 2),
  rate: opts.rate,
  lagP50Ms: m('p50'),
  lagP99Ms: m('p99'),
  lagMaxMs: m('max'),
  sameStoreP50Ms: m('localP50'),
  sameStoreP99Ms: m('localP99'),
};
console.log(`medians of ${opts.runs}: relay ${summary.relayEventsPerS} events/s (${summary.relayToFloor}× the bare broker's ${summary.floorEventsPerS}/s); lag p50 ${summary.lagP50Ms} ms, p99 ${summary.lagP99Ms} ms`);
console.log(JSON.stringify(summary));
