/**
 * npm run bench:store [-- --runs 3 --store sqlite|postgres --database-url postgres://… --log-size 10000000]
 * Measures the event store's phases of issue #2 and prints, as its last line, one JSON object
 * with each phase's median rate over the runs. `--log-size N` first fills a second log with N
 * events (bench/support/fillLog.ts), then each run also does phases (a) and (c) on it, beside the
 * same phases on a fresh log: keys `singleAppendsAt<N>` and `streamReadsAt<N>` (N as 10M, 500k…),
 * and their ratios to the fresh log's.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import { PostgresEventStore, SqliteEventStore, type EventStore } from '../src/kernel/host.js';
import { dropSchema } from '../src/kernel/event-store/postgres/connection.js';
import { randomSchema, redacted } from '../test/support/postgres.js';
import { tempDir } from '../test/support/tempDir.js';
import { happened, testRegistry } from '../test/support/testEvents.js';
import { fillPostgres, fillSqlite } from './support/fillLog.js';
import { median } from './support/stats.js';

const program = new Command('bench:store')
  .description('Benchmark the event store: appends, batch appends, stream reads, readAll, concurrent appends')
  .addOption(new Option('--store <kind>', 'store adapter').choices(['sqlite', 'postgres']).default('sqlite'))
  .option(
    '--database-url <url>',
    'PostgreSQL server for --store postgres; each run uses a schema of its own and drops it',
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  )
  .option('--runs <n>', 'runs; each figure is the median', positiveInteger, 3)
  .option('--log-size <events>', 'also measure single appends and stream reads on a log filled with this many events first', positiveInteger)
  .parse();
const { runs, store: kind, databaseUrl, logSize } = program.opts<{ runs: number; store: 'sqlite' | 'postgres'; databaseUrl: string; logSize?: number }>();

type Figures = Record<'singleAppends' | 'batchAppends' | 'streamReads' | 'readAll' | 'concurrentAppends', number>;

async function timed(count: number, fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(count / seconds);
}

interface OpenStore {
  store: EventStore;
  /** Appends `count` events the fast way (see fillLog.ts). */
  fill(count: number): Promise<void>;
  cleanup(): Promise<void>;
}

async function openStore(): Promise<OpenStore> {
  if (kind === 'postgres') {
    const schema = randomSchema('seams_bench_');
    const store = await PostgresEventStore.open({ connectionString: databaseUrl, schema, registry: testRegistry() }).catch((error: Error) => {
      throw new Error(`cannot open PostgreSQL at ${redacted(databaseUrl)}: ${error.message}`);
    });
    return { store, fill: (count) => fillPostgres(databaseUrl, schema, count), cleanup: async () => { await store.close(); await dropSchema(databaseUrl, schema); } };
  }
  const dir = await tempDir('seams-bench-');
  const filename = join(dir.path, 'events.sqlite');
  const store = await SqliteEventStore.open({ filename, registry: testRegistry() });
  return { store, fill: (count) => fillSqlite(filename, count), cleanup: async () => { await store.close(); await dir.cleanup(); } };
}

/** (a) 20,000 single-event appends over 2,000 streams, sequential, each with its exact expected revision. */
function singleAppends(store: EventStore): Promise<number> {
  const streams = Array.from({ length: 2000 }, () => `bench.single-${randomUUID()}`);
  const revisions = new Map<string, number>();
  return timed(20_000, async () => {
    for (let i = 0; i < 20_000; i++) {
      const s = streams[i % streams.length]!;
      const expected = revisions.get(s);
      const r = await store.append(s, [happened(i)], { expectedRevision: expected ?? 'no_stream' });
      revisions.set(s, r.nextRevision);
    }
  });
}

/** (c) reading one 10-event stream 5,000 times; returns the rate and the position of the stream's last event. */
async function streamReads(store: EventStore): Promise<{ rate: number; lastAppended: number }> {
  const ten = `bench.ten-${randomUUID()}`;
  const { position: lastAppended } = await store.append(ten, Array.from({ length: 10 }, (_, i) => happened(i)));
  const rate = await timed(5000, async () => {
    for (let i = 0; i < 5000; i++) if ((await store.readStream(ten)).length !== 10) throw new Error('short read');
  });
  return { rate, lastAppended };
}

async function run(): Promise<Figures> {
  const { store, cleanup } = await openStore();
  try {
    const single = await singleAppends(store);

    // (b) 100,000 events in appends of 100 events.
    const batch = Array.from({ length: 100 }, (_, i) => happened(i));
    const batchAppends = await timed(100_000, async () => {
      for (let i = 0; i < 1000; i++) await store.append(`bench.batch-${i}`, batch, { expectedRevision: 'no_stream' });
    });

    const { rate: reads, lastAppended } = await streamReads(store);

    // (d) reading all events from the start, in pages. Counted in events, not positions:
    // positions are gap-free on SQLite only.
    // On PostgreSQL the head may trail an acknowledged append while another transaction is open.
    let head = await store.headPosition();
    for (; head < lastAppended; head = await store.headPosition()) await store.waitForAppend(head, 1000);
    const total = 20_000 + 100_000 + 10; // phases (a), (b) and (c)
    const readAll = await timed(total, async () => {
      let after = 0;
      let read = 0;
      while (after < head) {
        const page = await store.readAll({ after, maxCount: 5000 });
        after = page[page.length - 1]!.position;
        read += page.length;
      }
      if (read !== total) throw new Error(`readAll returned ${read} events, expected ${total}`);
    });

    // (e) 64 concurrent writers doing single-event appends to their own streams, 20,000 in all.
    const concurrentAppends = await timed(20_000, async () => {
      await Promise.all(
        Array.from({ length: 64 }, async (_, w) => {
          const own = `bench.writer-${w}-${randomUUID()}`;
          let revision: number | 'no_stream' = 'no_stream';
          for (let i = w; i < 20_000; i += 64) {
            revision = (await store.append(own, [happened(i)], { expectedRevision: revision })).nextRevision;
          }
        }),
      );
    });
    return { singleAppends: single, batchAppends, streamReads: reads, readAll, concurrentAppends };
  } finally {
    await cleanup();
  }
}

/** 10000000 → 10M, 500000 → 500k. */
const sizeLabel = (n: number) => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 100 === 0 ? `${n / 1000}k` : String(n));

let large: OpenStore | undefined;
try {
  if (logSize) {
    console.log(`filling a ${kind} log with ${logSize.toLocaleString('en')} events…`);
    large = await openStore();
    await large.fill(logSize);
  }
  const all: Record<string, number>[] = [];
  for (let i = 1; i <= runs; i++) {
    const figures: Record<string, number> = { ...(await run()) };
    if (large) {
      const label = sizeLabel(logSize!);
      figures[`singleAppendsAt${label}`] = await singleAppends(large.store);
      figures[`streamReadsAt${label}`] = (await streamReads(large.store)).rate;
    }
    all.push(figures);
    console.log(`run ${i}/${runs}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}/s`).join(', ')}`);
  }
  const result: Record<string, number> = Object.fromEntries(Object.keys(all[0]!).map((k) => [k, median(all.map((f) => f[k]!))]));
  if (large) {
    const label = sizeLabel(logSize!);
    result[`singleAppendsAt${label}Ratio`] = Math.round((result[`singleAppendsAt${label}`]! / result.singleAppends!) * 100) / 100;
    result[`streamReadsAt${label}Ratio`] = Math.round((result[`streamReadsAt${label}`]! / result.streamReads!) * 100) / 100;
  }
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(`bench:store failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await large?.cleanup();
}
