import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { sleep } from '../event-store/subscription.js';
import { batchedReads } from '../batchedReads.js';
import { insertRows, writeTogether } from '../sqlite/oneTrip.js';
import { chunks } from '../sqlite/statementChunks.js';

/** SQLite takes at most 999 bound values in a statement in older builds: 3 a row. */
const ROWS_PER_INSERT = 300;

/** The looks of one turn (a station delivering sixteen commands at once) as one query. */
const handledAmong = batchedReads(
  (reading: { db: Knex }, ids: readonly string[]) => reading.db('handled_commands').whereIn('command_id', ids).select('command_id') as Promise<{ command_id: string }[]>,
  (row) => row.command_id,
);

/**
 * What a module remembers of the commands it handled (`handled_commands`), as deliverOnce asks
 * and tells it. This bookkeeping sat on every command's path twice (a look before, an insert
 * after), each waiting in line for the module database's one writer connection behind projection
 * batches: under load, nine tenths of a command's time (bench:jobs, 300 jobs: a look or an
 * insert took 50–900 ms, the handler 5–70 ms).
 *
 * So a look reads through the module's reader (on SQLite a connection of its own; on PostgreSQL
 * the pool), the looks asked for together in one query, and the insert is written behind: ids collect while the previous insert runs and go
 * in together, one statement per 300. Until written, an id is answered from memory.
 *
 * What that costs: a crash may forget the last ids handled (as it could always forget one, between
 * a handler's append and its insert). Such a command, delivered again, runs its handler again,
 * which appends under the same derived event ids and is taken as handled before
 * (commandDelivery.ts): its effect is in the log once. The record is a shortcut, never the guarantee.
 */
export class HandledCommands {
  /** Handled, not yet written (or being written now). */
  private collecting = new Map<string, { type: string; at: number }>();
  private writing = new Map<string, { type: string; at: number }>();
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly reading: { db: Knex };

  constructor(
    private readonly writer: Knex,
    reader: Knex,
    private readonly log: Logger,
  ) {
    this.reading = { db: reader };
  }

  async has(commandId: string): Promise<boolean> {
    if (this.collecting.has(commandId) || this.writing.has(commandId)) return true;
    return (await handledAmong(this.reading, commandId)) !== undefined;
  }

  record(commandId: string, type: string): void {
    this.collecting.set(commandId, { type, at: Date.now() });
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  /** Resolves once every id recorded so far is written (tests; shutdown). */
  async written(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Writes what is left and takes no more writes (the database closes next). */
  async close(): Promise<void> {
    this.closed = true;
    await this.written();
    if (this.collecting.size > 0) await this.writeBatch().catch((error) => this.log.warn({ err: error }, 'could not record the last handled commands; they would be handled again (idempotently) if delivered again'));
  }

  private async flush(): Promise<void> {
    for (let failures = 0; this.collecting.size > 0 && !this.closed; ) {
      try {
        await this.writeBatch();
        failures = 0;
      } catch (error) {
        // The database is away or busy: the ids stay answered from memory and are written later.
        failures++;
        for (const [id, row] of this.writing) this.collecting.set(id, row);
        this.writing = new Map();
        this.log.warn({ err: error, pending: this.collecting.size }, 'recording handled commands failed; retrying');
        await sleep(Math.min(2000, 50 * 2 ** failures));
      }
    }
  }

  private async writeBatch(): Promise<void> {
    this.writing = this.collecting;
    this.collecting = new Map();
    const rows = [...this.writing].map(([id, { type, at }]) => ({ command_id: id, type, handled_at: at }));
    await writeTogether(this.writer, [...chunks(rows, ROWS_PER_INSERT)].map((chunk) => insertRows('handled_commands', chunk, ['command_id'], 'nothing')));
    this.writing = new Map();
  }
}
