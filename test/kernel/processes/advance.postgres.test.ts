import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { defineProcess } from '../../../src/kernel/host.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { advance, stepsIn, type ProcessEnv } from '../../../src/kernel/processes/advance.js';
import { StepBatch } from '../../../src/kernel/processes/stepBatch.js';
import { processTables, type ProcessTables } from '../../../src/kernel/processes/processTables.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';

/** Counts the timers it heard: two steps of one instance must both count, whatever their transactions. */
const counter = defineProcess<{ heard: number }>({
  name: 'counter',
  initialState: () => ({ heard: 0 }),
  sends: [],
  reactions: [],
  onTimer: { decide: (state) => ({ state: { heard: state.heard + 1 }, step: `heard ${state.heard + 1}` }) },
});

const TABLES: ProcessTables = { instances: 'instances_g1', outbox: 'outbox_g1', timers: 'timers_g1' };
// The counter reads nothing: no tables, configuration or settings are asked of it.
const ENV = {} as ProcessEnv;
const timer = { kind: 'timer' as const, name: 'tick' };

/**
 * On PostgreSQL the projection runner's batch and the engine step the same instance in
 * transactions of their own, at the same time. The later one must decide on the earlier one's
 * outcome, not overwrite it with a step decided on the row as it was (chaos seed 14: an order's
 * instance went back to "reserving credit" after its invalidation was sent, its timer then
 * failing for ever on the invalidation's command id).
 */
await describePostgres('process steps on PostgreSQL', (url) => {
  let db: Knex;
  let schema: string;

  beforeEach(async () => {
    schema = randomSchema('seams_advance_');
    db = knexFactory({ client: 'pg', connection: { connectionString: url }, searchPath: [schema], pool: { min: 0, max: 4 } });
    await db.raw(`CREATE SCHEMA "${schema}"`);
    for (const [name, build] of Object.entries(processTables)) await db.schema.createTable(TABLES[name as keyof ProcessTables], build);
    await db('instances_g1').insert({ id: 'i-1', status: 'running', step: null, state: JSON.stringify({ heard: 0 }), completed_steps: '[]', commands_sent: 0, last_position: 0, created_at: 1, updated_at: 1 });
  });

  afterEach(async () => {
    await db.destroy();
    await dropSchema(url, schema);
  });

  const firstSteps = {
    'an engine step (a timer)': async (trx: Knex.Transaction) => advance(counter, stepsIn(trx, TABLES), ENV, 'i-1', timer),
    "a runner batch's step": async (trx: Knex.Transaction) => {
      const batch = new StepBatch(trx, TABLES);
      await batch.prefetch(['i-1']);
      await advance(counter, batch, ENV, 'i-1', timer);
      await batch.flush();
    },
  };
  for (const [kind, step] of Object.entries(firstSteps)) {
    it(`two concurrent steps of one instance both count: the second waits for the first (${kind}) and decides on its outcome`, async function () {
      this.timeout(20_000);
      const first = await db.transaction();
      await step(first);
      // The second step starts while the first is not committed yet.
      let secondDone = false;
      const second = db.transaction((trx) => advance(counter, stepsIn(trx, TABLES), ENV, 'i-1', timer)).then(() => (secondDone = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(secondDone, 'the second step waited for the first').to.equal(false);
      await first.commit();
      await second;
      const row = (await db('instances_g1').where({ id: 'i-1' }).first()) as { state: string; step: string };
      expect(JSON.parse(row.state)).to.deep.equal({ heard: 2 });
      expect(row.step).to.equal('heard 2');
    });
  }
});
