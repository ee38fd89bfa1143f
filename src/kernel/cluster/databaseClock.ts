import type { Knex } from 'knex';

/**
 * The database's clock in milliseconds since the epoch, as SQL: leases are judged by it, not by
 * each process's own clock, so processes whose clocks disagree still agree on who holds a lease.
 */
export function databaseNow(db: Knex): string {
  return db.client.config.client === 'pg' ? `(extract(epoch from clock_timestamp()) * 1000)::bigint` : `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
}
