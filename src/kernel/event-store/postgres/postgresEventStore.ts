import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { EventRegistry } from '../../contracts/registry.js';
import { ValidationError } from '../../errors.js';
import { checkExpectedRevision, checkStreamName, prepareEvents, toRecorded } from '../prepare.js';
import { catchUpSubscription, sleepUntilAppended } from '../subscription.js';
import type { AppendOptions, AppendResult, EventStore, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../../types/eventStore.js';
import { openPostgres, sqlState, withClient } from './connection.js';
import { GroupCommit, decide, type KnownEvent } from '../groupCommit.js';
import { UnknownOutcomeError, checkTransactionCounter, fitting, type PendingAppend } from './batches.js';

import { migrateEventStore } from './migrate.js';
import { encodePosition, MAX_EVENTS_PER_TRANSACTION } from './positions.js';
import { Statements, type EventRow } from './sql.js';

export interface PostgresEventStoreOptions {
  /** e.g. postgres://user:password@host:5432/database */
  connectionString: string;
  /** The schema that holds the log (created if missing); default `event_store`. */
  schema?: string;
  registry: EventRegistry;
  maxEventBytes?: number;
  /** How often a caught-up reader looks for appends made by other processes (or held back by an open transaction). */
  pollIntervalMs?: number;
  /** Connections in the pool; one commits at a time, the rest serve reads. Default 10. */
  poolSize?: number;
}

export const DEFAULT_SCHEMA = 'event_store';
/** Each retry means another process committed a conflicting row, so this bounds pathological contention only. */
const MAX_ATTEMPTS = 50;
/** unique_violation and deadlock_detected: a concurrent writer won a (stream, revision) or an event id. */
const RACE_STATES = new Set(['23505', '40P01']);

/**
 * The PostgreSQL store, for several processes or machines sharing one log.
 *
 * Order: a row's position encodes the id of the transaction that wrote it (positions.ts), and
 * readAll / headPosition see only rows below the oldest running transaction (sql.ts HORIZON).
 * Everything a reader sees is final, and anything that becomes visible later has a greater
 * position, so a reader never skips an event; a long transaction elsewhere shows as lag.
 *
 * Writes: appends that arrive while a commit runs are committed together in one INSERT
 * statement (group commit), each with its own revision check and outcome. Between processes,
 * the unique (stream, revision) and unique id constraints are the arbiters: the decision is read
 * without locks, and if another process wrote a conflicting row in the meantime our statement
 * fails as a whole, nothing of it is written, and the batch is decided again against the new
 * state. That needs no locks (advisory locks per stream would cost a round trip and serialise
 * every writer of a hot stream even when no one races), and a batch is one statement, so two
 * round trips in all: read the revisions, insert.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  private readonly appended = new EventEmitter();
  private readonly commits = new GroupCommit<PendingAppend>({
    commit: (batch) => this.commit(batch),
    take: fitting,
    // No answer to the INSERT: it may have committed, and committing each append again could write it twice.
    final: (error) => error instanceof UnknownOutcomeError,
  });
  /** Highest position committed by this store (it may still be above the horizon). */
  private lastCommitted = 0;

  private constructor(
    private readonly knex: Knex,
    private readonly sql: Statements,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.appended.setMaxListeners(0);
  }

  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const knex = openPostgres(options.connectionString, schema, options.poolSize);
    const sql = new Statements(schema);
    try {
      await migrateEventStore(knex, schema);
      await checkTransactionCounter(knex, sql);
    } catch (error) {
      await knex.destroy();
      throw error;
    }
    return new PostgresEventStore(knex, sql, options);
  }

  append(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      const expected = options.expectedRevision ?? 'any';
      checkExpectedRevision(expected);
      if (Array.isArray(events) && events.length > MAX_EVENTS_PER_TRANSACTION) {
        throw new ValidationError(`an append holds ${events.length} events; the limit on PostgreSQL is ${MAX_EVENTS_PER_TRANSACTION}`);
      }
      const prepared = prepareEvents(this.options.registry, stream, events, this.options.maxEventBytes);
      const callerIds = events.some((e) => e.id !== undefined);
      const bytes = prepared.reduce((n, e) => n + e.data.length + e.metadata.length, 0);
      return this.commits.enqueue({ stream, events: prepared, expected, callerIds, bytes });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async commit(batch: PendingAppend[]): Promise<(AppendResult | Error)[]> {
    for (let attempt = 1; ; attempt++) {
      let sent = false;
      try {
        const outcomes = await withClient(this.knex, async (client) => {
          const streams = [...new Set(batch.map((a) => a.stream))];
          const revisions = new Map<string, number>();
          for (const row of await this.sql.revisions(client, streams)) {
            if (row.revision !== null) revisions.set(row.stream, row.revision);
          }
          // Rows already in the log by event id, for idempotent retries.
          const known = new Map<string, KnownEvent>();
          const ids = batch.filter((a) => a.callerIds).flatMap((a) => a.events.map((e) => e.id));
          if (ids.length > 0) {
            for (const row of await this.sql.byIds(client, ids)) known.set(row.id, { ...row, position: Number(row.position) });
          }
          const { decisions, rows } = decide(batch, revisions, known);
          let transactionId = 0n;
          if (rows.length > 0) {
            sent = true;
            transactionId = await this.sql.insert(client, rows);
          }
          return decisions.map((d) =>
            d instanceof Error ? d : { nextRevision: d.nextRevision, position: d.position ?? encodePosition(transactionId, d.index!) },
          );
        });
        const last = outcomes.reduce((max, o) => (o instanceof Error ? max : Math.max(max, o.position)), 0);
        if (last > this.lastCommitted) {
          this.lastCommitted = last;
          this.appended.emit('appended', last);
        }
        return outcomes;
      } catch (error) {
        const state = sqlState(error);
        // No answer from the server to the INSERT: it may have committed. Retrying could write twice.
        if (sent && state === undefined) throw new UnknownOutcomeError(error);
        // Another process wrote one of our (stream, revision) pairs or ids since we looked; the
        // statement failed as a whole, so nothing was written: decide again against the new state.
        if (state !== undefined && RACE_STATES.has(state) && attempt < MAX_ATTEMPTS) continue;
        if ((error as { constraint?: string }).constraint === 'events_transaction_id_limit') {
          throw new Error('the PostgreSQL event store has used up its positions: transaction ids reached 2^33 (see positions.ts)', { cause: error });
        }
        throw error;
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkStreamName(stream);
    // No horizon here: a stream's revisions are gap-free by construction, and a command
    // handler must see its stream's latest revision even while another transaction is open.
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const rows = await withClient(this.knex, (c) => this.sql.readStream(c, stream, from, options.maxCount ?? null, backwards));
    return rows.map((row) => toRecorded(this.options.registry, row));
  }

  async streamRevision(stream: string): Promise<number> {
    checkStreamName(stream);
    return withClient(this.knex, (c) => this.sql.streamRevision(c, stream));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = await withClient(this.knex, (c) =>
      this.sql.readAll(c, { after: options.after ?? 0, upTo: options.upTo, maxCount: options.maxCount, ...options.filter }),
    );
    return rows.map((row) => toRecorded(this.options.registry, row));
  }

  headPosition(): Promise<number> {
    return withClient(this.knex, (c) => this.sql.head(c));
  }

  async waitForAppend(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    // Committed here, but possibly still above the horizon (an older transaction is open):
    // return only if the head really moved, or a caught-up reader would spin.
    if (this.lastCommitted > after && (await this.headPosition()) > after) return;
    // Other processes' commits, and the end of transactions that hold the horizon back, raise
    // no event here: look again after the poll interval.
    await sleepUntilAppended(this.appended, after, Math.min(timeoutMs, this.options.pollIntervalMs ?? 250), signal);
  }

  subscribe(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    return catchUpSubscription(this, options, handler);
  }

  async close(): Promise<void> {
    await this.commits.idle();
    await this.knex.destroy();
  }
}
