import { ConflictError, type ModuleDefinition } from '../../src/kernel/host.js';
import { modules as applicationModules } from '../../src/application.js';
import { startApp, type TestApp } from './httpHarness.js';
import { eventually, expectStatus, wrapCommand, wrapProjection } from './http.js';

/**
 * The real application with two switches an operator's test flips: catalog's `items` projection
 * fails on every event while `faults.items` is set, and customers refuses `ReserveCredit` while
 * `faults.credit` is set (a refusal: the order process sets the command aside at once). For the
 * operator's actions (retry, skip, rebuild, resubmit) over HTTP and in the console.
 */
export interface Faults {
  items: boolean;
  credit: boolean;
  /** Each event catalog's `items` applies takes this long (a rebuild slow enough to watch). */
  slowItemsMs?: number;
}

export async function startBrokenApp(faults: Faults, config: Parameters<typeof startApp>[0] = {}): Promise<TestApp> {
  const modules: ModuleDefinition[] = applicationModules.map((m) => {
    if (m.name === 'catalog') {
      return wrapProjection(m, 'items', async (events) => {
        if (faults.items && events.length > 0) throw new Error('the items table is full (test fault)');
        if (faults.slowItemsMs) await new Promise((resolve) => setTimeout(resolve, faults.slowItemsMs! * events.length));
      });
    }
    if (m.name === 'customers') {
      return wrapCommand(m, 'customers.ReserveCredit', () => {
        if (faults.credit) throw new ConflictError('customers is closed for maintenance (test fault)');
      });
    }
    return m;
  });
  return startApp({ ...config, modules });
}

/** A customer, an item and an order for it: the order's id, once its process has set ReserveCredit aside (with `faults.credit`). */
export async function placeOrder(app: TestApp, token: string): Promise<{ orderId: string; customerId: string; itemId: string }> {
  const customer = await app.request('POST', '/customers', { token, body: { name: 'Grace', email: `grace-${crypto.randomUUID()}@example.com` } });
  expectStatus(customer, 201);
  const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 1200 } });
  expectStatus(item, 201);
  const position = Math.max(Number(customer.headers.get('event-position')), Number(item.headers.get('event-position')));
  const order = await app.request('POST', '/orders', { token, body: { customerId: customer.body.customerId, lines: [{ itemId: item.body.itemId, quantity: 3 }] }, headers: { 'min-position': String(position) } });
  expectStatus(order, 202);
  return { orderId: order.body.orderId, customerId: customer.body.customerId, itemId: item.body.itemId };
}

/** Waits until the order process has a command in the state asked for, and returns the instance. */
export function orderCommand(app: TestApp, orderId: string, status: string) {
  return eventually(async () => {
    const reply = await app.request('GET', `/admin/processes/order_process/${orderId}`);
    const found = reply.status === 200 && reply.body.commands.find((c: { type: string; status: string }) => c.type === 'customers.ReserveCredit' && c.status === status);
    return found ? { instance: reply.body, command: found as { commandId: string; status: string; lastError: string | null } } : undefined;
  });
}
