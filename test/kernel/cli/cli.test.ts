import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { runCli, type ModuleDefinition } from '../../../src/kernel/host.js';
import { ItemAdded, StockCounted, fixtureModules } from '../../support/fixtureModules.js';
import { TripBooked, processModules } from '../../support/processFixtures.js';
import { startModules } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

async function cli(args: string[], modules: readonly ModuleDefinition[] = fixtureModules) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { modules, io: { out: (s) => out.push(line(s)), err: (s) => err.push(line(s)), isTTY: false } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('seams CLI', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('seams-cli-');
  });
  afterEach(() => dir.cleanup());

  async function seed(items: number, title = (i: number) => `item ${i}`) {
    const app = await startModules(dir.path);
    let position = 0;
    for (let i = 0; i < items; i++) {
      const itemId = randomUUID();
      ({ position } = await app.store.append(`shop.item-${itemId}`, [{ type: ItemAdded.type, data: { itemId, title: title(i), priceCents: i } }]));
    }
    await app.runtime.context('shop').waitFor(position, 5000);
    await app.runtime.context('mirror').waitFor(position, 5000);
    return { app, position };
  }

  it('projections status shows position, head, lag and state, against a running server', async () => {
    const { app, position } = await seed(5);
    try {
      const { code, out } = await cli(['--data-dir', dir.path, 'projections', 'status']);
      expect(code).to.equal(0);
      expect(out).to.match(/^PROJECTION\s+VERSION\s+POSITION\s+HEAD\s+LAG\s+STATE/);
      expect(out).to.match(new RegExp(`shop/items\\s+1\\s+${position}\\s+${position}\\s+0\\s+live`));
      const json = JSON.parse((await cli(['--data-dir', dir.path, 'projections', 'status', '--json'])).out);
      expect(json.map((s: { module: string; projection: string }) => `${s.module}/${s.projection}`)).to.deep.equal(['shop/items', 'shop/counts', 'mirror/shop_items']);
    } finally {
      await app.stop();
    }
  });

  it('projections rebuild rebuilds into new tables with progress, and equals what was there', async () => {
    const { app } = await seed(30);
    const ctx = app.runtime.context('mirror');
    const before = await ctx.db(ctx.tables('shop_items').shop_items).orderBy('item_id');
    await app.stop();
    const { code, err } = await cli(['--data-dir', dir.path, 'projections', 'rebuild', 'mirror/shop_items']);
    expect(code, err).to.equal(0);
    expect(err).to.contain('mirror/shop_items: rebuilding from the start');
    expect(err).to.match(/rebuilt \(30 events in [\d.]+ s\) and swapped in as generation 2/);
    const again = await startModules(dir.path);
    try {
      const after = again.runtime.context('mirror');
      expect(after.tables('shop_items').shop_items).to.equal('shop_items_g2');
      expect(await after.db(after.tables('shop_items').shop_items).orderBy('item_id')).to.deep.equal(before);
    } finally {
      await again.stop();
    }
    expect((await cli(['--data-dir', dir.path, 'projections', 'rebuild', '--all'])).code).to.equal(0);
  });

  it('projections status on an idle system: every projection live, lag 0 (idle checkpoints are written once the log is quiet)', async () => {
    const app = await startModules(dir.path, { projections: { idleCheckpointMs: 100 } });
    try {
      const shop = app.runtime.context('shop');
      // Events of shop's own (mirror reads none of them): mirror's position moves in memory first.
      for (let n = 0; n < 4; n++) await shop.events.append(shop.events.stream('item', 'i-1'), [{ type: StockCounted.type, data: { itemId: 'i-1', count: n } }]);
      const head = await app.store.headPosition();
      let rows: { projection: string; lag: number; state: string; position: number }[] = [];
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        rows = JSON.parse((await cli(['--data-dir', dir.path, 'projections', 'status', '--json'])).out);
        if (rows.every((r) => r.lag === 0)) break;
      }
      expect(rows.map((r) => [r.projection, r.position, r.lag, r.state])).to.deep.equal(rows.map((r) => [r.projection, head, 0, 'live']));
    } finally {
      await app.stop();
    }
  });

  it('projections retry and skip act on a failed projection; skip is recorded in the log', async () => {
    const { app } = await seed(2, (i) => (i === 1 ? 'poison' : 'fine'));
    const runner = app.runtime.runner('shop', 'items');
    while ((await runner.status()).state !== 'failed') await new Promise((r) => setTimeout(r, 20));
    const failedAt = (await runner.status()).error!.position!;
    const retry = await cli(['--data-dir', dir.path, 'projections', 'retry', 'shop/items']);
    expect(retry.code, retry.err).to.equal(0);
    expect(retry.out).to.contain(`it stopped at ${failedAt}`);
    // The row says catching-up now; it says failed again once the running server retried and failed.
    const rowState = async () => JSON.parse((await cli(['--data-dir', dir.path, 'projections', 'status', '--json'])).out)[0].state;
    expect(await rowState()).to.equal('catching-up');
    while ((await rowState()) !== 'failed') await new Promise((r) => setTimeout(r, 20));
    const skip = await cli(['--data-dir', dir.path, 'projections', 'skip', 'shop/items', '--reason', 'test data']);
    expect(skip.code, skip.err).to.equal(0);
    expect(skip.out).to.contain(`skipped the event at position ${failedAt}`);
    while ((await runner.status()).state !== 'live') await new Promise((r) => setTimeout(r, 20));
    const log = await cli(['--data-dir', dir.path, 'events', 'read', '--stream', 'seams.projection-shop-items']);
    const recorded = log.out.trim().split('\n').map((line) => JSON.parse(line));
    expect(recorded.map((e) => e.type)).to.deep.equal(['seams.ProjectionRetried', 'seams.ProjectionEventSkipped']);
    expect(recorded[1].data).to.deep.include({ module: 'shop', projection: 'items', position: failedAt, reason: 'test data' });
    for (const e of recorded) expect(e.metadata.actor).to.match(/^cli(:.+)?$/); // who did it
    const notFailed = await cli(['--data-dir', dir.path, 'projections', 'retry', 'shop/items']);
    expect(notFailed).to.deep.include({ code: 1 });
    expect(notFailed.err).to.equal('seams: shop/items has not stopped (nothing to retry or skip)\n');
    await app.stop();
  });

  it('events read prints a stream or the log after a position as JSON lines', async () => {
    const { app, position } = await seed(3);
    await app.stop();
    const all = await cli(['--data-dir', dir.path, 'events', 'read', '--after', '0']);
    const lines = all.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.position)).to.deep.equal([1, 2, 3]);
    const limited = await cli(['--data-dir', dir.path, 'events', 'read', '--after', '1', '--limit', '1']);
    expect(JSON.parse(limited.out).position).to.equal(2);
    const stream = await cli(['--data-dir', dir.path, 'events', 'read', '--stream', lines[2].stream]);
    expect(JSON.parse(stream.out).position).to.equal(position);
  });

  it('events read --correlation prints one conversation in order: the request, each event, and after it the commands it made processes send', async () => {
    const app = await startModules(dir.path, { modules: processModules, processes: { pollMs: 10 } });
    const requestId = randomUUID();
    const tripId = randomUUID();
    const booked = await app.store.append(`trips.trip-${tripId}`, [{ type: TripBooked.type, data: { tripId, legs: [10, 20] }, metadata: { correlationId: requestId, causationId: requestId } }]);
    while ((await app.runtime.processInstance('trip', tripId))?.step !== 'booked') await new Promise((r) => setTimeout(r, 20));
    await app.stop();
    const { code, out } = await cli(['--data-dir', dir.path, 'events', 'read', '--correlation', requestId], processModules);
    expect(code).to.equal(0);
    const entries = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(entries.map((e) => (e.kind === 'event' ? e.type : e.kind === 'command' ? `send ${e.command}` : e.kind))).to.deep.equal([
      'request',
      'trips.TripBooked',
      'send ledger.Hold',
      'ledger.Held',
      'send ledger.Hold',
      'ledger.Held',
    ]);
    expect(entries[1].position).to.equal(booked.position);
    // Each command names the event that made the process send it; each event the command that caused it.
    expect(entries[2]).to.include({ causationId: entries[1].id, correlationId: requestId, status: 'done', type: 'trip', instance: tripId });
    expect(entries[3].metadata).to.include({ correlationId: requestId, causationId: entries[2].commandId, actor: 'process:trip' });
    expect(entries[4].causationId).to.equal(entries[3].id);
  });

  it('modules lists each module; --format mermaid draws the graph', async () => {
    const text = await cli(['modules']);
    expect(text.out).to.match(/^shop\n {2}tables {10}items\.items, counts\.counts\n {2}publishes {7}shop\.ItemAdded, shop\.ItemRenamed/);
    expect(text.out).to.match(/mirror\n(.*\n)* {2}consumes {8}shop\.ItemAdded, shop\.ItemRenamed/);
    const graph = await cli(['modules', '--format', 'mermaid']);
    expect(graph.out).to.contain('flowchart LR');
    expect(graph.out).to.contain('shop -- "ItemAdded, ItemRenamed" --> mirror');
    expect(graph.out).to.contain('mirror == "query GetItem" ==> shop');
    const json = JSON.parse((await cli(['modules', '--format', 'json'])).out);
    expect(json[0]).to.deep.include({ module: 'shop', privateEvents: ['shop.StockCounted'] });
  });

  it('modules --format mermaid --extract draws the split: a box per deployable, and how each arrow crosses', async () => {
    const graph = await cli(['modules', '--format', 'mermaid', '--extract', 'mirror']);
    expect(graph.out.split('\n').slice(0, 7)).to.deep.equal([
      'flowchart LR',
      '  subgraph deployable_mirror["mirror: extracted, a store of its own"]',
      '    mirror["mirror<br/>0 events, 1 projection, 0 processes"]',
      '  end',
      '  subgraph deployable_main["main: the shared store"]',
      '    shop["shop<br/>3 events, 2 projections, 0 processes"]',
      '  end',
    ]);
    expect(graph.out).to.contain('shop -- "ItemAdded, ItemRenamed via RabbitMQ" --> mirror');
    expect(graph.out).to.contain('mirror == "query GetItem over HTTP" ==> shop');
  });

  it('contracts update writes the snapshot; check passes it, and fails on a breaking change naming the modules affected', async () => {
    const file = join(dir.path, 'contracts.json');
    const missing = await cli(['contracts', 'check', '--file', file]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.match(/^seams: no snapshot at .*contracts\.json; write one with: seams contracts update\n$/);
    expect((await cli(['contracts', 'update', '--file', file])).out).to.match(/^contracts: 3 contracts written to /);
    const ok = await cli(['contracts', 'check', '--file', file]);
    expect([ok.code, ok.out]).to.deep.equal([0, `contracts: no breaking change against ${file}\n`]);
    // The snapshot knew a field the code no longer has.
    const snapshot = JSON.parse(readFileSync(file, 'utf8'));
    snapshot['shop.ItemAdded'].schema.properties.colour = { type: 'string' };
    writeFileSync(file, JSON.stringify(snapshot));
    const broken = await cli(['contracts', 'check', '--file', file]);
    expect(broken.code).to.equal(1);
    expect(broken.err).to.contain('contracts: BREAKING shop.ItemAdded: removed field colour; affects mirror; raise its version to 2 and register an upcaster from version 1\n');
    expect(broken.err).to.match(/seams: 1 breaking contract change\(s\) against .*contracts\.json\n$/);
  });

  it("history copy moves a module's history into the store of its own it will run on", async () => {
    const { app } = await seed(3);
    await app.stop();
    const target = join(dir.path, 'deployables', 'mirror');
    const copied = await cli(['--data-dir', dir.path, 'history', 'copy', 'mirror', '--to-data-dir', target]);
    expect(copied.code, copied.err).to.equal(0);
    expect(copied.err).to.match(/^mirror: 0 events of its own streams and 3 it consumes from other modules copied up to position 3 \(\d+\.\d s\)\n$/);
    const again = await cli(['--data-dir', dir.path, 'history', 'copy', 'mirror', '--to-data-dir', target]);
    expect(again.code, again.err).to.equal(0);
    const read = await cli(['--data-dir', target, 'events', 'read', '--after', '0']);
    expect(read.out.trim().split('\n').map((l) => JSON.parse(l).metadata.source)).to.deep.equal([1, 2, 3].map((position) => ({ store: 'main', position, revision: 0 })));
  });

  it('migrate brings every database to its latest schema', async () => {
    const first = await cli(['--data-dir', dir.path, 'migrate']);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.contain('shop: applied 20261126000000_kernel_tables.ts');
    const second = await cli(['--data-dir', dir.path, 'migrate']);
    expect(second.out).to.contain('shop: up to date');
  });

  const bad: [string[], RegExp][] = [
    [['projections', 'rebuild'], /^seams: give module\[\/projection\] or --all\n$/],
    [['projections', 'rebuild', 'nope'], /^seams: unknown module "nope" \(modules: shop, mirror\)\n$/],
    [['projections', 'rebuild', 'shop/nope'], /^seams: module shop has no projection "nope" \(it has: items, counts\)\n$/],
    [['projections', 'skip', 'shop/items'], /^seams: required option '--reason <text>' not specified\n$/],
    [['projections', 'retry', 'shop'], /^seams: "shop" is not module\/projection\n$/],
    [['events', 'read'], /^seams: give exactly one of --stream S, --after N or --correlation ID \(which may take --after\)\n$/],
    [['events', 'read', '--stream', 's', '--correlation', 'c'], /^seams: give exactly one of --stream S, --after N or --correlation ID/],
    [['events', 'read', '--after', '-1'], /^seams: option '--after <position>' argument '-1' is invalid. must be a whole number >= 0\n$/],
    [['events', 'read', '--after', '0', '--limit', '0'], /must be at least 1\n$/],
    [['modules', '--format', 'dot'], /^seams: option '--format <format>' argument 'dot' is invalid. Allowed choices are text, json, mermaid.\n$/],
    [['modules', '--format', 'mermaid', '--extract', 'nope'], /^seams: unknown module "nope" \(modules: shop, mirror\)\n$/],
    [['modules', '--extract', 'shop'], /^seams: --extract draws a split: it goes with --format mermaid\n$/],
    [['split', '--extract', 'shop,shop'], /^seams: --extract names a module twice: shop,shop\n$/],
    [['split'], /^seams: required option '--extract <list>' not specified\n$/],
    [['serve', '--own-store'], /^seams: --own-store needs --modules \(what runs on the store\) and --broker \(how it hears from the others\)\n$/],
    [['serve', '--broker', 'http://x'], /^seams: --broker must be an amqp:\/\/ or amqps:\/\/ URL, got "http:\/\/x"\n$/],
    [['history', 'copy', 'nope', '--to-data-dir', '/tmp/x'], /^seams: unknown module "nope" \(modules: shop, mirror\)\n$/],
    [['frobnicate'], /^seams: unknown command 'frobnicate'\n$/],
  ];
  for (const [args, message] of bad) {
    it(`bad usage: seams ${args.join(' ')} → one line, exit 2`, async () => {
      const { code, err, out } = await cli(['--data-dir', dir.path, ...args]);
      expect(code).to.equal(2);
      expect(err).to.match(message);
      expect(out).to.equal('');
    });
  }

  it('the real entry: --help everywhere, exit codes 0 and 2', async function () {
    // Ten processes, each compiling the CLI with tsx: seconds apiece on a busy machine.
    this.timeout(180_000);
    const run = (args: string[], options?: { env: NodeJS.ProcessEnv }) => promisify(execFile)(process.execPath, args, options);
    const entry = ['--import', 'tsx', 'src/cli.ts'];
    const helps = [['--help'], ['projections', '--help'], ['projections', 'rebuild', '--help'], ['events', 'read', '--help'], ['modules', '--help'], ['migrate', '--help'], ['split', '--help'], ['history', 'copy', '--help'], ['contracts', 'check', '--help']];
    // Two at a time (the machines have two cores): each process spends its time loading the application.
    for (let i = 0; i < helps.length; i += 2) {
      for (const { stdout } of await Promise.all(helps.slice(i, i + 2).map((args) => run([...entry, ...args])))) expect(stdout).to.match(/^Usage: seams/);
    }
    try {
      await run([...entry, 'events', 'read', '--after', 'x'], { env: { ...process.env, SEAMS_DATA_DIR: dir.path } });
      expect.fail('should exit non-zero');
    } catch (error) {
      const e = error as { code: number; stderr: string };
      expect(e.code).to.equal(2);
      expect(e.stderr.trim().split('\n')).to.have.length(1);
    }
  });
});
