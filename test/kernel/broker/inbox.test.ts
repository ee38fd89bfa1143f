import { randomUUID } from 'node:crypto';
import amqplib, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { expect } from 'chai';
import pino from 'pino';
import { Coordination, EventRegistry, registryOf, SqliteEventStore } from '../../../src/kernel/host.js';
import { BrokerConnection } from '../../../src/kernel/broker/connection.js';
import { Inbox, type InboxOptions } from '../../../src/kernel/broker/inbox.js';
import { topology, type Topology, type WireEvent } from '../../../src/kernel/broker/topology.js';
import { brokerPrefix, describeBroker, dropTopology, until } from '../../support/broker.js';
import { fixtureModules, ItemAdded, ItemRenamed } from '../../support/fixtureModules.js';
import { RenamedV2 } from '../../support/testEvents.js';
import { tempDir } from '../../support/tempDir.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** An event as the shop store's relay would publish it. */
function wire(position: number, stream: string, revision: number, type: string, data: unknown, extra: Partial<WireEvent> = {}): WireEvent {
  return { kind: 'event', store: 'shop', position, id: randomUUID(), stream, revision, type, schemaVersion: 1, data, metadata: { module: 'shop' }, recordedAt: new Date().toISOString(), ...extra };
}
const added = (position: number, item: string, revision = 0) => wire(position, `shop.item-${item}`, revision, ItemAdded.type, { itemId: item, title: `item ${item}`, priceCents: position });
const renamed = (position: number, item: string, revision: number) => wire(position, `shop.item-${item}`, revision, ItemRenamed.type, { itemId: item, title: `renamed at ${position}` });

