import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import knexFactory from 'knex';
import { ModuleRuntime, PostgresEventStore, moduleSchema, openModuleDatabase, registryOf } from '../../../src/kernel/host.js';
import { loadConfig } from '../../../src/kernel/config.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { SendMail } from '../../../src/modules/communications/contracts.js';
import { communications } from '../../../src/modules/communications/index.js';
import { eventually } from '../../support/http.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';
import { quietLog } from '../../support/runtimeHarness.js';
import { startSmtpServer } from '../../support/smtpServer.js';
import { tempDir } from '../../support/tempDir.js';
import { TEST_ENV } from '../../support/testEnv.js';

/**
 * Failure bookkeeping on PostgreSQL, where column lengths are enforced: an SMTP server's
 * refusal of 2,000 characters becomes the process's step label and the mail's error whole. It
 * used to overflow `instances.step varchar(100)`: the bookkeeping rolled back, the outbox row
 * stayed due, and the mail was offered to the server again every 100 ms, for ever.
 */
await describePostgres('process failure bookkeeping on PostgreSQL', (url) => {
  it('a 2,000-character SMTP refusal is recorded whole, once: the mail is offered once and marked failed', async function () {
    this.timeout(60_000);
    const prefix = `${randomSchema('seams_t')}_`;
    const smtp = await startSmtpServer();
    smtp.state.refusal = `mailbox unavailable: ${'x'.repeat(2000)}`;
    const dir = await tempDir('seams-refusal-');
    // Its process and commands, without its routes (which need a module issuing credentials).
    const modules = [{ ...communications, routes: [] }];
    const store = await PostgresEventStore.open({ connectionString: url, schema: `${prefix}event_store`, registry: registryOf(modules) });
    const config = loadConfig({ ...TEST_ENV, SEAMS_DATA_DIR: dir.path, SMTP_URL: smtp.url });
    const runtime = await ModuleRuntime.start({
      modules,
      store,
      config,
      database: { kind: 'postgres', connectionString: url, schemaPrefix: prefix },
      log: quietLog,
      processes: { pollMs: 20, backoffMs: 20, maxBackoffMs: 200 },
    });
    try {
      const to = `bounce@${randomUUID()}.example.com`;
      await runtime.dispatch(SendMail.type, { to, subject: 'Long refusal', body: '…', idempotencyKey: randomUUID() }, { commandId: randomUUID(), actor: 'test' });
      // Settled, or clearly looping (the mail offered again and again).
      const [instance] = await eventually(async () => {
        const list = await runtime.processInstances({ type: 'mail_delivery' });
        return list.length === 1 && (list[0]!.status !== 'running' || smtp.state.refusals > 3) && list;
      });
      const detail = (await runtime.processInstance('mail_delivery', instance!.id))!;
      expect(detail.commands.map((c) => [c.type, c.status, c.attempts])).to.deep.equal([
        ['communications.DeliverMail', 'failed', 1],
        ['communications.MarkMailFailed', 'done', 1],
      ]);
      expect(detail.commands[0]!.lastError).to.contain(smtp.state.refusal);
      // The mail was offered once, not once per poll.
      expect(smtp.state.refusals).to.equal(1);
    } finally {
      await runtime.stop();
      await store.close();
      await smtp.close();
      await dir.cleanup();
      for (const schema of [`${prefix}event_store`, moduleSchema('communications', prefix)]) await dropSchema(url, schema);
    }
  });

  it('process instance tables made before keep their rows and get a text step (the migration)', async function () {
    this.timeout(30_000);
    const prefix = `${randomSchema('seams_t')}_`;
    const schema = moduleSchema('communications', prefix);
    const admin = knexFactory({ client: 'pg', connection: { connectionString: url } });
    try {
      await admin.raw(`CREATE SCHEMA "${schema}"`);
      await admin.schema.withSchema(schema).createTable('instances_g3', (t) => {
        t.string('id').primary();
        t.string('step', 100);
      });
      await admin.withSchema(schema).table('instances_g3').insert({ id: 'i-1', step: 'delivering' });
      const db = await openModuleDatabase('communications', { kind: 'postgres', connectionString: url, schemaPrefix: prefix });
      try {
        await db('instances_g3').where({ id: 'i-1' }).update({ step: `giving up: ${'x'.repeat(2000)}` });
        expect(((await db('instances_g3').first()) as { step: string }).step).to.have.length(2011);
      } finally {
        await db.destroy();
      }
    } finally {
      await admin.destroy();
      await dropSchema(url, schema);
    }
  });
});
