import { expect } from 'chai';
import { SendMail } from '../../../src/modules/communications/contracts.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { createItems, mailsTo, placeOrder, processInstance, registerCustomer, startShop, untilDecided, untilInstance, type MailView } from '../../support/ordersFixture.js';
import { startSmtpServer } from '../../support/smtpServer.js';
import { badInputTable, commonBadInputs, eventually, expectStatus, type BadInput } from '../../support/http.js';

const sendMail = (app: TestApp, data: { to: string; subject: string; body: string; idempotencyKey: string; recipientUserId?: string }, commandId: string = crypto.randomUUID()) =>
  app.server.runtime.dispatch(SendMail.type, data, { commandId, actor: 'test' });

const untilMailSettled = (app: TestApp, to: string) =>
  eventually(async () => {
    const mails = await mailsTo(app, to);
    return mails.length > 0 && mails.every((m) => m.status !== 'pending') && mails;
  });

describe('HTTP communications: mail over SMTP', function () {
  this.timeout(30_000);
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let app: TestApp;

  before(async () => {
    smtp = await startSmtpServer();
    app = await startShop({ config: { env: { SMTP_URL: smtp.url } } });
  });
  after(async () => {
    await app?.stop();
    await smtp?.close();
  });

  it('a confirmed order’s mail travels over SMTP: one message, to the customer, with the order in its subject', async () => {
    const [tea] = (await createItems(app, [1250])) as [string];
    const { customerId, email } = await registerCustomer(app);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    expect((await untilDecided(app, orderId)).status).to.equal('confirmed');
    const [mail, ...more] = await untilMailSettled(app, email);
    expect(more).to.deep.equal([]);
    expect(mail).to.deep.include({ to: email, status: 'sent' });
    const messages = smtp.received.filter((m) => m.to.includes(email));
    expect(messages).to.have.length(1);
    expect(messages[0]!.from).to.equal('no-reply@seams.invalid');
    expect(messages[0]!.raw).to.match(new RegExp(`^Subject: Your order ${orderId} is confirmed`, 'm'));
    expect(messages[0]!.raw).to.match(new RegExp(`^Message-ID: <${mail!.mailId}@seams.invalid>`, 'mi'));
    expect(messages[0]!.raw).to.contain('Total: 12.50');
  });

  it('one mail per idempotency key, however often SendMail arrives (with new command ids or the same one)', async () => {
    const to = `${crypto.randomUUID()}@example.com`;
    const data = { to, subject: 'Once', body: 'only once', idempotencyKey: `key-${crypto.randomUUID()}` };
    const commandId = crypto.randomUUID();
    await sendMail(app, data, commandId);
    await sendMail(app, data, commandId);
    await sendMail(app, data);
    await sendMail(app, { ...data, subject: 'Another subject, same key' });
    const mails = await untilMailSettled(app, to);
    expect(mails.map((m) => [m.subject, m.status])).to.deep.equal([['Once', 'sent']]);
    // Delivered again after it was sent: still one message.
    await sendMail(app, data);
    const head = await app.headPosition();
    await app.server.runtime.context('communications').catchUp(5000);
    expect(await app.headPosition()).to.equal(head);
    expect(smtp.received.filter((m) => m.to.includes(to))).to.have.length(1);
  });

  it('a permanent refusal (SMTP 550) is not retried and the mail is marked failed', async () => {
    const to = `bounce@${crypto.randomUUID()}.example.com`;
    await sendMail(app, { to, subject: 'Bounce', body: 'nobody home', idempotencyKey: crypto.randomUUID() });
    const [mail] = (await untilMailSettled(app, to)) as [MailView];
    expect(mail).to.deep.include({ to, subject: 'Bounce', status: 'failed', sentAt: null });
    expect(mail.error).to.match(/550/);
    const delivery = await untilInstance(app, 'mail_delivery', mail.mailId, (i) => i.status === 'failed');
    expect(delivery.commands.map((c) => [c.type, c.status, c.attempts])).to.deep.equal([
      ['communications.DeliverMail', 'failed', 1],
      ['communications.MarkMailFailed', 'done', 1],
    ]);
    expect(smtp.received.filter((m) => m.to.includes(to))).to.deep.equal([]);
  });

  it('a temporary failure (SMTP 451) is retried with backoff until the mail goes through', async () => {
    const to = `busy@${crypto.randomUUID()}.example.com`;
    smtp.state.busyTimes = 2;
    smtp.state.busyAnswers = 0;
    await sendMail(app, { to, subject: 'Later', body: 'try again', idempotencyKey: crypto.randomUUID() });
    const [mail] = (await untilMailSettled(app, to)) as [MailView];
    expect(mail.status).to.equal('sent');
    expect(smtp.state.busyAnswers).to.equal(2);
    const delivery = (await processInstance(app, 'mail_delivery', mail.mailId))!;
    expect(delivery.commands.map((c) => [c.type, c.status, c.attempts])).to.deep.equal([['communications.DeliverMail', 'done', 3]]);
    expect(smtp.received.filter((m) => m.to.includes(to))).to.have.length(1);
  });
});

