import type { Knex } from 'knex';
import type { PendingAppend as Pending } from '../groupCommit.js';
import { withClient } from './connection.js';
import { MAX_EVENTS_PER_TRANSACTION } from './positions.js';
import type { Statements } from './sql.js';

/** How the PostgreSQL store sizes its group commits, and what it refuses to guess about. */

/** A queued append, with its size so that one statement stays bounded. */
export interface PendingAppend extends Pending {
  bytes: number;
}

const MAX_APPENDS_PER_COMMIT = 1000;
/** Keeps one INSERT's parameters to a sane size; a single larger append still goes alone. */
const MAX_BYTES_PER_COMMIT = 16 * 1024 * 1024;

/** How many of the next appends fit one transaction's 2^20 positions and one statement's size. */
export function fitting(queue: readonly PendingAppend[]): number {
  let events = 0;
  let bytes = 0;
  let n = 0;
  for (const append of queue) {
    if (n === MAX_APPENDS_PER_COMMIT) break;
    if (n > 0 && (events + append.events.length > MAX_EVENTS_PER_TRANSACTION || bytes + append.bytes > MAX_BYTES_PER_COMMIT)) break;
    events += append.events.length;
    bytes += append.bytes;
    n++;
  }
  return n;
}

/** The connection failed after the INSERT was sent: the append may or may not be in the log. */
export class UnknownOutcomeError extends Error {
  constructor(cause: unknown) {
    super(
      `the connection failed while committing, so the append may or may not have been written; ` +
        `retry it with the same event ids to make sure: ${(cause as Error).message}`,
      { cause },
    );
    this.name = 'UnknownOutcomeError';
  }
}

/**
 * Positions come from the server's transaction counter, which a logical dump and restore into a
 * new cluster (unlike pg_upgrade) starts again from a low value: new events would then sort
 * before old ones and readers would skip them. Refuse to open such a log rather than corrupt it.
 */
export async function checkTransactionCounter(knex: Knex, sql: Statements): Promise<void> {
  const { newestInLog, nextOnServer } = await withClient(knex, (c) => sql.transactionIds(c));
  if (newestInLog >= nextOnServer) {
    throw new Error(
      `the log in schema ${sql.schema} holds transaction id ${newestInLog}, but this server's next transaction id is ` +
        `${nextOnServer}: was it restored into a new cluster? Advance the server's transaction counter past ` +
        `${newestInLog} (pg_resetwal --next-transaction-id) before appending, or new events would sort before old ones`,
    );
  }
}
