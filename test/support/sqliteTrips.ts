import sqlite3 from 'sqlite3';

/** The SQL texts handed to node-sqlite3 while `fn` runs, by the way they went (exec: a script; else a prepared statement, run once per `statements`). */
export async function sqliteTripsDuring(fn: () => Promise<unknown>): Promise<{ scripts: string[]; statements: number; statementTexts: string[] }> {
  const seen = { scripts: [] as string[], statements: 0, statementTexts: [] as string[] };
  const exec = sqlite3.Database.prototype.exec;
  const methods = ['run', 'all', 'get'] as const;
  const originals = methods.map((m) => sqlite3.Statement.prototype[m]);
  sqlite3.Database.prototype.exec = function (this: sqlite3.Database, sql: string, ...rest: unknown[]) {
    seen.scripts.push(sql);
    return (exec as (...a: unknown[]) => sqlite3.Database).call(this, sql, ...rest);
  } as typeof exec;
  methods.forEach((m, i) => {
    sqlite3.Statement.prototype[m] = function (this: sqlite3.Statement, ...args: unknown[]) {
      seen.statements++;
      seen.statementTexts.push((this as unknown as { sql: string }).sql);
      return (originals[i] as (...a: unknown[]) => sqlite3.Statement).apply(this, args);
    } as never;
  });
  try {
    await fn();
  } finally {
    sqlite3.Database.prototype.exec = exec;
    methods.forEach((m, i) => (sqlite3.Statement.prototype[m] = originals[i] as never));
  }
  return seen;
}
