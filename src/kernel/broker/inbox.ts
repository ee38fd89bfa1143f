import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { Coordination } from '../cluster/coordination.js';
import type { EventRegistry } from '../contracts/registry.js';
import { DuplicateEventIdError } from '../errors.js';
import { sleep } from '../event-store/subscription.js';
import type { EventStore } from '../types/eventStore.js';
import { BackgroundLoop, Phase } from './background.js';
import type { BrokerConnection } from './connection.js';
import { InboxProgress } from './inboxProgress.js';
import { decodeMessage, type Topology, type WireEvent } from './topology.js';

export interface InboxOptions {
  store: EventStore;
  storeName: string;
  registry: EventRegistry;
  connection: BrokerConnection;
  topology: Topology;
  coordination: Coordination;
  /** The modules running here that consume events of other stores: one durable queue each. */
  modules: readonly string[];
  /** The event types this deployable consumes from other stores. */
  types: readonly string[];
  log: Logger;
  /** Unacknowledged messages per queue. */
  prefetch?: number;
  maxBackoffMs?: number;
  /** How often it declares its exchange, queues and bindings again (a deleted exchange is back within this). */
  redeclareMs?: number;
  /** Test hook: runs after a batch is committed to the store, before it is acknowledged. */
  afterCommit?: (events: WireEvent[]) => Promise<void> | void;
}

export type InboxState = 'connecting' | 'receiving' | 'blocked' | 'stopped';

export interface InboxStatus {
  store: string;
  state: InboxState;
  queues: string[];
  types: readonly string[];
  /** Events taken in by this process since it started (a redelivered one counts again; the store holds it once). */
  taken: number;
  /** Per store it receives from: the position up to which everything it sends here is committed here. */
  sources: Record<string, number>;
  error?: string;
  since: string;
}

/**
 * A deployable's inbox: it receives the public events its modules consume from other stores
 * and appends them to its own store, where its projections and processes read them as if they
 * were local. Each event keeps its id, stream and type (its metadata says where it came from);
 * appending is idempotent by id, so a redelivery or a duplicate changes nothing; a message is
 * acknowledged only after its event is committed.
 *
 * One durable queue per module that consumes something, each bound to everything the
 * deployable consumes (not only to its own module's types): each queue then carries the events
 * in their source log order, and whichever queue brings an event first appends it — so every
 * source stream keeps its order here without the queues waiting for each other. The events of
 * one stream are appended one after the other; different streams at once (one group commit).
 */
export class Inbox {
  private readonly progress: InboxProgress;
  private readonly pending = new Map<string, { channel: Channel; messages: ConsumeMessage[] }>();
  private readonly draining = new Set<string>();
  private readonly loop: BackgroundLoop;
  private readonly phase = new Phase<InboxState>('connecting');
  private taken = 0;

  constructor(private readonly options: InboxOptions) {
    this.progress = new InboxProgress(options.coordination.db, options.storeName, options.log);
    this.loop = new BackgroundLoop('inbox', options.log);
  }

  get queues(): string[] {
    return this.options.modules.map((m) => this.options.topology.queue(this.options.storeName, m));
  }

  async start(): Promise<void> {
    await this.progress.load();
    this.loop.start((signal) => this.receiving(signal));
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.progress.flush();
    this.phase.enter('stopped');
  }

  status(): InboxStatus {
    return { store: this.options.storeName, queues: this.queues, types: this.options.types, taken: this.taken, sources: this.progress.snapshot(), ...this.phase.describe() };
  }

  /** Whether it has heard from `source` (so that positions of that store can be resolved here). */
  knows(source: string): boolean {
    return this.progress.knows(source);
  }

  /** Whether `source` is being heard right now: receiving, and a message from it within `withinMs` (relays speak every second). */
  hears(source: string, withinMs = 3000): boolean {
    return this.phase.state === 'receiving' && this.progress.heardWithin(source, withinMs);
  }

  /** Resolves true once everything `source` sends here up to `position` is committed here; false after `timeoutMs`. */
  reached(source: string, position: number, timeoutMs: number): Promise<boolean> {
    return this.progress.reached(source, position, timeoutMs);
  }

  /** Keeps a channel consuming every queue; after the channel is lost, unacknowledged messages come again on the next. */
  private async receiving(signal: AbortSignal): Promise<void> {
    const { connection, log } = this.options;
    let failures = 0;
    while (!signal.aborted) {
      let channel: Channel | undefined;
      let channelError: string | undefined;
      try {
        channel = await connection.channel();
        channel.on('error', (error: Error) => (channelError = error.message));
        const closed = new Promise<void>((resolve) => channel!.once('close', () => resolve()));
        await this.declare(channel);
        await channel.prefetch(this.options.prefetch ?? 500);
        for (const queue of this.queues) await channel.consume(queue, (message) => message && this.receive(channel!, queue, message), { noAck: false });
        this.phase.enter('receiving');
        failures = 0;
        while (!signal.aborted) {
          const ended = await Promise.race([closed.then(() => true), sleep(this.options.redeclareMs ?? 5000, signal).then(() => false)]);
          if (ended) throw new Error(channelError ?? 'the broker closed the channel');
          if (!signal.aborted) await this.declare(channel);
        }
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const reason = channelError ?? (error as Error).message;
        if (this.phase.enter('blocked', reason)) log.warn({ err: error, store: this.options.storeName }, 'inbox cannot receive; trying again');
        await sleep(Math.min(this.options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(failures, 10)), signal);
      } finally {
        await channel?.close().catch(() => undefined);
        // What it had not acknowledged comes again on the next channel.
        for (const [queue, pending] of this.pending) if (pending.channel === channel) this.pending.delete(queue);
      }
    }
  }

