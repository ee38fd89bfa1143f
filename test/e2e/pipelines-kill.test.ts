/**
 * The durability argument of the module databases (docs/DESIGN.md, "How durable each write is"),
 * tried on the two pipelines: the real server killed with SIGKILL while jobs move through
 * validate → prepare → schedule and orders through credit → confirmation → mail, then started
 * again on the same data directory. Whatever the kill interrupted (a process step, an outbox
 * row, a delivery and its mark, a pool decision) is re-derived from the log and the checkpoints:
 * every accepted job is scheduled exactly once and holds exactly one slot, every placed order ends
 * in exactly one state, and every confirmation has one credit reservation and one mail.
 */
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import sqlite3 from 'sqlite3';
import { counts, readLog, type LoggedEvent } from '../support/adminLog.js';
import { requestJson, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/tempDir.js';

const JOBS = 240;
const ORDERS = 120;
const CLIENTS = 12;
const TYPE = 'render';
/** The kill comes once this many jobs and orders are acknowledged: the pipelines are busy then. */
const KILL_AFTER = { jobs: JOBS / 2, orders: ORDERS / 2 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ofType = (events: LoggedEvent[], type: string) => events.filter((e) => e.type === type);
const by = (events: LoggedEvent[], type: string, key: string) => counts(ofType(events, type).map((e) => e.data[key] as string));

describe('e2e: the jobs and orders pipelines killed with SIGKILL under load', function () {
  this.timeout(300_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const servers: ServerProcess[] = [];

  before(async () => {
    dir = await tempDir('seams-e2e-pipelines-');
  });
  after(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await dir?.cleanup();
  });

  it('acts on every command once: each job scheduled once with one slot, each order final once, one mail per confirmation', () => killedUnderLoad({ loseModuleTail: false }));

  // Module databases commit at synchronous=NORMAL: a power cut may lose their last transactions,
  // never the log's. Staged here: every module database put back to a copy taken before the kill.
  it('the same when every module database also lost its last transactions (a power cut at synchronous=NORMAL)', () => killedUnderLoad({ loseModuleTail: true }));

  async function killedUnderLoad({ loseModuleTail }: { loseModuleTail: boolean }): Promise<void> {
    const env = { JOBS_POOL_SIZE: String(JOBS * 2) };
    const first = await startServerProcess({ dataDir: dir.path, env });
    servers.push(first);
    const member = await signUp(first.base, 'Pipelines');
    const token = member.token;
    const items: string[] = [];
    for (let i = 0; i < 4; i++) items.push((await requestJson(first.base, 'POST', '/catalog/items', { token, body: { title: `item ${i}`, priceCents: 100 + i } })).body.itemId);
    const customers: string[] = [];
    for (let i = 0; i < 6; i++) customers.push((await requestJson(first.base, 'POST', '/customers', { token, body: { name: `customer ${i}`, email: `c${i}@example.com` } })).body.customerId);

    const acked = { jobs: new Set<string>(), orders: new Set<string>() };
    const unexpected: string[] = [];
    let killed = false;
    let killedAt = 0;
    let sent = 0;
    let copying: Promise<string[]> | undefined;
    let copied = false;
    const kill = () => {
      if (loseModuleTail && !copying && acked.jobs.size >= KILL_AFTER.jobs / 2) copying = copyModuleDatabases(dir.path).finally(() => (copied = true));
      if (killed || (loseModuleTail && !copied) || acked.jobs.size < KILL_AFTER.jobs || acked.orders.size < KILL_AFTER.orders) return;
      killed = true;
      killedAt = Date.now();
      first.child.kill('SIGKILL');
    };
    // Jobs and orders interleaved, CLIENTS requests in flight, until the kill.
    const client = async () => {
      while (!killed && sent < JOBS + ORDERS) {
        const n = sent++;
        try {
          if (n % 3 === 2) {
            const body = { customerId: customers[n % customers.length], lines: [{ itemId: items[n % items.length], quantity: 1 }] };
            const reply = await requestJson(first.base, 'POST', '/orders', { token, body });
            if (reply.status === 202) acked.orders.add(reply.body.orderId);
            else if (!killed) unexpected.push(`POST /orders: ${reply.status} ${reply.text}`);
          } else {
            const reply = await requestJson(first.base, 'POST', '/jobs', { token, body: { type: TYPE, payload: { n } } });
            if (reply.status === 202) acked.jobs.add(reply.body.jobId);
            else if (!killed) unexpected.push(`POST /jobs: ${reply.status} ${reply.text}`);
          }
          kill();
        } catch (error) {
          if (!killed) unexpected.push(`network error before the kill: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    expect(unexpected, 'answers before the kill').to.deep.equal([]);
    expect(killed, 'killed mid-load').to.equal(true);
    expect((await first.exited).signal).to.equal('SIGKILL');

    if (copying) restoreModuleDatabases(dir.path, await copying);
    const second = await startServerProcess({ dataDir: dir.path, env });
    servers.push(second);
    // Every job and order the log accepted (acknowledged or not) comes to its end.
    let events: LoggedEvent[] = [];
    const restartedAt = Date.now();
    const deadline = restartedAt + 180_000;
    let nextReport = restartedAt + 20_000; // a slow settling says where it stands every 10 s
    for (;;) {
      events = (await readLog(second.base)).events;
      const finals = ['orders.OrderConfirmed', 'orders.OrderRejected', 'orders.OrderInvalidated'];
      const pendingJobs = ofType(events, 'jobs.JobAccepted').length - ofType(events, 'jobs.JobScheduled').length;
      const pendingOrders = ofType(events, 'orders.OrderPlaced').length - events.filter((e) => finals.includes(e.type)).length;
      const mailsDue = ofType(events, 'orders.OrderConfirmed').length - ofType(events, 'communications.MailSent').length;
      if (pendingJobs === 0 && pendingOrders === 0 && mailsDue === 0) break;
      if (Date.now() > nextReport && (nextReport += 10_000)) console.log(`      still pending: ${pendingJobs} jobs, ${pendingOrders} orders, ${mailsDue} mails`);
      expect(Date.now(), `still pending: ${pendingJobs} jobs, ${pendingOrders} orders, ${mailsDue} mails`).to.be.below(deadline);
      await sleep(250);
    }

    console.log(`      ${acked.jobs.size} jobs and ${acked.orders.size} orders acknowledged before the kill; all settled ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
    // The kill interrupted both pipelines: some of their work was done by the second server.
    const after = (type: string) => ofType(events, type).filter((e) => Date.parse(e.recordedAt) > killedAt).length;
    expect(after('jobs.JobScheduled'), 'jobs scheduled after the restart').to.be.greaterThan(0);
    expect(after('orders.OrderConfirmed') + after('communications.MailSent'), 'orders confirmed or mailed after the restart').to.be.greaterThan(0);

    expect(new Set(events.map((e) => e.id)).size, 'no event id twice').to.equal(events.length);
    const accepted = by(events, 'jobs.JobAccepted', 'jobId');
    for (const id of acked.jobs) expect(accepted.get(id), `acknowledged job ${id} in the log`).to.equal(1);
    for (const type of ['jobs.JobValidated', 'jobs.JobPrepared', 'jobs.SlotReserved', 'jobs.JobScheduled']) {
      const seen = by(events, type, 'jobId');
      for (const id of accepted.keys()) expect(seen.get(id) ?? 0, `${type} of job ${id}`).to.equal(1);
    }
    const pool = await requestJson(second.base, 'GET', `/jobs/pools/${TYPE}`, { token });
    expect(pool.body, pool.text).to.deep.include({ reserved: accepted.size, waiting: 0 });

    const placed = by(events, 'orders.OrderPlaced', 'orderId');
    for (const id of acked.orders) expect(placed.get(id), `acknowledged order ${id} in the log`).to.equal(1);
    const confirmed = by(events, 'orders.OrderConfirmed', 'orderId');
    const ended = counts([...ofType(events, 'orders.OrderConfirmed'), ...ofType(events, 'orders.OrderRejected'), ...ofType(events, 'orders.OrderInvalidated')].map((e) => e.data.orderId as string));
    const reserved = by(events, 'customers.CreditReserved', 'orderId');
    for (const id of placed.keys()) expect(ended.get(id), `final states of order ${id}`).to.equal(1);
    expect(confirmed.size, 'orders confirmed').to.be.greaterThan(0);
    for (const id of confirmed.keys()) expect(reserved.get(id), `credit reservations of confirmed order ${id}`).to.equal(1);
    // One mail per confirmation: one MailSent, one .eml file naming the order.
    const mails = readdirSync(join(dir.path, 'modules', 'communications-files', 'mails')).map((n) => readFileSync(join(dir.path, 'modules', 'communications-files', 'mails', n), 'utf8'));
    for (const id of confirmed.keys()) expect(mails.filter((m) => m.includes(`Your order ${id} is confirmed`)), `mail files of order ${id}`).to.have.length(1);
    expect(ofType(events, 'communications.MailSent').length, 'mails sent').to.equal(confirmed.size);
  }
});

/** A consistent copy of every module database (VACUUM INTO: a reader beside the running server). */
async function copyModuleDatabases(dataDir: string): Promise<string[]> {
  const modules = join(dataDir, 'modules');
  const files = readdirSync(modules).filter((n) => n.endsWith('.sqlite'));
  for (const name of files) {
    const db = new sqlite3.Database(join(modules, name), sqlite3.OPEN_READONLY);
    await new Promise<void>((resolve, reject) => db.exec(`VACUUM INTO '${join(modules, `${name}.before-kill`)}'`, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
  return files;
}

/** Puts the copies back, as if the transactions after them never reached the disk. */
function restoreModuleDatabases(dataDir: string, files: string[]): void {
  const modules = join(dataDir, 'modules');
  for (const name of files) {
    for (const side of ['-wal', '-shm']) rmSync(join(modules, `${name}${side}`), { force: true });
    renameSync(join(modules, `${name}.before-kill`), join(modules, name));
  }
}
