import { createRequire } from 'node:module';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { EventStoreDBClient } from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { FakeLog, type Expected, type LogOptions, type LogRecord, type Proposed, type WriteOutcome } from './fakeLog.js';

const { ReadReq, ReadResp, AppendResp, BatchAppendResp } = streamsPb;
type ReadReqT = InstanceType<typeof ReadReq>;
type AppendReqT = InstanceType<typeof streamsPb.AppendReq>;
type BatchAppendReqT = InstanceType<typeof streamsPb.BatchAppendReq>;

// The protobuf runtime the client itself loads, for the `Any` that wraps error details.
const clientRequire = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client'));
const { Any } = clientRequire('google-protobuf/google/protobuf/any_pb.js') as {
  Any: new () => { pack(serialized: Uint8Array, name: string): void };
};

export interface FakeServerOptions extends LogOptions {
  /** Servers since 23.10 tell a subscription when it has caught up; older ones do not. */
  sendsCaughtUp: boolean;
  /** Servers since 21.10 take appends on one batch-append stream; the client asks which. */
  batchAppend: boolean;
  /** Older servers leave the position out of the answer to an idempotent retry. */
  idempotentNoPosition: boolean;
}

/**
 * A fake EventStoreDB server behind the real client: it answers the client's gRPC calls with
 * the protobuf messages of the real protocol, so the client's own request building, response
 * decoding, stream and error handling all run. Only the network and the server are fake.
 */
export class FakeEventStoreDb {
  readonly options: FakeServerOptions;
  readonly log: FakeLog;
  /** Every read or subscription call the client made, with its request, and whether it was cancelled. */
  readonly calls: FakeCall[] = [];
  /**
   * Appends to answer with a timeout instead of the outcome: `written` ones were written first
   * (an acknowledgement lost), the others not (the server dropped them, as it drops a retry that
   * arrives before the original is replicated).
   */
  readonly appendTimeouts: ('written' | 'dropped')[] = [];
  /** Set to make the next subscription fail with this gRPC status code after delivering `afterEvents` events. */
  subscriptionFault: { afterEvents: number; code: number } | undefined;

  constructor(options: Partial<FakeServerOptions> = {}) {
    this.options = { systemLinks: true, sendsCaughtUp: true, batchAppend: true, idempotentNoPosition: true, ...options };
    this.log = new FakeLog(this.options);
  }

  /** A real client whose gRPC calls reach this server. */
  client(): EventStoreDBClient {
    const client = EventStoreDBClient.connectionString('esdb://fake.invalid:2113?tls=false');
    const grpc = {
      read: (req: ReadReqT) => this.read(req),
      append: (_metadata: unknown, _options: unknown, callback: (error: Error | null, resp?: unknown) => void) => this.append(callback),
      batchAppend: () => this.batchAppend(),
      getChannel: () => ({}),
      close: () => undefined,
    };
    // Private members of the client, replaced here only: where it would open a connection.
    Object.assign(client as object, { getGRPCClient: async () => grpc, supports: async () => this.options.batchAppend });
    return client;
  }

  private read(req: ReadReqT): FakeCall {
    const call = new FakeCall(req);
    this.calls.push(call);
    const options = req.getOptions()!;
    // Answer after the client has attached its listeners, as a network would.
    setImmediate(() => {
      try {
        if (options.hasStream()) this.readStream(options, call);
        else if (options.hasSubscription()) this.subscribe(options, call);
        else this.readAll(options, call);
      } catch (error) {
        call.destroy(serviceError(13, (error as Error).message));
      }
    });
    return call;
  }

