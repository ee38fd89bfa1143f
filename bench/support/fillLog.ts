/**
 * Fills a log with `count` events fast, for the benches that measure a store with a large log
 * behind it: rows made inside the database (a recursive CTE on SQLite, generate_series on
 * PostgreSQL), a million per transaction, with progress. The events are `test.Happened`, ten per
 * stream, with ids in ascending order (the bench's own appends then add random UUIDs to an index
 * of `count` entries, as in a real log; only the fill is cheaper than real appends would be).
 */
import pg from 'pg';
import { acquire, exec, openSqlite, release } from '../../src/kernel/sqlite/connection.js';

const CHUNK = 1_000_000;

function report(done: number, count: number, started: number): void {
  const s = (performance.now() - started) / 1000;
  console.log(`  filled ${done.toLocaleString('en')}/${count.toLocaleString('en')} events in ${s.toFixed(0)} s (${Math.round(done / s).toLocaleString('en')}/s)`);
}

/** Appends `count` events to the SQLite log in `filename` (migrated, with no other writer busy). */
export async function fillSqlite(filename: string, count: number): Promise<void> {
  const knex = openSqlite({ filename, synchronous: 'OFF' });
  const db = await acquire(knex);
  const started = performance.now();
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(CHUNK, count - done);
      await exec(
        db,
        `BEGIN IMMEDIATE;
         WITH RECURSIVE seq(x) AS (SELECT ${done + 1} UNION ALL SELECT x + 1 FROM seq WHERE x < ${done + n})
         INSERT INTO events (position, id, stream, revision, type, schema_version, data, metadata, recorded_at)
         SELECT coalesce((SELECT max(position) FROM events), 0) + x - ${done}, printf('00000000-0000-4000-8000-%012d', x), 'bench.fill-' || (x / 10), x % 10,
                'test.Happened', 1, '{"n":' || x || '}', '{}', CAST(strftime('%s','now') AS INTEGER) * 1000
         FROM seq;
         COMMIT;`,
      );
      done += n;
      report(done, count, started);
    }
    // Into the database file and onto the disk, as in a log that grew over time: reads do not go
    // through a WAL of gigabytes, and the bench's fsyncs do not queue behind gigabytes of writeback.
    await exec(db, 'PRAGMA synchronous = FULL; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;');
  } finally {
    await release(knex, db);
    await knex.destroy();
  }
}

/** Appends `count` events to the PostgreSQL log in `schema`: one transaction per million (a position carries its transaction's id and a 20-bit index). */
export async function fillPostgres(connectionString: string, schema: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const started = performance.now();
  try {
    await client.query(`SET search_path TO "${schema}"; SET synchronous_commit TO off`);
    for (let done = 0; done < count; ) {
      const n = Math.min(CHUNK, count - done);
      await client.query(
        `INSERT INTO events (position, transaction_id, id, stream, revision, type, schema_version, data, metadata, recorded_at)
         SELECT (pg_current_xact_id()::text::bigint << 20) + g, pg_current_xact_id(), '00000000-0000-4000-8000-' || lpad((${done} + g)::text, 12, '0'),
                'bench.fill-' || ((${done} + g) / 10), (${done} + g) % 10, 'test.Happened', 1, '{"n":' || (${done} + g) || '}', '{}', now()
         FROM generate_series(0, ${n - 1}) g`,
      );
      done += n;
      report(done, count, started);
    }
    await client.query('ANALYZE events');
  } finally {
    await client.end();
  }
}
