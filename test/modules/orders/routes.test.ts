import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerRegistered } from '../../../src/modules/customers/contracts.js';
import { OrderCancellationRequested } from '../../../src/modules/orders/events.js';
import type { TestApp } from '../../support/httpHarness.js';
import {
  createItems,
  creditFaults,
  eventsAbout,
  getCustomer,
  getOrder,
  mailsTo,
  placeOrder,
  processInstance,
  registerCustomer,
  resetCreditFaults,
  shopper,
  startShop,
  untilDecided,
  untilInstance,
  untilQuiet,
  untilReserved,
  untilStatus,
} from '../../support/ordersFixture.js';
import {
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  eventually,
  expectProblem,
  expectStatus,
  fieldCases,
  missingFieldCases,
  unknownId,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

const OUTCOMES = ['orders.OrderConfirmed', 'orders.OrderInvalidated', 'orders.OrderRejected'];

/** The order's outcome events in the log: exactly one per decided order. */
const outcomes = async (app: TestApp, orderId: string) => (await eventsAbout(app, orderId, OUTCOMES)).map((e) => e.type.split('.')[1]);

const cancel = async (app: TestApp, orderId: string, headers: Record<string, string> = {}) => app.request('POST', `/orders/${orderId}/cancellation`, { token: (await shopper(app)).token, headers });
/** The shopper's token: the member who opens the customers and places the orders here. */
const as = async (app: TestApp) => ({ token: (await shopper(app)).token });

describe('HTTP orders: the order process', function () {
  this.timeout(30_000);
  let app: TestApp;
  let tea: string;
  let cake: string;
  let piano: string;

  before(async () => {
    resetCreditFaults();
    app = await startShop(); // unknown customers are waited for 200 ms
    [tea, cake, piano] = (await createItems(app, [1250, 399, 500_000])) as [string, string, string];
  });
  afterEach(() => resetCreditFaults());
  after(async () => app?.stop());

  it('202 pending at once; then confirmed: credit reserved in customers, total = Σ price × quantity, one confirmation mail', async () => {
    const { customerId, email } = await registerCustomer(app);
    const reply = await app.request('POST', '/orders', { ...(await as(app)), body: { customerId, lines: [{ itemId: tea, quantity: 2 }, { itemId: cake, quantity: 3 }, { itemId: tea, quantity: 1 }] } });
    expectStatus(reply, 202);
    expect(reply.body).to.have.keys(['orderId', 'status']);
    expect(reply.body.status).to.equal('pending');
    expect(reply.body.orderId).to.match(UUID);
    eventPosition(reply);
    const { orderId } = reply.body;

    const total = 3 * 1250 + 3 * 399;
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'confirmed', totalCents: total });
    expect(await getCustomer(app, customerId)).to.deep.include({ creditLimitCents: 100_000, reservedCents: total });
    expect(await outcomes(app, orderId)).to.deep.equal(['OrderConfirmed']);
    expect((await eventsAbout(app, orderId, [CreditReserved.type])).map((e) => e.data)).to.deep.equal([{ customerId, orderId, amountCents: total }]);

    const [mail, ...more] = await eventually(async () => {
      const mails = await mailsTo(app, email);
      return mails.length > 0 && mails.every((m) => m.status === 'sent') && mails;
    });
    expect(more).to.deep.equal([]);
    expect(mail).to.deep.include({ to: email, status: 'sent' });
    expect(mail!.subject).to.contain(orderId);
    expect(new Date(mail!.sentAt!).toString()).not.to.equal('Invalid Date');
    // Without SMTP_URL, each mail is a whole .eml message under communications' own files.
    const file = join(app.dataDirOf('communications'), 'modules', 'communications-files', 'mails', `${mail!.mailId}.eml`);
    expect(existsSync(file), file).to.equal(true);
    const eml = readFileSync(file, 'utf8');
    expect(eml).to.match(new RegExp(`^To: ${email}$`, 'm'));
    expect(eml).to.match(new RegExp(`^Subject: .*${orderId.slice(0, 8)}`, 'm'));
    expect(eml).to.match(new RegExp(`^Message-ID: <${mail!.mailId}@`, 'mi'));
    expect(eml).to.contain('Total: 49.47');

    const process = (await processInstance(app, 'order_process', orderId))!;
    expect(process).to.deep.include({ status: 'running', step: 'confirmed' });
    expect(process.completedSteps).to.have.length(1);
  });

  it('invalid, unknown-customer: the customer is not in orders’ replica within the configured wait', async () => {
    const customerId = unknownId();
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'invalid', reason: 'unknown-customer' });
    expect(await outcomes(app, orderId)).to.deep.equal(['OrderInvalidated']);
    const process = (await processInstance(app, 'order_process', orderId))!;
    expect(process).to.deep.include({ status: 'completed', step: 'invalid: unknown-customer', nextWakeAt: null });
    expect(process.commands.map((c) => c.type)).to.deep.equal(['orders.InvalidateOrder']); // no reservation was asked for
  });

  it('invalid, unknown-item: an item not in orders’ replica of the catalog; nothing is reserved', async () => {
    const { customerId } = await registerCustomer(app);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }, { itemId: unknownId(), quantity: 1 }]);
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'invalid', reason: 'unknown-item' });
    expect(await outcomes(app, orderId)).to.deep.equal(['OrderInvalidated']);
    expect(await eventsAbout(app, orderId, [CreditReserved.type, CreditLimitExceeded.type])).to.deep.equal([]);
    expect((await getCustomer(app, customerId)).reservedCents).to.equal(0);
  });

  it('rejected, credit-limit-exceeded: customers refuses to reserve the total; no mail', async () => {
    const { customerId, email } = await registerCustomer(app, { creditLimitCents: 1000 });
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'rejected', reason: 'credit-limit-exceeded', totalCents: 1250 });
    expect(await outcomes(app, orderId)).to.deep.equal(['OrderRejected']);
    expect((await eventsAbout(app, orderId, [CreditLimitExceeded.type])).map((e) => e.data)).to.deep.equal([{ customerId, orderId, amountCents: 1250, availableCents: 1000 }]);
    await untilQuiet(app);
    expect((await getCustomer(app, customerId)).reservedCents).to.equal(0);
    expect(await mailsTo(app, email)).to.deep.equal([]);
  });

  it('the credit limit counts what earlier orders reserved', async () => {
    const { customerId } = await registerCustomer(app, { creditLimitCents: 3000 });
    const first = await placeOrder(app, customerId, [{ itemId: tea, quantity: 2 }]);
    expect((await untilDecided(app, first)).status).to.equal('confirmed');
    const second = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    expect(await untilDecided(app, second)).to.include({ status: 'rejected', reason: 'credit-limit-exceeded' });
    const third = await placeOrder(app, customerId, [{ itemId: cake, quantity: 1 }]);
    expect(await untilDecided(app, third)).to.include({ status: 'confirmed', totalCents: 399 });
    expect((await getCustomer(app, customerId)).reservedCents).to.equal(2500 + 399);
  });

  it('cancellation: 202; the credit is released by compensation and the order ends cancelled', async () => {
    const { customerId } = await registerCustomer(app);
    const orderId = await placeOrder(app, customerId, [{ itemId: cake, quantity: 10 }]);
    await untilStatus(app, orderId, 'confirmed');
    await untilReserved(app, customerId, 3990);

    const reply = await cancel(app, orderId);
    expectStatus(reply, 202);
    expect(reply.body).to.deep.equal({ orderId });
    eventPosition(reply);
    expect(await untilStatus(app, orderId, 'cancelled')).to.deep.equal({ orderId, customerId, status: 'cancelled', totalCents: 3990 });
    await untilReserved(app, customerId, 0);
    expect((await eventsAbout(app, orderId, [CreditReleased.type])).map((e) => e.data)).to.deep.equal([{ customerId, orderId, amountCents: 3990 }]);

    const process = await untilInstance(app, 'order_process', orderId, (i) => i.status === 'compensated');
    expect(process.step).to.equal('cancelled');
    expect(process.completedSteps).to.deep.equal([]);
    expect(process.commands.map((c) => [c.type, c.purpose, c.status])).to.deep.equal([
      ['customers.ReserveCredit', 'step', 'done'],
      ['orders.ConfirmOrder', 'step', 'done'],
      ['customers.ReleaseCredit', 'undo', 'done'],
      ['orders.CompleteCancellation', 'step', 'done'],
    ]);
    // A cancelled order is not confirmed: cancelling it again is a conflict.
    expectProblem(await cancel(app, orderId), 409);
  });

  it('deleting a customer moves its confirmed orders to invalid, customer-deleted, with their credit released', async () => {
    const { customerId } = await registerCustomer(app);
    const first = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    const second = await placeOrder(app, customerId, [{ itemId: cake, quantity: 2 }]);
    await untilStatus(app, first, 'confirmed');
    await untilStatus(app, second, 'confirmed');
    await untilReserved(app, customerId, 1250 + 798);

    const reply = await app.request('DELETE', `/customers/${customerId}`, await as(app));
    expectStatus(reply, 204);
    expect(await untilStatus(app, first, 'invalid')).to.deep.equal({ orderId: first, customerId, status: 'invalid', reason: 'customer-deleted', totalCents: 1250 });
    expect(await untilStatus(app, second, 'invalid')).to.deep.include({ reason: 'customer-deleted' });
    for (const [orderId, amountCents] of [[first, 1250], [second, 798]] as const) {
      expect((await eventsAbout(app, orderId, [CreditReleased.type])).map((e) => e.data)).to.deep.equal([{ customerId, orderId, amountCents }]);
      const process = await untilInstance(app, 'order_process', orderId, (i) => i.status === 'compensated');
      expect(process.step).to.equal('invalid: customer-deleted');
      expect(process.commands.filter((c) => c.purpose === 'undo').map((c) => [c.type, c.status])).to.deep.equal([['customers.ReleaseCredit', 'done']]);
    }
    expectProblem(await app.request('GET', `/customers/${customerId}`, await as(app)), 404);
  });

  it('deleting a customer while its order is pending (the reservation in flight) ends it invalid, customer-deleted', async () => {
    const { customerId } = await registerCustomer(app);
    creditFaults.reserve = true; // customers fails to take the reservation, so the order stays pending
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    await untilInstance(app, 'order_process', orderId, (i) => i.step === 'reserving credit' && i.attempts >= 1);
    expect((await getOrder(app, orderId)).status).to.equal('pending');
    expectStatus(await app.request('DELETE', `/customers/${customerId}`, await as(app)), 204);
    creditFaults.reserve = false;
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'invalid', reason: 'customer-deleted' });
    expect(await outcomes(app, orderId)).to.deep.equal(['OrderInvalidated']);
    expect(await eventsAbout(app, orderId, [CreditReserved.type])).to.deep.equal([]);
  });

  it('a customer deleted before the order is placed: invalid, customer-deleted', async () => {
    const { customerId } = await registerCustomer(app);
    expectStatus(await app.request('DELETE', `/customers/${customerId}`, await as(app)), 204);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    expect(await untilDecided(app, orderId)).to.deep.include({ status: 'invalid', reason: 'customer-deleted' });
  });

  it('409 cancelling an order that is not confirmed (invalid, rejected); 404 an unknown order', async () => {
    const { customerId } = await registerCustomer(app, { creditLimitCents: 0 });
    const rejected = await placeOrder(app, customerId, [{ itemId: piano, quantity: 1 }]);
    const invalid = await placeOrder(app, customerId, [{ itemId: unknownId(), quantity: 1 }]);
    expect((await untilDecided(app, rejected)).status).to.equal('rejected');
    expect((await untilDecided(app, invalid)).status).to.equal('invalid');
    for (const orderId of [rejected, invalid]) {
      const before = await app.headPosition();
      expectProblem(await cancel(app, orderId), 409);
      expect(await app.headPosition()).to.equal(before);
    }
    expectProblem(await cancel(app, unknownId()), 404);
    expectProblem(await app.request('GET', `/orders/${unknownId()}`, await as(app)), 404);
  });

  it('exactly one confirmation mail per confirmed order, none for the others', async () => {
    const { customerId, email } = await registerCustomer(app, { creditLimitCents: 10_000 });
    const confirmed = [
      await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]),
      await placeOrder(app, customerId, [{ itemId: cake, quantity: 1 }]),
      await placeOrder(app, customerId, [{ itemId: tea, quantity: 2 }]),
    ];
    const rejected = await placeOrder(app, customerId, [{ itemId: piano, quantity: 1 }]);
    for (const orderId of confirmed) expect((await untilDecided(app, orderId)).status).to.equal('confirmed');
    expect((await untilDecided(app, rejected)).status).to.equal('rejected');
    await untilQuiet(app);
    const mails = await mailsTo(app, email);
    expect(mails.map((m) => m.status)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(mails.map((m) => confirmed.find((id) => m.subject.includes(id)))).to.have.members(confirmed);
    for (const orderId of confirmed) {
      expect((await eventsAbout(app, orderId, ['communications.MailRequested'])).map((e) => e.data.idempotencyKey)).to.deep.equal([orderId]);
      expect(await eventsAbout(app, orderId, ['communications.MailSent'])).to.deep.equal([]); // MailSent names the mail, not the order
    }
  });
});

