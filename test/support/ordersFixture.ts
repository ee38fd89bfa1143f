/**
 * Shared by the customers, orders and communications HTTP tests: the real application (with a
 * switchable fault in customers' credit commands), and helpers that place orders and wait for
 * the order process to decide.
 */
import { expect } from 'chai';
import type { CommandHandler, InstanceDetail, ModuleDefinition, RecordedEvent, SeamsConfig } from '../../src/kernel/host.js';
import { ReleaseCredit, ReserveCredit } from '../../src/modules/customers/contracts.js';
import { startApp, type TestApp } from './httpHarness.js';
import { eventually, expectStatus, wholeLog, withModule } from './http.js';

/** Faults to switch on while a test holds the order process at a step (a transient failure: retried). */
export const creditFaults = { reserve: false, release: false, reserveCalls: 0, releaseCalls: 0 };

export function resetCreditFaults(): void {
  Object.assign(creditFaults, { reserve: false, release: false, reserveCalls: 0, releaseCalls: 0 });
}

function faulty(handler: CommandHandler): CommandHandler {
  if (handler.command.type === ReserveCredit.type) {
    return {
      ...handler,
      handle: async (ctx, data, meta) => {
        creditFaults.reserveCalls++;
        if (creditFaults.reserve) throw new Error('customers is briefly unavailable (test fault)');
        return handler.handle(ctx, data, meta);
      },
    };
  }
  if (handler.command.type === ReleaseCredit.type) {
    return {
      ...handler,
      handle: async (ctx, data, meta) => {
        creditFaults.releaseCalls++;
        if (creditFaults.release) throw new Error('customers is briefly unavailable (test fault)');
        return handler.handle(ctx, data, meta);
      },
    };
  }
  return handler;
}

/** The application's modules, with customers' credit commands failing while `creditFaults` says so. */
export const shopModules: ModuleDefinition[] = withModule('customers', (m) => ({ ...m, commands: m.commands.map(faulty) }));

/** The real application with a short wait for unknown customers (200 ms unless `config` says otherwise). */
export function startShop(options: { config?: Partial<SeamsConfig>; dataDir?: string } = {}): Promise<TestApp> {
  return startApp({ modules: shopModules, dataDir: options.dataDir, config: { ...options.config, env: { ORDERS_CUSTOMER_WAIT_MS: '200', ...options.config?.env } } });
}

/**
 * The member who opens the tests' customers and places their orders, one per data directory: an operator,
 * so that it may also set credit limits. Who may see whose customers, orders and mails is the
 * authorization table's (test/kernel/http/access.test.ts) and the routes tests' own.
 */
const shoppers = new Map<string, Promise<{ userId: string; token: string }>>();
export function shopper(app: TestApp): Promise<{ userId: string; token: string }> {
  // By data directory: after a restart on the same directory it is the same member, with the same (still valid) token.
  let member = shoppers.get(app.dir);
  if (!member) shoppers.set(app.dir, (member = app.operator('Shopper')));
  return member;
}

export interface Line {
  itemId: string;
  quantity: number;
}

/** A seller and its items in the catalog: item id → price. */
export async function createItems(app: TestApp, prices: number[]): Promise<string[]> {
  const seller = await app.signUp('Seller');
  const ids: string[] = [];
  for (const priceCents of prices) {
    const reply = await app.request('POST', '/catalog/items', { token: seller.token, body: { title: `Item for ${priceCents}`, priceCents } });
    expectStatus(reply, 201);
    ids.push(reply.body.itemId);
  }
  return ids;
}

/** Opens a customer account, as the shopper unless `token` says who. */
export async function registerCustomer(app: TestApp, body: { name?: string; email?: string; creditLimitCents?: number } = {}, token?: string) {
  const email = body.email ?? `${crypto.randomUUID()}@example.com`;
  const as = token ?? (await shopper(app)).token;
  const reply = await app.request('POST', '/customers', { token: as, body: { name: body.name ?? 'Ada', email, ...(body.creditLimitCents !== undefined ? { creditLimitCents: body.creditLimitCents } : {}) } });
  expectStatus(reply, 201);
  return { customerId: reply.body.customerId as string, email, position: Number(reply.headers.get('event-position')) };
}

