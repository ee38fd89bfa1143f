import type { Knex } from 'knex';

/**
 * The PostgreSQL log. Runs with the store's schema as the search path.
 *
 * - `position` encodes (transaction_id, index in transaction); see
 *   src/kernel/event-store/postgres/positions.ts. The two CHECKs keep it exact: the position
 *   must carry its own transaction's id (so the index fits 20 bits), and that id must be below
 *   2^33 (so the position stays below 2^53).
 * - unique (stream, revision) and unique id are the arbiters between processes that append at
 *   the same time: the loser's statement fails and it decides again.
 * - text columns use the "C" collation: ids, streams and types compare byte-wise, as on SQLite,
 *   and their indexes are cheaper. data and metadata stay text so a retry can be compared with
 *   the stored JSON byte for byte.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE events (
      position bigint PRIMARY KEY,
      transaction_id xid8 NOT NULL,
      id text COLLATE "C" NOT NULL,
      stream text COLLATE "C" NOT NULL,
      revision integer NOT NULL,
      type text COLLATE "C" NOT NULL,
      schema_version integer NOT NULL,
      data text NOT NULL,
      metadata text NOT NULL,
      recorded_at timestamptz NOT NULL,
      CONSTRAINT events_id_unique UNIQUE (id),
      CONSTRAINT events_stream_revision_unique UNIQUE (stream, revision),
      CONSTRAINT events_position_of_transaction CHECK (position >> 20 = transaction_id::text::bigint),
      CONSTRAINT events_transaction_id_limit CHECK (transaction_id < '8589934592'::xid8)
    )`);
  await knex.raw('CREATE INDEX events_type_position ON events (type, position)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE events');
}
