import { expect } from 'chai';
import { HeldConnections } from '../../../src/kernel/sqlite/heldConnections.js';
import { all, openSqlite, prepared } from '../../../src/kernel/sqlite/connection.js';
import { tempDir } from '../../support/tempDir.js';

describe('connections held out of a pool (HeldConnections)', () => {
  it('hands out every connection in turn, keeps prepared statements on them, and closes the instance', async () => {
    const dir = await tempDir('seams-held-');
    try {
      const filename = `${dir.path}/db.sqlite`;
      const writer = openSqlite({ filename });
      await writer.schema.createTable('t', (t) => t.integer('n'));
      await writer('t').insert({ n: 7 });
      await writer.destroy();

      const readers = await HeldConnections.take(openSqlite({ filename, queryOnly: true, connections: 2 }), 2);
      const turns = [readers.next(), readers.next(), readers.next()];
      expect(turns[0]).to.not.equal(turns[1]);
      expect(turns[2]).to.equal(turns[0]);
      expect(prepared(turns[1]!, 'SELECT n FROM t')).to.equal(prepared(readers.next(), 'SELECT n FROM t'), 'the same connection, the same statement');
      expect(await all(prepared(turns[1]!, 'SELECT n FROM t'), [])).to.deep.equal([{ n: 7 }]);

      await readers.close();
      let error: unknown;
      await readers.knex('t').select().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/Unable to acquire a connection/);
    } finally {
      await dir.cleanup();
    }
  });
});
