import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type pg from 'pg';
import { PostgresEventStore, ValidationError, type RecordedEvent, type Subscription } from '../../../../src/kernel/host.js';
import { dropSchema } from '../../../../src/kernel/event-store/postgres/connection.js';
import { encodePosition, MAX_EVENTS_PER_TRANSACTION } from '../../../../src/kernel/event-store/postgres/positions.js';
import { Statements, type NewRow } from '../../../../src/kernel/event-store/postgres/sql.js';
import { describePostgres, randomSchema, rawClient } from '../../../support/postgres.js';
import { Happened, happened, testRegistry } from '../../../support/testEvents.js';

/**
 * What only PostgreSQL can get wrong: transactions commit in another order than they got their
 * ids. Raw clients hold transactions open, writing through the store's own INSERT where a test
 * needs a slow append, so every interleaving here is forced, not hoped for.
 */
await describePostgres('PostgreSQL event store: order under concurrent transactions', (url) => {
  let schema: string;
  let store: PostgresEventStore;
  let sql: Statements;
  let clients: pg.Client[];
  let subscriptions: Subscription[];

  beforeEach(async () => {
    schema = randomSchema();
    store = await PostgresEventStore.open({ connectionString: url, schema, registry: testRegistry(), pollIntervalMs: 20 });
    sql = new Statements(schema);
    clients = [];
    subscriptions = [];
  });
  afterEach(async () => {
    for (const s of subscriptions) await s.stop();
    for (const c of clients) await c.end().catch(() => undefined);
    await store.close();
    await dropSchema(url, schema);
  });

  const stream = () => `test.thing-${randomUUID()}`;
  const client = async () => {
    const c = await rawClient(url);
    clients.push(c);
    return c;
  };
  /** One event as the store would write it, as revision `revision` of `s`. */
  const row = (s: string, n: number, revision = 0, index = 0): NewRow => ({
    index,
    id: randomUUID(),
    stream: s,
    revision,
    type: Happened.type,
    schemaVersion: 1,
    data: JSON.stringify({ n }),
    metadata: '{}',
  });

  /** Subscribes from the start and resolves `until(n)` once n events have been delivered. */
  function collect() {
    const seen: RecordedEvent[] = [];
    const waiters: { n: number; resolve(): void }[] = [];
    const subscription = store.subscribe({ after: 0, batchSize: 5 }, (e) => {
      seen.push(e);
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
    });
    subscriptions.push(subscription);
    const until = (n: number) =>
      seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
    return { seen, until, subscription };
  }

  /** Waits, without a deadline of its own, until the head has reached `position`. */
  async function headReaches(position: number): Promise<void> {
    for (let head = await store.headPosition(); head < position; head = await store.headPosition()) {
      await store.waitForAppend(head, 1000);
    }
  }

  it('a slow transaction that began before a faster one is delivered, in its place, not skipped', async () => {
    const { seen, until } = collect();
    const [slowStream, fastStream] = [stream(), stream()];
    const slow = await client();
    await slow.query('BEGIN');
    const slowPosition = encodePosition(await sql.insert(slow, [row(slowStream, 1)]), 0);

    // The faster append commits while the slow one is open, at a greater position.
    const fast = await store.append(fastStream, [happened(2)]);
    expect(fast.position).to.be.greaterThan(slowPosition);
    // A reader that passed `fast` now would skip `slow` for good; readers stop below it instead.
    expect(await store.headPosition()).to.be.below(slowPosition);
    expect(await store.readAll()).to.deep.equal([]);
    expect(seen).to.deep.equal([]);
    // Its own stream is readable at once: command handlers are not held back.
    expect((await store.readStream(fastStream)).map((e) => e.position)).to.deep.equal([fast.position]);

    await slow.query('COMMIT');
    await until(2);
    expect(seen.map((e) => [e.stream, e.position])).to.deep.equal([
      [slowStream, slowPosition],
      [fastStream, fast.position],
    ]);
    expect((await store.readAll()).map((e) => e.position)).to.deep.equal([slowPosition, fast.position]);
  });

  it('many transactions committing in reverse order of their ids: every event delivered once, in position order', async () => {
    const { seen, until } = collect();
    const open: { c: pg.Client; position: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await client();
      await c.query('BEGIN');
      const s = stream();
      const tx = await sql.insert(c, [row(s, i, 0, 0), row(s, i, 1, 1)]);
      open.push({ c, position: encodePosition(tx, 1) });
    }
    const appended: number[] = [];
    for (const { c } of open.reverse()) {
      await c.query('COMMIT');
      appended.push((await store.append(stream(), [happened(99)])).position);
    }
    await until(8 * 2 + 8);
    const positions = seen.map((e) => e.position);
    expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).to.equal(24);
    expect(positions).to.include.members([...open.map((o) => o.position), ...appended]);
    expect(seen.map((e) => e.id)).to.deep.equal((await store.readAll()).map((e) => e.id));
  });

  it('a rolled-back append leaves no hole that stalls readers', async () => {
    const { seen, until } = collect();
    const s = stream();
    const doomed = await client();
    await doomed.query('BEGIN');
    const doomedPosition = encodePosition(await sql.insert(doomed, [row(s, 1)]), 0);
    await doomed.query('ROLLBACK');

    // The revision the rolled-back append took is free again, and the log moves on past it.
    const result = await store.append(s, [happened(2)], { expectedRevision: 'no_stream' });
    expect(result).to.include({ nextRevision: 0 });
    expect(result.position).to.be.greaterThan(doomedPosition);
    await until(1);
    await headReaches(result.position);
    expect(seen.map((e) => e.position)).to.deep.equal([result.position]);
    expect((await store.readAll()).map((e) => e.position)).to.deep.equal([result.position]);
  });

  it('an unrelated long transaction shows as lag, never as a skip; the events appear once it ends', async () => {
    const { seen, until } = collect();
    const idle = await client();
    await idle.query('BEGIN');
    // Takes a transaction id without writing anything, like any long write elsewhere on the server.
    await idle.query('SELECT pg_current_xact_id()');

    const first = await store.append(stream(), [happened(1)]);
    const second = await store.append(stream(), [happened(2), happened(3)]);
    expect(await store.headPosition()).to.be.below(first.position);
    expect(await store.readAll()).to.deep.equal([]);
    expect(seen).to.deep.equal([]);

    await idle.query('COMMIT');
    await until(3);
    expect(seen.map((e) => e.position)).to.deep.equal([first.position, second.position - 1, second.position]);
    expect(await store.headPosition()).to.equal(second.position);
  });

  it('two stores (processes) appending to the same streams: revisions gap-free, ids written once, order shared', async () => {
    const other = await PostgresEventStore.open({ connectionString: url, schema, registry: testRegistry() });
    try {
      const stores = [store, other];
      const streams = Array.from({ length: 5 }, stream);
      // Racing with exact expected revisions across both processes.
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const s = streams[i % 5]!;
          const target = stores[i % 2]!;
          for (;;) {
            const expected = await target.streamRevision(s);
            try {
              const r = await target.append(s, [happened(i)], { expectedRevision: expected === -1 ? 'no_stream' : expected });
              return { i, ...r };
            } catch (error) {
              if ((error as Error).name !== 'WrongExpectedRevisionError') throw error;
            }
          }
        }),
      );
      // The same caller ids through both processes at once: written once, the same answer for all.
      const ids = [randomUUID(), randomUUID()];
      const retried = stream();
      const retries = await Promise.all(
        Array.from({ length: 10 }, (_, i) => stores[i % 2]!.append(retried, ids.map((id, n) => happened(n, { id })), { expectedRevision: 'no_stream' })),
      );
      expect(new Set(retries.map((r) => `${r.position}/${r.nextRevision}`)).size).to.equal(1);
      expect(await store.readStream(retried)).to.have.length(2);

      await headReaches(retries[0]!.position);
      const all = await store.readAll();
      expect(all).to.have.length(202);
      const positions = all.map((e) => e.position);
      expect(positions).to.deep.equal([...new Set(positions)].sort((a, b) => a - b));
      for (const s of streams) {
        expect(all.filter((e) => e.stream === s).map((e) => e.revision)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
      }
      const byPosition = new Map(all.map((e) => [e.position, e]));
      for (const r of results) {
        expect(byPosition.get(r.position)).to.deep.include({ revision: r.nextRevision, data: { n: r.i } });
      }
    } finally {
      await other.close();
    }
  });

  it('enforces the position encoding: the limits, and a position that does not carry its transaction id', async () => {
    expect(() => encodePosition(2n ** 33n, 0)).to.throw(RangeError, /2\^33/);
    expect(() => encodePosition(5n, MAX_EVENTS_PER_TRANSACTION)).to.throw(RangeError, /2\^20/);
    expect(encodePosition(2n ** 33n - 1n, MAX_EVENTS_PER_TRANSACTION - 1)).to.equal(Number.MAX_SAFE_INTEGER);

    const tooMany = Array<ReturnType<typeof happened>>(MAX_EVENTS_PER_TRANSACTION + 1).fill(happened(1));
    const error = await store.append(stream(), tooMany).then(() => null, (e: unknown) => e as Error);
    expect(error).to.be.instanceOf(ValidationError);
    expect(error!.message).to.match(/limit on PostgreSQL is 1048576/);

    const c = await client();
    const forged = c.query(
      `INSERT INTO "${schema}".events (position, transaction_id, id, stream, revision, type, schema_version, data, metadata, recorded_at)
       VALUES (1, pg_current_xact_id(), $1, 'test.forged-1', 0, 'test.Happened', 1, '{"n":1}', '{}', now())`,
      [randomUUID()],
    );
    const violation = await forged.then(() => null, (e: unknown) => e as Error & { constraint?: string });
    expect(violation?.constraint).to.equal('events_position_of_transaction');
  });

  it('refuses to open a log whose transaction ids are ahead of the server (restored into a new cluster)', async () => {
    const c = await client();
    await c.query(
      `WITH ahead AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint + 1000000 AS xid)
       INSERT INTO "${schema}".events (position, transaction_id, id, stream, revision, type, schema_version, data, metadata, recorded_at)
       SELECT xid << 20, xid::text::xid8, $1, 'test.restored-1', 0, 'test.Happened', 1, '{"n":1}', '{}', now() FROM ahead`,
      [randomUUID()],
    );
    const error = await PostgresEventStore.open({ connectionString: url, schema, registry: testRegistry() }).then(
      (s) => s.close().then(() => null),
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(/restored into a new cluster/);
  });
});
