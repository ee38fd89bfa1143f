/**
 * npm run bench:store [-- --runs 3 --store sqlite|postgres --database-url postgres://…]
 * Measures the event store's phases of issue #2 and prints, as its last line, one JSON object
 * with each phase's median rate over the runs.
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

const program = new Command('bench:store')
  .description('Benchmark the event store: appends, batch appends, stream reads, readAll, concurrent appends')
  .addOption(new Option('--store <kind>', 'store adapter').choices(['sqlite', 'postgres']).default('sqlite'))
  .option(
    '--database-url <url>',
    'PostgreSQL server for --store postgres; each run uses a schema of its own and drops it',
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  )
  .option('--runs <n>', 'runs; each figure is the median', positiveInteger, 3)
  .parse();
const { runs, store: kind, databaseUrl } = program.opts<{ runs: number; store: 'sqlite' | 'postgres'; databaseUrl: string }>();

type Figures = Record<'singleAppends' | 'batchAppends' | 'streamReads' | 'readAll' | 'concurrentAppends', number>;

async function timed(count: number, fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(count / seconds);
}

async function openStore(): Promise<{ store: EventStore; cleanup(): Promise<void> }> {
  if (kind === 'postgres') {
    const schema = randomSchema('seams_bench_');
    const store = await PostgresEventStore.open({ connectionString: databaseUrl, schema, registry: testRegistry() }).catch((error: Error) => {
      throw new Error(`cannot open PostgreSQL at ${redacted(databaseUrl)}: ${error.message}`);
    });
    return { store, cleanup: async () => { await store.close(); await dropSchema(databaseUrl, schema); } };
  }
  const dir = await tempDir('seams-bench-');
  const store = await SqliteEventStore.open({ filename: join(dir.path, 'events.sqlite'), registry: testRegistry() });
  return { store, cleanup: async () => { await store.close(); await dir.cleanup(); } };
}

async function run(): Promise<Figures> {
  const { store, cleanup } = await openStore();
  try {
    // (a) 20,000 single-event appends over 2,000 streams, sequential, each with its exact expected revision.
    const streams = Array.from({ length: 2000 }, () => `bench.single-${randomUUID()}`);
    const revisions = new Map<string, number>();
    const singleAppends = await timed(20_000, async () => {
      for (let i = 0; i < 20_000; i++) {
        const s = streams[i % streams.length]!;
        const expected = revisions.get(s);
        const r = await store.append(s, [happened(i)], { expectedRevision: expected ?? 'no_stream' });
        revisions.set(s, r.nextRevision);
      }
    });

    // (b) 100,000 events in appends of 100 events.
    const batch = Array.from({ length: 100 }, (_, i) => happened(i));
    const batchAppends = await timed(100_000, async () => {
      for (let i = 0; i < 1000; i++) await store.append(`bench.batch-${i}`, batch, { expectedRevision: 'no_stream' });
    });

    // (c) reading one 10-event stream 5,000 times.
    const ten = `bench.ten-${randomUUID()}`;
    const { position: lastAppended } = await store.append(ten, batch.slice(0, 10));
    const streamReads = await timed(5000, async () => {
      for (let i = 0; i < 5000; i++) if ((await store.readStream(ten)).length !== 10) throw new Error('short read');
    });

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
    return { singleAppends, batchAppends, streamReads, readAll, concurrentAppends };
  } finally {
    await cleanup();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const all: Figures[] = [];
  for (let i = 1; i <= runs; i++) {
    const figures = await run();
    all.push(figures);
    console.log(`run ${i}/${runs}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}/s`).join(', ')}`);
  }
  const result = Object.fromEntries(Object.keys(all[0]!).map((k) => [k, median(all.map((f) => f[k as keyof Figures]))]));
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(`bench:store failed: ${(error as Error).message}`);
  process.exit(1);
}
