import { expect } from 'chai';
import { CustomerDeleted, CustomerRegistered } from '../../../src/modules/customers/contracts.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import {
  HOSTILE_TEXTS,
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  expectProblem,
  expectStatus,
  fieldCases,
  missingFieldCases,
  unknownId,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

const at = (position: string) => ({ headers: { 'min-position': position } });

describe('HTTP customers', function () {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(async () => app?.stop());

  it('POST /customers → 201 { customerId } with Event-Position; GET returns it with the default credit limit and nothing reserved', async () => {
    const reply = await app.request('POST', '/customers', { body: { name: 'Ada Lovelace', email: 'ada@example.com' } });
    expectStatus(reply, 201);
    expect(Object.keys(reply.body)).to.deep.equal(['customerId']);
    expect(reply.body.customerId).to.match(UUID);
    const position = eventPosition(reply);
    const event = await app.eventAt(position);
    expect(event).to.deep.include({ type: CustomerRegistered.type, stream: `customers.customer-${reply.body.customerId}` });
    expect(event!.data).to.deep.equal({ customerId: reply.body.customerId, name: 'Ada Lovelace', email: 'ada@example.com', creditLimitCents: 100_000 });

    const read = await app.request('GET', `/customers/${reply.body.customerId}`, at(position));
    expectStatus(read, 200);
    expect(read.body).to.deep.equal({ customerId: reply.body.customerId, name: 'Ada Lovelace', email: 'ada@example.com', creditLimitCents: 100_000, reservedCents: 0 });
    expect(read.headers.get('etag')).to.equal('"0"');
  });

  it('takes a credit limit, 0 included', async () => {
    for (const creditLimitCents of [0, 1, 250_000]) {
      const reply = await app.request('POST', '/customers', { body: { name: 'Bob', email: 'bob@example.com', creditLimitCents } });
      expectStatus(reply, 201);
      const read = await app.request('GET', `/customers/${reply.body.customerId}`, at(eventPosition(reply)));
      expect(read.body.creditLimitCents).to.equal(creditLimitCents);
    }
  });

  it('names that look like SQL or markup are stored and returned verbatim', async () => {
    for (const name of HOSTILE_TEXTS) {
      const reply = await app.request('POST', '/customers', { body: { name, email: 'x@example.com' } });
      expectStatus(reply, 201);
      const read = await app.request('GET', `/customers/${reply.body.customerId}`, at(eventPosition(reply)));
      expect(read.body.name).to.equal(name);
    }
  });

  it('DELETE → 204 with Event-Position; the customer is gone (404); deleting again is a no-op 204; an unknown one is 404', async () => {
    const created = await app.request('POST', '/customers', { body: { name: 'Eve', email: 'eve@example.com' } });
    const { customerId } = created.body;
    const reply = await app.request('DELETE', `/customers/${customerId}`);
    expectStatus(reply, 204);
    expect(reply.text).to.equal('');
    const position = eventPosition(reply);
    const event = await app.eventAt(position);
    expect(event).to.deep.include({ type: CustomerDeleted.type, data: { customerId } });
    expectProblem(await app.request('GET', `/customers/${customerId}`, at(position)), 404);

    const head = await app.headPosition();
    const again = await app.request('DELETE', `/customers/${customerId}`);
    expectStatus(again, 204);
    expect(again.headers.get('event-position')).to.equal(null);
    expect(await app.headPosition()).to.equal(head);
    expectProblem(await app.request('DELETE', `/customers/${unknownId()}`), 404);
    expectProblem(await app.request('GET', `/customers/${unknownId()}`), 404);
  });

  interface Fixture {
    app: TestApp;
    customerId: string;
  }
  let fx: Fixture;
  before(async () => {
    const reply = await app.request('POST', '/customers', { body: { name: 'Fixture', email: 'fixture@example.com' } });
    fx = { app, customerId: reply.body.customerId };
  });

  const register: Endpoint<Fixture> = { method: 'POST', path: '/customers', auth: false, validBody: () => ({ name: 'Zoe', email: 'zoe@example.com', creditLimitCents: 500 }) };
  const one = (method: string): Endpoint<Fixture> => ({ method, path: (f) => `/customers/${f.customerId}`, label: '/customers/:customerId', auth: false });
  const badInputs: BadInput<Fixture>[] = [
    ...commonBadInputs(register),
    ...missingFieldCases(register, ['name', 'email']),
    ...fieldCases(register, 'name', [['empty', ''], ['only blanks', '   '], ['201 characters', 'x'.repeat(201)], ['a number', 7], ['null', null], ['a list', ['Zoe']]]),
    ...fieldCases(register, 'email', [['not an email', 'zoe'], ['no domain', 'zoe@'], ['a number', 42], ['null', null], ['255 characters', `${'z'.repeat(243)}@example.com`]]),
    ...fieldCases(register, 'creditLimitCents', [['negative', -1], ['a fraction', 1.5], ['a string', '500'], ['null', null], ['too large', 1e13], ['a boolean', true]]),
    ...[one('GET'), one('DELETE')].flatMap((endpoint): BadInput<Fixture>[] => [
      ...commonBadInputs(endpoint),
      { method: endpoint.method, path: '/customers/not-a-uuid', name: 'a non-UUID id', status: 400, field: 'customerId' },
      { method: endpoint.method, path: "/customers/1'%20OR%20'1'='1", name: 'an id that looks like SQL', status: 400, field: 'customerId' },
      { method: endpoint.method, path: () => `/customers/${unknownId()}`, label: '/customers/:customerId', name: 'an unknown customer', status: 404 },
    ]),
  ];
  describe('bad input (4xx problem+json, nothing appended)', () => {
    badInputTable(badInputs, () => fx);
  });
});
