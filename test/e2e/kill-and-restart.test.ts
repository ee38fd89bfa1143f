/**
 * "Nothing acknowledged is lost": the real server as a child process, killed with SIGKILL in the
 * middle of a few thousand concurrent writes, restarted on the same data directory. And a
 * SIGTERM stops it gracefully: requests in flight finish, the exit code is 0, the projections'
 * checkpoints are saved.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { counts, readLog } from '../support/adminLog.js';
import { tempDir } from '../support/tempDir.js';
import { requestJson, runCli, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

interface ProjectionRow {
  module: string;
  projection: string;
  position: number;
  headPosition: number;
  lag: number;
  state: string;
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Polls (bounded) until every projection is live with nothing left to do, and returns them. */
async function convergedProjections(base: string, head: number): Promise<ProjectionRow[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await requestJson<ProjectionRow[]>(base, 'GET', '/admin/projections');
    expect(reply.status, reply.text).to.equal(200);
    const done = reply.body.every((p) => p.state === 'live' && p.lag === 0 && p.position === head);
    if (done || Date.now() > deadline) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('e2e: the real server killed with SIGKILL mid-load and restarted', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const servers: ServerProcess[] = [];

  before(async () => {
    dir = await tempDir('seams-e2e-kill-');
  });
  after(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await dir?.cleanup();
  });

  it('keeps every acknowledged write exactly once, writes no event twice, and every projection converges', async () => {
    const ITEMS = 3000;
    const KILL_AFTER = ITEMS / 2;
    const ITEM_WORKERS = 24;

    const first = await startServerProcess({ dataDir: dir.path });
    servers.push(first);
    const names = ['Ada', 'Brian', 'Chen', 'Dara'];
    const owners = await Promise.all(names.map(async (name) => ({ ...(await signUp(first.base, name)), name })));

    interface AckedItem { position: number; title: string; priceCents: number; ownerId: string }
    interface AckedPatch { userId: string; displayName: string; bio: string; position: number }
    const ackedItems = new Map<string, AckedItem>();
    const ackedPatches: AckedPatch[] = [];
    const unexpected: string[] = [];
    let killed = false;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let failedAfterKill = 0;

    const kill = () => {
      if (killed) return;
      killed = true;
      inFlightAtKill = inFlight;
      first.child.kill('SIGKILL');
    };
    /** One request; a network error after the kill is the expected fate of a request in flight. */
    const attempt = async (fn: () => Promise<void>) => {
      inFlight++;
      try {
        await fn();
      } catch (error) {
        if (killed) failedAfterKill++;
        else unexpected.push(`network error before the kill: ${(error as Error).message}`);
      } finally {
        inFlight--;
      }
    };

    let nextItem = 0;
    const itemWorker = async () => {
      while (!killed && nextItem < ITEMS) {
        const i = nextItem++;
        const owner = owners[i % owners.length]!;
        const title = `item ${i}`;
        await attempt(async () => {
          const reply = await requestJson(first.base, 'POST', '/catalog/items', { token: owner.token, body: { title, priceCents: i } });
          if (reply.status === 201) {
            ackedItems.set(reply.body.itemId, { position: Number(reply.headers.get('event-position')), title, priceCents: i, ownerId: owner.userId });
            if (ackedItems.size >= KILL_AFTER) kill();
          } else if (!killed) unexpected.push(`POST /catalog/items: ${reply.status} ${reply.text}`);
        });
      }
    };
    // Each owner changes its own profile, one change at a time, reading its own last write.
    const patchWorker = async (owner: (typeof owners)[number]) => {
      let lastPosition = owner.position;
      for (let k = 1; !killed && nextItem < ITEMS; k++) {
        const patch = { displayName: `${owner.userId.slice(0, 4)} v${k}`, bio: `bio ${owner.userId} ${k}` };
        await attempt(async () => {
          const reply = await requestJson(first.base, 'PATCH', `/users/${owner.userId}`, { token: owner.token, body: patch, headers: { 'min-position': String(lastPosition) } });
          if (reply.status === 200) {
            lastPosition = Number(reply.headers.get('event-position'));
            ackedPatches.push({ userId: owner.userId, ...patch, position: lastPosition });
          } else if (!killed) unexpected.push(`PATCH /users: ${reply.status} ${reply.text}`);
        });
      }
    };
    await Promise.all([...Array.from({ length: ITEM_WORKERS }, itemWorker), ...owners.map(patchWorker)]);
    const exit = await first.exited;

    expect(unexpected, 'answers before the kill').to.deep.equal([]);
    expect(exit.signal, 'the first server died of SIGKILL').to.equal('SIGKILL');
    expect(killed).to.equal(true);
    expect(inFlightAtKill, 'requests in flight when the server was killed').to.be.greaterThan(0);
    expect(ackedItems.size).to.be.at.least(KILL_AFTER).and.below(ITEMS);
    expect(ackedPatches.length, 'acknowledged profile changes').to.be.greaterThan(0);

    // Restart on the same data directory.
    const second = await startServerProcess({ dataDir: dir.path });
    servers.push(second);
    const { events, head } = await readLog(second.base);

    // The log: positions 1..head without a gap or a repeat, every event id once.
    expect(events.map((e) => e.position)).to.deep.equal(Array.from({ length: head }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.id)).size, 'distinct event ids').to.equal(events.length);
    const byPosition = new Map(events.map((e) => [e.position, e]));

    // Every acknowledged item is in exactly one ItemCreated, at the position it was acknowledged with.
    const created = events.filter((e) => e.type === 'catalog.ItemCreated');
    const createdCounts = counts(created.map((e) => e.data.itemId as string));
    expect([...createdCounts.values()].filter((n) => n > 1), 'items created twice').to.deep.equal([]);
    for (const [itemId, acked] of ackedItems) {
      expect(createdCounts.get(itemId), `ItemCreated events of acknowledged item ${itemId}`).to.equal(1);
      const event = byPosition.get(acked.position)!;
      expect(event.type).to.equal('catalog.ItemCreated');
      expect(event.data).to.deep.equal({ itemId, title: acked.title, priceCents: acked.priceCents, ownerId: acked.ownerId });
    }

    // Every acknowledged profile change is in exactly one ProfileUpdated, at its acknowledged position.
    const updates = events.filter((e) => e.type === 'users.ProfileUpdated');
    const bioCounts = counts(updates.map((e) => e.data.bio as string));
    expect([...bioCounts.values()].filter((n) => n > 1), 'profile changes written twice').to.deep.equal([]);
    for (const patch of ackedPatches) {
      expect(bioCounts.get(patch.bio), `ProfileUpdated events of acknowledged change "${patch.bio}"`).to.equal(1);
      expect(byPosition.get(patch.position)!.data).to.deep.equal({ userId: patch.userId, displayName: patch.displayName, bio: patch.bio });
    }
    for (const owner of owners) {
      expect(events.filter((e) => e.type === 'identity.UserRegistered' && e.data.userId === owner.userId)).to.have.length(1);
    }

    if (process.env.E2E_VERBOSE) {
      const unacknowledged = created.length - ackedItems.size;
      console.log(`      ${ackedItems.size} items and ${ackedPatches.length} profile changes acknowledged; ${inFlightAtKill} requests in flight at the kill, ${failedAfterKill} failed; ${unacknowledged} items written but never acknowledged; log head ${head}`);
    }

    // The projections converge: each module reads its own writes at the head...
    const profiles = new Map(owners.map((o) => [o.userId, { userId: o.userId, displayName: o.name, bio: '' }]));
    for (const e of updates) profiles.set(e.data.userId as string, e.data as { userId: string; displayName: string; bio: string });
    for (const owner of owners) {
      const profile = await requestJson(second.base, 'GET', `/users/${owner.userId}`, { headers: { 'min-position': String(head) } });
      expect(profile.status, profile.text).to.equal(200);
      expect(profile.body).to.deep.equal(profiles.get(owner.userId));
      expect(profile.headers.get('etag'), 'profile version').to.equal(`"${updates.filter((e) => e.data.userId === owner.userId).length}"`);
    }
    // ...every item in the log (acknowledged or not) answers, with its owner's latest name...
    const wrong: string[] = [];
    await forEachConcurrently(created, 16, async (e) => {
      const reply = await requestJson(second.base, 'GET', `/catalog/items/${e.data.itemId as string}`, { headers: { 'min-position': String(head) } });
      const expected = { itemId: e.data.itemId, title: e.data.title, priceCents: e.data.priceCents, ownerId: e.data.ownerId, ownerDisplayName: profiles.get(e.data.ownerId as string)!.displayName };
      if (reply.status !== 200 || JSON.stringify(reply.body) !== JSON.stringify(expected)) wrong.push(`${reply.status} ${reply.text}`);
    });
    expect(wrong, 'items that do not read back').to.deep.equal([]);
    // ...and every projection of every module is live at the head.
    const projections = await convergedProjections(second.base, head);
    expect(projections).to.not.be.empty;
    for (const p of projections) expect(p, `${p.module}/${p.projection}`).to.include({ state: 'live', lag: 0, position: head, headPosition: head });

    const stopped = await second.stop('SIGTERM');
    expect(stopped).to.deep.equal({ code: 0, signal: null });
  });
});

