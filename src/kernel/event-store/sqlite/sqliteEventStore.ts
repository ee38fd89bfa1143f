import { EventEmitter } from 'node:events';
import type { EventRegistry } from '../../contracts/registry.js';
import { migrateLatest } from '../../migrate.js';
import { checkExpectedRevision, checkStreamName, prepareEvents, toRecorded, type StoredEvent } from '../prepare.js';
import { catchUpSubscription, sleepUntilAppended } from '../subscription.js';
import { GroupCommit, decide, type KnownEvent, type PendingAppend } from '../groupCommit.js';
import type { AppendOptions, AppendResult, EventStore, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../../types/eventStore.js';
import { all, exec, openSqlite, prepared, run, type RawDb, type Synchronous } from '../../sqlite/connection.js';
import { HeldConnections } from '../../sqlite/heldConnections.js';
import { chunks } from '../../sqlite/statementChunks.js';
import { RecentEvents } from './recentEvents.js';
import { GatheredStreamReads } from './gatheredStreamReads.js';

export interface SqliteEventStoreOptions {
  filename: string;
  registry: EventRegistry;
  /** `FULL` (default) makes every acknowledged append survive a power cut. */
  synchronous?: Synchronous;
  maxEventBytes?: number;
  /** How often a caught-up reader looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Test hook: runs between an unlocked batch's read of the head and its insert (where another process may append). */
  beforeUnlockedInsert?: () => Promise<void>;
}

type EventRow = StoredEvent & { position: number; recorded_at: number };

const COLUMNS = 'position, id, stream, revision, type, schema_version, data, metadata, recorded_at';
/** A stream from a revision on, either way (LIMIT -1: all of it). */
const FORWARDS = `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`;
const BACKWARDS = `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`;
/** Several streams, each from its own revision: json_each drives the loop, each pair a range of the (stream, revision) index. */
const STREAMS_FROM = `SELECT ${COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM json_each(?) AS r CROSS JOIN events AS e
  ON e.stream = json_extract(r.value, '$[0]') AND e.revision >= json_extract(r.value, '$[1]') ORDER BY e.stream, e.revision`;
const ROWS_PER_INSERT = 100;
const MAX_APPENDS_PER_COMMIT = 1000;
/**
 * Tries of a one-statement batch without the write lock before it takes the lock. Each lost race
 * means another process appended between our read of the head and our insert; a process slowed
 * by its load keeps losing to faster ones (chaos seed 1: ten lost races in a row became a 500),
 * while under the lock it cannot lose.
 */
const UNLOCKED_TRIES = 2;
/**
 * Reader connections. Every command handler reads its stream and every authenticated request
 * scans the credential events; on one connection those reads queued 20 ms deep under bench:jobs'
 * intake (a second one: intake 443-469 → 581-639 POST/s, the pipeline 188-193 → 199-212 jobs/s;
 * a third did no better on 2 cores).
 */
const READ_CONNECTIONS = 2;

/**
 * The embedded default store. Writes go through one queue: appends that arrive while a commit
 * is running are committed together in the next transaction (group commit), each with its own
 * revision check and outcome. Reads use connections of their own (query_only), so they see only
 * committed events.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly appended = new EventEmitter();
  private readonly commits = new GroupCommit<PendingAppend>({
    commit: (batch) => this.commit(batch),
    take: (queue) => Math.min(queue.length, MAX_APPENDS_PER_COMMIT),
  });
  private lastCommittedHead = 0;
  /** Whole-stream reads (forwards, no limit: what deciders ask), gathered while both readers are busy. */
  private readonly streamReads = new GatheredStreamReads<EventRow>((from) =>
    from.length === 1 ? all<EventRow>(prepared(this.readers.next(), FORWARDS), [...from[0]!, -1]) : all<EventRow>(prepared(this.readers.next(), STREAMS_FROM), [JSON.stringify(from)]),
  );
  /** What this process appended last: the tail's readers are answered from it (recentEvents.ts). */
  private readonly recent = new RecentEvents<unknown[]>({
    position: (row) => row[0] as number,
    stream: (row) => row[2] as string,
    type: (row) => row[4] as string,
    toEvent: ([position, id, stream, revision, type, schema_version, data, metadata, recorded_at]) =>
      toRecorded(this.options.registry, { position, id, stream, revision, type, schema_version, data, metadata, recorded_at } as EventRow),
  });

  private constructor(
    /** One connection that writes, and the readers', held for the store's lifetime. */
    private readonly writer: HeldConnections,
    private readonly readers: HeldConnections,
    private readonly options: SqliteEventStoreOptions,
  ) {
    this.appended.setMaxListeners(0);
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    // The writer's large cache keeps the id and stream indexes' hot pages in memory for appends.
    const writer = openSqlite({ filename: options.filename, synchronous: options.synchronous, cacheKiB: 65536 });
    try {
      await migrateLatest(writer, 'event-store', 'event_store_migrations');
    } catch (error) {
      await writer.destroy();
      throw error;
    }
    const reader = openSqlite({ filename: options.filename, synchronous: options.synchronous, queryOnly: true, connections: READ_CONNECTIONS });
    return new SqliteEventStore(await HeldConnections.take(writer, 1), await HeldConnections.take(reader, READ_CONNECTIONS), options);
  }

  append(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      const expected = options.expectedRevision ?? 'any';
      checkExpectedRevision(expected);
      const prepared = prepareEvents(this.options.registry, stream, events, this.options.maxEventBytes);
      return this.commits.enqueue({ stream, events: prepared, expected, callerIds: events.some((e) => e.id !== undefined) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async commit(batch: PendingAppend[]): Promise<(AppendResult | Error)[]> {
    const db = this.writer.next();
    // A batch that fits one INSERT needs no explicit transaction: the statement is atomic, and
    // if another process appends between our read and our write, the unique position and
    // (stream, revision) constraints refuse ours and we decide again. Saves two round trips.
    // After UNLOCKED_TRIES lost races it decides under the write lock, where it cannot lose.
    const oneStatement = batch.reduce((n, a) => n + a.events.length, 0) <= ROWS_PER_INSERT;
    for (let attempt = 1; ; attempt++) {
      const unlocked = oneStatement && attempt <= UNLOCKED_TRIES;
      // IMMEDIATE takes the write lock at once: other processes on this file queue behind busy_timeout.
      if (!unlocked) await exec(db, 'BEGIN IMMEDIATE');
      try {
        const { outcomes, rows } = await this.decide(db, batch);
        if (unlocked) await this.options.beforeUnlockedInsert?.();
        for (const chunk of chunks(rows, ROWS_PER_INSERT)) {
          const placeholders = Array(chunk.length).fill('(?,?,?,?,?,?,?,?,?)').join(',');
          await run(prepared(db, `INSERT INTO events (${COLUMNS}) VALUES ${placeholders}`), chunk.flat());
        }
        if (!unlocked) await exec(db, 'COMMIT');
        this.recent.add(rows);
        const last = outcomes.reduce((max, o) => (o instanceof Error ? max : Math.max(max, o.position)), 0);
        if (last > this.lastCommittedHead) this.lastCommittedHead = last;
        this.appended.emit('appended', this.lastCommittedHead);
        return outcomes;
      } catch (error) {
        if (!unlocked) await exec(db, 'ROLLBACK').catch(() => undefined);
        // Raced: another process appended between our read and our insert; decide again (under the lock after UNLOCKED_TRIES).
        if (!(unlocked && (error as { code?: string }).code === 'SQLITE_CONSTRAINT')) throw error;
      }
    }
  }

  /** Checks every append of the batch in order against the log and the batch's own earlier appends. */
  private async decide(db: RawDb, batch: PendingAppend[]): Promise<{ outcomes: (AppendResult | Error)[]; rows: unknown[][] }> {
    // One round trip for the head, the last revision of every stream the batch touches, and the
    // rows already in the log under the batch's caller-given event ids (for idempotent retries):
    // commits are serialized on the writer, so each trip saved is taken off every append's path.
    const streams = [...new Set(batch.map((a) => a.stream))];
    const callerIds = batch.filter((a) => a.callerIds).flatMap((a) => a.events.map((e) => e.id));
    const revisions = new Map<string, number>();
    const known = new Map<string, KnownEvent>();
    let head = 0;
    for (const row of await all<{ id: string | null; stream: string | null; revision: number; position: number | null; type: string | null; data: string | null }>(
      prepared(
        db,
        `SELECT NULL AS id, NULL AS stream, coalesce(max(position), 0) AS revision, NULL AS position, NULL AS type, NULL AS data FROM events
         UNION ALL
         SELECT NULL, stream, max(revision), NULL, NULL, NULL FROM events WHERE stream IN (SELECT value FROM json_each(?)) GROUP BY stream
         UNION ALL
         SELECT id, stream, revision, position, type, data FROM events WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      [JSON.stringify(streams), JSON.stringify(callerIds)],
    )) {
      if (row.id !== null) known.set(row.id, row as KnownEvent);
      else if (row.stream === null) head = row.revision;
      else revisions.set(row.stream, row.revision);
    }

    const { decisions, rows } = decide(batch, revisions, known);
    const now = Date.now();
    // One writer at a time on this file: the batch's rows follow the head in order.
    const outcomes = decisions.map((d) => (d instanceof Error ? d : { nextRevision: d.nextRevision, position: d.position ?? head + d.index! + 1 }));
    return { outcomes, rows: rows.map((r) => [head + r.index + 1, r.id, r.stream, r.revision, r.type, r.schemaVersion, r.data, r.metadata, now]) };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkStreamName(stream);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const limit = options.maxCount ?? -1;
    if (!backwards && limit < 0) return (await this.streamReads.read(stream, from)).map((row) => toRecorded(this.options.registry, row));
    const rows = await all<EventRow>(prepared(this.readers.next(), backwards ? BACKWARDS : FORWARDS), [stream, from, limit]);
    return rows.map((row) => toRecorded(this.options.registry, row));
  }

  async streamRevision(stream: string): Promise<number> {
    checkStreamName(stream);
    const rows = await all<{ revision: number | null }>(
      prepared(this.readers.next(), 'SELECT max(revision) AS revision FROM events WHERE stream = ?'),
      [stream],
    );
    return rows[0]?.revision ?? -1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const recent = this.recent.read(options);
    if (recent) return recent;
    const query = this.readers.knex('events')
      .select(COLUMNS.split(', '))
      .where('position', '>', options.after ?? 0)
      .orderBy('position');
    if (options.upTo !== undefined) query.andWhere('position', '<=', options.upTo);
    if (options.maxCount !== undefined) query.limit(options.maxCount);
    const { eventTypes, streamPrefixes, correlationId } = options.filter ?? {};
    if (eventTypes) query.whereIn('type', [...eventTypes]);
    // The expression of the events_correlation index, so the read is one range of it.
    if (correlationId !== undefined) query.andWhereRaw(`json_extract(metadata, '$.correlationId') = ?`, [correlationId]);
    if (streamPrefixes) {
      query.andWhere((q) => {
        for (const prefix of streamPrefixes) q.orWhereRaw('substr(stream, 1, ?) = ?', [prefix.length, prefix]);
      });
    }
    const { sql, bindings } = query.toSQL();
    const rows = await all<EventRow>(prepared(this.readers.next(), sql), bindings as unknown[]);
    return rows.map((row) => toRecorded(this.options.registry, row));
  }

  async headPosition(): Promise<number> {
    const rows = await all<{ head: number }>(prepared(this.readers.next(), 'SELECT coalesce(max(position), 0) AS head FROM events'), []);
    return rows[0]!.head;
  }

  knownHead(): number {
    return this.lastCommittedHead;
  }

  async waitForAppend(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.lastCommittedHead > after || signal?.aborted) return;
    // Other processes' commits raise no event here: look again after the poll interval.
    await sleepUntilAppended(this.appended, after, Math.min(timeoutMs, this.options.pollIntervalMs ?? 250), signal);
  }

  subscribe(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    return catchUpSubscription(this, options, handler);
  }

  /**
   * The readers close first, the writer last and alone. The last connection to close folds the
   * write-ahead log into the file and deletes it, but only if it finds no other connection open:
   * two closing at once on libuv's threads may each see the other and both leave it. A stopped
   * process's file must be the whole log, as a backup copies only that file (a restore of the
   * file without its WAL lost events, or read as empty beside the stale one).
   */
  async close(): Promise<void> {
    await this.commits.idle();
    await this.readers.close();
    await this.writer.close();
  }
}
