import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { eventually, expectProblem, expectStatus, withModule, wrapProjection } from '../../support/http.js';
import { orderCommand, placeOrder, startBrokenApp, type Faults } from '../../support/brokenApp.js';

/** The value of one sample of the Prometheus text (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', function () {
  this.timeout(30_000);
  const faults: Faults = { items: false, credit: false };
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await startBrokenApp(faults);
    token = (await app.signUp('Ada')).token;
  });
  after(async () => app?.stop());

  const metrics = async () => {
    const reply = await app.request('GET', '/metrics');
    expectStatus(reply, 200);
    expect(reply.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    return reply.text;
  };

  it('HTTP durations by method, route template and status; append latency and group-commit size', async () => {
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 1200 } });
    expectStatus(await app.request('GET', `/catalog/items/${item.body.itemId}`, { headers: { 'min-position': item.headers.get('event-position')! } }), 200);
    expectProblem(await app.request('GET', '/nope'), 404);
    const text = await metrics();
    expect(sample(text, 'seams_http_request_duration_seconds_count', { method: 'POST', route: '/catalog/items', status: '201' })).to.be.at.least(1);
    expect(sample(text, 'seams_http_request_duration_seconds_count', { method: 'GET', route: '/catalog/items/:itemId', status: '200' })).to.be.at.least(1);
    expect(sample(text, 'seams_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).to.be.at.least(1);
    expect(text).not.to.include(item.body.itemId); // route templates, not paths: no unbounded labels
    expect(sample(text, 'seams_append_duration_seconds_count')).to.be.at.least(3);
    expect(sample(text, 'seams_append_group_commit_size_count')).to.equal(sample(text, 'seams_append_duration_seconds_count'));
    expect(sample(text, 'seams_append_group_commit_size_bucket', { le: '1' })).to.be.at.least(1);
  });

  it('per projection: lag in events and seconds, state, parked streams; per process: instances by status, outbox depth, set-aside commands', async () => {
    faults.credit = true;
    const { orderId } = await placeOrder(app, token);
    await orderCommand(app, orderId, 'failed');
    faults.credit = false;
    const text = await metrics();
    for (const projection of ['items', 'users_replica', 'access']) {
      const labels = { module: 'catalog', projection };
      expect(sample(text, 'seams_projection_lag_events', labels), projection).to.be.a('number');
      expect(sample(text, 'seams_projection_lag_seconds', labels), projection).to.be.a('number');
      expect(sample(text, 'seams_projection_parked_streams', labels), projection).to.equal(0);
    }
    const state = (s: string) => sample(text, 'seams_projection_state', { module: 'catalog', projection: 'items', state: s });
    expect(state('live')! + state('catching-up')!).to.equal(1);
    expect(sample(text, 'seams_projection_state', { module: 'catalog', projection: 'items', state: 'failed' })).to.equal(0);
    expect(sample(text, 'seams_process_commands_set_aside', { module: 'orders', process: 'order_process' })).to.equal(1);
    expect(sample(text, 'seams_process_instances', { module: 'orders', process: 'order_process', status: 'failed' })).to.equal(1);
    expect(sample(text, 'seams_process_outbox_depth', { module: 'orders', process: 'order_process' })).to.be.a('number');
  });

  it('breaker state per module asked, and the lease holder per module', async () => {
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Chair', priceCents: 100 } });
    expectStatus(await app.request('POST', `/catalog/items/${item.body.itemId}/owner-check?mode=strict`), 200);
    const text = await metrics();
    expect(sample(text, 'seams_breaker_state', { module: 'users' })).to.equal(0);
    expect(sample(text, 'seams_lease_holder', { module: 'orders', here: '1' })).to.equal(1);
  });
});

describe('GET /metrics and readiness: guarded, and ready fails on lag', function () {
  this.timeout(30_000);

  it('/metrics needs the admin token like /admin', async () => {
    const adminToken = 'metrics-admin-token-0123456789';
    const app = await startApp({ config: { adminToken } });
    try {
      expectProblem(await app.request('GET', '/metrics'), 401);
      expectStatus(await app.request('GET', '/metrics', { token: adminToken }), 200);
    } finally {
      await app.stop();
    }
  });

  it('with SEAMS_READY_MAX_LAG_S, /health/ready is 503 while a projection is further behind than that, 200 once it caught up', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    let blocking = false;
    const modules = withModule('catalog', (m) => wrapProjection(m, 'items', () => (blocking ? stuck : undefined)));
    const app = await startApp({ modules, config: { readyMaxLagS: 1 } });
    try {
      const ada = await app.signUp('Ada');
      expectStatus(await app.request('GET', '/health/ready'), 200);
      blocking = true;
      expectStatus(await app.request('POST', '/catalog/items', { token: ada.token, body: { title: 'Lamp', priceCents: 1 } }), 201);
      const behind = await eventually(async () => {
        const reply = await app.request('GET', '/health/ready');
        return reply.status === 503 ? reply : undefined;
      }, 100);
      expectProblem(behind, 503);
      expect(behind.body.detail).to.match(/^projections behind by more than 1 s: catalog\/items \(\d+\.\d s\)$/);
      expect(behind.headers.get('retry-after')).to.equal('1');
      blocking = false;
      release();
      await eventually(async () => (await app.request('GET', '/health/ready')).status === 200);
    } finally {
      release();
      await app.stop();
    }
  });
});