interface PendingRequest {
  /** Resolves when the server has read the headers and asked for the body (100 Continue). */
  continued: Promise<void>;
  /** Sends the body; resolves with the answer. */
  finish(): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }>;
}

/** A POST whose body is held back until `finish`: with `Expect: 100-continue` the server is handling it meanwhile. */
function heldRequest(port: number, path: string, token: string, body: unknown): PendingRequest {
  const payload = Buffer.from(JSON.stringify(body));
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': payload.length, authorization: `Bearer ${token}`, expect: '100-continue', connection: 'close' },
  });
  const continued = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    req.once('error', reject);
  });
  const answered = new Promise<{ status: number; headers: IncomingHttpHeaders; body: any }>((resolve, reject) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.once('error', reject);
  });
  void answered.catch(() => undefined);
  req.flushHeaders();
  return {
    continued,
    finish: () => {
      req.end(payload);
      return answered;
    },
  };
}

/** Resolves once nothing listens on the port any more (bounded). */
async function listenerClosed(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('e2e: the real server stopped with SIGTERM', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const servers: ServerProcess[] = [];

  before(async () => {
    dir = await tempDir('seams-e2e-term-');
  });
  after(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await dir?.cleanup();
  });

  it('finishes the requests in flight, exits 0, and leaves every projection checkpointed at the head', async () => {
    const server = await startServerProcess({ dataDir: dir.path });
    servers.push(server);
    const owner = await signUp(server.base, 'Ada');
    let last = owner.position;
    await forEachConcurrently(Array.from({ length: 200 }, (_, i) => i), 8, async (i) => {
      const reply = await requestJson(server.base, 'POST', '/catalog/items', { token: owner.token, body: { title: `before ${i}`, priceCents: i } });
      expect(reply.status, reply.text).to.equal(201);
      last = Math.max(last, Number(reply.headers.get('event-position')));
    });

    // Requests the server is handling (it has read their headers) when SIGTERM arrives.
    const held = Array.from({ length: 8 }, (_, i) => heldRequest(server.port, '/catalog/items', owner.token, { title: `in flight ${i}`, priceCents: i }));
    await Promise.all(held.map((h) => h.continued));
    server.child.kill('SIGTERM');
    await listenerClosed(server.port);
    // The server has stopped accepting; the requests it had taken still get their answers.
    const answers = await Promise.all(held.map((h) => h.finish()));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).to.equal(201);
    const exit = await server.exited;
    expect(exit, server.output()).to.deep.equal({ code: 0, signal: null });
    const head = Math.max(last, ...answers.map((a) => Number(a.headers['event-position'])));

    // The checkpoints on disk, read by the CLI with no server running: every projection at the head.
    const status = await runCli(dir.path, ['projections', 'status', '--json']);
    expect(status.code, status.stderr).to.equal(0);
    const saved = JSON.parse(status.stdout) as ProjectionRow[];
    expect(saved).to.not.be.empty;
    for (const p of saved) expect(p, `${p.module}/${p.projection}`).to.include({ position: head, headPosition: head, lag: 0 });

    // Restarted with no new event, nothing is left to catch up and the in-flight items are there.
    const again = await startServerProcess({ dataDir: dir.path });
    servers.push(again);
    const projections = await requestJson<ProjectionRow[]>(again.base, 'GET', '/admin/projections');
    for (const p of projections.body) expect(p, `${p.module}/${p.projection}`).to.include({ position: head, headPosition: head, lag: 0, state: 'live' });
    for (const a of answers) {
      const item = await requestJson(again.base, 'GET', `/catalog/items/${a.body.itemId as string}`);
      expect(item.status, item.text).to.equal(200);
      expect(item.body.title).to.match(/^in flight \d$/);
    }
    expect(await again.stop('SIGTERM')).to.deep.equal({ code: 0, signal: null });
  });
});