describe('HTTP communications: GET /communications/mails', function () {
  let app: TestApp;
  let olga: { token: string };
  before(async () => {
    app = await startApp();
    olga = await app.operator('Olga');
  });
  after(async () => app?.stop());

  it('a member reads only the mails sent on their behalf (recipientUserId); an operator reads any; anonymous is 401', async () => {
    const [ada, bob] = [await app.signUp('Ada'), await app.signUp('Bob')];
    const to = `shared.${crypto.randomUUID()}@example.com`;
    await sendMail(app, { to, subject: 'For Ada', body: '1', idempotencyKey: crypto.randomUUID(), recipientUserId: ada.userId });
    await sendMail(app, { to, subject: 'For Bob', body: '2', idempotencyKey: crypto.randomUUID(), recipientUserId: bob.userId });
    await sendMail(app, { to, subject: 'For nobody', body: '3', idempotencyKey: crypto.randomUUID() });
    const subjects = async (token: string) => {
      const reply = await app.request('GET', `/communications/mails?to=${encodeURIComponent(to)}`, { token });
      expectStatus(reply, 200);
      return (reply.body.mails as MailView[]).map((m) => m.subject);
    };
    expect(await eventually(async () => (await subjects(olga.token)).length === 3 && subjects(olga.token))).to.deep.equal(['For Ada', 'For Bob', 'For nobody']);
    expect(await subjects(ada.token)).to.deep.equal(['For Ada']);
    expect(await subjects(bob.token)).to.deep.equal(['For Bob']);
    // Without `to`, still only theirs: the whole mail log is an operator's to read.
    expect((await app.request('GET', '/communications/mails', { token: ada.token })).body.mails.map((m: MailView) => m.subject)).to.deep.equal(['For Ada']);
    expect((await app.request('GET', '/communications/mails')).status).to.equal(401);
    await untilMailSettled(app, to);
  });

  it('lists mails oldest first; `to` matches regardless of case; without `to`, all', async () => {
    const to = `Mixed.${crypto.randomUUID()}@Example.com`;
    await sendMail(app, { to, subject: 'First', body: '1', idempotencyKey: crypto.randomUUID() });
    await sendMail(app, { to, subject: 'Second', body: '2', idempotencyKey: crypto.randomUUID() });
    await sendMail(app, { to: 'someone.else@example.com', subject: 'Other', body: '3', idempotencyKey: crypto.randomUUID() });
    const mails = await untilMailSettled(app, to.toLowerCase());
    expect(mails.map((m) => [m.to, m.subject, m.status])).to.deep.equal([
      [to, 'First', 'sent'],
      [to, 'Second', 'sent'],
    ]);
    for (const m of mails) expect(Object.keys(m)).to.have.members(['mailId', 'to', 'subject', 'status', 'sentAt']);
    // Without `to`, every mail (waiting until all are delivered, so nothing is appended after this test).
    const all = await eventually(async () => {
      const reply = await app.request('GET', `/communications/mails?to=${encodeURIComponent(to)}`, { token: olga.token });
      const other = await app.request('GET', '/communications/mails?to=someone.else%40example.com', { token: olga.token });
      expectStatus(reply, 200);
      reply.body.mails.push(...other.body.mails);
      return reply.body.mails.length === 3 && reply.body.mails.every((m: MailView) => m.status === 'sent') && (reply.body.mails as MailView[]);
    });
    expect(all.map((m: MailView) => m.subject)).to.deep.equal(['First', 'Second', 'Other']);
    const limited = await app.request('GET', '/communications/mails?limit=1', { token: olga.token });
    expect(limited.body.mails).to.have.length(1);
    expect((await app.request('GET', '/communications/mails?to=nobody%40example.com', { token: olga.token })).body).to.deep.equal({ mails: [] });
  });

  const badInputs: BadInput<{ app: TestApp; token: string }>[] = [
    ...commonBadInputs<{ app: TestApp; token: string }>({ method: 'GET', path: '/communications/mails', auth: true }),
    { method: 'GET', path: '/communications/mails?to=not-an-email', name: 'to: not an email', auth: true, status: 400, field: 'to' },
    { method: 'GET', path: '/communications/mails?to=', name: 'to: empty', auth: true, status: 400, field: 'to' },
    { method: 'GET', path: '/communications/mails?to=a%40example.com&to=b%40example.com', name: 'to: given twice', auth: true, status: 400, field: 'to' },
    { method: 'GET', path: `/communications/mails?to=${'a'.repeat(250)}%40example.com`, label: '/communications/mails?to=aaa…%40example.com', name: 'to: longer than 254 characters', auth: true, status: 400, field: 'to' },
    { method: 'GET', path: '/communications/mails?limit=-5', name: 'limit: -5', auth: true, status: 400, field: 'limit' },
    { method: 'GET', path: '/communications/mails?limit=0', name: 'limit: 0', auth: true, status: 400, field: 'limit' },
    { method: 'GET', path: '/communications/mails?limit=501', name: 'limit: 501', auth: true, status: 400, field: 'limit' },
    { method: 'GET', path: '/communications/mails?limit=abc', name: 'limit: abc', auth: true, status: 400, field: 'limit' },
    { method: 'GET', path: '/communications/mails?limit=1.5', name: 'limit: 1.5', auth: true, status: 400, field: 'limit' },
  ];
  describe('bad input (4xx problem+json, nothing appended)', () => {
    badInputTable(badInputs, () => ({ app, token: olga.token }));
  });
});
