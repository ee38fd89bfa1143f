/**
 * A process's command to a module in another deployable (orders' SendMail to an extracted
 * communications) goes over HTTP to a live peer, with today's guarantees: retried with backoff
 * while that deployable is down and acted on once when it is back; a refusal is set aside
 * visibly and the process hears of it.
 */
import { expect } from 'chai';
import { UnprocessableError, type ModuleDefinition } from '../../src/kernel/host.js';
import { describeBroker, until } from '../support/broker.js';
import { withModule } from '../support/http.js';
import { requestJson } from '../support/serverProcess.js';
import { startSplit } from '../support/splitHarness.js';

/** communications, refusing mail to refuse@… (as an SMTP server's permanent refusal would be answered). */
const refusing = withModule('communications', (m): ModuleDefinition => ({
  ...m,
  commands: m.commands.map((h) =>
    h.command.type !== 'communications.SendMail'
      ? h
      : { ...h, handle: async (ctx, data, meta) => ((data as { to: string }).to.startsWith('refuse@') ? Promise.reject(new UnprocessableError('this address takes no mail')) : h.handle(ctx, data, meta)) },
  ),
}));

await describeBroker('commands across deployables (communications extracted): over HTTP, retried, acted on once, refusals set aside', () => {
  let split: Awaited<ReturnType<typeof startSplit>>;
  before(async () => {
    split = await startSplit(refusing, ['communications'], {});
  });
  after(async () => split?.stop());

  /** A confirmed order of a new member (whose token also reads the order's mail). */
  async function confirmedOrder(email: string): Promise<{ orderId: string; token: string }> {
    const g = split.base;
    const { token } = await signedUp();
    const item = await requestJson(g, 'POST', '/catalog/items', { token, body: { title: 'Tea', priceCents: 250 } });
    const customer = await requestJson(g, 'POST', '/customers', { token, body: { name: 'Grace', email } });
    const order = await requestJson(g, 'POST', '/orders', { token, body: { customerId: customer.body.customerId, lines: [{ itemId: item.body.itemId, quantity: 2 }] } });
    expect(order.status, order.text).to.equal(202);
    await until('the order to be confirmed', async () => (await requestJson(g, 'GET', `/orders/${order.body.orderId}`, { token })).body.status === 'confirmed', 20_000);
    return { orderId: order.body.orderId, token };
  }
  async function signedUp() {
    const email = `${crypto.randomUUID()}@example.com`;
    await requestJson(split.base, 'POST', '/identity/registrations', { body: { email, password: 'correct horse battery', displayName: 'Ada' } });
    return (await requestJson(split.base, 'POST', '/identity/sessions', { body: { email, password: 'correct horse battery' } })).body as { token: string };
  }
  const mail = (orderId: string) => split.server.runtime.processInstance('confirmation_mail', orderId);

  it('while communications is down, SendMail is retried with backoff; once it is back, one mail goes out', async function () {
    this.timeout(60_000);
    await split.stopDeployable('communications');
    const email = `${crypto.randomUUID()}@example.com`;
    const { orderId, token } = await confirmedOrder(email);
    const retried = await until('a failed delivery', async () => {
      const instance = await mail(orderId);
      return instance?.commands.find((c) => c.attempts >= 2 && c.status === 'pending' && /communications/.test(String(c.lastError))) && instance;
    }, 20_000);
    expect(retried.nextWakeAt).to.be.a('string');
    await split.startDeployable('communications');
    const mails = await until('the mail', async () => {
      const reply = await requestJson(split.base, 'GET', `/communications/mails?to=${encodeURIComponent(email)}`, { token });
      return reply.body.mails?.[0]?.status === 'sent' && reply.body.mails;
    }, 30_000);
    expect(mails).to.have.length(1);
    expect((await mail(orderId))!.commands.map((c) => c.status)).to.deep.equal(['done']);
    const requested = (await split.log()).filter((e) => e.type === 'communications.MailRequested' && (e.data as { idempotencyKey: string }).idempotencyKey === orderId);
    expect(requested).to.have.length(1);
  });

  it('a refusal from the other deployable (a 4xx) is not retried: the command is set aside and the process hears of it', async function () {
    this.timeout(60_000);
    const { orderId } = await confirmedOrder(`refuse@${crypto.randomUUID()}.example.com`);
    const failed = await until('the mail process to fail', async () => {
      const instance = await mail(orderId);
      return instance?.status === 'failed' && instance;
    }, 20_000);
    expect(failed.step).to.match(/^sending the confirmation mail failed: .*this address takes no mail/);
    expect(failed.commands.map((c) => [c.type, c.status, c.attempts])).to.deep.equal([['communications.SendMail', 'failed', 1]]);
  });
});