  private readStream(options: InstanceType<typeof ReadReq.Options>, call: FakeCall): void {
    const so = options.getStream()!;
    const name = Buffer.from(so.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
    const records = this.log.stream(name);
    if (!records) {
      const notFound = new ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(so.getStreamIdentifier());
      call.write(new ReadResp().setStreamNotFound(notFound));
      return;
    }
    const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
    const count = Number(options.getCount());
    const last = records.length - 1;
    const from = so.hasRevision() ? Number(so.getRevision()) : so.hasEnd() ? (forwards ? records.length : last) : forwards ? 0 : last;
    const page = forwards ? records.slice(from, from + count) : records.slice(Math.max(0, Math.min(from, last) - count + 1), Math.min(from, last) + 1).reverse();
    for (const record of page) call.write(eventResp(record, false));
    call.end();
  }

  private readAll(options: InstanceType<typeof ReadReq.Options>, call: FakeCall): void {
    const all = options.getAll()!;
    const records = this.log.records;
    const count = Number(options.getCount());
    const at = () => this.log.indexAt(Number(all.getPosition()!.getCommitPosition()));
    let page: LogRecord[];
    if (options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS) {
      // Forwards from a position includes the record there.
      const start = all.hasStart() ? 0 : all.hasEnd() ? records.length : at();
      page = records.slice(start, start + count);
    } else {
      // Backwards from a position returns what lies strictly before it.
      const end = all.hasEnd() ? records.length : all.hasStart() ? 0 : at();
      page = records.slice(Math.max(0, end - count), end).reverse();
    }
    for (const record of page) call.write(eventResp(record, true));
    call.end();
  }

  private subscribe(options: InstanceType<typeof ReadReq.Options>, call: FakeCall): void {
    const all = options.getAll()!;
    // A subscription from a position starts after the record there.
    let cursor = all.hasStart() ? 0 : all.hasEnd() ? this.log.records.length : this.log.indexAt(Number(all.getPosition()!.getCommitPosition())) + 1;
    const filter = options.hasFilter() ? options.getFilter()! : undefined;
    const accepts = filter ? predicate(filter) : () => true;
    const checkpointEvery = 32 * (filter?.getCheckpointintervalmultiplier() || 1);
    let considered = 0;
    const fault = this.subscriptionFault;
    this.subscriptionFault = undefined;
    let delivered = 0;
    const deliver = (record: LogRecord) => {
      if (call.destroyed) return;
      if (fault && delivered === fault.afterEvents) return void call.destroy(serviceError(fault.code, 'injected fault'));
      if (accepts(record)) {
        delivered++;
        return void call.write(eventResp(record, true));
      }
      if (filter && ++considered >= checkpointEvery) {
        considered = 0;
        const checkpoint = new ReadResp.Checkpoint();
        checkpoint.setCommitPosition(String(record.offset));
        checkpoint.setPreparePosition(String(record.offset));
        call.write(new ReadResp().setCheckpoint(checkpoint));
      }
    };
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(`sub-${this.calls.length}`);
    call.write(new ReadResp().setConfirmation(confirmation));
    for (; cursor < this.log.records.length; cursor++) deliver(this.log.records[cursor]!);
    if (this.options.sendsCaughtUp) call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    call.onCancel(this.log.onWrite(deliver));
  }

  private append(callback: (error: Error | null, resp?: unknown) => void): Writable {
    const messages: AppendReqT[] = [];
    return new Writable({
      objectMode: true,
      write: (message: AppendReqT, _encoding, done) => void (messages.push(message), done()),
      final: (done) => {
        done();
        const options = messages[0]!.getOptions()!;
        const stream = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
        const expected: Expected = options.hasRevision()
          ? { kind: 'revision', revision: Number(options.getRevision()) }
          : options.hasNoStream()
            ? { kind: 'revision', revision: -1 }
            : options.hasStreamExists()
              ? { kind: 'stream_exists' }
              : { kind: 'any' };
        const timeout = this.appendTimeouts.shift();
        const outcome = timeout === 'dropped' ? undefined : this.log.append(stream, expected, messages.slice(1).map((m) => proposed(m.getProposedMessage()!)));
        // A timeout is a DEADLINE_EXCEEDED status on this call.
        setImmediate(() => (timeout ? callback(serviceError(4, 'timeout')) : callback(null, appendResp(outcome!, this.options.idempotentNoPosition))));
      },
    });
  }

  private batchAppend(): Duplex {
    const pending = new Map<string, { options: InstanceType<typeof streamsPb.BatchAppendReq.Options>; events: Proposed[] }>();
    const duplex: Duplex = new Duplex({
      objectMode: true,
      read: () => undefined,
      write: (req: BatchAppendReqT, _encoding, done) => {
        const correlation = req.getCorrelationId()!.getString();
        const entry = pending.get(correlation) ?? { options: req.getOptions()!, events: [] };
        pending.set(correlation, entry);
        entry.events.push(...req.getProposedMessagesList().map(proposed));
        if (req.getIsFinal()) {
          pending.delete(correlation);
          const { options } = entry;
          const stream = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
          const expected: Expected = options.hasStreamPosition()
            ? { kind: 'revision', revision: Number(options.getStreamPosition()) }
            : options.hasNoStream()
              ? { kind: 'revision', revision: -1 }
              : options.hasStreamExists()
                ? { kind: 'stream_exists' }
                : { kind: 'any' };
          const timeout = this.appendTimeouts.shift();
          const outcome = timeout === 'dropped' ? undefined : this.log.append(stream, expected, entry.events);
          const resp = timeout ? errorResp('event_store.client.Timeout', new sharedPb.Timeout()) : batchAppendResp(outcome!, this.options.idempotentNoPosition);
          resp.setCorrelationId(new sharedPb.UUID().setString(correlation));
          resp.setStreamIdentifier(options.getStreamIdentifier());
          setImmediate(() => duplex.push(resp));
        }
        done();
      },
    });
    return duplex;
  }
}

/** A server-streaming call: what the client reads, and a `cancel()` that acts as gRPC's does. */
export class FakeCall extends PassThrough {
  cancelled = false;
  private cleanup: () => void = () => undefined;