describe('HTTP orders: whose customers, orders and mails', function () {
  this.timeout(30_000);
  let app: TestApp;
  let tea: string;
  before(async () => {
    app = await startShop();
    [tea] = (await createItems(app, [1250])) as [string];
  });
  after(async () => app?.stop());

  it('a member’s order of their own customer is theirs: they read it and its mail; another member gets 404 and no mail', async () => {
    const [ada, eve] = [await app.signUp('Ada'), await app.signUp('Eve')];
    const { customerId, email } = await registerCustomer(app, {}, ada.token);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }], ada.token);
    expect(await untilStatus(app, orderId, 'confirmed')).to.deep.include({ totalCents: 1250 });
    expect((await getOrder(app, orderId, ada.token)).status).to.equal('confirmed');
    expectProblem(await app.request('GET', `/orders/${orderId}`, { token: eve.token }), 404);
    await untilQuiet(app);
    const before = await app.headPosition();
    expectProblem(await app.request('POST', `/orders/${orderId}/cancellation`, { token: eve.token }), 404);
    expect(await app.headPosition()).to.equal(before);
    const mails = await mailsTo(app, email, ada.token);
    expect(mails.map((m) => m.subject)).to.deep.equal([`Your order ${orderId} is confirmed`]);
    expect((await eventsAbout(app, orderId, ['communications.MailRequested']))[0]!.data.recipientUserId).to.equal(ada.userId);
    expect(await mailsTo(app, email, eve.token)).to.deep.equal([]);
  });

  it('an order for another member’s customer is treated as for an unknown customer: invalid, unknown-customer, nothing reserved', async () => {
    const [ada, eve] = [await app.signUp('Ada'), await app.signUp('Eve')];
    const { customerId } = await registerCustomer(app, {}, ada.token);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }], eve.token);
    expect(await untilDecided(app, orderId)).to.deep.include({ status: 'invalid', reason: 'unknown-customer' });
    expect(await eventsAbout(app, orderId, [CreditReserved.type])).to.deep.equal([]);
    expect((await getCustomer(app, customerId, ada.token)).reservedCents).to.equal(0);
  });

  it('cancellation honours If-Match: a stale revision is a 412 and changes nothing; the current one cancels', async () => {
    const { customerId } = await registerCustomer(app);
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 1 }]);
    await untilStatus(app, orderId, 'confirmed');
    const etag = (await app.request('GET', `/orders/${orderId}`, await as(app))).headers.get('etag')!;
    expect(etag).to.equal('"1"');
    expectProblem(await cancel(app, orderId, { 'if-match': '"0"' }), 412);
    // Nothing appended for the order (the log moves on meanwhile: its confirmation mail).
    expect(await eventsAbout(app, orderId, [OrderCancellationRequested.type])).to.deep.equal([]);
    expect((await getOrder(app, orderId)).cancellationRequested).to.equal(undefined);
    expectStatus(await cancel(app, orderId, { 'if-match': etag }), 202);
    await untilStatus(app, orderId, 'cancelled');
  });
});

