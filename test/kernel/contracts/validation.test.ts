import { expect } from 'chai';
import { z } from 'zod';
import { EventRegistry, ValidationError, defineEvent, parseWith } from '../../../src/kernel/host.js';
import { unstorableText } from '../../../src/kernel/contracts/validation.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { UNSTORABLE_TEXTS, eventPosition, expectProblem, expectStatus } from '../../support/http.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';
import { CALLERS, useRouteTable } from '../../support/routeTable.js';

/** The body with every string in it (keys too) replaced by `text`. */
function poisoned(value: unknown, text: string): unknown {
  if (typeof value === 'string') return text;
  if (Array.isArray(value)) return value.map((v) => poisoned(v, text));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisoned(v, text)]));
  return value;
}

describe('text no store can hold: U+0000 and unpaired surrogates', () => {
  it('finds them in any string of a JSON value, keys included, and names where', () => {
    expect(unstorableText({ a: 'fine', b: ['ok', 'nul\u0000'], c: { 'lone\ud800': 1 }, d: 'pair 😀 \ud83d\ude00' })).to.deep.equal([
      { path: 'b.1', message: 'must not contain U+0000 or an unpaired surrogate' },
      { path: 'c.lone\ud800', message: 'a key must not contain U+0000 or an unpaired surrogate' },
    ]);
    for (const text of UNSTORABLE_TEXTS) expect(unstorableText(text), JSON.stringify(text)).to.have.length(1);
    for (const fine of ['', 'Zoë 日本語 👩🏽‍💻', '\\u0000 as written text', '%00']) expect(unstorableText(fine), fine).to.deep.equal([]);
  });

  it('refuses them in every parse: an input, a command, an event appended (whatever its schema allows)', () => {
    expect(() => parseWith(z.unknown(), { payload: { note: 'nul\u0000' } }, 'request body')).to.throw(ValidationError, /request body is invalid: payload.note: must not contain U\+0000/);
    const registry = new EventRegistry([defineEvent('t.Noted', 1, z.object({ text: z.string() }))]);
    expect(() => registry.prepare('t.Noted', { text: 'a lone \udc00' })).to.throw(ValidationError, /text: must not contain/);
  });
});

describe('text no store can hold, refused in every text field of every route (400, nothing appended)', function () {
  this.timeout(120_000);
  const fx = useRouteTable();

  it('every route that takes a body, with each unstorable text in every string of it', async () => {
    const withBodies = Object.entries(fx.table).filter(([route]) => /^(POST|PATCH|PUT) /.test(route));
    let tried = 0;
    for (const [route, entry] of withBodies) {
      // A caller the route lets in (its answer may still be a refusal of the resource's state, e.g. 409).
      const caller = CALLERS.find((kind) => ![401, 403].includes(entry.expected[kind]))!;
      const built = await entry.request(caller, true);
      if (built.body === undefined || !JSON.stringify(built.body).includes('"')) continue;
      for (const text of UNSTORABLE_TEXTS) {
        const requestId = crypto.randomUUID();
        const before = await fx.app.headPosition();
        const reply = await fx.app.request(route.split(' ')[0]!, built.path, { token: built.token ?? fx.tokens[caller], body: poisoned(built.body, text), headers: { 'x-request-id': requestId } });
        expectProblem(reply, 400);
        expect(reply.body.detail, route).to.match(/U\+0000 or an unpaired surrogate/);
        const since = await fx.app.server.store.readAll({ after: before, maxCount: 1000 });
        expect(since.filter((e) => e.metadata.correlationId === requestId), route).to.deep.equal([]);
        tried++;
      }
    }
    expect(tried).to.be.at.least(14 * UNSTORABLE_TEXTS.length);
  });

  it('in a job payload, in query parameters and in path parameters', async () => {
    const submit = await fx.app.request('POST', '/jobs', { token: fx.tokens['jobs:submit'], body: { type: 'render', payload: { scene: { title: 'nul\u0000byte' } } } });
    expectProblem(submit, 400, 'payload.scene.title');
    expectProblem(await fx.app.request('GET', '/communications/mails?to=a%00b%40example.com', { token: fx.tokens.operator }), 400, 'to');
    expectProblem(await fx.app.request('GET', '/catalog/items/%00'), 400, 'itemId');
  });
});

await describePostgres('text no store can hold, on PostgreSQL', (url) => {
  const prefix = `${randomSchema('seams_nul')}_`;
  let app: TestApp;
  before(async function () {
    this.timeout(60_000);
    app = await startApp({ config: { store: 'postgres', databaseUrl: url, pgSchemaPrefix: prefix } });
  });
  after(async function () {
    this.timeout(60_000);
    await app?.stop();
    for (const schema of ['event_store', 'identity', 'users', 'catalog', 'chat', 'jobs', 'customers', 'orders', 'communications']) await dropSchema(url, `${prefix}${schema}`);
  });

  it('a name with U+0000 is a 400, so no projection ever meets it: the module keeps going and /health/ready stays 200', async function () {
    this.timeout(30_000);
    const ada = await app.signUp('Ada');
    for (const name of UNSTORABLE_TEXTS) expectProblem(await app.request('POST', '/customers', { token: ada.token, body: { name, email: 'nul@example.com' } }), 400, 'name');
    const after = await app.request('POST', '/customers', { token: ada.token, body: { name: 'After', email: 'after@example.com' } });
    expectStatus(after, 201);
    expectStatus(await app.request('GET', `/customers/${after.body.customerId}`, { token: ada.token, headers: { 'min-position': String(eventPosition(after)) } }), 200);
    expectStatus(await app.request('GET', '/health/ready'), 200);
  });
});
