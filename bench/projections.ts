/**
 * npm run bench:projections [-- --runs 3 --events 200000 --rebuild-events 1000000]
 * (i) catch-up of a projection that only counts, (ii) one that upserts one row per event, and
 * (iii) peak RSS while rebuilding a projection over a large log. The last line is JSON.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Command } from 'commander';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import pino from 'pino';
import { z } from 'zod';
import {
  defineEvent,
  defineProjection,
  EventRegistry,
  openModuleDatabase,
  ProjectionRunner,
  SqliteEventStore,
  type ProjectionDefinition,
} from '../src/kernel/host.js';
import { tempDir } from '../test/support/tempDir.js';

const opts = new Command('bench:projections')
  .description('Benchmark projection catch-up and rebuild memory')
  .option('--runs <n>', 'runs of the catch-up phases; figures are medians', positiveInteger, 3)
  .option('--events <n>', 'events in the catch-up log', positiveInteger, 200_000)
  .option('--rebuild-events <n>', 'events in the rebuild log', positiveInteger, 1_000_000)
  .option('--rebuild-only <dir>', '(internal) rebuild over the log in <dir> and print the peak RSS')
  .parse()
  .opts<{ runs: number; events: number; rebuildEvents: number; rebuildOnly?: string }>();

const Ticked = defineEvent('bench.Ticked', 1, z.object({ key: z.string(), n: z.number().int() }));
const registry = new EventRegistry([Ticked]);
const log = pino({ level: 'silent' });

const counter = defineProjection({
  name: 'counter',
  version: 1,
  tables: { total: (t) => { t.integer('id').primary(); t.integer('n').notNullable(); } },
  events: [Ticked],
  async applyBatch(events, { db, tables }) {
    await db(tables.total).insert({ id: 1, n: events.length }).onConflict('id').merge({ n: db.raw('n + ?', [events.length]) });
  },
});

const upserter = defineProjection({
  name: 'upserter',
  version: 1,
  tables: { rows: (t) => { t.string('key').primary(); t.integer('n').notNullable(); t.bigInteger('position').notNullable(); } },
  events: [Ticked],
  async applyBatch(events, { db, tables }) {
    // One row per event: keys are unique, so every event inserts or updates its own row.
    const rows = events.map((e) => ({ key: (e.data as { key: string }).key, n: (e.data as { n: number }).n, position: e.position }));
    for (let i = 0; i < rows.length; i += 150) {
      await db(tables.rows).insert(rows.slice(i, i + 150)).onConflict('key').merge();
    }
  },
});

async function fill(store: SqliteEventStore, events: number) {
  const perAppend = 500;
  for (let i = 0; i < events; i += perAppend) {
    const n = Math.min(perAppend, events - i);
    await store.append(`bench.ticks-${i / perAppend}`, Array.from({ length: n }, (_, k) => ({ type: Ticked.type, data: { key: randomUUID(), n: i + k } })));
  }
}

async function catchUp(store: SqliteEventStore, dataDir: string, definition: ProjectionDefinition, module: string): Promise<number> {
  const db = await openModuleDatabase(module, { kind: 'sqlite', dataDir });
  try {
    const runner = new ProjectionRunner(module, definition, store, db, log, { batchSize: 2000 });
    await runner.load();
    const start = process.hrtime.bigint();
    await runner.runUntilCaughtUp();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return Math.round((await store.headPosition()) / seconds);
  } finally {
    await db.destroy();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const dir = await tempDir('seams-bench-proj-');
  try {
    const store = await SqliteEventStore.open({ filename: join(dir.path, 'events.sqlite'), registry });
    await fill(store, opts.events);
    const counts: number[] = [];
    const upserts: number[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      counts.push(await catchUp(store, dir.path, counter, `count-${run}`));
      upserts.push(await catchUp(store, dir.path, upserter, `upsert-${run}`));
      console.log(`run ${run}/${opts.runs}: count ${counts.at(-1)} events/s, upsert ${upserts.at(-1)} events/s`);
    }
    await store.close();

    // Rebuild memory: a fresh log, rebuilt by a child process so the figure is the rebuild's alone.
    mkdirSync(join(dir.path, 'big'));
    const big = await SqliteEventStore.open({ filename: join(dir.path, 'big', 'events.sqlite'), registry });
    await fill(big, opts.rebuildEvents);
    await big.close();
    const child = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--rebuild-only', join(dir.path, 'big')]);
    const peak = Number(child.stdout.trim().split('\n').at(-1));
    console.log(`rebuild of ${opts.rebuildEvents} events: peak RSS ${peak} MB`);
    console.log(JSON.stringify({ countCatchUp: median(counts), upsertCatchUp: median(upserts), rebuildPeakRssMb: peak }));
  } finally {
    await dir.cleanup();
  }
}

/** In the child: rebuild the upserting projection over the log and print the process's peak RSS in MB. */
async function rebuildOnly(dataDir: string) {
  const store = await SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite'), registry });
  const db = await openModuleDatabase('rebuild', { kind: 'sqlite', dataDir });
  const runner = new ProjectionRunner('rebuild', upserter, store, db, log, { batchSize: 2000 });
  await runner.resumeOrRebuild();
  await runner.runUntilCaughtUp();
  await db.destroy();
  await store.close();
  console.log(Math.round(process.resourceUsage().maxRSS / 1024));
}

(opts.rebuildOnly ? rebuildOnly(opts.rebuildOnly) : main()).catch((error) => {
  console.error(`bench:projections failed: ${(error as Error).message}`);
  process.exit(1);
});
