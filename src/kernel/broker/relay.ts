import type { ConfirmChannel, Message } from 'amqplib';
import type { Logger } from 'pino';
import type { Coordination } from '../cluster/coordination.js';
import { sleep } from '../event-store/subscription.js';
import type { EventStore, RecordedEvent } from '../types/eventStore.js';
import { BackgroundLoop, Phase } from './background.js';
import type { BrokerConnection } from './connection.js';
import { RelayCheckpoint } from './relayCheckpoint.js';
import { encodeEvent, encodePosition, type Topology } from './topology.js';

export interface RelayOptions {
  store: EventStore;
  storeName: string;
  /** The event types it publishes: its store's public events that modules of other stores consume. */
  types: readonly string[];
  connection: BrokerConnection;
  topology: Topology;
  coordination: Coordination;
  /** This process's name: the lease's holder. */
  holder: string;
  leaseTtlMs?: number;
  log: Logger;
  batchSize?: number;
  /** How often a caught-up relay says again how far it has published (inboxes resolve positions by it). */
  heartbeatMs?: number;
  maxBackoffMs?: number;
  /** How often at most the checkpoint is written while publishing (always when caught up, and on stop). */
  checkpointEveryMs?: number;
  /** Test hook: runs after the broker confirmed a batch, before the checkpoint moves. */
  afterConfirm?: (events: RecordedEvent[]) => Promise<void> | void;
}

export type RelayState = 'standby' | 'publishing' | 'caught-up' | 'blocked' | 'stopped';

export interface RelayStatus {
  store: string;
  /** `standby`: another process holds the relay's lease. `blocked`: the broker is down or refuses; nothing moves, nothing is lost. */
  state: RelayState;
  /** Published and confirmed up to here. */
  position: number;
  /** Written as its checkpoint (a restart publishes again from here). */
  checkpoint: number;
  headPosition: number;
  lag: number;
  /** Events published (and confirmed) by this process since it started. */
  published: number;
  types: readonly string[];
  error?: string;
  /** Since when it is in this state (ISO-8601). */
  since: string;
}

/** The broker took the messages but could not route some (no queue bound for their type yet). */
class Unroutable extends Error {}

/**
 * A store's relay: the log is the outbox. Under a lease (one relay per store), it reads the
 * store's public events that other stores consume, in log order, and publishes them to the
 * broker's topic exchange (routing key: the type; persistent; message id: the event id) on a
 * confirm channel, as mandatory messages. Its checkpoint moves only after the broker confirmed
 * the whole batch and routed every message; then it says how far it has published. A broker
 * that is down, a missing exchange, or a message no queue takes holds it back (state `blocked`,
 * with the reason), and it tries again with backoff from the same checkpoint: republishing is
 * safe, inboxes take each event once.
 */
export class Relay {
  private readonly checkpoint: RelayCheckpoint;
  private readonly loop: BackgroundLoop;
  private readonly phase = new Phase<RelayState>('standby');
  private channel: ConfirmChannel | undefined;
  private channelError: string | undefined;
  private leaseHeld = false;
  private renewAt = 0;
  private position = 0;
  private written = 0;
  private writtenAt = 0;
  private head = 0;
  private published = 0;

  constructor(private readonly options: RelayOptions) {
    this.checkpoint = new RelayCheckpoint(options.coordination.db, options.storeName, `relay:${options.storeName}`, options.holder);
    this.loop = new BackgroundLoop('relay', options.log);
  }

  private get ttlMs(): number {
    return this.options.leaseTtlMs ?? 10_000;
  }

