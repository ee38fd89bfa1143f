/**
 * The console, the landing page and the API reference in a real browser: headless Chromium
 * (Debian's package) driven by puppeteer-core, against the real application with a projection
 * and a command that fail on demand. Every action is done by clicking and confirming in the
 * page; its effect is checked through the API. `SCREENSHOTS=1` writes the README's pictures to docs/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { TestApp } from '../../../support/httpHarness.js';
import { eventually, expectStatus } from '../../../support/http.js';
import { orderCommand, placeOrder, startBrokenApp, type Faults } from '../../../support/brokenApp.js';
import { REPO_ROOT } from '../../../support/serverProcess.js';
import { tempDir } from '../../../support/tempDir.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the console in a real browser', function () {
  this.timeout(60_000);
  const faults: Faults = { items: false, credit: false };
  let app: TestApp;
  let token: string;
  let browser: Browser | undefined;
  let page: Page;
  let profile: Awaited<ReturnType<typeof tempDir>>;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
      this.skip();
    }
    app = await startBrokenApp(faults);
    token = (await app.signUp('Ada')).token;
    profile = await tempDir('seams-chromium-');
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--user-data-dir=${profile.path}`] });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (error) => console.error('page error:', error));
  });
  after(async () => {
    const child = browser?.process();
    await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await app?.stop();
    await profile?.cleanup();
  });

  const open = async (path: string) => {
    await page.goto(`${app.base}${path}`, { waitUntil: 'domcontentloaded' });
  };
  const screenshot = async (name: string) => {
    if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: join(REPO_ROOT, 'docs', `${name}.png`), fullPage: false });
  };
  /** Clicks an action button, fills the confirmation (name, and a reason when asked) and confirms. */
  const confirmClick = async (selector: string, reason?: string) => {
    await page.waitForSelector(selector);
    await page.click(selector);
    await page.waitForSelector('#confirm[open]');
    await page.$eval('#confirm-name', (input, name) => void ((input as unknown as { value: string }).value = name), 'Grace');
    if (reason) await page.type('#confirm-reason', reason);
    await page.click('#confirm-ok');
    await page.waitForSelector('#message');
  };
  const items = async () => (await app.request('GET', '/admin/projections')).body.find((p: { module: string; projection: string }) => p.module === 'catalog' && p.projection === 'items');
  const operatorEvents = async () => (await app.request('GET', '/admin/streams/seams.projection-catalog-items')).body.events as { type: string; data: Record<string, unknown>; metadata: { actor: string } }[];

  it('GET / shows where to go: the API reference (rendered from /openapi.json), the console, the walk-through', async () => {
    await open('/');
    const links = await page.$$eval('a.card', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).to.deep.equal(['/api', '/admin/console/', '/readme#walk-through']);
    await screenshot('landing');
    await open('/api');
    await page.waitForSelector('[data-operation="POST /orders"]');
    expect(await page.$$eval('section h2', (hs) => hs.map((h) => h.textContent))).to.include.members(['orders', 'catalog', 'operations']);
    await open('/readme#walk-through');
    await page.waitForSelector('h2#walk-through');
    expect(await page.$eval('h2#walk-through', (h) => h.textContent)).to.equal('Walk-through');
  });

  it('projections: retry a stopped projection once its cause is fixed, by clicking and confirming', async () => {
    faults.items = true;
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 1200 } });
    await open('/admin/console/#projections');
    await page.waitForSelector('tr[data-projection="catalog/items"][data-state="failed"]');
    expect(await page.$eval('tr[data-projection="catalog/items"] .error', (e) => e.textContent)).to.include('the items table is full (test fault)');
    await screenshot('console-projections');
    faults.items = false;
    await confirmClick('tr[data-projection="catalog/items"] button[data-action="retry"]');
    await eventually(async () => (await items()).state === 'live');
    expectStatus(await app.request('GET', `/catalog/items/${item.body.itemId}`), 200);
    expect((await operatorEvents()).find((e) => e.type === 'seams.ProjectionRetried')!.metadata.actor).to.equal('Grace (loopback)');
  });

  it('projections: skip the failed event with a reason; then rebuild, watching its progress', async () => {
    faults.items = true;
    const item = await app.request('POST', '/catalog/items', { token, body: { title: 'Broken', priceCents: 1 } });
    const position = Number(item.headers.get('event-position'));
    await eventually(async () => (await items()).error?.position === position);
    await page.waitForFunction(`document.querySelector('tr[data-projection="catalog/items"][data-state="failed"] .error')?.textContent?.startsWith('at position ${position}:')`);
    faults.items = false;
    await confirmClick('tr[data-projection="catalog/items"] button[data-action="skip"]', 'a test item');
    await eventually(async () => (await items()).state === 'live');
    expect((await app.request('GET', `/catalog/items/${item.body.itemId}`)).status).to.equal(404);
    expect((await operatorEvents()).find((e) => e.type === 'seams.ProjectionEventSkipped')!.data).to.include({ reason: 'a test item' });

    const generation = (await items()).generation;
    faults.slowItemsMs = 400;
    await page.waitForSelector('tr[data-projection="catalog/items"][data-state="live"] button[data-action="rebuild"]');
    await confirmClick('tr[data-projection="catalog/items"] button[data-action="rebuild"]');
    await page.waitForSelector('[data-rebuild="catalog/items"]', { timeout: 10_000 });
    await screenshot('console-rebuild');
    faults.slowItemsMs = 0;
    await eventually(async () => (await items()).generation > generation && !(await items()).building);
    expectStatus(await app.request('GET', '/catalog/items?limit=10'), 200);
  });

  it('processes: why is this order still pending? The set-aside command, its error, and resubmit', async () => {
    faults.credit = true;
    const { orderId, customerId } = await placeOrder(app, token);
    const { command } = await orderCommand(app, orderId, 'failed');
    await open(`/admin/console/#processes?type=order_process&id=${orderId}`);
    await page.waitForSelector(`[data-instance="order_process/${orderId}"] tr[data-command="${command.commandId}"]`);
    expect(await page.$eval(`tr[data-command="${command.commandId}"]`, (tr) => tr.textContent)).to.include('customers is closed for maintenance (test fault)');
    await screenshot('console-pending-order');
    faults.credit = false;
    await confirmClick(`[data-instance="order_process/${orderId}"] tr[data-command="${command.commandId}"] button[data-action="resubmit"]`);
    await orderCommand(app, orderId, 'done');
    const stream = await app.request('GET', `/admin/streams/customers.customer-${customerId}`);
    expect(stream.body.events.map((e: { type: string }) => e.type)).to.include('customers.CreditReserved');
  });

  it('events: a conversation in order, by correlation id; search by stream and type; secrets redacted', async () => {
    const { orderId } = await placeOrder(app, token);
    const placed = (await app.request('GET', `/admin/streams/orders.order-${orderId}`)).body.events[0];
    const conversation = `/admin/events?correlation=${placed.metadata.correlationId}`;
    await eventually(async () => (await app.request('GET', conversation)).body.events.some((e: { type: string }) => e.type === 'communications.MailSent'));
    await open(`/admin/console/#events?correlation=${placed.metadata.correlationId}`);
    await page.waitForSelector('.timeline li[data-kind="command"]');
    const entries = await page.$$eval('.timeline li', (lis) => lis.map((li) => li.className));
    expect(entries.slice(0, 3)).to.deep.equal(['request', 'event', 'command']);
    await screenshot('console-conversation');
    await open(`/admin/console/#events?stream=orders.order-${orderId}`);
    await page.waitForSelector(`tr[data-event="${placed.id}"]`);
    await open('/admin/console/#events?type=identity.UserRegistered');
    await page.waitForSelector('tr[data-event]');
    expect(await page.$eval('[data-results]', (e) => e.textContent)).not.to.include('$scrypt');
  });

  it('modules and the live overview', async () => {
    await open('/admin/console/#modules');
    await page.waitForSelector('svg[aria-label="module graph"] circle');
    expect(await page.$$eval('tr[data-module]', (trs) => trs.map((tr) => tr.getAttribute('data-module')))).to.include.members(['orders', 'customers', 'communications']);
    await screenshot('console-modules');
    await open('/admin/console/#overview');
    await page.waitForSelector('[data-metric="requests"]');
    await page.waitForFunction(`!document.querySelector('[data-metric="requests"]')?.textContent?.includes('…/s')`, { timeout: 5000 });
    expect(Number(await page.$eval('[data-metric="requests"] .value', (e) => e.textContent))).to.be.above(10);
    await screenshot('console-overview');
  });
});