describe('HTTP orders: a customer registered during the wait', function () {
  this.timeout(30_000);
  let app: TestApp;
  let tea: string;

  before(async () => {
    app = await startShop({ config: { env: { ORDERS_CUSTOMER_WAIT_MS: '60000' } } }); // the wait never runs out during these tests
    [tea] = (await createItems(app, [1250])) as [string];
  });
  after(async () => app?.stop());

  it('an order placed before its customer exists waits, pending, and proceeds as soon as the customer is registered', async () => {
    const customerId = unknownId();
    const orderId = await placeOrder(app, customerId, [{ itemId: tea, quantity: 2 }]);
    const waiting = await untilInstance(app, 'order_process', orderId, (i) => i.timers.length === 1);
    expect(waiting.step).to.match(/^waiting 60000 ms for the customer/);
    expect(waiting.timers.map((t) => t.name)).to.deep.equal(['customer-wait']);
    expect((await getOrder(app, orderId)).status).to.equal('pending');
    // 409: a pending order cannot be cancelled.
    expectProblem(await cancel(app, orderId), 409);

    // The customer appears in the log now (as POST /customers would write it, with the id the order names).
    const customers = app.server.runtime.context('customers');
    await customers.events.append(customers.events.stream('customer', customerId), [
      { type: CustomerRegistered.type, data: { customerId, ownerId: (await shopper(app)).userId, name: 'Late', email: 'late@example.com', creditLimitCents: 100_000 } },
    ], { expectedRevision: 'no_stream' });
    expect(await untilDecided(app, orderId)).to.deep.equal({ orderId, customerId, status: 'confirmed', totalCents: 2500 });
    const process = (await processInstance(app, 'order_process', orderId))!;
    expect(process.timers).to.deep.equal([]); // the wait was cancelled
    expect((await getCustomer(app, customerId)).reservedCents).to.equal(2500);
  });
});