  start(): void {
    this.loop.start((signal) => this.publishing(signal));
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.leaseHeld) await this.writeCheckpoint().catch(() => undefined);
    if (this.leaseHeld) await this.options.coordination.release(this.checkpoint.lease, this.options.holder).catch(() => undefined);
    this.leaseHeld = false;
    await this.channel?.close().catch(() => undefined);
    this.channel = undefined;
    this.phase.enter('stopped');
  }

  status(): RelayStatus {
    const { storeName, types } = this.options;
    return { store: storeName, position: this.position, checkpoint: this.written, headPosition: this.head, lag: Math.max(0, this.head - this.position), published: this.published, types, ...this.phase.describe() };
  }

  private async publishing(signal: AbortSignal): Promise<void> {
    const { store, types, log } = this.options;
    const heartbeatMs = this.options.heartbeatMs ?? 1000;
    const batchSize = this.options.batchSize ?? 500;
    let failures = 0;
    let saidAt = 0;
    while (!signal.aborted) {
      try {
        if (!(await this.holdLease())) {
          this.phase.enter('standby');
          await sleep(this.ttlMs / 3, signal);
          continue;
        }
        this.head = await store.headPosition();
        if (this.position >= this.head) {
          if (!(await this.writeCheckpoint())) continue;
          if (Date.now() - saidAt >= heartbeatMs) {
            await this.publish([], this.position);
            saidAt = Date.now();
          }
          this.phase.enter('caught-up');
          failures = 0;
          await store.waitForAppend(this.head, Math.min(heartbeatMs, this.ttlMs / 3), signal);
          continue;
        }
        const events = await store.readAll({ after: this.position, upTo: this.head, maxCount: batchSize, filter: { eventTypes: types } });
        const to = events.length < batchSize ? this.head : events[events.length - 1]!.position;
        if (this.phase.state !== 'publishing') this.phase.enter('publishing');
        await this.publish(events, to);
        await this.options.afterConfirm?.(events);
        this.position = to;
        this.published += events.length;
        saidAt = Date.now();
        failures = 0;
        if (Date.now() - this.writtenAt >= (this.options.checkpointEveryMs ?? 200)) await this.writeCheckpoint();
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const message = this.channelError ?? (error as Error).message;
        this.channelError = undefined;
        if (this.phase.enter('blocked', message)) log.warn({ err: error, store: this.options.storeName, reason: message }, 'relay held back: nothing is lost, it publishes again from its checkpoint');
        await this.dropChannel();
        await sleep(Math.min(this.options.maxBackoffMs ?? 5000, this.ttlMs / 3, 100 * 2 ** Math.min(failures, 10)), signal);
      }
    }
  }

  /** Renews the lease every third of its time to live; reads the checkpoint afresh whenever it is (re)taken. */
  private async holdLease(): Promise<boolean> {
    if (this.leaseHeld && Date.now() < this.renewAt) return true;
    const lease = await this.options.coordination.take(this.checkpoint.lease, this.options.holder, this.ttlMs, { renewing: this.leaseHeld });
    this.renewAt = Date.now() + this.ttlMs / 3;
    // Taken anew (or back after it expired, under a new fencing number): start from the checkpoint as it is.
    if (lease && (!this.leaseHeld || lease.epoch !== this.checkpoint.epoch)) this.position = this.written = await this.checkpoint.read();
    if (lease) this.checkpoint.epoch = lease.epoch;
    this.leaseHeld = lease !== undefined;
    return this.leaseHeld;
  }

  /**
   * Moves the checkpoint to what the broker has confirmed. Written at most every few hundred
   * milliseconds while publishing (a crash in between only publishes those batches again), and
   * fenced by the lease: false, and standing by, when another relay took over.
   */
  private async writeCheckpoint(): Promise<boolean> {
    if (this.written === this.position) return true;
    if (!(await this.checkpoint.advance(this.written, this.position))) {
      this.options.log.warn({ store: this.options.storeName }, 'relay lost its lease (or another relay moved its checkpoint): standing by');
      this.leaseHeld = false;
      return false;
    }
    this.written = this.position;
    this.writtenAt = Date.now();
    return true;
  }

  /** Publishes `events` and waits for the broker's confirms; then says it has published up to `to`. */
  private async publish(events: RecordedEvent[], to: number): Promise<void> {
    const { topology, storeName } = this.options;
    const channel = await this.openChannel();
    if (events.length > 0) {
      const returned = new Set<string>();
      const onReturn = (message: Message) => returned.add(message.fields.routingKey);
      channel.on('return', onReturn);
      try {
        for (const e of events) {
          channel.publish(topology.exchange, e.type, encodeEvent(storeName, e), { persistent: true, mandatory: true, messageId: e.id, type: e.type, contentType: 'application/json' });
        }
        await channel.waitForConfirms();
      } finally {
        channel.off('return', onReturn);
      }
      // The broker sends a message back before confirming it: by now every return has arrived.
      if (returned.size > 0) throw new Unroutable(`no queue is bound for ${[...returned].sort().join(', ')} (its consumers have not declared their queues): holding back`);
    }
    channel.publish(topology.exchange, topology.positionKey(storeName), encodePosition(storeName, to), { contentType: 'application/json' });
    // Alone (a caught-up relay's heartbeat) it is the probe that notices a broker gone or refusing; after events, the next batch's confirms cover it.
    if (events.length === 0) await channel.waitForConfirms();
  }

  private async openChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const channel = await this.options.connection.confirmChannel();
    channel.on('error', (error: Error) => (this.channelError = error.message));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }

  private async dropChannel(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }
}
