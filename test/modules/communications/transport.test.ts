import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { deliver, SmtpOutcomeUnknown } from '../../../src/modules/communications/transport.js';
import { up as smtpAttempts } from '../../../migrations/communications/20261215000000_smtp_attempts.js';
import { startSmtpServer } from '../../support/smtpServer.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * SMTP has no idempotency of its own: a mail whose hand-over ended without an answer (the
 * connection went quiet after the message was sent) is not sent again under the same fencing
 * number; a new number (a new leader, or a restart) may send it again, with the same Message-ID.
 * A definite answer (a 5xx, a 4xx, no connection at all) leaves it free to be retried.
 */
describe('communications transport: SMTP at most once per fencing number', function () {
  this.timeout(20_000);
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let db: Knex;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let epoch = 1;
  const ctx = () => ({ settings: { SMTP_URL: `${smtp.url}?socketTimeout=300` }, filesDir: () => dir.path, db, leaseEpoch: () => epoch });
  const mail = (to: string) => ({ mailId: randomUUID(), to, subject: 'Hello', body: 'once' });

  beforeEach(async () => {
    smtp = await startSmtpServer();
    dir = await tempDir('seams-smtp-');
    db = knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    await smtpAttempts(db);
    epoch = 1;
  });
  afterEach(async () => {
    await db.destroy();
    await smtp.close();
    await dir.cleanup();
  });

  it('an unanswered hand-over is not repeated under the same number; under the next one it goes again, with the same Message-ID', async () => {
    const m = mail(`hang@${randomUUID()}.example.com`);
    let first: unknown;
    await deliver(ctx(), m).catch((error) => (first = error));
    expect(first, 'the send timed out').to.be.instanceOf(Error).and.not.instanceOf(SmtpOutcomeUnknown);
    expect(smtp.state.messages).to.equal(1);
    let again: unknown;
    await deliver(ctx(), m).catch((error) => (again = error));
    expect(again).to.be.instanceOf(SmtpOutcomeUnknown);
    expect(smtp.state.messages, 'not offered again under number 1').to.equal(1);

    epoch = 2; // a failover, or a restart
    smtp.state.hang = false;
    const delivery = await deliver(ctx(), m);
    expect(delivery).to.deep.equal({ via: 'smtp', messageId: `<${m.mailId}@seams.invalid>` });
    expect(smtp.state.messages).to.equal(2);
    expect(smtp.received.map((r) => r.raw.match(/^Message-ID: (.*)$/im)?.[1]?.trim())).to.deep.equal([`<${m.mailId}@seams.invalid>`]);
    // Taken: not again under this number either.
    await deliver(ctx(), m).catch((error) => expect(error).to.be.instanceOf(SmtpOutcomeUnknown));
    expect(smtp.state.messages).to.equal(2);
  });

  it('a definite answer (here a 451, then a 550) leaves the mail free to be retried under the same number', async () => {
    smtp.state.busyTimes = 1;
    const busy = mail(`busy@${randomUUID()}.example.com`);
    await deliver(ctx(), busy).catch(() => undefined);
    expect(await deliver(ctx(), busy)).to.include({ via: 'smtp' });
    const bounce = mail(`bounce@${randomUUID()}.example.com`);
    await deliver(ctx(), bounce).catch(() => undefined);
    await deliver(ctx(), bounce).catch(() => undefined);
    expect(smtp.state.refusals, 'asked twice').to.equal(2);
  });
});