interface Fixture {
  app: TestApp;
  /** The shopper's: it opened the customer and placed the order. */
  token: string;
  customerId: string;
  itemId: string;
  orderId: string;
}

const placeEndpoint: Endpoint<Fixture> = {
  method: 'POST',
  path: '/orders',
  auth: true,
  validBody: (fx) => ({ customerId: fx.customerId, lines: [{ itemId: fx.itemId, quantity: 1 }] }),
};
const withLine = (line: Record<string, unknown>) => (fx: Fixture) => ({ customerId: fx.customerId, lines: [{ itemId: fx.itemId, quantity: 1, ...line }] });
const lineCase = (name: string, line: Record<string, unknown>, field: string): BadInput<Fixture> => ({ method: 'POST', path: '/orders', name, body: withLine(line), auth: true, status: 400, field });

const badInputs: BadInput<Fixture>[] = [
  ...commonBadInputs(placeEndpoint),
  ...missingFieldCases(placeEndpoint, ['customerId', 'lines']),
  ...fieldCases(placeEndpoint, 'customerId', [['not a UUID', 'customer-1'], ['a number', 42], ['null', null], ['an empty string', ''], ['an object', { id: 'x' }]]),
  ...fieldCases(placeEndpoint, 'lines', [['an empty list', []], ['an object', { itemId: 'x' }], ['a string', 'tea'], ['null', null]]),
  { method: 'POST', path: '/orders', name: 'lines: 101 lines', body: (fx: Fixture) => ({ customerId: fx.customerId, lines: Array.from({ length: 101 }, () => ({ itemId: fx.itemId, quantity: 1 })) }), auth: true, status: 400, field: 'lines' },
  { method: 'POST', path: '/orders', name: 'lines: a line that is not an object', body: (fx: Fixture) => ({ customerId: fx.customerId, lines: ['tea'] }), auth: true, status: 400, field: 'lines.0' },
  lineCase('itemId: not a UUID', { itemId: 'tea' }, 'lines.0.itemId'),
  lineCase('itemId: missing', { itemId: undefined }, 'lines.0.itemId'),
  lineCase('quantity: 0', { quantity: 0 }, 'lines.0.quantity'),
  lineCase('quantity: -1', { quantity: -1 }, 'lines.0.quantity'),
  lineCase('quantity: 1.5', { quantity: 1.5 }, 'lines.0.quantity'),
  lineCase('quantity: a string', { quantity: '2' }, 'lines.0.quantity'),
  lineCase('quantity: 10001', { quantity: 10_001 }, 'lines.0.quantity'),
  lineCase('quantity: missing', { quantity: undefined }, 'lines.0.quantity'),
  // GET /orders/:orderId
  ...commonBadInputs<Fixture>({ method: 'GET', path: (fx) => `/orders/${fx.orderId}`, label: '/orders/:orderId', auth: true }),
  { method: 'GET', path: '/orders/not-a-uuid', name: 'a non-UUID id', auth: true, status: 400, field: 'orderId' },
  { method: 'GET', path: '/orders/1%27%20OR%201=1', name: 'an id that looks like SQL', auth: true, status: 400, field: 'orderId' },
  { method: 'GET', path: `/orders/${'0'.repeat(36)}`, name: 'a UUID-sized id that is no UUID', auth: true, status: 400, field: 'orderId' },
  { method: 'GET', path: () => `/orders/${unknownId()}`, label: '/orders/:orderId', name: 'an unknown order', auth: true, status: 404 },
  // POST /orders/:orderId/cancellation
  ...commonBadInputs<Fixture>({ method: 'POST', path: (fx) => `/orders/${fx.orderId}/cancellation`, label: '/orders/:orderId/cancellation', auth: true }),
  { method: 'POST', path: '/orders/not-a-uuid/cancellation', name: 'a non-UUID id', auth: true, status: 400, field: 'orderId' },
  { method: 'POST', path: () => `/orders/${unknownId()}/cancellation`, label: '/orders/:orderId/cancellation', name: 'an unknown order', auth: true, status: 404 },
  { method: 'POST', path: (fx) => `/orders/${fx.orderId}/cancellation`, label: '/orders/:orderId/cancellation', name: 'malformed JSON', raw: '{"reason": ', headers: { 'content-type': 'application/json' }, auth: true, status: 400 },
  { method: 'POST', path: (fx) => `/orders/${fx.orderId}/cancellation`, label: '/orders/:orderId/cancellation', name: 'a text/plain body', raw: 'please', headers: { 'content-type': 'text/plain' }, auth: true, status: 415 },
  { method: 'POST', path: (fx) => `/orders/${fx.orderId}/cancellation`, label: '/orders/:orderId/cancellation', name: 'a pending order (not confirmed)', auth: true, status: 409 },
];

describe('HTTP orders: bad input (4xx problem+json, nothing appended)', function () {
  let fx: Fixture;
  before(async () => {
    // A long customer wait: the fixture's order stays pending while the table runs.
    const app = await startShop({ config: { env: { ORDERS_CUSTOMER_WAIT_MS: '600000' } } });
    const [itemId] = (await createItems(app, [100])) as [string];
    const orderId = await placeOrder(app, unknownId(), [{ itemId, quantity: 1 }]);
    await untilInstance(app, 'order_process', orderId, (i) => i.timers.length === 1);
    const { customerId } = await registerCustomer(app);
    fx = { app, token: (await shopper(app)).token, customerId, itemId, orderId };
  });
  after(async () => fx?.app.stop());

  badInputTable(badInputs, () => fx);
});
