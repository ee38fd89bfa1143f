/**
 * Traces across processes: orders in one process, communications in another, both exporting
 * spans over OTLP/HTTP to a collector this test runs (spans kept in memory). Placing an order
 * until its mail is sent is one trace: the command that crosses to the other process carries the
 * trace context (header and metadata), and what reacts to events continues the trace from the
 * events' metadata.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { tempDir } from '../support/tempDir.js';
import { requestJson, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { pathTo, spansOfOtlp, type SpanRecord } from '../support/spans.js';

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ADMIN_TOKEN = randomBytes(24).toString('hex');

describe('traces across two processes (OTLP/HTTP to an in-memory collector)', function () {
  this.timeout(120_000);
  const spans: SpanRecord[] = [];
  let collector: Server;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const members: ServerProcess[] = [];

  before(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') spans.push(...spansOfOtlp(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const port = (collector.address() as { port: number }).port;
    dir = await tempDir('seams-traces-');
    const env = {
      SEAMS_TOKEN_SECRET: randomBytes(32).toString('hex'),
      // Members call each other's admin routes with SEAMS_ADMIN_TOKEN: a cluster does not start without it.
      SEAMS_ADMIN_TOKEN: ADMIN_TOKEN,
      SEAMS_LEASE_TTL_MS: '1000',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    members.push(
      ...(await Promise.all([
        startServerProcess({ dataDir: dir.path, env: { ...env, SEAMS_MODULES: 'identity,users,catalog,customers,orders', OTEL_SERVICE_NAME: 'orders-process' }, startTimeoutMs: 60_000 }),
        startServerProcess({ dataDir: dir.path, env: { ...env, SEAMS_MODULES: 'communications,chat,jobs', OTEL_SERVICE_NAME: 'mail-process' }, startTimeoutMs: 60_000 }),
      ])),
    );
  });
  after(async () => {
    await Promise.all(members.map((m) => m.stop('SIGTERM')));
    collector?.close();
    await dir?.cleanup();
  });

  it('place an order (one process) until its mail is sent (the other): one trace, parent to child, across both', async () => {
    const [orders, mail] = members as [ServerProcess, ServerProcess];
    const ada = await signUp(orders.base, 'Ada');
    const email = `grace-${randomUUID()}@example.com`;
    const customer = await requestJson(orders.base, 'POST', '/customers', { token: ada.token, body: { name: 'Grace', email } });
    const item = await requestJson(orders.base, 'POST', '/catalog/items', { token: ada.token, body: { title: 'Lamp', priceCents: 1200 } });
    const minPosition = String(Math.max(Number(customer.headers.get('event-position')), Number(item.headers.get('event-position'))));
    const order = await requestJson(orders.base, 'POST', '/orders', { token: ada.token, body: { customerId: customer.body.customerId, lines: [{ itemId: item.body.itemId, quantity: 1 }] }, headers: { 'min-position': minPosition } });
    expect(order.status, order.text).to.equal(202);
    const requestId = order.headers.get('x-request-id')!;
    await eventually(async () => ((await requestJson(mail.base, 'GET', `/communications/mails?to=${encodeURIComponent(email)}`, { token: ada.token })).body.mails[0]?.status === 'sent' ? true : undefined));

    // Each process exports its spans in batches of its own: wait until the whole chain, from the
    // request that placed the order, has reached the collector (a busy machine delays the first).
    const delivered = await eventually(async () =>
      spans.find(
        (s) =>
          s.service === 'mail-process' &&
          s.name === 'seams.command communications.DeliverMail' &&
          spans.some((x) => x.parentSpanId === s.spanId && x.name === 'seams.append') &&
          pathTo(spans, s)[0] === 'orders-process: POST /orders',
      ),
    );
    const root = spans.find((s) => s.name === 'POST /orders')!;
    expect(delivered.traceId).to.equal(root.traceId);
    expect(pathTo(spans, delivered)).to.deep.equal([
      'orders-process: POST /orders',
      'orders-process: seams.process order_process',
      'orders-process: seams.outbox customers.ReserveCredit',
      'orders-process: seams.command customers.ReserveCredit',
      'orders-process: seams.process order_process',
      'orders-process: seams.outbox orders.ConfirmOrder',
      'orders-process: seams.command orders.ConfirmOrder',
      'orders-process: seams.process confirmation_mail',
      'orders-process: seams.outbox communications.SendMail',
      'orders-process: POST /admin/commands/:type',
      'mail-process: POST /admin/commands/:type',
      'mail-process: seams.command communications.SendMail',
      'mail-process: seams.process mail_delivery',
      'mail-process: seams.outbox communications.DeliverMail',
      'mail-process: seams.command communications.DeliverMail',
    ]);
    // The request id is the conversation's, on the other side too: the mail's events carry it.
    const conversation = await requestJson(mail.base, 'GET', `/admin/events?correlation=${requestId}`, { token: ADMIN_TOKEN });
    expect(conversation.body.events.map((e: { type: string }) => e.type)).to.include.members(['communications.MailRequested', 'communications.MailSent']);
    const sendMail = spans.find((s) => s.service === 'mail-process' && s.name === 'seams.command communications.SendMail')!;
    expect(sendMail.attributes['seams.correlation_id']).to.equal(requestId);
  });
});
