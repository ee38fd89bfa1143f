/**
 * `npm run start:split -- --extract …` for real: the deployables as child processes, each
 * extracted module on a store of its own, the local RabbitMQ between them, one gateway on PORT.
 * A client of the single application works unchanged through it; the broker stopped and started
 * in the middle of a workload loses and duplicates nothing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { registryOf, SqliteEventStore, type RecordedEvent } from '../../src/kernel/host.js';
import { modules } from '../../src/application.js';
import { brokerPrefix, describeBroker, dropTopology, until } from '../support/broker.js';
import { freePort, REPO_ROOT, requestJson, signUp, startServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/tempDir.js';

interface Split {
  base: string;
  /** Each deployable's URL, by store name. */
  urls: Record<string, string>;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

async function startSplitProcess(extract: string, dataDir: string, prefix: string): Promise<Split> {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEAMS_') && name !== 'PORT'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'split', '--extract', extract], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), SEAMS_DATA_DIR: dataDir, SEAMS_BROKER_PREFIX: prefix, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(`seams split to start:\n${output}`, () => output.includes('seams split: gateway on') || child.exitCode !== null, 90_000);
  if (child.exitCode !== null) throw new Error(`seams split exited: ${output}`);
  const urls = Object.fromEntries([...output.matchAll(/^ {2}(\S+)\s+(http:\/\/\S+)\s/gm)].map((m) => [m[1]!, m[2]!]));
  return {
    base: `http://127.0.0.1:${port}`,
    urls,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Every event a store holds, read straight from its file beside the running deployable (WAL). */
async function storeEvents(dataDir: string): Promise<RecordedEvent[]> {
  const store = await SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite'), registry: registryOf(modules) });
  try {
    const events: RecordedEvent[] = [];
    for (;;) {
      const batch = await store.readAll({ after: events.at(-1)?.position ?? 0, maxCount: 1000 });
      if (batch.length === 0) return events;
      events.push(...batch);
    }
  } finally {
    await store.close();
  }
}

const rabbitmqctl = (command: 'stop_app' | 'start_app') => execFileSync('rabbitmqctl', [command], { stdio: 'ignore', timeout: 60_000 });
const canControlBroker = (() => {
  try {
    execFileSync('rabbitmqctl', ['status'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

await describeBroker('seams split: extracted modules on stores of their own, through RabbitMQ, behind one gateway', (url) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let split: Split | undefined;
  let prefix: string;
  beforeEach(async () => {
    dir = await tempDir('seams-split-e2e-');
    prefix = brokerPrefix();
  });
  afterEach(async function () {
    const code = await split?.stop();
    if (this.currentTest?.state === 'failed') console.error(split?.output());
    split = undefined;
    await dropTopology(url, `${prefix}.events`, [`${prefix}.catalog.catalog`, `${prefix}.main.orders`]);
    await dir.cleanup();
    expect(code ?? 0, 'seams split stops cleanly on Ctrl-C').to.equal(0);
  });

  /** Places an order through `base` for a new customer with `email`; resolves with the order's id once it is confirmed. */
  async function confirmedOrder(base: string, token: string, email: string): Promise<string> {
    const item = await requestJson(base, 'POST', '/catalog/items', { token, body: { title: 'Lamp', priceCents: 1200 } });
    expect(item.status, item.text).to.equal(201);
    const customer = await requestJson(base, 'POST', '/customers', { token, body: { name: 'Grace', email } });
    const order = await requestJson(base, 'POST', '/orders', { token, body: { customerId: customer.body.customerId, lines: [{ itemId: item.body.itemId, quantity: 3 }] } });
    expect(order.status, order.text).to.equal(202);
    const confirmed = await until('the order to be confirmed', async () => {
      const reply = await requestJson(base, 'GET', `/orders/${order.body.orderId}`, { token });
      return reply.body.status === 'confirmed' && reply.body;
    }, 30_000);
    expect(confirmed.totalCents).to.equal(3600);
    return order.body.orderId;
  }
  const sentMails = (base: string, email: string, n: number, token: string): Promise<{ mailId: string; subject: string }[]> =>
    until(`${n} mail(s) sent`, async () => {
      const reply = await requestJson(base, 'GET', `/communications/mails?to=${encodeURIComponent(email)}`, { token });
      return reply.body.mails?.length === n && reply.body.mails.every((m: { status: string }) => m.status === 'sent') && (reply.body.mails as { mailId: string; subject: string }[]);
    }, 30_000);

  it('--extract communications on an existing data directory: its history moves into its own store; orders placed through the gateway are mailed by the extracted deployable, once', async function () {
    this.timeout(180_000);
    // The single application first: one order, one mail.
    const single = await startServerProcess({ dataDir: dir.path, startTimeoutMs: 60_000 });
    const email = `${crypto.randomUUID()}@example.com`;
    let before: { mailId: string; subject: string }[];
    // Ada's mails are hers to read (and an operator's): the same member, and token, before and after the split.
    let ada: Awaited<ReturnType<typeof signUp>>;
    try {
      ada = await signUp(single.base, 'Ada');
      const first = await confirmedOrder(single.base, ada.token, email);
      before = await sentMails(single.base, email, 1, ada.token);
      expect(before[0]!.subject).to.contain(first);
    } finally {
      await single.stop();
    }

    split = await startSplitProcess('communications', dir.path, prefix);
    expect(Object.keys(split.urls).sort()).to.deep.equal(['communications', 'main']);
    expect(split.output()).to.match(/communications: [1-9]\d* events of its own streams and 0 it consumes from other modules copied/);
    const g = split.base;
    // The mail of before is still there, now served by the extracted deployable from its own store.
    expect((await sentMails(g, email, 1, ada.token)).map((m) => m.mailId)).to.deep.equal(before.map((m) => m.mailId));
    const second = await confirmedOrder(g, ada.token, email);
    const mails = await sentMails(g, email, 2, ada.token);
    expect(mails[1]!.subject).to.contain(second);
    // Its events are in its own store now; the shared store keeps the old ones (the log is never rewritten) and gets no new ones.
    const own = join(dir.path, 'deployables', 'communications');
    expect(existsSync(join(own, 'modules', 'communications-files', 'mails', `${mails[1]!.mailId}.eml`))).to.equal(true);
    const extracted = await storeEvents(own);
    expect(extracted.filter((e) => e.type === 'communications.MailSent')).to.have.length(2);
    expect(extracted.every((e) => e.type.startsWith('communications.'))).to.equal(true);
    expect((await storeEvents(dir.path)).filter((e) => e.type === 'communications.MailSent')).to.have.length(1);
  });

  it('--extract catalog: the broker stopped and started in the middle of a workload loses and duplicates nothing; the relay is held back visibly meanwhile', async function () {
    if (!canControlBroker) this.skip();
    this.timeout(240_000);
    split = await startSplitProcess('catalog', dir.path, prefix);
    const g = split.base;
    const ada = await signUp(g, 'Ada');
    const items: string[] = [];
    let renamed = '';
    const work = async (i: number) => {
      const item = await requestJson(g, 'POST', '/catalog/items', { token: ada.token, body: { title: `item ${i}`, priceCents: 100 + i } });
      expect(item.status, item.text).to.equal(201);
      items.push(item.body.itemId);
      const patch = await requestJson(g, 'PATCH', `/users/${ada.userId}`, { token: ada.token, body: { displayName: `Ada ${i}` } });
      expect(patch.status, patch.text).to.equal(200);
      renamed = patch.headers.get('event-position')!;
    };
    for (let i = 0; i < 10; i++) await work(i);
    try {
      rabbitmqctl('stop_app');
      // Writes go on into each store; what crosses between them waits in the log.
      for (let i = 10; i < 20; i++) await work(i);
      const ready = await until('main to say its relay is held back', async () => {
        const reply = await requestJson(split!.urls.main!, 'GET', '/health/ready');
        return reply.body.status === 'degraded' && reply.body;
      }, 30_000);
      expect(ready.degraded.join(' ')).to.match(/relay of store main held back/);
      const admin = readFileSync(join(dir.path, 'admin-token'), 'utf8').trim();
      const broker = await requestJson(split!.urls.main!, 'GET', '/admin/broker', { token: admin });
      expect(broker.body.relay).to.deep.include({ store: 'main', state: 'blocked' });
      expect(broker.body.relay.lag).to.be.above(0);
    } finally {
      rabbitmqctl('start_app');
    }
    for (let i = 20; i < 30; i++) await work(i);

    // Everything crossed once: catalog sees the last name; orders knows every item (an order for the last one is confirmed).
    const last = items.at(-1)!;
    await until('catalog to show the last name', async () => {
      const reply = await requestJson(g, 'GET', `/catalog/items/${last}`, { headers: { 'min-position': renamed } });
      return reply.status === 200 && reply.body.ownerDisplayName === 'Ada 29';
    }, 60_000);
    const customer = await requestJson(g, 'POST', '/customers', { token: ada.token, body: { name: 'Grace', email: 'grace@example.com' } });
    const order = await requestJson(g, 'POST', '/orders', { token: ada.token, body: { customerId: customer.body.customerId, lines: items.map((itemId) => ({ itemId, quantity: 1 })) } });
    const decided = await until('the order to be decided', async () => {
      const reply = await requestJson(g, 'GET', `/orders/${order.body.orderId}`, { token: ada.token });
      return reply.body.status !== 'pending' && reply.body;
    }, 60_000);
    expect(decided).to.deep.include({ status: 'confirmed', totalCents: items.reduce((sum, _, i) => sum + 100 + i, 0) });

    const main = await storeEvents(dir.path);
    const catalog = await storeEvents(join(dir.path, 'deployables', 'catalog'));
    const created = catalog.filter((e) => e.type === 'catalog.ItemCreated').map((e) => e.id);
    const copiedToMain = main.filter((e) => e.type === 'catalog.ItemCreated').map((e) => e.id);
    expect(created).to.have.length(30);
    expect(copiedToMain).to.deep.equal(created);
    const renames = main.filter((e) => e.type === 'users.ProfileUpdated').map((e) => e.id);
    const copiedToCatalog = catalog.filter((e) => e.type === 'users.ProfileUpdated').map((e) => e.id);
    expect(renames).to.have.length(30);
    expect(copiedToCatalog).to.deep.equal(renames);
  });
});
