/**
 * npm run bench:orders [-- --orders 2000 --clients 32 --runs 3 --rate <orders/s> --sqlite-probe]
 * Orders from placed to confirmed with their mail written, over HTTP: the real application (every
 * module, SQLite in a temp dir, mail written as files) in this process. A member, its items and
 * its customers are created first, and one warm-up order goes all the way through; then
 * (1) `--orders` orders placed by `--clients` clients, each placing its next once the last is
 * accepted, until every order is confirmed and its mail sent: orders/s from the first OrderPlaced
 * to the last MailSent, p50/p99 of each order's OrderPlaced → MailSent (the events' recordedAt);
 * (2) half as many orders placed on a schedule at half that rate (open loop), latency counted from
 * each order's scheduled time to its MailSent (`--rate` paces it at a rate of your own). The last
 * line is one JSON object with the medians. `--sqlite-probe`: as bench:jobs's, per order.
 */
import { Command } from 'commander';
import pino from 'pino';
import { positiveInteger } from '../src/kernel/cli/argParsers.js';
import { loadConfig, startServer, type EventStore, type RunningServer } from '../src/kernel/host.js';
import { modules } from '../src/application.js';
import { MailRequested, MailSent, MailFailed } from '../src/modules/communications/events.js';
import { OrderConfirmed, OrderInvalidated, OrderPlaced, OrderRejected } from '../src/modules/orders/events.js';
import { requestJson, signUp } from '../test/support/serverProcess.js';
import { tempDir } from '../test/support/tempDir.js';
import { countEvents, eventsOfTypes, until } from './support/log.js';
import { closedLoop, openLoop } from './support/openLoop.js';
import { probeLines, probeSqlite } from './support/sqliteProbe.js';
import { latencyFigures, median } from './support/stats.js';
import { failureMessage } from './support/failure.js';

const opts = new Command('bench:orders')
  .description('Benchmark orders over HTTP from placed to confirmed with the confirmation mail written, at the maximum and at half of it (open loop)')
  .option('--orders <n>', 'orders per run at the maximum (half as many are paced)', positiveInteger, 2000)
  .option('--clients <n>', 'clients placing orders at the maximum, each one order at a time', positiveInteger, 32)
  .option('--customers <n>', 'customers the orders go to, in turn', positiveInteger, 64)
  .option('--runs <n>', 'runs, each on a fresh server and data directory; figures are medians', positiveInteger, 3)
  .option('--rate <orders/s>', 'the paced phase at this rate instead of half the measured maximum', positiveInteger)
  .option('--sqlite-probe', "after each run, each SQLite connection's trips per order and its share of the run busy and inside transactions")
  .parse()
  .opts<{ orders: number; clients: number; customers: number; runs: number; rate?: number; sqliteProbe?: boolean }>();

interface Figures {
  ordersPerS: number;
  p50PlacedToMailedMs: number;
  p99PlacedToMailedMs: number;
  intakePerS: number;
  pacedRate: number;
  pacedP50PlacedToMailedMs: number;
  pacedP99PlacedToMailedMs: number;
}

interface Shop {
  base: string;
  token: string;
  customerIds: string[];
  itemId: string;
}

async function setUp(base: string): Promise<Shop> {
  const member = await signUp(base, 'Bench shopper');
  // One item at 1 cent: the default credit limit (100,000 cents) covers every order of a run.
  const item = await requestJson(base, 'POST', '/catalog/items', { token: member.token, body: { title: 'bench item', priceCents: 1 } });
  if (item.status !== 201) throw new Error(`POST /catalog/items: ${item.status} ${item.text}`);
  const customerIds: string[] = [];
  for (let i = 0; i < opts.customers; i++) {
    const customer = await requestJson(base, 'POST', '/customers', { token: member.token, body: { name: `Customer ${i}`, email: `customer-${i}@example.com` } });
    if (customer.status !== 201) throw new Error(`POST /customers: ${customer.status} ${customer.text}`);
    customerIds.push(customer.body.customerId);
  }
  return { base, token: member.token, customerIds, itemId: item.body.itemId };
}

async function place(shop: Shop, n: number): Promise<string> {
  const body = { customerId: shop.customerIds[n % shop.customerIds.length], lines: [{ itemId: shop.itemId, quantity: 1 }] };
  const reply = await requestJson(shop.base, 'POST', '/orders', { token: shop.token, body });
  if (reply.status !== 202) throw new Error(`POST /orders: ${reply.status} ${reply.text}`);
  return reply.body.orderId;
}

/** Waits until every order in `orderIds` has its mail sent; fails on a rejected, invalid or unsent one. */
async function untilMailed(store: EventStore, label: string, expected: number): Promise<void> {
  let lastReport = Date.now();
  await until(
    async () => {
      const failed = await countEvents(store, [OrderRejected.type, OrderInvalidated.type, MailFailed.type]);
      if (failed > 0) throw new Error(`${failed} orders rejected or invalid, or mails failed`);
      const sent = await countEvents(store, [MailSent.type]);
      if (Date.now() - lastReport > 5000) {
        console.log(`  ${label}: ${sent}/${expected} mails sent`);
        lastReport = Date.now();
      }
      return sent >= expected;
    },
    { timeoutMs: 15 * 60_000, everyMs: 250 },
  );
}

