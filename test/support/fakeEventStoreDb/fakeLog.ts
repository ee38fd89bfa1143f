import { randomUUID } from 'node:crypto';

/**
 * The log of a fake EventStoreDB server, with the server's semantics as its documentation and
 * source describe them (see the notes at each rule). It is no EventStoreDB: tests that run on it
 * show that the adapter and the real client work together as designed, not that the server
 * behaves as the design assumes.
 */

export interface LogRecord {
  /** Byte offset in the transaction file: the record's commit and prepare position. */
  offset: number;
  stream: string;
  revision: number;
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
  /** Ticks (100 ns) since the Unix epoch, as the server reports `created`. */
  created: bigint;
}

export type Expected = { kind: 'any' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: number };

export interface Proposed {
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
}

export type WriteOutcome =
  | { kind: 'written' | 'idempotent'; lastRevision: number; offset: number }
  | { kind: 'wrong-expected-version'; current: number };

export interface LogOptions {
  /** Write a `$>` link to `$ce-<category>` after every event, as the server's $by_category projection does. */
  systemLinks: boolean;
}

export class FakeLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly listeners = new Set<(record: LogRecord) => void>();
  /** The log opens with an epoch record, which reads never return: no event sits at 0. */
  private nextOffset = 128;

  constructor(private readonly options: LogOptions) {
    // A fresh server's log starts with system records: the head must look past them.
    for (const stream of ['$users', '$scavenges', '$settings']) this.write(stream, [system('$UserCreated')]);
  }

  /**
   * The server's commit check. `any`/`stream_exists` look the ids up among the stream's events:
   * all found is an idempotent retry, the first one missing is a new write, a later one missing
   * is "corrupted idempotency", answered as a wrong expected version. An exact revision behind
   * the stream is a retry if the events after it carry the ids, otherwise a conflict.
   */
  append(stream: string, expected: Expected, events: Proposed[]): WriteOutcome {
    const existing = this.streams.get(stream) ?? [];
    const current = existing.length - 1;
    if (expected.kind === 'stream_exists' && current < 0) return { kind: 'wrong-expected-version', current };
    if (expected.kind !== 'revision') {
      const found = events.map((e) => existing.find((r) => r.id === e.id));
      if (found[0] === undefined) return this.written(stream, events);
      if (found.some((r) => r === undefined)) return { kind: 'wrong-expected-version', current };
      return this.idempotent(found as LogRecord[]);
    }
    if (expected.revision === current) return this.written(stream, events);
    if (expected.revision > current) return { kind: 'wrong-expected-version', current };
    const found = events.map((e, i) => existing[expected.revision + 1 + i]).filter((r, i) => r?.id === events[i]!.id);
    return found.length === events.length ? this.idempotent(found as LogRecord[]) : { kind: 'wrong-expected-version', current };
  }

  stream(name: string): LogRecord[] | undefined {
    return this.streams.get(name);
  }

  /** Index of the record at `offset`; an offset inside a record is refused, as by the server. */
  indexAt(offset: number): number {
    const index = this.records.findIndex((r) => r.offset === offset);
    if (index < 0 && offset !== this.nextOffset) throw new Error(`Invalid position: ${offset} is not the start of a log record`);
    return index < 0 ? this.records.length : index;
  }

  onWrite(listener: (record: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private written(stream: string, events: Proposed[]): WriteOutcome {
    const records = this.write(stream, events);
    const last = records[records.length - 1]!;
    if (this.options.systemLinks) this.write(`$ce-${stream.split('-')[0]}`, records.map(() => system('$>')));
    return { kind: 'written', lastRevision: last.revision, offset: last.offset };
  }

  private idempotent(found: LogRecord[]): WriteOutcome {
    const last = found[found.length - 1]!;
    return { kind: 'idempotent', lastRevision: last.revision, offset: last.offset };
  }

  private write(stream: string, events: Proposed[]): LogRecord[] {
    const existing = this.streams.get(stream) ?? [];
    this.streams.set(stream, existing);
    const created = BigInt(Date.now()) * 10_000n;
    const records = events.map((e) => {
      const record: LogRecord = { ...e, offset: this.nextOffset, stream, revision: existing.length, created };
      // Records take their length in bytes: positions are sparse.
      this.nextOffset += 64 + stream.length + e.type.length + e.data.length + e.metadata.length;
      existing.push(record);
      this.records.push(record);
      return record;
    });
    for (const record of records) for (const listener of this.listeners) listener(record);
    return records;
  }
}

function system(type: string): Proposed {
  return { id: randomUUID(), type, isJson: false, data: new Uint8Array(8), metadata: new Uint8Array(0) };
}