  constructor(readonly request: ReadReqT) {
    super({ objectMode: true });
  }

  onCancel(cleanup: () => void): void {
    this.cleanup = cleanup;
    this.once('close', cleanup);
  }

  cancel(): void {
    this.cancelled = true;
    this.cleanup();
    // What grpc-js reports on a call the client cancelled; the client recognises and drops it.
    this.destroy(serviceError(1, 'Cancelled on client'));
  }
}

function serviceError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: undefined });
}

function proposed(message: {
  getId(): InstanceType<typeof sharedPb.UUID> | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}): Proposed {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()!.getString().toLowerCase(),
    type: metadata.get('type')!,
    isJson: metadata.get('content-type') === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function eventResp(record: LogRecord, inAll: boolean): InstanceType<typeof ReadResp> {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(new sharedPb.UUID().setString(record.id));
  recorded.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(record.stream, 'utf8')));
  recorded.setStreamRevision(String(record.revision));
  recorded.setCommitPosition(String(record.offset));
  recorded.setPreparePosition(String(record.offset));
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.isJson ? 'application/json' : 'application/octet-stream')
    .set('created', String(record.created));
  recorded.setData(record.data);
  recorded.setCustomMetadata(record.metadata);
  const event = new ReadResp.ReadEvent().setEvent(recorded);
  // `$all` reads also name the commit position on the resolved event; stream reads need not.
  if (inAll) event.setCommitPosition(String(record.offset));
  else event.setNoPosition(new sharedPb.Empty());
  return new ReadResp().setEvent(event);
}

function predicate(filter: InstanceType<typeof ReadReq.Options.FilterOptions>): (record: LogRecord) => boolean {
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  return (record) => {
    const subject = onType ? record.type : record.stream;
    return regex ? new RegExp(regex).test(subject) : prefixes.some((p) => subject.startsWith(p));
  };
}

function appendResp(outcome: WriteOutcome, idempotentNoPosition: boolean): InstanceType<typeof AppendResp> {
  const resp = new AppendResp();
  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current < 0) wrong.setCurrentNoStream(new sharedPb.Empty());
    else wrong.setCurrentRevision(String(outcome.current));
    return resp.setWrongExpectedVersion(wrong);
  }
  const success = new AppendResp.Success().setCurrentRevision(String(outcome.lastRevision));
  if (outcome.kind === 'idempotent' && idempotentNoPosition) success.setNoPosition(new sharedPb.Empty());
  else success.setPosition(new AppendResp.Position().setCommitPosition(String(outcome.offset)).setPreparePosition(String(outcome.offset)));
  return resp.setSuccess(success);
}

function batchAppendResp(outcome: WriteOutcome, idempotentNoPosition: boolean): InstanceType<typeof BatchAppendResp> {
  const resp = new BatchAppendResp();
  if (outcome.kind === 'wrong-expected-version') {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.current < 0) wrong.setCurrentNoStream(new sharedPb.Empty());
    else wrong.setCurrentStreamRevision(String(outcome.current));
    return errorResp('event_store.client.WrongExpectedVersion', wrong);
  }
  const success = new BatchAppendResp.Success().setCurrentRevision(String(outcome.lastRevision));
  if (outcome.kind === 'idempotent' && idempotentNoPosition) success.setNoPosition(new sharedPb.Empty());
  else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(outcome.offset)).setPreparePosition(String(outcome.offset)));
  return resp.setSuccess(success);
}

/** A batch-append error: a google.rpc.Status whose details name what went wrong. */
function errorResp(name: string, detail: { serializeBinary(): Uint8Array }): InstanceType<typeof BatchAppendResp> {
  const details = new Any();
  details.pack(detail.serializeBinary(), name);
  const status = new statusPb.Status();
  status.setCode(name.endsWith('Timeout') ? 4 : 9);
  status.setMessage(name);
  status.setDetails(details as never);
  return new BatchAppendResp().setError(status);
}
