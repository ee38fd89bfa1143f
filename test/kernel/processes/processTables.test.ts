import { expect } from 'chai';
import knex from 'knex';
import { upgradeProcessTables } from '../../../src/kernel/processes/processTables.js';

describe('process tables made before commands kept their origin', () => {
  it('get the nullable origin columns (correlation, cause, trace) and the correlation index, once; old rows read as "origin unknown"', async () => {
    const db = knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      const tables = { instances: 'instances_g1', outbox: 'outbox_g1', timers: 'timers_g1' };
      // The shape of an older seams: no origin columns.
      await db.schema.createTable(tables.outbox, (t) => {
        t.increments('seq');
        t.string('instance_id').notNullable();
        t.string('command_id', 36).notNullable();
      });
      await db.schema.createTable(tables.timers, (t) => {
        t.string('instance_id').notNullable();
        t.string('name', 100).notNullable();
      });
      await db(tables.outbox).insert({ instance_id: 'i-1', command_id: 'c-1' });
      await upgradeProcessTables(db, tables);
      await upgradeProcessTables(db, tables); // a second leader, or a restart: nothing to do
      for (const table of [tables.outbox, tables.timers]) {
        for (const column of ['correlation_id', 'causation_id', 'traceparent']) expect(await db.schema.hasColumn(table, column), `${table}.${column}`).to.equal(true);
      }
      expect(await db(tables.outbox).first()).to.include({ command_id: 'c-1', correlation_id: null, causation_id: null, traceparent: null });
      const indexes = (await db.raw(`PRAGMA index_list('${tables.outbox}')`)) as { name: string }[];
      expect(indexes.map((i) => i.name).some((n) => n.includes('correlation_id'))).to.equal(true);
    } finally {
      await db.destroy();
    }
  });
});
