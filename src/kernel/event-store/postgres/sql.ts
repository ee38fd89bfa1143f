import type { StoredEvent } from '../prepare.js';
import type { PgClient } from './connection.js';

/**
 * The adapter's SQL, schema-qualified (the schema name is checked to be a plain identifier).
 * Statements are named so pg prepares each once per connection.
 */

export const COLUMNS = 'position, id, stream, revision, type, schema_version, data, metadata, recorded_at';

/**
 * Every transaction below the snapshot's xmin has ended, so events below this position are
 * final: nothing can still commit beneath it. Evaluated in the same statement as the read, so
 * both use one snapshot.
 */
export const HORIZON = '(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20)';

export type EventRow = StoredEvent & { position: string; recorded_at: Date };

/** One event to insert; `index` is its place in the inserting transaction. */
import type { NewRow } from '../groupCommit.js';

export type { NewRow };

export class Statements {
  readonly table: string;

  constructor(readonly schema: string) {
    this.table = `"${schema}".events`;
  }

  /** Last revision of each stream (NULL when it does not exist), each found by one index probe. */
  revisions(client: PgClient, streams: string[]): Promise<{ stream: string; revision: number | null }[]> {
    return rows(client, 'seams_revisions', `SELECT s.stream, (SELECT max(revision) FROM ${this.table} e WHERE e.stream = s.stream) AS revision FROM unnest($1::text[]) AS s(stream)`, [streams]);
  }

  byIds(client: PgClient, ids: string[]): Promise<Pick<EventRow, 'id' | 'stream' | 'revision' | 'position' | 'type' | 'data'>[]> {
    return rows(client, 'seams_by_ids', `SELECT id, stream, revision, position, type, data FROM ${this.table} WHERE id = ANY($1::text[])`, [ids]);
  }

  /**
   * Inserts rows in one statement, hence one transaction unless the client has opened one, and
   * returns that transaction's id. Tests use it on their own client to hold a write open.
   */
  async insert(client: PgClient, newRows: readonly NewRow[]): Promise<bigint> {
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const r of newRows) {
      [r.index, r.id, r.stream, r.revision, r.type, r.schemaVersion, r.data, r.metadata].forEach((v, i) => columns[i]!.push(v));
    }
    const [row] = await rows<{ transaction_id: string }>(
      client,
      'seams_insert',
      `WITH inserted AS (
         INSERT INTO ${this.table} (position, transaction_id, id, stream, revision, type, schema_version, data, metadata, recorded_at)
         SELECT (pg_current_xact_id()::text::bigint << 20) + r.idx, pg_current_xact_id(), r.id, r.stream, r.revision, r.type, r.schema_version, r.data, r.metadata, now()
         FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[])
           AS r(idx, id, stream, revision, type, schema_version, data, metadata)
         RETURNING 1
       )
       SELECT pg_current_xact_id()::text AS transaction_id, count(*) FROM inserted`,
      columns,
    );
    return BigInt(row!.transaction_id);
  }

  readStream(client: PgClient, stream: string, from: number, limit: number | null, backwards: boolean): Promise<EventRow[]> {
    return backwards
      ? rows(client, 'seams_read_stream_backwards', `SELECT ${COLUMNS} FROM ${this.table} WHERE stream = $1 AND revision <= $2::bigint ORDER BY revision DESC LIMIT $3`, [stream, from, limit])
      : rows(client, 'seams_read_stream', `SELECT ${COLUMNS} FROM ${this.table} WHERE stream = $1 AND revision >= $2::bigint ORDER BY revision LIMIT $3`, [stream, from, limit]);
  }

  async streamRevision(client: PgClient, stream: string): Promise<number> {
    const [row] = await rows<{ revision: number }>(client, 'seams_stream_revision', `SELECT coalesce(max(revision), -1) AS revision FROM ${this.table} WHERE stream = $1`, [stream]);
    return row!.revision;
  }

  /** The newest transaction id in the log and the next one the server will assign. */
  async transactionIds(client: PgClient): Promise<{ newestInLog: bigint; nextOnServer: bigint }> {
    const [row] = await rows<{ newest: string; next: string }>(
      client,
      'seams_transaction_ids',
      `SELECT coalesce(max(position) >> 20, 0)::text AS newest, pg_snapshot_xmax(pg_current_snapshot())::text AS next FROM ${this.table}`,
      [],
    );
    return { newestInLog: BigInt(row!.newest), nextOnServer: BigInt(row!.next) };
  }

  async head(client: PgClient): Promise<number> {
    const [row] = await rows<{ head: string }>(client, 'seams_head', `SELECT coalesce(max(position), 0) AS head FROM ${this.table} WHERE position < ${HORIZON}`, []);
    return Number(row!.head);
  }

  /** Events after a position and below the horizon; each combination of options is its own prepared statement. */
  readAll(
    client: PgClient,
    options: { after: number; upTo?: number; maxCount?: number; eventTypes?: readonly string[]; streamPrefixes?: readonly string[]; correlationId?: string },
  ): Promise<EventRow[]> {
    const values: unknown[] = [options.after];
    const where = [`position > $1`, `position < ${HORIZON}`];
    const name = ['seams_read_all'];
    if (options.upTo !== undefined) {
      values.push(options.upTo);
      where.push(`position <= $${values.length}`);
      name.push('up_to');
    }
    if (options.eventTypes) {
      values.push([...options.eventTypes]);
      where.push(`type = ANY($${values.length}::text[])`);
      name.push('types');
    }
    if (options.streamPrefixes) {
      // starts_with is literal: `%` and `_` in a prefix are not wildcards.
      values.push([...options.streamPrefixes]);
      where.push(`EXISTS (SELECT 1 FROM unnest($${values.length}::text[]) AS p(prefix) WHERE starts_with(stream, p.prefix))`);
      name.push('prefixes');
    }
    if (options.correlationId !== undefined) {
      // The expression of the events_correlation index.
      values.push(options.correlationId);
      where.push(`(metadata::jsonb ->> 'correlationId') = $${values.length}`);
      name.push('correlation');
    }
    values.push(options.maxCount ?? null);
    return rows(client, name.join('_'), `SELECT ${COLUMNS} FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${values.length}`, values);
  }
}

async function rows<T>(client: PgClient, name: string, text: string, values: unknown[]): Promise<T[]> {
  return (await client.query({ name, text, values })).rows as T[];
}
