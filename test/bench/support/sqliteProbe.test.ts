import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { probeLines, probeSqlite } from '../../../bench/support/sqliteProbe.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { writeTogether } from '../../../src/kernel/sqlite/oneTrip.js';
import { tempDir } from '../../support/tempDir.js';

describe('the benches’ SQLite probe (--sqlite-probe)', () => {
  it('counts each connection’s trips and times its transactions, a knex one and a one-trip script alike, and stops counting when stopped', async () => {
    const dir = await tempDir('seams-probe-');
    const probe = probeSqlite(dir.path);
    const db = openSqlite({ filename: join(dir.path, 'probed.sqlite') });
    try {
      await db.schema.createTable('t', (t) => t.integer('a'));
      // A transaction of four trips that stays open 60 ms between two of them: the writer held, not working.
      await db.transaction(async (trx) => {
        await trx('t').insert({ a: 1 });
        await sleep(60);
        await trx('t').insert({ a: 2 });
      });
      await writeTogether(db, [{ sql: 'insert into t (a) values (?)', bindings: [3] }]);
      expect(await db('t').count({ n: '*' })).to.deep.equal([{ n: 3 }]);

      const [figures, ...others] = probe.figures();
      expect(others).to.deep.equal([]);
      expect(figures!.connection).to.equal('probed.sqlite');
      // The connection's pragmas, CREATE TABLE, BEGIN, two inserts, COMMIT, the script, the count.
      expect(figures!.trips).to.equal(8);
      expect(figures!.transactions).to.equal(2);
      expect(figures!.avgTransactionMs).to.be.at.least(30); // (≥ 60 + a script's few) / 2
      expect(figures!.inTransaction).to.be.greaterThan(0).and.at.most(1);
      // In flight during the trips only: not while the transaction slept between them.
      expect(figures!.busy).to.be.greaterThan(0).and.below(figures!.inTransaction);

      // A line each, the busiest first; one idle over the run (a migration's, say) is left out.
      const idle = { connection: 'idle.sqlite', trips: 3, busy: 0.004, inTransaction: 0.005, transactions: 1, avgTransactionMs: 40 };
      const busier = { ...figures!, connection: 'busier.sqlite', busy: figures!.busy + 0.1 };
      const lines = probeLines([idle, figures!, busier], { count: 4, unit: 'job' });
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^\s+busier\.sqlite /);
      expect(lines[1]).to.match(/probed\.sqlite\s+2\.0 trips\/job\s+busy\s+\d+ %\s+in transactions\s+\d+ % \(2, \d+\.\d ms each\)/);

      probe.stop();
      await db('t').insert({ a: 4 });
      expect(probe.figures()[0]!.trips).to.equal(8);
    } finally {
      probe.stop();
      await db.destroy();
      await dir.cleanup();
    }
  });
});
