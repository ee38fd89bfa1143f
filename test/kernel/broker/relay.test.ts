import { expect } from 'chai';
import pino from 'pino';
import { Coordination, registryOf, SqliteEventStore, type EventStore } from '../../../src/kernel/host.js';
import { BrokerConnection } from '../../../src/kernel/broker/connection.js';
import { Inbox } from '../../../src/kernel/broker/inbox.js';
import { Relay, type RelayOptions } from '../../../src/kernel/broker/relay.js';
import { relayedTypes } from '../../../src/kernel/broker/subscriptions.js';
import { topology, type Topology } from '../../../src/kernel/broker/topology.js';
import { brokerPrefix, describeBroker, dropTopology, tapQueue, until } from '../../support/broker.js';
import { fixtureModules, ItemAdded, ItemRenamed, StockCounted } from '../../support/fixtureModules.js';
import { tempDir } from '../../support/tempDir.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

async function openStore(dir: string, name: string): Promise<SqliteEventStore> {
  return SqliteEventStore.open({ filename: `${dir}/${name}.sqlite`, registry: registryOf(fixtureModules) });
}

async function addItems(store: EventStore, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await store.append(`shop.item-${i}`, [{ type: ItemAdded.type, data: { itemId: `${i}`, title: `item ${i}`, priceCents: i } }]);
    await store.append(`shop.item-${i}`, [{ type: StockCounted.type, data: { itemId: `${i}`, count: i } }]);
  }
}

