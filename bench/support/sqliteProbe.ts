import sqlite3 from 'sqlite3';

/**
 * What each SQLite connection of this process did while a bench ran (`--sqlite-probe`): its round
 * trips through sqlite3 (a statement run, or a script), the share of the time it had one in
 * flight, and the share it spent inside transactions, with their number and average length.
 *
 * Why: to see which connections a pipeline keeps busy and what each job costs them in trips. A
 * transaction holds a module's one writer connection from BEGIN to COMMIT, and each of its trips
 * waits for the main thread's turn before the next is sent (bench:jobs, 2026-12-01: the jobs
 * writer inside transactions 83 % of a run, 3.5 ms each, for well under a millisecond of SQLite).
 * Read the shares with care: runners take whatever has arrived, so a writer held most of the time
 * may be held because there is always a little to do, not because work waits for it. Sending a
 * batch's writes and checkpoint with its COMMIT (trips a job 5.0 → 4.2, transactions 3.5 → 3.2 ms)
 * left the share at 83 % and jobs/s where they were: the batches got smaller and more frequent.
 *
 * It wraps sqlite3's prototypes, so it sees the connections opened after it starts (statements
 * prepared before are not followed); `stop` puts them back.
 */
export interface ConnectionFigures {
  /** The database file (the part after the bench's data directory), `#n` for the n-th connection to it. */
  connection: string;
  trips: number;
  /** Share of the probed time with a trip in flight (0–1). */
  busy: number;
  /** Share of the probed time inside a transaction (0–1). */
  inTransaction: number;
  transactions: number;
  avgTransactionMs: number;
}

interface Tally {
  file: string;
  trips: number;
  inFlight: number;
  busySince: number;
  busyMs: number;
  txSince: number | undefined;
  txMs: number;
  transactions: number;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

const BEGINS = /^\s*BEGIN\b/i;
const ENDS = /^\s*(COMMIT|END|ROLLBACK)\b/i;
/** A script that is a whole transaction (oneTrip.ts's writeTogether). */
const WHOLE = /^\s*BEGIN\b[\s\S]*\bCOMMIT;?\s*$/i;

export function probeSqlite(dataDir: string): { figures(): ConnectionFigures[]; stop(): void } {
  const started = performance.now();
  const tallies = new Map<object, Tally>();
  const statementOf = new WeakMap<object, { db: object; sql: string }>();
  const restore: (() => void)[] = [];

  const tally = (db: object): Tally => {
    let t = tallies.get(db);
    if (!t) tallies.set(db, (t = { file: String((db as { filename?: string }).filename ?? '?'), trips: 0, inFlight: 0, busySince: 0, busyMs: 0, txSince: undefined, txMs: 0, transactions: 0 }));
    return t;
  };

  /** Counts one trip of `sql` on `db` and wraps its callback (the last function argument) to time it. */
  const follow = (db: object, sql: string, args: unknown[]): unknown[] => {
    const t = tally(db);
    const sent = performance.now();
    t.trips++;
    if (t.inFlight++ === 0) t.busySince = sent;
    // Read once per trip: a script may be long.
    const whole = WHOLE.test(sql);
    if (!whole && BEGINS.test(sql)) t.txSince = sent;
    const at = args.findLastIndex((a) => typeof a === 'function');
    const done = () => {
      const now = performance.now();
      if (--t.inFlight === 0) t.busyMs += now - t.busySince;
      if (whole) {
        t.txMs += now - sent;
        t.transactions++;
      } else if (ENDS.test(sql) && t.txSince !== undefined) {
        t.txMs += now - t.txSince;
        t.transactions++;
        t.txSince = undefined;
      }
    };
    if (at < 0) return [...args, done];
    const callback = args[at] as Method;
    return args.map((a, i) => (i === at ? function (this: unknown, ...r: unknown[]) { done(); return callback.apply(this, r); } : a));
  };

  const patch = (proto: object, name: string, wrap: (original: Method) => Method) => {
    const original = (proto as Record<string, Method>)[name]!;
    (proto as Record<string, Method>)[name] = wrap(original);
    restore.push(() => ((proto as Record<string, Method>)[name] = original));
  };

  // Statements prepared here are remembered with their text; their runs are the trips.
  patch(sqlite3.Database.prototype, 'prepare', (original) => function (this: unknown, ...args: unknown[]) {
    const statement = original.apply(this, args) as object;
    statementOf.set(statement, { db: this as object, sql: String(args[0]) });
    return statement;
  });
  for (const name of ['run', 'all', 'get']) {
    patch(sqlite3.Statement.prototype, name, (original) => function (this: unknown, ...args: unknown[]) {
      const known = statementOf.get(this as object);
      return original.apply(this, known ? follow(known.db, known.sql, args) : args);
    });
  }
  // A connection's own run/all/get make a statement of their own (not prepared above) and run it once; exec runs a script.
  for (const name of ['exec', 'run', 'all', 'get']) {
    patch(sqlite3.Database.prototype, name, (original) => function (this: unknown, sql: unknown, ...args: unknown[]) {
      return original.call(this, sql, ...follow(this as object, String(sql), args));
    });
  }

  return {
    figures() {
      const elapsed = performance.now() - started;
      const seen = new Map<string, number>();
      return [...tallies.values()].map((t) => {
        const file = t.file.startsWith(dataDir) ? t.file.slice(dataDir.length).replace(/^\//, '') : t.file;
        const n = (seen.get(file) ?? 0) + 1;
        seen.set(file, n);
        const busyMs = t.busyMs + (t.inFlight > 0 ? performance.now() - t.busySince : 0);
        return {
          connection: n === 1 ? file : `${file} #${n}`,
          trips: t.trips,
          busy: busyMs / elapsed,
          inTransaction: t.txMs / elapsed,
          transactions: t.transactions,
          avgTransactionMs: t.transactions === 0 ? 0 : t.txMs / t.transactions,
        };
      });
    },
    stop() {
      for (const undo of restore.reverse()) undo();
      restore.length = 0;
    },
  };
}

/** Connections shown: the busiest, leaving out those (a migration's, say) busy or held under 1 % of the run. */
const SHOWN = 10;

/** The probe's figures as lines for a bench's output, the busiest connection first; `per` divides the trips (per job, per order). */
export function probeLines(figures: ConnectionFigures[], per: { count: number; unit: string }): string[] {
  const pct = (share: number) => `${Math.round(share * 100)} %`.padStart(5);
  const shown = figures
    .filter((f) => f.busy + f.inTransaction >= 0.01)
    .sort((a, b) => b.busy + b.inTransaction - (a.busy + a.inTransaction))
    .slice(0, SHOWN);
  const width = Math.max(0, ...shown.map((f) => f.connection.length));
  return shown.map((f) => `  ${f.connection.padEnd(width)} ${(f.trips / per.count).toFixed(1).padStart(6)} trips/${per.unit}   busy ${pct(f.busy)}   in transactions ${pct(f.inTransaction)} (${f.transactions}, ${f.avgTransactionMs.toFixed(1)} ms each)`);
}
