import { expect } from 'chai';
import type { TestApp } from '../../support/httpHarness.js';
import { eventually, expectProblem, expectStatus } from '../../support/http.js';
import { orderCommand, placeOrder, startBrokenApp, type Faults } from '../../support/brokenApp.js';

interface ProjectionRow {
  module: string;
  projection: string;
  generation: number;
  position: number;
  state: string;
  error?: { message: string; position: number | null };
  building?: { position: number };
}

describe('admin actions over HTTP: retry, skip, rebuild, resubmit', function () {
  this.timeout(30_000);
  const faults: Faults = { items: false, credit: false };
  let app: TestApp;
  let token: string;

  before(async () => {
    app = await startBrokenApp(faults);
    token = (await app.signUp('Ada')).token;
  });
  after(async () => app?.stop());

  const items = async () => (await app.request<ProjectionRow[]>('GET', '/admin/projections')).body.find((p) => p.module === 'catalog' && p.projection === 'items')!;
  const itemsIn = (state: string) => eventually(async () => ((await items()).state === state && !(await items()).building ? items() : undefined));
  const operatorEvents = async (stream: string) => {
    const reply = await app.request('GET', `/admin/streams/${stream}`);
    return reply.status === 404 ? [] : (reply.body.events as { type: string; data: Record<string, unknown>; metadata: { actor: string } }[]);
  };

  it('retry: a projection stopped at an event goes on from it once the cause is fixed; who retried is in the log', async () => {
    faults.items = true;
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 1200 } });
    expectStatus(item, 201);
    const failed = await itemsIn('failed');
    expect(failed.error).to.include({ message: 'the items table is full (test fault)', position: Number(item.headers.get('event-position')) });
    faults.items = false;
    const retried = await app.request('POST', '/admin/projections/catalog/items/retry', { headers: { 'x-operator': 'Grace Hopper' } });
    expectStatus(retried, 200);
    expect(retried.body).to.include({ module: 'catalog', projection: 'items', position: failed.error!.position });
    await itemsIn('live');
    expectStatus(await app.request('GET', `/catalog/items/${item.body.itemId}`), 200);
    const [recorded] = (await operatorEvents('seams.projection-catalog-items')).filter((e) => e.type === 'seams.ProjectionRetried');
    expect(recorded!.metadata.actor).to.equal('Grace Hopper (loopback)');
    expect(recorded!.data).to.include({ module: 'catalog', projection: 'items', error: 'the items table is full (test fault)' });
  });

  it('skip: the failed event is passed over for good, with the reason and who in the log', async () => {
    faults.items = true;
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Broken lamp', priceCents: 1 } });
    await itemsIn('failed');
    faults.items = false;
    expectProblem(await app.request('POST', '/admin/projections/catalog/items/skip', { body: {} }), 400, 'reason');
    const skipped = await app.request('POST', '/admin/projections/catalog/items/skip', { body: { reason: 'a test item, not worth keeping' } });
    expectStatus(skipped, 200);
    await itemsIn('live');
    expectProblem(await app.request('GET', `/catalog/items/${item.body.itemId}`), 404);
    const [recorded] = (await operatorEvents('seams.projection-catalog-items')).filter((e) => e.type === 'seams.ProjectionEventSkipped');
    expect(recorded!.data).to.include({ reason: 'a test item, not worth keeping', position: Number(item.headers.get('event-position')) });
    expect(recorded!.metadata.actor).to.equal('loopback');
  });

  it('retry and skip of a projection that has not stopped are 409; an unknown one is 404', async () => {
    expectProblem(await app.request('POST', '/admin/projections/catalog/items/retry'), 409);
    expectProblem(await app.request('POST', '/admin/projections/catalog/items/skip', { body: { reason: 'x' } }), 409);
    expectProblem(await app.request('POST', '/admin/projections/catalog/nope/retry'), 404);
    expectProblem(await app.request('POST', '/admin/projections/nope/items/rebuild'), 404);
  });

  it('rebuild: new tables filled from the log beside the serving ones, then swapped in; a second rebuild meanwhile is 409', async () => {
    const before = await items();
    const started = await app.request('POST', '/admin/projections/catalog/items/rebuild');
    expectStatus(started, 202);
    expect(started.body.headPosition).to.be.a('number');
    const again = await app.request('POST', '/admin/projections/catalog/items/rebuild');
    if (again.status !== 202) expectProblem(again, 409); // unless the first one was already done
    const after = await eventually(async () => {
      const now = await items();
      return now.generation > before.generation && !now.building && now.state === 'live' ? now : undefined;
    });
    expect(after.generation).to.be.above(before.generation);
    const [recorded] = (await operatorEvents('seams.projection-catalog-items')).filter((e) => e.type === 'seams.ProjectionRebuildStarted');
    expect(recorded!.data).to.include({ module: 'catalog', projection: 'items' });
  });

  it('resubmit: a command a process set aside is delivered again under its own id once the cause is fixed; twice is 409', async () => {
    faults.credit = true;
    const { orderId, customerId } = await placeOrder(app, token);
    const { command } = await orderCommand(app, orderId, 'failed');
    expect(command.lastError).to.equal('customers is closed for maintenance (test fault)');
    // The process heard of it (in the transaction that set it aside; the instance and its commands are read one after the other).
    await eventually(async () => /credit reservation/.test((await app.request('GET', `/admin/processes/order_process/${orderId}`)).body.step));
    const setAside = await app.request('GET', '/admin/set-aside-commands?type=order_process');
    expect(setAside.body.commands.map((c: { commandId: string }) => c.commandId)).to.include(command.commandId);
    faults.credit = false;
    const path = `/admin/processes/order_process/${orderId}/commands/${command.commandId}/resubmit`;
    const resubmitted = await app.request('POST', path, { headers: { 'x-operator': 'ops' } });
    expectStatus(resubmitted, 200);
    expect(resubmitted.body).to.include({ commandId: command.commandId, command: 'customers.ReserveCredit', status: 'pending' });
    await orderCommand(app, orderId, 'done');
    const customerStream = await app.request('GET', `/admin/streams/customers.customer-${customerId}`);
    expect(customerStream.body.events.map((e: { type: string }) => e.type)).to.include('customers.CreditReserved');
    expectProblem(await app.request('POST', path), 409);
    expectProblem(await app.request('POST', `/admin/processes/order_process/${orderId}/commands/00000000-0000-4000-8000-000000000000/resubmit`), 404);
    const [recorded] = await operatorEvents('seams.process-orders-order_process');
    expect(recorded).to.deep.include({ type: 'seams.CommandResubmitted' });
    expect(recorded!.metadata.actor).to.equal('ops (loopback)');
  });

  it('GET /admin/modules draws the module graph: who publishes, consumes, sends and asks', async () => {
    const reply = await app.request('GET', '/admin/modules');
    expectStatus(reply, 200);
    const orders = reply.body.modules.find((m: { module: string }) => m.module === 'orders');
    expect(orders).to.deep.include({ runsHere: true });
    expect(orders.sends).to.include.members(['customers.ReserveCredit', 'communications.SendMail']);
    expect(orders.consumes).to.include('customers.CreditReserved');
    expect(reply.body.modules.find((m: { module: string }) => m.module === 'catalog').asks).to.deep.equal(['users.GetProfile']);
  });
});
