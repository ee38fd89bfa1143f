/**
 * The campaign's checker can fail: fabricated histories and logs with a lost write, a duplicate,
 * a refused write that left an event, an order in two final states, credit that does not add up,
 * a mail sent twice, a job left behind, a pool that miscounts, and a projection unlike its rebuild.
 */
import { expect } from 'chai';
import { check } from '../../../tools/chaos/checker.js';
import type { History, LoggedEvent, Observation, WriteRecord } from '../../../tools/chaos/history.js';

const CUSTOMER = '00000000-0000-4000-8000-00000000000c';
const ORDER = '00000000-0000-4000-8000-0000000000a1';
const JOB = '00000000-0000-4000-8000-0000000000b1';

const write = (requestId: string, status: number | null, position: number | null, kind: WriteRecord['kind'] = 'item'): WriteRecord => ({
  kind, requestId, method: 'POST', path: '/catalog/items', attempts: 1, status, position, uncertain: status === null || status >= 500,
});

let position = 0;
const event = (type: string, stream: string, data: Record<string, unknown>, causationId: string | null = null): LoggedEvent => ({ position: ++position, type, stream, causationId, data });

/** A healthy little world: one item, one confirmed order with its reservation and mail, one job that succeeded. */
function healthy(): { history: History; observation: Observation } {
  position = 0;
  const events = [
    event('catalog.ItemCreated', 'catalog.item-1', { itemId: '1', title: 'Lamp' }, 'r1'),
    event('customers.CustomerRegistered', `customers.customer-${CUSTOMER}`, { customerId: CUSTOMER }, 'r2'),
    event('orders.OrderPlaced', `orders.order-${ORDER}`, { orderId: ORDER, customerId: CUSTOMER }, 'r3'),
    event('customers.CreditReserved', `customers.customer-${CUSTOMER}`, { customerId: CUSTOMER, orderId: ORDER, amountCents: 1200 }),
    event('orders.OrderConfirmed', `orders.order-${ORDER}`, { orderId: ORDER, customerId: CUSTOMER, totalCents: 1200 }),
    event('communications.MailSent', 'communications.mail-m1', { mailId: 'm1' }),
    event('jobs.JobAccepted', `jobs.job-${JOB}`, { jobId: JOB, type: 'render' }, 'r4'),
    event('jobs.JobScheduled', `jobs.job-${JOB}`, { jobId: JOB, type: 'render' }),
    event('jobs.SlotReserved', 'jobs.pool-render', { jobId: JOB, type: 'render' }),
    event('jobs.JobSucceeded', `jobs.job-${JOB}`, { jobId: JOB, type: 'render' }, 'r5'),
    event('jobs.SlotReleased', 'jobs.pool-render', { jobId: JOB, type: 'render' }),
  ];
  const at = (requestId: string) => events.find((e) => e.causationId === requestId)!.position;
  return {
    history: { writes: [write('r1', 201, at('r1')), write('r2', 201, at('r2')), write('r3', 202, at('r3'), 'order'), write('r4', 202, at('r4'), 'job'), write('r5', 202, at('r5'), 'report'), write('r6', 409, null)], reads: 0, internalErrors: [] },
    observation: {
      events,
      customers: { [CUSTOMER]: 1200 },
      mailRecords: [{ mailId: 'm1', subject: `Your order ${ORDER} is confirmed`, status: 'sent' }],
      deliveries: [{ subject: `Your order ${ORDER} is confirmed`, messageId: 'm1' }],
      deliveredBy: 'files',
      pools: { render: { size: 100, reserved: 0 } },
      projections: [{ name: 'catalog/items', live: 'abc', rebuilt: 'abc' }],
      problems: [],
    },
  };
}

