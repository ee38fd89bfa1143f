import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { openModuleDatabase } from '../../src/kernel/host.js';
import { SendMail } from '../../src/modules/communications/contracts.js';
import { CreditReleased } from '../../src/modules/customers/contracts.js';
import type { TestApp } from '../support/httpHarness.js';
import { tempDir } from '../support/tempDir.js';
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
} from '../support/ordersFixture.js';
import { expectStatus, unknownId } from '../support/http.js';

/** Modules whose databases hold the order process, the confirmation mails and mail delivery. */
const PROCESSES = [
  { module: 'orders', process: 'order_process' },
  { module: 'orders', process: 'confirmation_mail' },
  { module: 'communications', process: 'mail_delivery' },
];

/** Every command in the outboxes of the processes, with its original id and data. */
async function outboxCommands(app: TestApp) {
  const commands: { type: string; data: unknown; commandId: string }[] = [];
  for (const { module, process } of PROCESSES) {
    const ctx = app.server.runtime.context(module);
    const rows = (await ctx.db(ctx.tables(process).outbox!).orderBy('seq')) as { command_id: string; command_type: string; data: string; status: string }[];
    expect(rows.every((r) => r.status === 'done'), `${process}: every command delivered`).to.equal(true);
    commands.push(...rows.map((r) => ({ type: r.command_type, data: JSON.parse(r.data) as unknown, commandId: r.command_id })));
  }
  return commands;
}

const mailFiles = (dir: string) => {
  const mails = join(dir, 'modules', 'communications-files', 'mails');
  return readdirSync(mails).sort().map((f) => `${f} ${statSync(join(mails, f)).mtimeMs}`);
};

