/** Streams in one query, to bound its answer (the pairs go as one JSON text: SQLite's limit on bound variables does not apply). */
const MAX_STREAMS = 200;
/** Queries at once: one per reader connection of the store. */
const IN_FLIGHT = 2;

interface Read<Row> {
  stream: string;
  from: number;
  resolve: (rows: Row[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Forward reads of streams, gathered while the store's readers are busy: a read asked for while
 * fewer than two queries run goes at once; one asked for while both run waits for the first to
 * end and goes with every other read that waited, as one query. Every command a handler decides
 * reads its stream first (a job's four stations each read the job), and on SQLite each query is a
 * trip through libuv's thread pool and back to a busy main thread: under load the trip, not the
 * indexed lookup, is what a read cost; a lone reader (bench:store's sequential reads) waits for
 * nothing. Reads of one stream from different revisions share the stream's rows from the lowest.
 * Nothing is kept: each read's query starts after it was asked for, so it sees every event
 * committed before.
 *
 * `query` answers the events of the given streams at or after each one's revision, ordered by
 * stream and revision.
 */
export class GatheredStreamReads<Row extends { stream: string; revision: number }> {
  private waiting: Read<Row>[] = [];
  private inFlight = 0;

  constructor(private readonly query: (from: [stream: string, revision: number][]) => Promise<Row[]>) {}

  read(stream: string, from: number): Promise<Row[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ stream, from, resolve, reject });
      if (this.inFlight < IN_FLIGHT) void this.next();
    });
  }

  private async next(): Promise<void> {
    this.inFlight++;
    try {
      while (this.waiting.length > 0) await this.answer(this.waiting.splice(0, MAX_STREAMS));
    } finally {
      this.inFlight--;
    }
  }

  private async answer(reads: Read<Row>[]): Promise<void> {
    const from = new Map<string, number>();
    for (const r of reads) from.set(r.stream, Math.min(from.get(r.stream) ?? r.from, r.from));
    let found: Row[];
    try {
      found = await this.query([...from]);
    } catch (error) {
      for (const r of reads) r.reject(error);
      return;
    }
    const byStream = new Map<string, Row[]>();
    for (const row of found) {
      const rows = byStream.get(row.stream);
      if (rows) rows.push(row);
      else byStream.set(row.stream, [row]);
    }
    for (const r of reads) r.resolve((byStream.get(r.stream) ?? []).filter((row) => row.revision >= r.from));
  }
}
