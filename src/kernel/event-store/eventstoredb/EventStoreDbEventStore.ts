import { EventEmitter } from 'node:events';
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, StreamNotFoundError, type AppendResult as ClientAppendResult } from '@eventstore/db-client';
import type { EventRegistry } from '../../contracts/registry.js';
import { checkExpectedRevision, checkStreamName, prepareEvents, type PreparedEvent } from '../prepare.js';
import { sleep, sleepUntilAppended } from '../subscription.js';
import type { AppendOptions, AppendResult, EventStore, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../../types/eventStore.js';
import { collect, lastEventPosition, readAllPage } from './allReads.js';
import { appendOutcome, type StoredEvent } from './appendOutcome.js';
import { isTransient, toAppendError, toSeamsError, wrongExpectedRevision, type AppendAttempt } from './errors.js';
import { toClientExpectedRevision } from './expectedRevision.js';
import { liveSubscription } from './liveSubscription.js';
import { eventPosition, toPortPosition, toRevisionNumber } from './positions.js';
import { toEventData, toRecordedEvent } from './recordedEvents.js';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://user:password@host:2113?tls=false`, or `esdb+discover://...` for a cluster. The user must be allowed to read `$all`. */
  connectionString: string;
  registry: EventRegistry;
  maxEventBytes?: number;
  /** How often a caught-up reader looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** How long a filtered read waits on a silent server before reading the rest unfiltered (servers before 23.10). */
  filteredReadIdleMs?: number;
}

/** Attempts at an append that times out or finds the server unreachable, and the pause between them. */
const APPEND_TRIES = 3;
const APPEND_RETRY_MS = 100;

/** The client calls the store makes: tests hand in a stand-in built from the client's own stream classes. */
export type EventStoreDbClientCalls = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

/**
 * The EventStore port on EventStoreDB, for a cluster. The server keeps the log, the stream
 * revisions and the idempotence of retried appends (by event id, per stream); positions are
 * `$all` commit positions (see positions.ts). Every translation is a pure function beside this
 * file; this class only sequences client calls.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  private readonly appended = new EventEmitter();
  private lastAppended = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  private constructor(
    private readonly client: EventStoreDbClientCalls,
    private readonly options: Omit<EventStoreDbEventStoreOptions, 'connectionString'>,
  ) {
    this.appended.setMaxListeners(0);
  }

  /** Connects and reads the head once, so a wrong address or missing rights fail here rather than later. */
  static async open(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
    return EventStoreDbEventStore.withClient(EventStoreDBClient.connectionString(options.connectionString), options);
  }

  /** The same over a client built in code (credentials, certificates), or a test's client. */
  static async withClient(client: EventStoreDbClientCalls, options: Omit<EventStoreDbEventStoreOptions, 'connectionString'>): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(client, options);
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
    return store;
  }

  append(stream: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      const expected = options.expectedRevision ?? 'any';
      checkExpectedRevision(expected);
      const prepared = prepareEvents(this.options.registry, stream, events, this.options.maxEventBytes);
      const attempt: AppendAttempt = { stream, expected, eventIds: prepared.map((e) => e.id) };
      const callerIds = events.some((e) => e.id !== undefined);
      return this.track(async () => {
        const { result, repeated } = await this.sendAppend(stream, prepared, attempt);
        // With throwOnAppendFailure=false in the connection string the client reports instead of throwing.
        if (!result.success) throw wrongExpectedRevision(attempt, await this.streamRevision(stream));
        // Ids generated here and sent once are new: the server wrote them, at the position it names
        // (that of the append's last event). Otherwise it may have found them written already.
        const outcome =
          !callerIds && !repeated && result.position
            ? { nextRevision: toRevisionNumber(result.nextExpectedRevision), position: toPortPosition(result.position) }
            : appendOutcome(stream, prepared, await this.readBack(stream, result.nextExpectedRevision, prepared.length));
        this.noteAppended(outcome.position);
        return outcome;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends an append, again after a timeout or a lost connection. The ids are fixed by now, so
   * a repeat that reaches a server which did write the first is an idempotent retry. It is also
   * how the server wants it: a retry arriving before the original is replicated is dropped
   * unanswered ("idempotent, not ready"), so that the client times out and tries once more.
   */
  private async sendAppend(
    stream: string,
    prepared: PreparedEvent[],
    attempt: AppendAttempt,
  ): Promise<{ result: ClientAppendResult; repeated: boolean }> {
    const events = prepared.map(toEventData);
    const expectedRevision = toClientExpectedRevision(attempt.expected);
    for (let tries = 1; ; tries++) {
      try {
        return { result: await this.client.appendToStream(stream, events, { expectedRevision }), repeated: tries > 1 };
      } catch (error) {
        if (tries >= APPEND_TRIES || !isTransient(error) || this.closed) throw toAppendError(error, attempt);
        await sleep(APPEND_RETRY_MS * tries);
      }
    }
  }

  /** The `count` events up to `lastRevision`: what an acknowledged append wrote, or found already written. */
  private async readBack(stream: string, lastRevision: bigint, count: number): Promise<StoredEvent[]> {
    const events = await this.readRaw(stream, { fromRevision: lastRevision - BigInt(count - 1), maxCount: count });
    return events.map(({ event, commitPosition }) => ({
      id: event!.id,
      type: event!.type,
      data: event!.data,
      revision: toRevisionNumber(event!.revision),
      position: eventPosition(event!.position?.commit, commitPosition),
    }));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkStreamName(stream);
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events = await this.readRaw(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : undefined,
      maxCount: options.maxCount,
    });
    return events.map((e) => toRecordedEvent(e, this.options.registry));
  }

  async streamRevision(stream: string): Promise<number> {
    checkStreamName(stream);
    const [last] = await this.readRaw(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    return last?.event ? toRevisionNumber(last.event.revision) : -1;
  }

  /** A stream read; an unknown stream reads as empty. */
  private readRaw(stream: string, options: Parameters<EventStoreDbClientCalls['readStream']>[1]) {
    return this.track(async () => {
      try {
        return await collect(this.client.readStream(stream, options));
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw toSeamsError(error);
      }
    });
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.track(async () => {
      try {
        const page = await readAllPage(this.client, options, () => this.headPosition(), this.options.filteredReadIdleMs ?? 1000);
        return page.map((e) => toRecordedEvent(e, this.options.registry));
      } catch (error) {
        throw toSeamsError(error);
      }
    });
  }

  headPosition(): Promise<number> {
    return this.track(async () => {
      try {
        return await lastEventPosition(this.client);
      } catch (error) {
        throw toSeamsError(error);
      }
    });
  }

  async waitForAppend(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.lastAppended > after || signal?.aborted) return;
    // Other processes' appends raise no event here: the caller looks again after the interval.
    await sleepUntilAppended(this.appended, after, Math.min(timeoutMs, this.options.pollIntervalMs ?? 250), signal);
  }

  subscribe(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void> | void): Subscription {
    const subscription = liveSubscription(this.client, this.options.registry, options, handler);
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  /** Stops the subscriptions, lets calls in flight finish, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await Promise.allSettled([...this.inFlight]);
    await this.client.dispose();
  }

  private noteAppended(position: number): void {
    if (position > this.lastAppended) this.lastAppended = position;
    this.appended.emit('appended', this.lastAppended);
  }

  private track<T>(call: () => Promise<T>): Promise<T> {
    const promise = call();
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