export async function placeOrder(app: TestApp, customerId: string, lines: Line[], token?: string): Promise<string> {
  const reply = await app.request('POST', '/orders', { token: token ?? (await shopper(app)).token, body: { customerId, lines } });
  expectStatus(reply, 202);
  expect(reply.body.status).to.equal('pending');
  return reply.body.orderId;
}

export const getOrder = async (app: TestApp, orderId: string, token?: string) => {
  const reply = await app.request('GET', `/orders/${orderId}`, { token: token ?? (await shopper(app)).token });
  expectStatus(reply, 200);
  return reply.body as { orderId: string; customerId: string; status: string; totalCents?: number; reason?: string; cancellationRequested?: true };
};

/** Waits until the order has the status (mocha's timeout bounds the wait). */
export const untilStatus = (app: TestApp, orderId: string, status: string) =>
  eventually(async () => {
    const order = await getOrder(app, orderId);
    return order.status === status && order;
  });

/** Waits until the order process has decided (the order is no longer pending). */
export const untilDecided = (app: TestApp, orderId: string) =>
  eventually(async () => {
    const order = await getOrder(app, orderId);
    return order.status !== 'pending' && order;
  });

export const getCustomer = async (app: TestApp, customerId: string, token?: string) => {
  const reply = await app.request('GET', `/customers/${customerId}`, { token: token ?? (await shopper(app)).token });
  expectStatus(reply, 200);
  return reply.body as { customerId: string; ownerId: string | null; name: string; email: string; creditLimitCents: number; reservedCents: number };
};

/** Waits until the customers read model shows this much reserved. */
export const untilReserved = (app: TestApp, customerId: string, cents: number) =>
  eventually(async () => {
    const customer = await getCustomer(app, customerId);
    return customer.reservedCents === cents && customer;
  });

export interface MailView {
  mailId: string;
  to: string;
  subject: string;
  status: string;
  sentAt: string | null;
  error?: string;
}

/** The mails to this address that `token`'s member may read (default: the shopper's, on whose behalf order mails go). */
export async function mailsTo(app: TestApp, to: string, token?: string): Promise<MailView[]> {
  const reply = await app.request('GET', `/communications/mails?to=${encodeURIComponent(to)}`, { token: token ?? (await shopper(app)).token });
  expectStatus(reply, 200);
  return reply.body.mails;
}

export const processInstance = (app: TestApp, type: string, id: string): Promise<InstanceDetail | undefined> => app.server.runtime.processInstance(type, id);

/** Waits until a process instance satisfies `ok`. */
export const untilInstance = (app: TestApp, type: string, id: string, ok: (i: InstanceDetail) => boolean) =>
  eventually(async () => {
    const instance = await processInstance(app, type, id);
    return instance && ok(instance) && instance;
  });

/** The log's events of these types whose data has this order id (or customer id). */
export async function eventsAbout(app: TestApp, id: string, types?: string[]): Promise<RecordedEvent<any>[]> {
  return (await wholeLog(app)).filter((e) => {
    const data = e.data as Record<string, unknown>;
    return (data.orderId === id || data.customerId === id || data.idempotencyKey === id) && (!types || types.includes(e.type));
  });
}

/** Waits until the modules' projections and processes have caught up, no instance is compensating or waiting, and no outbox command is pending. */
export async function untilQuiet(app: TestApp): Promise<void> {
  await eventually(async () => {
    for (const module of ['customers', 'orders', 'communications']) {
      if (!(await app.server.runtime.context(module).catchUp(5000))) return false;
    }
    const instances = await app.server.runtime.processInstances();
    const busy = instances.filter((i) => i.attempts > 0 || i.nextWakeAt !== null || !['completed', 'failed', 'compensated', 'running'].includes(i.status));
    if (busy.length > 0) return false;
    for (const module of ['orders', 'communications', 'customers']) {
      const ctx = app.server.runtime.context(module);
      for (const process of app.server.runtime.modules.find((m) => m.name === module)!.processes) {
        const pending = await ctx.db(ctx.tables(process.name).outbox!).where({ status: 'pending' }).count({ n: '*' }).first();
        if (Number(pending?.n ?? 0) > 0) return false;
      }
    }
    return true;
  });
}
