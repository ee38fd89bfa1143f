import type { Knex } from 'knex';
import type { Fence } from '../projections/fence.js';
import type { ProcessDefinition } from '../types/process.js';
import { sendTogether, writeTogether } from '../sqlite/oneTrip.js';
import { chunks } from '../sqlite/statementChunks.js';
import { originOf, stepsIn, undoDelivered } from './advance.js';
import type { OutboxRow, ProcessTables } from './processTables.js';

/** SQLite takes at most 999 bound values in a statement in older builds: stay well below. */
const ROWS_PER_UPDATE = 500;

/**
 * Marks the outbox rows one delivery pass got through as done, all in one transaction of the
 * module's database instead of one each: under load a pass delivers up to 100 commands, and one
 * commit per command queued every other writer of the module behind it. A crash before this
 * commit delivers the pass's commands again, which their derived command ids make harmless,
 * exactly as a crash between a delivery and its own mark did. An undo that went out moves its
 * instance's compensation on in the same transaction. A deposed leader's marks are refused by
 * the module's fence, checked in the same transaction.
 */
export async function markDelivered(process: ProcessDefinition, db: Knex, tables: ProcessTables, rows: readonly OutboxRow[], fence?: Fence): Promise<void> {
  if (rows.length === 0) return;
  const updates = [...chunks(rows, ROWS_PER_UPDATE)].map((chunk) => ({
    sql: `UPDATE "${tables.outbox}" SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE seq IN (${chunk.map(() => '?').join(', ')})`,
    bindings: chunk.map((r) => r.seq),
  }));
  // Nothing to read in between (no fence to check, no compensation to move on): one round trip.
  if (!fence?.checked && !rows.some((row) => row.purpose === 'undo')) return writeTogether(db, updates);
  await db.transaction(async (trx) => {
    await fence?.check(trx);
    await sendTogether(trx, updates);
    for (const row of rows) if (row.purpose === 'undo') await undoDelivered(process, stepsIn(trx, tables), row.instance_id, originOf(row));
  });
}
