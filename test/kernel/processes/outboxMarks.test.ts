import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { defineProcess } from '../../../src/kernel/host.js';
import { markDelivered } from '../../../src/kernel/processes/outboxMarks.js';
import { processTables, type OutboxRow, type ProcessTables } from '../../../src/kernel/processes/processTables.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { sqliteTripsDuring } from '../../support/sqliteTrips.js';
import { tempDir } from '../../support/tempDir.js';

const tables: ProcessTables = { instances: 'p_instances', outbox: 'p_outbox', timers: 'p_timers' };
const process = defineProcess<{ id: string }>({ name: 'p', initialState: (id) => ({ id }), sends: [], reactions: [] });

describe('markDelivered: the outbox rows of a delivery pass marked done together', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Knex;

  beforeEach(async () => {
    dir = await tempDir('seams-marks-');
    db = openSqlite({ filename: join(dir.path, 'm.sqlite') });
    for (const name of ['instances', 'outbox', 'timers'] as const) await db.schema.createTable(tables[name], processTables[name]);
  });
  afterEach(async () => {
    await db.destroy();
    await dir.cleanup();
  });

  it('marks 1,200 delivered rows done, each with one more attempt, in one transaction, and leaves the others pending', async () => {
    const rows = Array.from({ length: 1201 }, (_, i) => ({
      instance_id: `i-${i}`, command_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, command_type: 'x.Do', data: '{}', purpose: 'step', status: 'pending', attempts: i % 3, next_attempt_at: 0,
    }));
    for (let i = 0; i < rows.length; i += 100) await db(tables.outbox).insert(rows.slice(i, i + 100));
    const all = (await db(tables.outbox).orderBy('seq')) as OutboxRow[];
    const trips = await sqliteTripsDuring(() => markDelivered(process, db, tables, all.slice(0, 1200)));
    const after = (await db(tables.outbox).orderBy('seq')) as (OutboxRow & { status: string })[];
    expect(after.slice(0, 1200).every((r, i) => r.status === 'done' && r.attempts === all[i]!.attempts + 1)).to.equal(true);
    expect(after[1200]).to.include({ status: 'pending', attempts: all[1200]!.attempts });
    // One transaction, three UPDATEs of up to 500 rows, sent as one script: not one commit per command, nor a trip per statement.
    expect(trips.statements).to.equal(0);
    expect(trips.scripts).to.have.length(1);
    expect(trips.scripts[0]!.match(/^BEGIN IMMEDIATE;/)).to.not.equal(null);
    expect(trips.scripts[0]!.match(/^UPDATE /gm)).to.have.length(3);
  });

  it('does nothing for a pass that delivered nothing', async () => {
    const statements: string[] = [];
    db.on('query', (q: { sql: string }) => statements.push(q.sql));
    await markDelivered(process, db, tables, []);
    expect(statements).to.deep.equal([]);
  });
});
