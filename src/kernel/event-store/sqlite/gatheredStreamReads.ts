import DataLoader from 'dataloader';

/** Streams in one query, to bound its answer (the pairs go as one JSON text: SQLite's limit on bound variables does not apply). */
const MAX_STREAMS = 200;

interface Read {
  stream: string;
  from: number;
}

/**
 * Forward reads of streams asked for in one turn of the event loop, as one query. Every command a
 * handler decides reads its stream first (a job's four stations each read the job), and on SQLite
 * each query is a trip through libuv's thread pool and back to a busy main thread: the trip, not
 * the indexed lookup, is what a read cost. Reads of one stream from different revisions share the
 * stream's rows from the lowest. Nothing is kept between turns: each read's query runs after it
 * was asked for, so it sees every event committed before.
 *
 * `query` answers the events of the given streams at or after each one's revision, ordered by
 * stream and revision.
 */
export class GatheredStreamReads<Row extends { stream: string; revision: number }> {
  private readonly loader: DataLoader<Read, Row[]>;

  constructor(query: (from: [stream: string, revision: number][]) => Promise<Row[]>) {
    this.loader = new DataLoader<Read, Row[]>(
      async (reads) => {
        const from = new Map<string, number>();
        for (const r of reads) from.set(r.stream, Math.min(from.get(r.stream) ?? r.from, r.from));
        const byStream = new Map<string, Row[]>();
        for (const row of await query([...from])) {
          const rows = byStream.get(row.stream);
          if (rows) rows.push(row);
          else byStream.set(row.stream, [row]);
        }
        return reads.map((r) => (byStream.get(r.stream) ?? []).filter((row) => row.revision >= r.from));
      },
      // As batchedReads: no cache (a read never answers what an earlier one found), and the batch
      // waits for setImmediate to take in the reads of the whole turn.
      { cache: false, maxBatchSize: MAX_STREAMS, batchScheduleFn: (run) => setImmediate(run) },
    );
  }

  read(stream: string, from: number): Promise<Row[]> {
    return this.loader.load({ stream, from });
  }
}
