import { expect } from 'chai';
import type { ModuleDefinition } from '../../../src/kernel/host.js';
import { startApp, type Reply, type TestApp } from '../../support/httpHarness.js';
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
  withModule,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
  token: string;
  userId: string;
  itemId: string;
}

type User = Awaited<ReturnType<TestApp['signUp']>>;

const createItem = (app: TestApp, user: User, body: Record<string, unknown>) => app.request('POST', '/catalog/items', { token: user.token, body });
const at = (position: string) => ({ headers: { 'min-position': position } });

describe('HTTP catalog', function () {
  let app: TestApp;
  let ada: User;
  let bob: User;
  let olga: User;
  let fx: Fixture;

  before(async () => {
    app = await startApp();
    ada = await app.signUp('Ada');
    bob = await app.signUp('Bob');
    olga = await app.operator('Olga');
    const item = await createItem(app, ada, { title: 'Fixture item', priceCents: 100 });
    expectStatus(item, 201);
    fx = { app, token: ada.token, userId: ada.userId, itemId: item.body.itemId };
  });
  after(async () => app?.stop());

  describe('POST /catalog/items and GET /catalog/items/:itemId', () => {
    it('201 { itemId } with Event-Position; ownerId defaults to the caller; a read with Min-Position returns the whole item', async () => {
      const reply = await createItem(app, ada, { title: 'Lamp', priceCents: 1999 });
      expectStatus(reply, 201);
      expect(Object.keys(reply.body)).to.deep.equal(['itemId']);
      expect(reply.body.itemId).to.match(UUID);
      const position = eventPosition(reply);
      expect(position).to.equal(await app.headOf(position));
      const event = await app.eventAt(position);
      expect(event).to.include({ type: 'catalog.ItemCreated', stream: `catalog.item-${reply.body.itemId}` });

      const read = await app.request('GET', `/catalog/items/${reply.body.itemId}`, at(position));
      expectStatus(read, 200);
      expect(read.body).to.deep.equal({ itemId: reply.body.itemId, title: 'Lamp', priceCents: 1999, ownerId: ada.userId, ownerDisplayName: 'Ada' });
      expect(read.headers.get('etag')).to.equal('"0"');
    });

    it('a member may not create an item owned by another user (403, nothing appended); ownerId may name the member themself', async () => {
      const before = await app.headPosition();
      expectProblem(await createItem(app, ada, { title: 'Forged', priceCents: 1, ownerId: bob.userId }), 403);
      expectProblem(await createItem(app, ada, { title: 'Forged', priceCents: 1, ownerId: unknownId() }), 403);
      expect(await app.headPosition()).to.equal(before);
      expectStatus(await createItem(app, ada, { title: 'Mine', priceCents: 1, ownerId: ada.userId }), 201);
    });

    it('an operator’s explicit ownerId of another known user is kept', async () => {
      const reply = await createItem(app, olga, { title: 'A gift', priceCents: 0, ownerId: bob.userId });
      expectStatus(reply, 201);
      const read = await app.request('GET', `/catalog/items/${reply.body.itemId}`, at(eventPosition(reply)));
      expect(read.body).to.include({ ownerId: bob.userId, ownerDisplayName: 'Bob', priceCents: 0 });
    });

    it('422 for an ownerId unknown to catalog; nothing appended', async () => {
      const before = await app.headPosition();
      expectProblem(await createItem(app, olga, { title: 'Orphan', priceCents: 1, ownerId: unknownId() }), 422);
      expect(await app.headPosition()).to.equal(before);
    });

    it('404 problem for an unknown item', async () => {
      expectProblem(await app.request('GET', `/catalog/items/${unknownId()}`), 404);
    });

    it('titles that look like SQL or markup are stored and returned verbatim, in the item and in the list', async () => {
      const owner = await app.signUp("<b>O'Brien</b>; DROP TABLE user_names; --");
      const created: Reply[] = [];
      for (const title of HOSTILE_TEXTS) {
        const reply = await createItem(app, owner, { title, priceCents: 5 });
        expectStatus(reply, 201);
        created.push(reply);
      }
      const last = eventPosition(created.at(-1)!);
      for (const [i, reply] of created.entries()) {
        const read = await app.request('GET', `/catalog/items/${reply.body.itemId}`, at(last));
        expectStatus(read, 200);
        expect(read.body.title).to.equal(HOSTILE_TEXTS[i]);
        expect(read.body.ownerDisplayName).to.equal("<b>O'Brien</b>; DROP TABLE user_names; --");
      }
      const list = await app.request('GET', `/catalog/items?ownerId=${owner.userId}`, at(last));
      expect(list.body.items.map((i: { title: string }) => i.title).sort()).to.deep.equal([...HOSTILE_TEXTS].sort());
      // The tables are still there.
      expectStatus(await app.request('GET', `/catalog/items/${fx.itemId}`), 200);
    });
  });

  describe('GET /catalog/items?ownerId=', () => {
    it("lists exactly one owner's items; limit caps the list", async () => {
      const owner = await app.signUp('Lister');
      const ids: string[] = [];
      let position = '0';
      for (const title of ['one', 'two', 'three']) {
        const reply = await createItem(app, owner, { title, priceCents: 10 });
        expectStatus(reply, 201);
        ids.push(reply.body.itemId);
        position = eventPosition(reply);
      }
      const list = await app.request('GET', `/catalog/items?ownerId=${owner.userId}`, at(position));
      expectStatus(list, 200);
      expect(list.body.items.map((i: { itemId: string }) => i.itemId).sort()).to.deep.equal([...ids].sort());
      for (const item of list.body.items) expect(item).to.include({ ownerId: owner.userId, ownerDisplayName: 'Lister', priceCents: 10 });

      const limited = await app.request('GET', `/catalog/items?ownerId=${owner.userId}&limit=2`);
      expect(limited.body.items).to.have.length(2);
      const all = await app.request('GET', '/catalog/items?limit=500');
      expect(all.body.items.map((i: { itemId: string }) => i.itemId)).to.include.members([...ids, fx.itemId]);
      const nobody = await app.request('GET', `/catalog/items?ownerId=${unknownId()}`);
      expect(nobody.body).to.deep.equal({ items: [] });
    });
  });

  describe('owner names follow profile changes', () => {
    it('after a PATCH, a catalog read with the PATCH’s Event-Position as Min-Position shows the new name', async () => {
      const owner = await app.signUp('Before');
      const item = await createItem(app, owner, { title: 'Renamed owner', priceCents: 1 });
      expectStatus(item, 201);
      expect((await app.request('GET', `/catalog/items/${item.body.itemId}`, at(eventPosition(item)))).body.ownerDisplayName).to.equal('Before');
      const patch = await app.request('PATCH', `/users/${owner.userId}`, { token: owner.token, body: { displayName: 'After' } });
      expectStatus(patch, 200);
      const read = await app.request('GET', `/catalog/items/${item.body.itemId}`, at(eventPosition(patch)));
      expectStatus(read, 200);
      expect(read.body.ownerDisplayName).to.equal('After');
      const list = await app.request('GET', `/catalog/items?ownerId=${owner.userId}`, at(eventPosition(patch)));
      expect(list.body.items[0].ownerDisplayName).to.equal('After');
    });
  });

  describe('POST /catalog/items/:itemId/owner-check', () => {
    it('mode=strict asks users and answers 200 { ownerExists: true, source: "users" }; the default reads the replica', async () => {
      const strict = await app.request('POST', `/catalog/items/${fx.itemId}/owner-check?mode=strict`);
      expectStatus(strict, 200);
      expect(strict.body).to.deep.equal({ itemId: fx.itemId, ownerId: ada.userId, ownerExists: true, source: 'users' });
      const replica = await app.request('POST', `/catalog/items/${fx.itemId}/owner-check`);
      expectStatus(replica, 200);
      expect(replica.body).to.deep.equal({ itemId: fx.itemId, ownerId: ada.userId, ownerExists: true, source: 'replica' });
    });

    it('404 for an unknown item', async () => {
      expectProblem(await app.request('POST', `/catalog/items/${unknownId()}/owner-check?mode=strict`), 404);
    });
  });

  describe('bad inputs', () => {
    const create: Endpoint<Fixture> = { method: 'POST', path: '/catalog/items', auth: true, validBody: () => ({ title: 'Valid', priceCents: 100 }) };
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs(create),
      ...missingFieldCases(create, ['title', 'priceCents']),
      ...fieldCases(create, 'title', [
        ['empty', ''],
        ['blank', '   '],
        ['a number', 12],
        ['null', null],
        ['an object', { en: 'Lamp' }],
        ['10,000 characters', 't'.repeat(10_000)],
      ]),
      ...fieldCases(create, 'priceCents', [
        ['a string', '100'],
        ['a fraction', 1.5],
        ['negative', -1],
        ['huge', 1e300],
        ['a boolean', true],
      ]),
      ...fieldCases(create, 'ownerId', [
        ['not a UUID', 'not-a-uuid'],
        ['SQL', "' OR 1=1 --"],
        ['a number', 1],
        ['1,000 characters', 'f'.repeat(1000)],
      ]),
      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/catalog/items/${f.itemId}`, label: '/catalog/items/:itemId', auth: false }),
      { method: 'GET', path: '/catalog/items/not-a-uuid', name: 'a non-UUID id', status: 400, field: 'itemId' },
      { method: 'GET', path: '/catalog/items/%3Cscript%3E', name: 'markup as the id', status: 400, field: 'itemId' },
      { method: 'GET', path: '/catalog/items/%E0%A4%A', name: 'broken percent-encoding in the id', status: 400 },
      ...commonBadInputs<Fixture>({ method: 'GET', path: '/catalog/items', auth: false }),
      { method: 'GET', path: '/catalog/items?limit=-5', name: 'limit=-5', status: 400, field: 'limit' },
      { method: 'GET', path: '/catalog/items?limit=abc', name: 'limit=abc', status: 400, field: 'limit' },
      { method: 'GET', path: '/catalog/items?limit=100000', name: 'limit=100000', status: 400, field: 'limit' },
      { method: 'GET', path: '/catalog/items?limit=1&limit=2', name: 'limit given twice', status: 400, field: 'limit' },
      // Numbers in a query string are decimal digits: not hexadecimal, exponents, blanks or nothing.
      ...['0x10', '1e2', '%2010', ''].map((limit) => ({ method: 'GET' as const, path: `/catalog/items?limit=${limit}`, name: `limit=${limit}`, status: 400, field: 'limit' })),
      { method: 'GET', path: '/catalog/items?ownerId=not-a-uuid', name: 'ownerId=not-a-uuid', status: 400, field: 'ownerId' },
      ...commonBadInputs<Fixture>({ method: 'POST', path: (f) => `/catalog/items/${f.itemId}/owner-check?mode=strict`, label: '/catalog/items/:itemId/owner-check?mode=strict', auth: false }),
      { method: 'POST', path: (f) => `/catalog/items/${f.itemId}/owner-check?mode=lenient`, label: '/catalog/items/:itemId/owner-check?mode=lenient', name: 'mode=lenient', status: 400, field: 'mode' },
      { method: 'POST', path: '/catalog/items/not-a-uuid/owner-check?mode=strict', name: 'a non-UUID id', status: 400, field: 'itemId' },
      { method: 'POST', path: (f) => `/catalog/items/${f.itemId}/owner-check`, label: '/catalog/items/:itemId/owner-check', name: 'a text/plain body', raw: 'check', headers: { 'content-type': 'text/plain' }, status: 415 },
    ];
    badInputTable(cases, () => fx);
  });
});

describe('HTTP catalog: owner-check mode=strict when users is unavailable', function () {
  async function withItem(app: TestApp) {
    const owner = await app.signUp('Owner');
    const item = await createItem(app, owner, { title: 'Checked', priceCents: 1 });
    expectStatus(item, 201);
    return { owner, itemId: item.body.itemId as string, position: eventPosition(item) };
  }

  describe('users does not run in this process', () => {
    let app: TestApp;
    before(async () => {
      app = await startApp({ config: { modules: ['identity', 'catalog', 'chat'] } });
    });
    after(async () => app?.stop());

    it('503 problem with Retry-After, while catalog’s own reads (replica) keep working', async () => {
      const { itemId, position } = await withItem(app);
      for (let i = 0; i < 5; i++) {
        const reply = await app.request('POST', `/catalog/items/${itemId}/owner-check?mode=strict`);
        expectProblem(reply, 503);
        expect(reply.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
        expect(reply.body.detail).to.match(/users/);
      }
      const replica = await app.request('POST', `/catalog/items/${itemId}/owner-check?mode=replica`);
      expectStatus(replica, 200);
      expect(replica.body).to.include({ ownerExists: true, source: 'replica' });
      expectStatus(await app.request('GET', `/catalog/items/${itemId}`, at(position)), 200);
      expectProblem(await app.request('GET', `/users/${unknownId()}`), 404);
    });
  });

  describe('users’ query handler hangs', () => {
    let app: TestApp;
    let calls = 0;
    before(async () => {
      const modules = withModule('users', (m): ModuleDefinition => ({
        ...m,
        queries: m.queries.map((q) => ({
          ...q,
          handle: () => {
            calls++;
            return new Promise<never>(() => {});
          },
        })),
      }));
      app = await startApp({ modules });
    });
    after(async () => app?.stop());

    it('503 after the timeout; once the breaker is open, 503 at once without asking users again', async () => {
      const { itemId } = await withItem(app);
      const check = () => app.request('POST', `/catalog/items/${itemId}/owner-check?mode=strict`);
      const first = await Promise.all([check(), check(), check()]);
      for (const reply of first) {
        expectProblem(reply, 503);
        expect(reply.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
      }
      expect(calls).to.equal(3);
      const afterOpen = await Promise.all([check(), check(), check(), check(), check()]);
      for (const reply of afterOpen) {
        expectProblem(reply, 503);
        expect(reply.body.detail).to.match(/circuit breaker is open/);
      }
      expect(calls, 'users was not asked while the breaker was open').to.equal(3);
      expectStatus(await app.request('POST', `/catalog/items/${itemId}/owner-check?mode=replica`), 200);
    });
  });
});