  /** The exchange, a durable queue per module, and its bindings: everything consumed here, and every store's progress. */
  private async declare(channel: Channel): Promise<void> {
    const { topology, types } = this.options;
    await channel.assertExchange(topology.exchange, 'topic', { durable: true });
    for (const queue of this.queues) {
      await channel.assertQueue(queue, { durable: true });
      for (const type of types) await channel.bindQueue(queue, topology.exchange, type);
      await channel.bindQueue(queue, topology.exchange, topology.positionBinding);
    }
  }

  private receive(channel: Channel, queue: string, message: ConsumeMessage): void {
    const pending = this.pending.get(queue);
    if (pending && pending.channel === channel) pending.messages.push(message);
    else this.pending.set(queue, { channel, messages: [message] });
    void this.drain(queue);
  }

  /** Takes in a queue's messages batch by batch, in the order they came. */
  private async drain(queue: string): Promise<void> {
    if (this.draining.has(queue)) return;
    this.draining.add(queue);
    try {
      let failures = 0;
      for (;;) {
        const pending = this.pending.get(queue);
        if (!pending || pending.messages.length === 0 || this.loop.signal.aborted) return;
        const batch = pending.messages.slice();
        try {
          await this.take(pending.channel, batch);
          pending.messages.splice(0, batch.length);
          failures = 0;
          if (this.phase.state === 'blocked') this.phase.enter('receiving');
        } catch (error) {
          failures++;
          this.options.log.error({ err: error, queue }, 'inbox could not take in a batch; trying again');
          this.phase.enter('blocked', (error as Error).message);
          await sleep(Math.min(this.options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(failures, 10)), this.loop.signal);
          // A closed channel's messages come again on the next one: drop them here.
          if (this.pending.get(queue) !== pending) continue;
        }
      }
    } finally {
      this.draining.delete(queue);
    }
  }

  private async take(channel: Channel, batch: ConsumeMessage[]): Promise<void> {
    const events: WireEvent[] = [];
    const reached = new Map<string, number>();
    const foreign: ConsumeMessage[] = [];
    for (const message of batch) {
      let decoded;
      try {
        decoded = decodeMessage(message.content);
      } catch (error) {
        this.options.log.error({ err: error, messageId: message.properties.messageId }, 'inbox: a message that is not a seams event; refused');
        foreign.push(message);
        continue;
      }
      if (decoded.store === this.options.storeName) continue; // our own relay's progress
      this.progress.heard(decoded.store);
      reached.set(decoded.store, Math.max(decoded.position, reached.get(decoded.store) ?? -1));
      if (decoded.kind === 'event') events.push(decoded);
    }
    const byStream = new Map<string, WireEvent[]>();
    for (const e of events) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e]);
    await Promise.all([...byStream.values()].map(async (stream) => {
      for (const e of stream) await this.append(e);
    }));
    await this.options.afterCommit?.(events);
    for (const message of batch) {
      if (foreign.includes(message)) channel.nack(message, false, false);
      else channel.ack(message);
    }
    this.taken += events.length;
    for (const [source, position] of reached) this.progress.advance(source, position);
  }

  /** Appends one event as it was recorded at its source: same id, stream and type; a second time is a no-op. */
  private async append(e: WireEvent): Promise<void> {
    const contract = this.options.registry.get(e.type);
    if (!contract) throw new Error(`event ${e.id}: type ${e.type} is unknown here`);
    if (e.schemaVersion > contract.schemaVersion) {
      throw new Error(`event ${e.id}: ${e.type} version ${e.schemaVersion} is newer than the version ${contract.schemaVersion} known here; deploy the new contract here first`);
    }
    const { data } = this.options.registry.upcast(e.type, e.schemaVersion, e.data);
    const metadata = { ...e.metadata, source: { store: e.store, position: e.position, revision: e.revision } };
    try {
      await this.options.store.append(e.stream, [{ id: e.id, type: e.type, data, metadata }], { expectedRevision: 'any' });
    } catch (error) {
      // The id is here with other content: the same event, recorded earlier (e.g. before its module was extracted).
      if (!(error instanceof DuplicateEventIdError)) throw error;
    }
  }
}
