import { expect } from 'chai';
import type { Knex } from 'knex';
import { openModuleDatabase } from '../../../src/kernel/modules/moduleDatabase.js';
import { processTables } from '../../../src/kernel/processes/processTables.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * No query on the process engine's path costs more as work piles up: each finds its rows through an
 * index (SQLite's plan says SEARCH … USING INDEX), never by reading every outbox row, instance,
 * timer or handled command ever written. The delivery look reads the pending, due rows only.
 */
describe('query plans on the engine’s path', function () {
  this.timeout(20_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Knex;

  before(async () => {
    dir = await tempDir('seams-plans-');
    db = await openModuleDatabase('plans', { kind: 'sqlite', dataDir: dir.path });
    for (const [name, build] of Object.entries(processTables)) await db.schema.createTable(`${name}_g1`, build);
  });
  after(async () => {
    await db.destroy();
    await dir.cleanup();
  });

  const plan = async (query: Knex.QueryBuilder): Promise<string[]> => {
    const { sql, bindings } = query.toSQL();
    return ((await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as readonly Knex.RawBinding[])) as { detail: string }[]).map((r) => r.detail);
  };
  const now = Date.now();
  const queries: [string, () => Knex.QueryBuilder][] = [
    // processEngine.deliver: the oldest pending, due command of each instance.
    ['the delivery look', () => db('outbox_g1 as o').where('o.status', 'pending').andWhere('o.next_attempt_at', '<=', now)
      .whereNotExists((q) => q.select(1).from('outbox_g1 as e').whereRaw('e.instance_id = o.instance_id').andWhere('e.status', 'pending').andWhereRaw('e.seq < o.seq')).orderBy('o.seq').limit(100)],
    ['due timers', () => db('timers_g1').where('due_at', '<=', now).orderBy('due_at').limit(100)],
    ['an instance by id (each step)', () => db('instances_g1').where({ id: 'i-1' })],
    ['instances by correlation (a correlated reaction)', () => db('instances_g1').where({ correlation: 'c-1' }).whereIn('status', ['running', 'compensating']).orderBy('created_at').select('id')],
    ['delivery marks', () => db('outbox_g1').whereIn('seq', [1, 2, 3]).update({ status: 'done' })],
    ['a handled command by id (every delivery)', () => db('handled_commands').where({ command_id: 'c-1' })],
  ];

  for (const [what, query] of queries) {
    it(`${what}: through an index, never a scan of the table`, async () => {
      const steps = await plan(query());
      expect(steps.join(' | ')).to.match(/SEARCH \S+ USING (COVERING )?(INDEX|INTEGER PRIMARY KEY|PRIMARY KEY)/);
      expect(steps.filter((s) => /^SCAN /.test(s)), steps.join(' | ')).to.deep.equal([]);
    });
  }
});
