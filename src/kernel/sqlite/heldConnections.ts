import type { Knex } from 'knex';
import { acquire, finalizeStatements, release, type RawDb } from './connection.js';

/**
 * A knex instance's connections taken out of its pool and held for their owner's lifetime, so
 * that hot paths run prepared statements cached on them (`prepared`). `next()` hands them out in
 * turn: several query_only readers of a WAL file each run on a thread-pool thread of their own.
 */
export class HeldConnections {
  private turn = 0;

  private constructor(
    /** The instance they came from, still good for building SQL (and for nothing that needs a pooled connection). */
    readonly knex: Knex,
    private readonly dbs: RawDb[],
  ) {}

  /** Takes every connection of `knex`'s pool (openSqlite's `connections`). */
  static async take(knex: Knex, count: number): Promise<HeldConnections> {
    const dbs: RawDb[] = [];
    for (let i = 0; i < count; i++) dbs.push(await acquire(knex));
    return new HeldConnections(knex, dbs);
  }

  next(): RawDb {
    return this.dbs[this.turn++ % this.dbs.length]!;
  }

  /** Finalizes their statements, gives them back and closes the instance. */
  async close(): Promise<void> {
    for (const db of this.dbs) {
      await finalizeStatements(db);
      await release(this.knex, db);
    }
    await this.knex.destroy();
  }
}