/** Each order's OrderPlaced and MailSent times (epoch ms), by order id. */
async function timeline(store: EventStore): Promise<Map<string, { placedAt: number; mailedAt?: number }>> {
  const orders = new Map<string, { placedAt: number; mailedAt?: number }>();
  const orderOfMail = new Map<string, string>();
  for await (const e of eventsOfTypes(store, [OrderPlaced.type, OrderConfirmed.type, MailRequested.type, MailSent.type])) {
    const data = e.data as { orderId?: string; mailId?: string; idempotencyKey?: string };
    if (e.type === OrderPlaced.type) orders.set(data.orderId!, { placedAt: Date.parse(e.recordedAt) });
    else if (e.type === MailRequested.type) orderOfMail.set(data.mailId!, data.idempotencyKey!);
    else if (e.type === MailSent.type) orders.get(orderOfMail.get(data.mailId!)!)!.mailedAt = Date.parse(e.recordedAt);
  }
  return orders;
}

async function run(index: number): Promise<Figures> {
  const dir = await tempDir('seams-bench-orders-');
  const config = { ...loadConfig({}), port: 0, dataDir: dir.path, logLevel: 'silent' };
  const probe = opts.sqliteProbe ? probeSqlite(dir.path) : undefined;
  let server: RunningServer | undefined;
  try {
    server = await startServer(modules, config, pino({ level: 'silent' }));
    const store = server.store;
    const shop = await setUp(`http://127.0.0.1:${server.port}`);
    // The warm-up order: the replicas orders and its mail need know the customers and the item.
    await place(shop, 0);
    await untilMailed(store, 'warm-up', 1);

    // (1) the maximum: clients placing orders one after another.
    const maxIds: string[] = [];
    const intakeStarted = performance.now();
    await closedLoop(opts.orders, opts.clients, async (n) => void maxIds.push(await place(shop, n)));
    const intakePerS = Math.round(opts.orders / ((performance.now() - intakeStarted) / 1000));
    await untilMailed(store, 'maximum', 1 + opts.orders);
    let orders = await timeline(store);
    const spans = maxIds.map((id) => orders.get(id)!);
    const first = Math.min(...spans.map((o) => o.placedAt));
    const last = Math.max(...spans.map((o) => o.mailedAt!));
    const ordersPerS = Math.round(opts.orders / ((last - first) / 1000));
    const max = latencyFigures(spans.map((o) => o.mailedAt! - o.placedAt));
    console.log(
      `run ${index + 1}: ${opts.orders} orders placed → mailed in ${((last - first) / 1000).toFixed(1)} s: ${ordersPerS} orders/s; ` +
        `p50 ${max.p50} ms, p99 ${max.p99} ms; intake ${intakePerS} POST/s`,
    );

    // (2) half the maximum, on a schedule: latency from when each order was due.
    const pacedRate = opts.rate ?? Math.max(1, Math.round(ordersPerS / 2));
    const pacedCount = Math.max(1, Math.round(opts.orders / 2));
    const dueAt = new Map<string, number>();
    const { maxStartLagMs } = await openLoop(pacedCount, pacedRate, async (n, due) => void dueAt.set(await place(shop, opts.orders + n), due));
    await untilMailed(store, 'paced', 1 + opts.orders + pacedCount);
    orders = await timeline(store);
    const paced = latencyFigures([...dueAt].map(([id, due]) => orders.get(id)!.mailedAt! - due));
    console.log(`  paced at ${pacedRate} orders/s (${pacedCount} orders, sends at most ${maxStartLagMs} ms late): due → mailed p50 ${paced.p50} ms, p99 ${paced.p99} ms`);
    if (probe) console.log(['  SQLite connections over the run (both phases):', ...probeLines(probe.figures(), { count: 1 + opts.orders + pacedCount, unit: 'order' })].join('\n'));
    return {
      ordersPerS,
      p50PlacedToMailedMs: max.p50,
      p99PlacedToMailedMs: max.p99,
      intakePerS,
      pacedRate,
      pacedP50PlacedToMailedMs: paced.p50,
      pacedP99PlacedToMailedMs: paced.p99,
    };
  } finally {
    probe?.stop();
    await server?.close();
    await dir.cleanup();
  }
}

try {
  console.log(`bench:orders: ${opts.orders} orders by ${opts.clients} clients to ${opts.customers} customers, then ${Math.round(opts.orders / 2)} paced at ${opts.rate ? `${opts.rate} orders/s` : 'half the rate'}; ${opts.runs} run(s), SQLite, mail to files`);
  const results: Figures[] = [];
  for (let i = 0; i < opts.runs; i++) results.push(await run(i));
  const summary = Object.fromEntries(Object.keys(results[0]!).map((k) => [k, median(results.map((r) => r[k as keyof Figures]))]));
  if (opts.runs > 1) console.log(`median of ${opts.runs} runs:`);
  console.log(JSON.stringify({ orders: opts.orders, runs: opts.runs, ...summary }));
} catch (error) {
  console.error(`bench:orders FAILED: ${failureMessage(error)}`);
  process.exitCode = 1;
}
