import { expect } from 'chai';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { startTracing } from '../../../src/kernel/server/telemetry.js';
import { contextOf, inSpan, traceparentOf, tracingEnabled } from '../../../src/kernel/telemetry/tracing.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { eventually, expectStatus } from '../../support/http.js';
import { pathTo, type SpanRecord } from '../../support/spans.js';

describe('tracing', function () {
  this.timeout(30_000);

  it('off (no OTEL_* variable): spans are plain calls, nothing is traced, no traceparent is written', async () => {
    expect(tracingEnabled()).to.equal(false);
    const seen = await inSpan('x', {}, async (span) => span);
    expect(seen).to.equal(undefined);
    expect(traceparentOf()).to.equal(undefined);
    const app = await startApp();
    try {
      const ada = await app.signUp('Ada');
      const item = await app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'Lamp', priceCents: 1 } });
      const [event] = (await app.request('GET', `/admin/events?after=${Number(item.headers.get('event-position')) - 1}&limit=1`)).body.events;
      expect(event.metadata).to.have.keys('correlationId', 'causationId', 'actor', 'module');
    } finally {
      await app.stop();
    }
  });

  describe('on, collected in memory', () => {
    const exporter = new InMemorySpanExporter();
    let stop: () => Promise<void>;
    let app: TestApp;
    before(async () => {
      stop = startTracing({}, 'test', exporter);
      app = await startApp();
    });
    after(async () => {
      await app?.stop();
      await stop?.();
    });

    const spans = (): SpanRecord[] =>
      exporter.getFinishedSpans().map((s) => ({
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        parentSpanId: s.parentSpanContext?.spanId,
        name: s.name,
        service: 'seams',
        attributes: s.attributes,
      }));

    it('a traceparent round-trips through metadata: contextOf(traceparentOf(span)) is that span', async () => {
      await inSpan('outer', {}, async (span) => {
        const traceparent = traceparentOf()!;
        expect(traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        expect(traceparent).to.include(span!.spanContext().spanId);
        await inSpan('inner', { parent: traceparent }, async (inner) => expect(inner!.spanContext().traceId).to.equal(span!.spanContext().traceId));
      });
      expect(contextOf('not a traceparent')).to.equal(undefined);
    });

    it('place an order until its mail is sent: one trace, each step the child of what caused it, through the events’ metadata', async () => {
      const ada = await app.signUp('Ada');
      const email = `grace-${crypto.randomUUID()}@example.com`;
      const customer = await app.request('POST', '/customers', { token: ada.token, body: { name: 'Grace', email } });
      const item = await app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'Lamp', priceCents: 1200 } });
      const minPosition = String(Math.max(Number(customer.headers.get('event-position')), Number(item.headers.get('event-position'))));
      const order = await app.request('POST', '/orders', { token: ada.token, body: { customerId: customer.body.customerId, lines: [{ itemId: item.body.itemId, quantity: 1 }] }, headers: { 'min-position': minPosition } });
      expectStatus(order, 202);
      await eventually(async () => (await app.request('GET', `/communications/mails?to=${encodeURIComponent(email)}`, { token: ada.token })).body.mails[0]?.status === 'sent');
      const sent = await eventually(async () => spans().find((s) => s.name === 'seams.command communications.DeliverMail' && spans().some((x) => x.parentSpanId === s.spanId && x.name === 'seams.append')));
      const path = pathTo(spans(), sent).map((p) => p.replace('seams: ', ''));
      expect(path).to.deep.equal([
        'POST /orders',
        'seams.process order_process',
        'seams.outbox customers.ReserveCredit',
        'seams.command customers.ReserveCredit',
        'seams.process order_process',
        'seams.outbox orders.ConfirmOrder',
        'seams.command orders.ConfirmOrder',
        'seams.process confirmation_mail',
        'seams.outbox communications.SendMail',
        'seams.command communications.SendMail',
        'seams.process mail_delivery',
        'seams.outbox communications.DeliverMail',
        'seams.command communications.DeliverMail',
      ]);
      const append = spans().find((s) => s.parentSpanId === sent.spanId && s.name === 'seams.append')!;
      expect(append.attributes).to.include({ 'db.system': 'sqlite', 'seams.events': 1 });
      expect(append.attributes['seams.group_commit.appends']).to.be.at.least(1);
      expect(String(append.attributes['seams.stream'])).to.match(/^communications\.mail-/);
      // The projection batches that carried the events are spans of their own, linking the traces they served.
      expect(spans().some((s) => s.name === 'seams.projection orders/order_process')).to.equal(true);
    });
  });
});