describe('the chaos campaign’s checker', () => {
  it('finds nothing wrong with a healthy history', () => {
    const { history, observation } = healthy();
    expect(check(history, observation)).to.deep.equal({ acknowledged: 5, lost: 0, duplicated: 0, redelivered: 0, violations: [] });
  });

  it('reports an acknowledged write the log does not have as lost', () => {
    const { history, observation } = healthy();
    history.writes.push(write('r7', 201, 99));
    const verdict = check(history, observation);
    expect(verdict.lost).to.equal(1);
    expect(verdict.violations).to.have.length(1);
    expect(verdict.violations[0]).to.match(/^lost: item POST \/catalog\/items \(request r7.*Event-Position 99/);
  });

  it('reports a write whose request appended its event twice as duplicated (same data, or a second stream of the kind)', () => {
    const { history, observation } = healthy();
    observation.events.push(event('catalog.ItemCreated', 'catalog.item-1', { itemId: '1', title: 'Lamp' }, 'r1'));
    observation.events.push(event('orders.OrderPlaced', 'orders.order-other', { orderId: 'other', customerId: CUSTOMER }, 'r3'));
    const verdict = check(history, observation);
    expect(verdict.duplicated).to.equal(2);
    expect(verdict.violations.filter((v) => v.startsWith('duplicated:'))).to.have.length(2);
    expect(verdict.violations.join('\n')).to.contain('catalog.ItemCreated ×2');
  });

  it('lets one request release several reservations of one customer (a deletion), which is no duplicate', () => {
    const { history, observation } = healthy();
    history.writes.push({ ...write('r8', 204, null, 'customerDeletion'), position: 100 });
    observation.events.push(event('customers.CreditReleased', `customers.customer-${CUSTOMER}`, { customerId: CUSTOMER, orderId: 'a', amountCents: 1 }, 'r8'));
    observation.events.push({ ...event('customers.CreditReleased', `customers.customer-${CUSTOMER}`, { customerId: CUSTOMER, orderId: 'b', amountCents: 1 }, 'r8'), position: 100 });
    expect(check(history, observation).duplicated).to.equal(0);
  });

  it('reports a refused write that left an event, unless an attempt of it went unanswered', () => {
    const { history, observation } = healthy();
    observation.events.push(event('catalog.ItemCreated', 'catalog.item-2', { itemId: '2' }, 'r6'));
    expect(check(history, observation).violations).to.have.length(1);
    history.writes.find((w) => w.requestId === 'r6')!.uncertain = true;
    expect(check(history, observation).violations).to.deep.equal([]);
  });

  it('reports an order in two final states, an order left pending, and credit that does not add up', () => {
    const { history, observation } = healthy();
    observation.events.push(event('orders.OrderRejected', `orders.order-${ORDER}`, { orderId: ORDER, reason: 'credit-limit-exceeded' }));
    observation.events.push(event('orders.OrderPlaced', 'orders.order-p', { orderId: 'p', customerId: CUSTOMER }));
    const violations = check(history, observation).violations.join('\n');
    expect(violations).to.contain(`order ${ORDER} reached more than one final state: pending → confirmed → rejected`);
    expect(violations).to.contain('order p is still pending');
    expect(violations).to.contain(`customer ${CUSTOMER}: the log reserves 1200 cents, its confirmed orders total 0`);
    expect(violations).to.contain(`customer ${CUSTOMER}: the read model says reservedCents 1200, its confirmed orders total 0`);
  });

  it('reports a confirmation mailed twice, or without a mail file', () => {
    const { history, observation } = healthy();
    observation.events.push(event('communications.MailSent', 'communications.mail-m1', { mailId: 'm1', sentAt: 'later' }));
    observation.deliveries = [];
    const violations = check(history, observation).violations.join('\n');
    expect(violations).to.contain('its mail m1 is sent, MailSent ×2 in the log');
    expect(violations).to.contain('0 mail files for its confirmation');
    observation.deliveredBy = 'smtp';
    const confirmation = { subject: `Your order ${ORDER} is confirmed`, messageId: '<m1@seams.invalid>' };
    observation.deliveries = [confirmation, { ...confirmation, messageId: '<m2@seams.invalid>' }];
    expect(check(history, observation).violations.join('\n')).to.contain('2 mails (Message-IDs) delivered over SMTP for its confirmation (want 1)');
    // Delivered again under its Message-ID: one mail to a receiver that drops repeats; counted, not a violation.
    observation.deliveries = [confirmation, confirmation];
    const again = check(history, observation);
    expect(again.redelivered).to.equal(1);
    expect(again.violations.join('\n')).not.to.contain('delivered over SMTP');
  });

  it('reports requests answered 500, grouped by route', () => {
    const { history, observation } = healthy();
    history.internalErrors.push(
      { method: 'GET', path: '/catalog/items/00000000-0000-4000-8000-000000000001', detail: 'no such table: items_g1' },
      { method: 'GET', path: '/catalog/items/00000000-0000-4000-8000-000000000002', detail: 'no such table: items_g1' },
    );
    expect(check(history, observation).violations).to.deep.equal(['answered 500 ×2: GET /catalog/items/:id: no such table: items_g1']);
  });

  it('reports a job left between stations, a pool that miscounts, a projection unlike its rebuild, and what observing found', () => {
    const { history, observation } = healthy();
    observation.events.push(event('jobs.JobAccepted', 'jobs.job-j2', { jobId: 'j2', type: 'render' }));
    observation.pools.render!.reserved = 1;
    observation.projections[0]!.rebuilt = 'abd';
    observation.problems.push('process orders/order_process x: timer wait due at … has not fired');
    const violations = check(history, observation).violations;
    expect(violations).to.include.members([
      'job j2 (render) is accepted',
      "pool render: 0 jobs hold a slot; the pool's events reserve 0, its read model 1",
      "projection catalog/items: its tables differ from a fresh rebuild's (checksum abc vs abd)",
      'process orders/order_process x: timer wait due at … has not fired',
    ]);
  });
});
