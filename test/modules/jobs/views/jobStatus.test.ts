import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { dropSchema } from '../../../../src/kernel/event-store/postgres/connection.js';
import { openSqlite } from '../../../../src/kernel/sqlite/connection.js';
import type { RecordedEvent } from '../../../../src/kernel/index.js';
import { JobCompensated, JobFailed, JobScheduled } from '../../../../src/modules/jobs/contracts.js';
import { JobAccepted, JobPrepared, JobValidated } from '../../../../src/modules/jobs/events.js';
import { jobHistory } from '../../../../src/modules/jobs/views/jobHistory.js';
import { jobStatus } from '../../../../src/modules/jobs/views/jobStatus.js';
import { describePostgres, randomSchema } from '../../../support/postgres.js';
import { tempDir } from '../../../support/tempDir.js';

const A = '0193a000-0000-7000-8000-00000000000a';
const B = '0193a000-0000-7000-8000-00000000000b';

/** Two jobs' events interleaved as the log holds them: A fails at schedule (with a reason) and is compensated; B is scheduled. */
function log(): RecordedEvent[] {
  const events: [string, string, unknown][] = [
    [A, JobAccepted.type, { jobId: A, type: 'render', submittedBy: 'service:t1', payload: {} }],
    [B, JobAccepted.type, { jobId: B, type: 'print', submittedBy: null, payload: {} }],
    [A, JobValidated.type, { jobId: A, type: 'render' }],
    [B, JobValidated.type, { jobId: B, type: 'print' }],
    [A, JobPrepared.type, { jobId: A, type: 'render', payloadBytes: 2, digest: 'x' }],
    [A, JobFailed.type, { jobId: A, type: 'render', station: 'schedule', reason: 'no slot today' }],
    [B, JobPrepared.type, { jobId: B, type: 'print', payloadBytes: 2, digest: 'y' }],
    [A, JobCompensated.type, { jobId: A, type: 'render' }],
    [B, JobScheduled.type, { jobId: B, type: 'print' }],
  ];
  const revisions = new Map<string, number>();
  return events.map(([jobId, type, data], i) => {
    const revision = (revisions.get(jobId) ?? -1) + 1;
    revisions.set(jobId, revision);
    return { id: `0193a000-0000-7000-8000-${String(i).padStart(12, '0')}`, stream: `jobs.job-${jobId}`, revision, position: i + 1, type, schemaVersion: 1, data, metadata: {}, recordedAt: new Date(1_700_000_000_000 + i).toISOString() };
  });
}

type Opened = { db: Knex; close(): Promise<void> };

const sqlite = async (): Promise<Opened> => {
  const dir = await tempDir('seams-job-views-');
  const db = openSqlite({ filename: `${dir.path}/jobs.sqlite` });
  return { db, close: async () => (await db.destroy(), await dir.cleanup()) };
};

// The upsert's conflict clause is each database's own dialect.
const postgres = (url: string) => async (): Promise<Opened> => {
  const schema = randomSchema('seams_job_views_');
  const db = knexFactory({ client: 'pg', connection: { connectionString: url }, searchPath: [schema], pool: { min: 0, max: 2 } });
  await db.raw(`CREATE SCHEMA "${schema}"`);
  return { db, close: async () => (await db.destroy(), await dropSchema(url, schema)) };
};

suite('SQLite', sqlite);
await describePostgres('jobs views on PostgreSQL', (url) => suite('PostgreSQL', postgres(url)));

function suite(kind: string, open: () => Promise<Opened>): void {
  describe(`jobs views on ${kind}: a batch is written as its events one by one would be`, function () {
    let db: Knex;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ db, close } = await open());
      for (const [name, table] of [...Object.entries(jobStatus.tables), ...Object.entries(jobHistory.tables)]) {
        for (const copy of ['one', 'each']) await db.schema.createTable(`${name}_${copy}`, table);
      }
    });

    afterEach(async () => close());

    // PostgreSQL answers bigint columns as strings.
    const numeric = ['accepted_position', 'position', 'revision'];
    const rows = async (table: string, order: string) =>
      ((await db(table).orderBy(order)) as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, numeric.includes(k) ? Number(v) : v])));

    for (const view of [jobStatus, jobHistory]) {
      const [name] = Object.keys(view.tables) as [string];
      it(`${view.name}: the whole log in one batch, and in batches of one event, leave the same rows`, async () => {
        const events = log();
        await db.transaction((trx) => view.applyBatch!(events, { db: trx, tables: { [name]: `${name}_one` } as never }));
        for (const event of events) await db.transaction((trx) => view.applyBatch!([event], { db: trx, tables: { [name]: `${name}_each` } as never }));
        const order = name === 'job_status' ? 'job_id' : 'position';
        const one = await rows(`${name}_one`, order);
        expect(one).to.have.length(name === 'job_status' ? 2 : events.length);
        expect(one).to.deep.equal(await rows(`${name}_each`, order));
      });
    }

    it('job_status: a compensation keeps the reason of the failure before it, and later events move a row accepted in an earlier batch', async () => {
      const events = log();
      const tables = { job_status: 'job_status_one' };
      await db.transaction((trx) => jobStatus.applyBatch!(events.slice(0, 3), { db: trx, tables }));
      await db.transaction((trx) => jobStatus.applyBatch!(events.slice(3), { db: trx, tables }));
      const [a, b] = (await rows('job_status_one', 'job_id')) as Record<string, unknown>[];
      expect(a).to.include({ job_id: A, status: 'compensated', station: 'schedule', reason: 'no slot today', revision: 4, submitted_by: 'service:t1', accepted_position: 1 });
      expect(b).to.include({ job_id: B, status: 'scheduled', station: 'schedule', revision: 3, accepted_position: 2 });
    });
  });
}