await describeBroker('the inbox: appends what arrives, once, in each stream’s order', (url) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: SqliteEventStore;
  let coordination: Coordination;
  let names: Topology;
  let publisher: ChannelModel;
  let channel: ConfirmChannel;
  const cleanups: (() => Promise<unknown>)[] = [];

  const inboxOf = (extra: Partial<InboxOptions> = {}) => {
    const connection = new BrokerConnection(url, 'test inbox', log);
    const inbox = new Inbox({ store, storeName: 'mirror', registry: registryOf(fixtureModules), connection, topology: names, coordination, modules: ['mirror'], types: [ItemAdded.type, ItemRenamed.type], log, maxBackoffMs: 200, ...extra });
    cleanups.push(async () => {
      await inbox.stop();
      await connection.close();
    });
    return { inbox, connection };
  };
  const started = async (extra: Partial<InboxOptions> = {}) => {
    const made = inboxOf(extra);
    await made.inbox.start();
    await until('the inbox to receive', () => made.inbox.status().state === 'receiving');
    return made;
  };
  const publish = async (...messages: (WireEvent | { kind: 'position'; store: string; position: number })[]) => {
    for (const m of messages) {
      const key = m.kind === 'event' ? m.type : names.positionKey(m.store);
      channel.publish(names.exchange, key, Buffer.from(JSON.stringify(m)), { persistent: true, ...(m.kind === 'event' ? { messageId: m.id } : {}) });
    }
    await channel.waitForConfirms();
  };
  const ready = async (queue: string) => {
    const probe = await publisher.createChannel();
    try {
      return (await probe.checkQueue(queue)).messageCount;
    } finally {
      await probe.close();
    }
  };

  beforeEach(async () => {
    dir = await tempDir('seams-inbox-');
    store = await SqliteEventStore.open({ filename: `${dir.path}/events.sqlite`, registry: registryOf(fixtureModules) });
    coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    names = topology(brokerPrefix());
    publisher = await amqplib.connect(url);
    channel = await publisher.createConfirmChannel();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await publisher.close();
    await dropTopology(url, names.exchange, ['mirror', 'a', 'b'].map((m) => names.queue('mirror', m)));
    await coordination.close();
    await store.close();
    await dir.cleanup();
  });

  it('appends each event as its source recorded it (id, stream, type, data; metadata says where from), acknowledges it, and knows how far it got', async () => {
    const { inbox } = await started();
    const sent = [added(3, 'x'), added(5, 'y'), renamed(8, 'x', 1)];
    await publish(...sent, { kind: 'position', store: 'shop', position: 11 });
    await until('three copies', async () => (await store.readAll()).length === 3);
    const copies = await store.readAll();
    expect(copies.map((e) => [e.id, e.stream, e.type, e.data])).to.deep.equal(sent.map((e) => [e.id, e.stream, e.type, e.data]));
    expect(copies[2]!.metadata).to.deep.include({ module: 'shop', source: { store: 'shop', position: 8, revision: 1 } });
    await until('progress at 11', () => inbox.status().sources.shop === 11);
    expect(inbox.knows('shop')).to.equal(true);
    expect(inbox.knows('elsewhere')).to.equal(false);
    expect(await inbox.reached('shop', 11, 10)).to.equal(true);
    expect(await inbox.reached('shop', 12, 50)).to.equal(false);
    const later = inbox.reached('shop', 20, 5000);
    await publish({ kind: 'position', store: 'shop', position: 20 });
    expect(await later).to.equal(true);
    expect(await ready(names.queue('mirror', 'mirror'))).to.equal(0);
    // Its progress outlives it: a restarted inbox resolves shop's positions at once, before anything arrives.
    await inbox.stop();
    const restarted = inboxOf({ connection: new BrokerConnection('amqp://127.0.0.1:1', 'unreachable', log) }).inbox;
    await restarted.start();
    expect(restarted.knows('shop')).to.equal(true);
    expect(await restarted.reached('shop', 20, 0)).to.equal(true);
  });

  it('a duplicate, a redelivery, or the same id recorded earlier with other content changes nothing', async () => {
    const { inbox } = await started();
    const event = added(4, 'x');
    await publish(event, event, { ...event, data: { itemId: 'x', title: 'as recorded before the split', priceCents: 1 } });
    await until('all three taken', () => inbox.status().taken === 3);
    expect((await store.readAll()).map((e) => e.id)).to.deep.equal([event.id]);
    // Published once more, later (a relay that republishes after a crash).
    await publish(event);
    await until('taken again', () => inbox.status().taken === 4);
    expect((await store.readAll()).length).to.equal(1);
  });

  it('killed between its commit and its acknowledgement: the messages come again, and the next inbox takes each event once', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let committed = 0;
    const dying = await started({
      afterCommit: async (events) => {
        committed += events.length;
        // The process dies here: its connection drops, nothing is acknowledged.
        await dying.connection.close();
        await released;
      },
    });
    const sent = [added(1, 'a'), added(2, 'b'), renamed(3, 'a', 1)];
    await publish(...sent);
    await until('the first batch committed', () => committed > 0);
    const next = await started();
    await until('the messages taken in again', () => next.inbox.status().taken >= committed);
    await until('all three here', async () => (await store.readAll()).length === 3);
    expect((await store.readAll()).map((e) => e.id)).to.deep.equal(sent.map((e) => e.id));
    await until('the queue empty', async () => (await ready(names.queue('mirror', 'mirror'))) === 0);
    release();
  });

  it('with a queue per module (each bound to all the deployable consumes), every source stream keeps its order here', async () => {
    await started({ modules: ['a', 'b'] });
    const sent: WireEvent[] = [];
    const revisions = new Map<string, number>();
    for (let position = 1; position <= 120; position++) {
      const item = `s${position % 7}`;
      const revision = revisions.get(item) ?? 0;
      revisions.set(item, revision + 1);
      sent.push(revision === 0 ? added(position, item) : renamed(position, item, revision));
    }
    await publish(...sent);
    await until('every event here', async () => (await store.readAll()).length === sent.length);
    const copies = await store.readAll();
    for (const item of revisions.keys()) {
      const stream = copies.filter((e) => e.stream === `shop.item-${item}`).map((e) => (e.metadata.source as { revision: number }).revision);
      expect(stream).to.deep.equal([...stream].sort((x, y) => x - y));
      expect(stream).to.deep.equal(sent.filter((e) => e.stream === `shop.item-${item}`).map((e) => e.revision));
    }
    expect(copies.map((e) => e.id).sort()).to.deep.equal(sent.map((e) => e.id).sort());
  });

  it('an event in an older version of its contract is lifted to the version known here', async () => {
    await store.close();
    store = await SqliteEventStore.open({ filename: `${dir.path}/events2.sqlite`, registry: new EventRegistry([RenamedV2]) });
    await started({ registry: new EventRegistry([RenamedV2]), types: [RenamedV2.type] });
    await publish(wire(1, 'test.person-1', 0, RenamedV2.type, { name: 'Ada Lovelace' }));
    await until('the copy', async () => (await store.readAll()).length === 1);
    expect((await store.readAll())[0]).to.deep.include({ schemaVersion: 2, data: { first: 'Ada', last: 'Lovelace' } });
  });

  it('an event newer than its contract here holds the inbox back, visibly; the message stays in its queue', async () => {
    const { inbox } = await started();
    await publish({ ...added(1, 'x'), schemaVersion: 2 });
    await until('the inbox to be held back', () => inbox.status().state === 'blocked');
    expect(inbox.status().error).to.match(/version 2 is newer than the version 1 known here/);
    expect(await store.readAll()).to.deep.equal([]);
    await inbox.stop();
    expect(await ready(names.queue('mirror', 'mirror'))).to.equal(1);
  });
});