describe('HTTP orders: crashes, restarts and duplicate deliveries', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: TestApp | undefined;

  beforeEach(async () => {
    resetCreditFaults();
    dir = await tempDir('seams-orders-');
  });
  afterEach(async () => {
    resetCreditFaults();
    await app?.stop();
    app = undefined;
    await dir.cleanup();
  });

  const restart = async (config = {}) => {
    await app?.stop(); // a restart on the same data directory (stop leaves it in place)
    app = await startShop({ dataDir: dir.path, config });
    return app;
  };

  it('a crash in the middle of compensation resumes and finishes it after a restart', async () => {
    let a = await restart();
    const [tea] = (await createItems(a, [1250])) as [string];
    const { customerId } = await registerCustomer(a);
    const orderId = await placeOrder(a, customerId, [{ itemId: tea, quantity: 2 }]);
    await untilStatus(a, orderId, 'confirmed');
    await untilReserved(a, customerId, 2500);

    // Releasing the credit fails until the restart: the server goes down in the middle of compensation.
    creditFaults.release = true;
    expectStatus(await a.request('POST', `/orders/${orderId}/cancellation`, { token: (await shopper(a)).token }), 202);
    await untilInstance(a, 'order_process', orderId, (i) => i.status === 'compensating' && i.attempts >= 1);
    expect(await getOrder(a, orderId)).to.deep.include({ status: 'confirmed', cancellationRequested: true });
    expect((await getCustomer(a, customerId)).reservedCents).to.equal(2500);
    a = await restart();
    creditFaults.release = false;

    expect(await untilStatus(a, orderId, 'cancelled')).to.deep.equal({ orderId, customerId, status: 'cancelled', totalCents: 2500 });
    await untilReserved(a, customerId, 0);
    expect(await eventsAbout(a, orderId, [CreditReleased.type])).to.have.length(1);
    const process = await untilInstance(a, 'order_process', orderId, (i) => i.status === 'compensated');
    const release = process.commands.find((c) => c.type === 'customers.ReleaseCredit')!;
    expect(release).to.deep.include({ purpose: 'undo', status: 'done' });
    expect(release.attempts).to.be.greaterThan(1); // it failed before the restart and went through after it
  });

  it('a timer that falls due while the server is down fires after the restart', async () => {
    let a = await restart({ env: { ORDERS_CUSTOMER_WAIT_MS: '60000' } });
    const [tea] = (await createItems(a, [1250])) as [string];
    const customerId = unknownId();
    const orderId = await placeOrder(a, customerId, [{ itemId: tea, quantity: 1 }]);
    const waiting = await untilInstance(a, 'order_process', orderId, (i) => i.timers.length === 1);
    const timers = a.server.runtime.context('orders').tables('order_process').timers!;
    await a.server.close(); // down, with the timer a minute away

    // Time passes while nothing runs: the timer falls due (its due time moved into the past).
    const db = await openModuleDatabase('orders', { kind: 'sqlite', dataDir: dir.path });
    expect(await db(timers).where({ instance_id: orderId }).update({ due_at: Date.now() - 1000 })).to.equal(1);
    await db.destroy();
    expect(waiting.nextWakeAt).to.not.equal(null);

    a = await restart({ env: { ORDERS_CUSTOMER_WAIT_MS: '60000' } });
    expect(await untilDecided(a, orderId)).to.deep.equal({ orderId, customerId, status: 'invalid', reason: 'unknown-customer' });
    const fired = (await processInstance(a, 'order_process', orderId))!;
    expect(fired).to.deep.include({ status: 'completed', step: 'invalid: unknown-customer', nextWakeAt: null });
    expect(fired.timers).to.deep.equal([]);
  });

  it('duplicate delivery of every command and every event changes nothing', async () => {
    let a = await restart();
    const [tea, cake] = (await createItems(a, [1250, 399])) as [string, string];
    const ada = await registerCustomer(a, { creditLimitCents: 5000 });
    const bob = await registerCustomer(a);
    const confirmed = await placeOrder(a, ada.customerId, [{ itemId: tea, quantity: 2 }]);
    const cancelled = await placeOrder(a, ada.customerId, [{ itemId: cake, quantity: 1 }]);
    const rejected = await placeOrder(a, ada.customerId, [{ itemId: tea, quantity: 10 }]);
    const invalid = await placeOrder(a, ada.customerId, [{ itemId: unknownId(), quantity: 1 }]);
    const deleted = await placeOrder(a, bob.customerId, [{ itemId: cake, quantity: 3 }]);
    for (const orderId of [confirmed, cancelled, rejected, invalid, deleted]) await untilDecided(a, orderId);
    expectStatus(await a.request('POST', `/orders/${cancelled}/cancellation`, { token: (await shopper(a)).token }), 202);
    await untilStatus(a, cancelled, 'cancelled');
    expectStatus(await a.request('DELETE', `/customers/${bob.customerId}`, { token: (await shopper(a)).token }), 204);
    await untilStatus(a, deleted, 'invalid');
    await untilQuiet(a);

    const orders = [confirmed, cancelled, rejected, invalid, deleted];
    const snapshot = async (app: TestApp) => {
      const mails = [...(await mailsTo(app, ada.email)), ...(await mailsTo(app, bob.email))];
      const instances = await Promise.all([
        ...orders.flatMap((id) => [processInstance(app, 'order_process', id), processInstance(app, 'confirmation_mail', id)]),
        ...mails.map((m) => processInstance(app, 'mail_delivery', m.mailId)),
      ]);
      return {
        head: await app.headPosition(),
        orders: await Promise.all(orders.map((id) => getOrder(app, id))),
        ada: await getCustomer(app, ada.customerId),
        mails,
        files: mailFiles(dir.path),
        instances: instances.filter((i) => i !== undefined),
      };
    };
    const before = await snapshot(a);
    expect(before.orders.map((o) => [o.status, o.reason ?? null])).to.deep.equal([
      ['confirmed', null],
      ['cancelled', null],
      ['rejected', 'credit-limit-exceeded'],
      ['invalid', 'unknown-item'],
      ['invalid', 'customer-deleted'],
    ]);
    expect(before.mails.map((m) => m.status)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(before.files).to.have.length(3);
    expect(before.instances.map((i) => `${i.type} ${i.status}`).sort()).to.deep.equal([
      'confirmation_mail completed',
      'confirmation_mail completed',
      'confirmation_mail completed',
      'mail_delivery completed',
      'mail_delivery completed',
      'mail_delivery completed',
      'order_process compensated', // cancelled
      'order_process compensated', // customer deleted
      'order_process completed', // invalid
      'order_process completed', // rejected
      'order_process running', // confirmed: it lives on for a cancellation
    ]);

    // Every command again, with its original id: each target remembers it handled it.
    const commands = await outboxCommands(a);
    expect(new Set(commands.map((c) => c.type))).to.deep.equal(
      new Set(['customers.ReserveCredit', 'customers.ReleaseCredit', 'orders.ConfirmOrder', 'orders.InvalidateOrder', 'orders.RejectOrder', 'orders.CompleteCancellation', 'communications.SendMail', 'communications.DeliverMail']),
    );
    for (const c of commands) await a.server.runtime.dispatch(c.type, c.data, { commandId: c.commandId });
    expect(await a.headPosition()).to.equal(before.head);

    // And again after the targets forgot they handled them (a crash between the append and the
    // bookkeeping): the handlers run again and decide nothing new.
    await a.server.runtime.handledCommandsWritten();
    for (const module of ['customers', 'orders', 'communications']) await a.server.runtime.context(module).db('handled_commands').delete();
    for (const c of commands) await a.server.runtime.dispatch(c.type, c.data, { commandId: c.commandId });
    expect(await a.headPosition()).to.equal(before.head);

    // SendMail from elsewhere with a new command id but the same idempotency key: still one mail.
    const sendMail = commands.find((c) => c.type === SendMail.type)!;
    await a.server.runtime.context('orders').send(SendMail, sendMail.data as never, { commandId: crypto.randomUUID() });
    expect(await a.headPosition()).to.equal(before.head);

    // Every event again: each projection and process of the three modules reads the log from the start.
    await a.server.close();
    for (const module of ['customers', 'orders', 'communications']) {
      const db = await openModuleDatabase(module, { kind: 'sqlite', dataDir: dir.path });
      expect(await db('projections').where({ serving: true }).update({ position: 0 })).to.be.greaterThan(0);
      await db.destroy();
    }
    a = await restart();
    await untilQuiet(a);
    for (const module of ['customers', 'orders', 'communications']) {
      for (const status of await a.server.runtime.projectionStatus()) {
        if (status.module === module) expect(status.position, `${module}/${status.projection}`).to.equal(before.head);
      }
    }
    const after = await snapshot(a);
    expect(after).to.deep.equal(before);
  });
});
