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
  /** Ada opens customers; Eve is another member; Olga an operator. */
  let ada: { userId: string; token: string };
  let eve: { userId: string; token: string };
  let olga: { userId: string; token: string };
  before(async () => {
    app = await startApp();
    [ada, eve, olga] = [await app.signUp('Ada'), await app.signUp('Eve'), await app.operator('Olga')];
  });
  after(async () => app?.stop());

  it('POST /customers → 201 { customerId } with Event-Position; GET returns it, yours, with the default credit limit and nothing reserved', async () => {
    const reply = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Ada Lovelace', email: 'ada@example.com' } });
    expectStatus(reply, 201);
    expect(Object.keys(reply.body)).to.deep.equal(['customerId']);
    expect(reply.body.customerId).to.match(UUID);
    const position = eventPosition(reply);
    const event = await app.eventAt(position);
    expect(event).to.deep.include({ type: CustomerRegistered.type, stream: `customers.customer-${reply.body.customerId}` });
    expect(event!.data).to.deep.equal({ customerId: reply.body.customerId, ownerId: ada.userId, name: 'Ada Lovelace', email: 'ada@example.com', creditLimitCents: 100_000 });
    expect(event!.schemaVersion).to.equal(2);

    const read = await app.request('GET', `/customers/${reply.body.customerId}`, { token: ada.token, ...at(position) });
    expectStatus(read, 200);
    expect(read.body).to.deep.equal({ customerId: reply.body.customerId, ownerId: ada.userId, name: 'Ada Lovelace', email: 'ada@example.com', creditLimitCents: 100_000, reservedCents: 0 });
    expect(read.headers.get('etag')).to.equal('"0"');
  });

  it('another member gets 404 for your customer, reading or deleting it, as for an unknown one; an operator sees and deletes it', async () => {
    const reply = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Private', email: 'private@example.com' } });
    const { customerId } = reply.body;
    const before = await app.headPosition();
    const asEve = await app.request('GET', `/customers/${customerId}`, { token: eve.token, ...at(eventPosition(reply)) });
    expectProblem(asEve, 404);
    expect(asEve.body.detail).to.equal((await app.request('GET', `/customers/${unknownId()}`, { token: eve.token })).body.detail.replace(/[0-9a-f-]{36}/, customerId));
    expectProblem(await app.request('DELETE', `/customers/${customerId}`, { token: eve.token }), 404);
    expect(await app.headPosition()).to.equal(before);
    expectStatus(await app.request('GET', `/customers/${customerId}`, { token: olga.token }), 200);
    expectStatus(await app.request('DELETE', `/customers/${customerId}`, { token: olga.token }), 204);
  });

  it('takes a credit limit other than the default from an operator, 0 included; from a member only the default (403 otherwise)', async () => {
    for (const creditLimitCents of [0, 1, 250_000]) {
      const reply = await app.request('POST', '/customers', { token: olga.token, body: { name: 'Bob', email: 'bob@example.com', creditLimitCents } });
      expectStatus(reply, 201);
      const read = await app.request('GET', `/customers/${reply.body.customerId}`, { token: olga.token, ...at(eventPosition(reply)) });
      expect(read.body.creditLimitCents).to.equal(creditLimitCents);
    }
    const before = await app.headPosition();
    expectProblem(await app.request('POST', '/customers', { token: ada.token, body: { name: 'Greedy', email: 'greedy@example.com', creditLimitCents: 250_000 } }), 403);
    expect(await app.headPosition()).to.equal(before);
    expectStatus(await app.request('POST', '/customers', { token: ada.token, body: { name: 'Modest', email: 'modest@example.com', creditLimitCents: 100_000 } }), 201);
  });

  it('names that look like SQL or markup are stored and returned verbatim', async () => {
    for (const name of HOSTILE_TEXTS) {
      const reply = await app.request('POST', '/customers', { token: ada.token, body: { name, email: 'x@example.com' } });
      expectStatus(reply, 201);
      const read = await app.request('GET', `/customers/${reply.body.customerId}`, { token: ada.token, ...at(eventPosition(reply)) });
      expect(read.body.name).to.equal(name);
    }
  });

  it('DELETE → 204 with Event-Position; the customer is gone (404); deleting it again is a 404, as for an unknown one', async () => {
    const created = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Eve', email: 'eve@example.com' } });
    const { customerId } = created.body;
    const reply = await app.request('DELETE', `/customers/${customerId}`, { token: ada.token });
    expectStatus(reply, 204);
    expect(reply.text).to.equal('');
    const position = eventPosition(reply);
    const event = await app.eventAt(position);
    expect(event).to.deep.include({ type: CustomerDeleted.type, data: { customerId } });
    expectProblem(await app.request('GET', `/customers/${customerId}`, { token: ada.token, ...at(position) }), 404);

    const head = await app.headPosition();
    expectProblem(await app.request('DELETE', `/customers/${customerId}`, { token: ada.token }), 404);
    expect(await app.headPosition()).to.equal(head);
    expectProblem(await app.request('DELETE', `/customers/${unknownId()}`, { token: ada.token }), 404);
    expectProblem(await app.request('GET', `/customers/${unknownId()}`, { token: ada.token }), 404);
  });

  it('DELETE honours If-Match: a stale revision is a 412 and deletes nothing; the current one deletes', async () => {
    const created = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Stale', email: 'stale@example.com' } });
    const { customerId } = created.body;
    const read = await app.request('GET', `/customers/${customerId}`, { token: ada.token, ...at(eventPosition(created)) });
    expect(read.headers.get('etag')).to.equal('"0"');
    const before = await app.headPosition();
    expectProblem(await app.request('DELETE', `/customers/${customerId}`, { token: ada.token, headers: { 'if-match': '"3"' } }), 412);
    expect(await app.headPosition()).to.equal(before);
    expectStatus(await app.request('GET', `/customers/${customerId}`, { token: ada.token }), 200);
    expectStatus(await app.request('DELETE', `/customers/${customerId}`, { token: ada.token, headers: { 'if-match': read.headers.get('etag')! } }), 204);
  });

  interface Fixture {
    app: TestApp;
    /** The operator's: it opened the fixture's customer. */
    token: string;
    customerId: string;
  }
  let fx: Fixture;
  before(async () => {
    const reply = await app.request('POST', '/customers', { token: olga.token, body: { name: 'Fixture', email: 'fixture@example.com' } });
    fx = { app, token: olga.token, customerId: reply.body.customerId };
  });

  const register: Endpoint<Fixture> = { method: 'POST', path: '/customers', auth: true, validBody: () => ({ name: 'Zoe', email: 'zoe@example.com', creditLimitCents: 500 }) };
  const one = (method: string): Endpoint<Fixture> => ({ method, path: (f) => `/customers/${f.customerId}`, label: '/customers/:customerId', auth: true });
  const badInputs: BadInput<Fixture>[] = [
    ...commonBadInputs(register),
    ...missingFieldCases(register, ['name', 'email']),
    ...fieldCases(register, 'name', [['empty', ''], ['only blanks', '   '], ['201 characters', 'x'.repeat(201)], ['a number', 7], ['null', null], ['a list', ['Zoe']]]),
    ...fieldCases(register, 'email', [['not an email', 'zoe'], ['no domain', 'zoe@'], ['a number', 42], ['null', null], ['255 characters', `${'z'.repeat(243)}@example.com`]]),
    ...fieldCases(register, 'creditLimitCents', [['negative', -1], ['a fraction', 1.5], ['a string', '500'], ['null', null], ['too large', 1e13], ['a boolean', true]]),
    ...[one('GET'), one('DELETE')].flatMap((endpoint): BadInput<Fixture>[] => [
      ...commonBadInputs(endpoint),
      { method: endpoint.method, path: '/customers/not-a-uuid', name: 'a non-UUID id', auth: true, status: 400, field: 'customerId' },
      { method: endpoint.method, path: "/customers/1'%20OR%20'1'='1", name: 'an id that looks like SQL', auth: true, status: 400, field: 'customerId' },
      { method: endpoint.method, path: () => `/customers/${unknownId()}`, label: '/customers/:customerId', name: 'an unknown customer', auth: true, status: 404 },
      { method: endpoint.method, path: (f) => `/customers/${f.customerId}`, label: '/customers/:customerId', name: 'If-Match: abc', headers: { 'if-match': 'abc' }, auth: true, status: 400, field: 'If-Match' },
    ]),
  ];
  describe('bad input (4xx problem+json, nothing appended)', () => {
    badInputTable(badInputs, () => fx);
  });
});