await describeBroker('the relay: the log is the outbox', (url) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: SqliteEventStore;
  let coordination: Coordination;
  let names: Topology;
  const cleanups: (() => Promise<unknown>)[] = [];
  const relayOf = (holder: string, extra: Partial<RelayOptions> = {}) => {
    const connection = new BrokerConnection(url, `test relay ${holder}`, log);
    const relay = new Relay({ store, storeName: 'shop', types: relayedTypes(fixtureModules, ['shop']), connection, topology: names, coordination, holder, leaseTtlMs: 900, log, heartbeatMs: 100, maxBackoffMs: 200, ...extra });
    cleanups.push(async () => {
      await relay.stop();
      await connection.close();
    });
    return { relay, connection };
  };
  const checkpoint = async () => Number(((await coordination.db('relay_checkpoints').where({ store: 'shop' }).first()) as { position: number } | undefined)?.position ?? 0);

  beforeEach(async () => {
    dir = await tempDir('seams-relay-');
    store = await openStore(dir.path, 'events');
    coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    names = topology(brokerPrefix());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await dropTopology(url, names.exchange, []);
    await coordination.close();
    await store.close();
    await dir.cleanup();
  });

  it('publishes what other stores consume, in log order: persistent, routing key = type, message id = event id; then how far it got', async () => {
    expect(relayedTypes(fixtureModules, ['shop'])).to.deep.equal([ItemAdded.type, ItemRenamed.type]);
    const tap = await tapQueue(url, names.exchange, `${names.exchange}.tap`, ['shop.*', names.positionBinding]);
    cleanups.push(() => tap.close());
    await tap.consume();
    await addItems(store, 3);
    await store.append('shop.item-1', [{ type: ItemRenamed.type, data: { itemId: '1', title: 'renamed' } }]);
    const head = await store.headPosition();
    const { relay } = relayOf('p1');
    relay.start();
    await until('the relay to catch up', () => relay.status().state === 'caught-up' && relay.status().position === head);
    await until('the position message', () => tap.received.some((r) => r.body.kind === 'position' && r.body.position === head));
    const events = tap.received.filter((r) => r.body.kind === 'event');
    const logged = (await store.readAll()).filter((e) => e.type !== StockCounted.type);
    expect(events.map((r) => r.body.id)).to.deep.equal(logged.map((e) => e.id));
    for (const [i, { body, message }] of events.entries()) {
      expect(message.fields.routingKey).to.equal(logged[i]!.type);
      expect(message.properties.messageId).to.equal(logged[i]!.id);
      expect(message.properties.deliveryMode).to.equal(2);
      expect(body).to.deep.include({ store: 'shop', position: logged[i]!.position, stream: logged[i]!.stream, type: logged[i]!.type, data: logged[i]!.data });
    }
    expect(await checkpoint()).to.equal(head);
    expect(relay.status()).to.deep.include({ store: 'shop', state: 'caught-up', position: head, headPosition: head, lag: 0, published: 4 });
  });

  it('a message no queue takes (no route) holds it back, visibly, at its checkpoint; once a queue is bound everything goes out', async () => {
    const tap = await tapQueue(url, names.exchange, `${names.exchange}.tap`, ['nothing.*']);
    cleanups.push(() => tap.close());
    await addItems(store, 2);
    const { relay } = relayOf('p1');
    relay.start();
    await until('the relay to be blocked', () => relay.status().state === 'blocked');
    expect(relay.status().error).to.match(/no queue is bound for shop\.ItemAdded/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await checkpoint()).to.equal(0);
    expect(relay.status().position).to.equal(0);

    const bound = await tapQueue(url, names.exchange, `${names.exchange}.late`, ['shop.*']);
    cleanups.push(() => bound.close());
    await bound.consume();
    await until('the relay to catch up', () => relay.status().state === 'caught-up');
    expect(await checkpoint()).to.equal(await store.headPosition());
    // Republished batches may repeat events (at least once); none is missing.
    const ids = new Set(bound.received.map((r) => r.body.id));
    expect(ids.size).to.equal(2);
  });

  it('a missing exchange holds it back too (the broker refuses), and it goes on once the exchange is there', async () => {
    await addItems(store, 1);
    const { relay } = relayOf('p1');
    relay.start();
    await until('the relay to be blocked', () => relay.status().state === 'blocked');
    expect(relay.status().error).to.match(/NOT_FOUND - no exchange/);
    expect(await checkpoint()).to.equal(0);
    const tap = await tapQueue(url, names.exchange, `${names.exchange}.tap`, ['shop.*']);
    cleanups.push(() => tap.close());
    await tap.consume();
    await until('the relay to catch up', () => relay.status().state === 'caught-up');
    expect(tap.received.map((r) => r.body.type)).to.include(ItemAdded.type);
  });

  it('one relay per store: a second process stands by while the first holds the lease', async () => {
    const tap = await tapQueue(url, names.exchange, `${names.exchange}.tap`, ['shop.*']);
    cleanups.push(() => tap.close());
    await tap.consume();
    const first = relayOf('p1').relay;
    first.start();
    await until('the first to lead', () => first.status().state === 'caught-up');
    const second = relayOf('p2').relay;
    second.start();
    await addItems(store, 3);
    await until('the first to publish', () => first.status().position === first.status().headPosition && first.status().published === 3);
    expect(second.status()).to.deep.include({ state: 'standby', published: 0 });
    expect(tap.received.length).to.equal(3);
  });

  it('killed between the confirm and its checkpoint: the next relay publishes the batch again, and the inbox takes each event once', async () => {
    const consumer = await openStore(dir.path, 'mirror');
    const inboxConnection = new BrokerConnection(url, 'test inbox', log);
    const inbox = new Inbox({ store: consumer, storeName: 'mirror', registry: registryOf(fixtureModules), connection: inboxConnection, topology: names, coordination, modules: ['mirror'], types: [ItemAdded.type, ItemRenamed.type], log });
    cleanups.push(async () => {
      await inbox.stop();
      await inboxConnection.close();
      await dropTopology(url, names.exchange, [names.queue('mirror', 'mirror')]);
      await consumer.close();
    });
    await inbox.start();
    await until('the inbox to receive', () => inbox.status().state === 'receiving');

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let confirmed = 0;
    const dying = relayOf('p1', {
      afterConfirm: async (events) => {
        if (events.length === 0) return;
        confirmed += events.length;
        // The process dies here: its connection drops, and it never writes its checkpoint.
        await dying.connection.close();
        await released;
      },
    });
    await addItems(store, 5);
    dying.relay.start();
    await until('the batch to be confirmed', () => confirmed === 5);
    await until('the inbox to take the batch in', async () => (await consumer.readAll()).length === 5);
    expect(await checkpoint()).to.equal(0);

    const next = relayOf('p2').relay;
    next.start();
    await until('the next relay to take over and publish', async () => (await checkpoint()) === (await store.headPosition()), 10_000);
    await until('the inbox to see the batch again', () => inbox.status().taken >= 10);
    const copies = await consumer.readAll();
    expect(copies.map((e) => e.id)).to.deep.equal((await store.readAll({ filter: { eventTypes: [ItemAdded.type] } })).map((e) => e.id));

    // The dead relay, woken: its lease is gone, so it cannot move the checkpoint back or forth.
    const before = await checkpoint();
    release();
    await until('the old relay to stand by', () => dying.relay.status().state === 'standby');
    expect(await checkpoint()).to.equal(before);
  });
});
