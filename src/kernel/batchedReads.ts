import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { ModuleContext } from './types/module.js';

/** Keys in one `IN (…)` list: well under SQLite's limit of bound variables. */
const MAX_KEYS = 500;

/** Whatever reads: a module's context, or just a database handle's holder (the kernel's own bookkeeping). */
interface Reading {
  db: Knex;
}

interface Read<C, K> {
  ctx: C;
  key: K;
}

/**
 * Reads of one row by its key, gathered: every read asked for in one turn of the event loop (all
 * the requests that arrived together) goes to the database as one query for all their keys, not
 * one query each. On SQLite each query is a trip through libuv's thread pool and back to the main
 * thread, and that turnaround under load, not the lookup (tens of µs), is what a read cost:
 * bench:http's reads of single items went from 0.16× the floor's constant answer to 0.53× with them
 * gathered (docs/DESIGN.md). PostgreSQL is spared the round trips as well.
 *
 * Nothing is cached: each read sees the database as its query finds it, and that query runs after
 * the read was asked for, so a `Min-Position` wait done before still holds. Reads are gathered
 * per database handle (a module's reader, its writer, one transaction), never across them.
 *
 * `load` answers the rows it finds for some keys, in any order; `keyOf` says whose each is.
 */
export function batchedReads<K, R, C extends Reading = ModuleContext>(
  load: (ctx: C, keys: readonly K[]) => Promise<readonly R[]>,
  keyOf: (row: R) => K,
): (ctx: C, key: K) => Promise<R | undefined> {
  return gathered(load, keyOf, false) as (ctx: C, key: K) => Promise<R | undefined>;
}

/** The same, for keys with any number of rows each (a projection's generations, say): every row of the key, in the order `load` answers them. */
export function batchedGroupReads<K, R, C extends Reading = ModuleContext>(
  load: (ctx: C, keys: readonly K[]) => Promise<readonly R[]>,
  keyOf: (row: R) => K,
): (ctx: C, key: K) => Promise<R[]> {
  return gathered(load, keyOf, true) as (ctx: C, key: K) => Promise<R[]>;
}

function gathered<K, R, C extends Reading>(load: (ctx: C, keys: readonly K[]) => Promise<readonly R[]>, keyOf: (row: R) => K, many: boolean): (ctx: C, key: K) => Promise<R | R[] | undefined> {
  type T = R | R[] | undefined;
  const loaders = new WeakMap<Knex, DataLoader<Read<C, K>, T>>();
  const loaderFor = (db: Knex) => {
    let loader = loaders.get(db);
    if (!loader) {
      loader = new DataLoader<Read<C, K>, T>(
        async (reads) => {
          // The handle is the same for the whole batch; any read's context queries it.
          const rows = await load(reads[0]!.ctx, [...new Set(reads.map((r) => r.key))]);
          if (!many) {
            const byKey = new Map(rows.map((row) => [keyOf(row), row]));
            return reads.map((r) => byKey.get(r.key));
          }
          const groups = new Map<K, R[]>();
          for (const row of rows) {
            const key = keyOf(row);
            const group = groups.get(key);
            if (group) group.push(row);
            else groups.set(key, [row]);
          }
          return reads.map((r) => groups.get(r.key) ?? []);
        },
        // cache: off, so that a read never answers what an earlier one found. The batch waits for
        // setImmediate, not the end of this tick, to take in the requests of the whole turn.
        { cache: false, maxBatchSize: MAX_KEYS, batchScheduleFn: (run) => setImmediate(run) },
      );
      loaders.set(db, loader);
    }
    return loader;
  };
  return (ctx, key) => loaderFor(ctx.db).load({ ctx, key });
}
