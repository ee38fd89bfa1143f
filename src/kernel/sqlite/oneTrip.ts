import type { Knex } from 'knex';
import { exec, withRaw, type RawDb } from './connection.js';

/** One statement: SQL with `?` for each value, and the values. */
export interface Statement {
  sql: string;
  bindings: readonly unknown[];
}

/** A value that cannot be written into the SQL text (the statement then goes with bound values). */
class NotInlinable extends Error {}

/**
 * A value as a SQLite literal. A string's quotes are doubled (SQLite has no other escape); a string
 * holding NUL is refused, as the script is handed to SQLite as a C string and would end there.
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotInlinable(`${value} has no SQL literal`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new NotInlinable('a string holding NUL cannot be written inline');
    return `'${value.replaceAll("'", "''")}'`;
  }
  throw new NotInlinable(`a ${typeof value} cannot be written inline`);
}

/** The statement with its values written in (the SQL's only `?` are its placeholders). */
export function inline({ sql, bindings }: Statement): string {
  const parts = sql.split('?');
  if (parts.length !== bindings.length + 1) throw new TypeError(`${parts.length - 1} placeholders for ${bindings.length} values: ${sql.slice(0, 80)}`);
  let text = parts[0]!;
  for (let i = 0; i < bindings.length; i++) text += literal(bindings[i]) + parts[i + 1]!;
  return text;
}

const quoted = (name: string) => `"${name}"`;

/**
 * A multi-row INSERT of `rows` (their columns those of the first); with `conflict`, a row that
 * collides on those columns replaces the other columns (an upsert), or with `onConflict` 'nothing'
 * is left as it is.
 */
export function insertRows(table: string, rows: readonly object[], conflict?: readonly string[], onConflict: 'update' | 'nothing' = 'update'): Statement {
  const columns = Object.keys(rows[0]!);
  const row = `(${columns.map(() => '?').join(', ')})`;
  let sql = `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES ${rows.map(() => row).join(', ')}`;
  if (conflict) {
    sql += ` ON CONFLICT (${conflict.map(quoted).join(', ')}) DO `;
    sql += onConflict === 'nothing' ? 'NOTHING' : `UPDATE SET ${columns.filter((c) => !conflict.includes(c)).map((c) => `${quoted(c)} = excluded.${quoted(c)}`).join(', ')}`;
  }
  return { sql, bindings: rows.flatMap((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? null)) };
}

/**
 * Runs `statements` as one write transaction whose statements need nothing back. On SQLite the
 * whole transaction goes to the connection as one script: one round trip instead of one per
 * statement plus the BEGIN and COMMIT. A module database has one writer connection, held for the
 * whole of every transaction, and under load each round trip holds it for as long as the main
 * thread takes to come back to it (bench:jobs: 0.6-0.8 ms a statement, the connection busy all
 * the time); so what does not need answers between its statements is sent at once.
 * On PostgreSQL, or when a value cannot be written inline, it is an ordinary transaction.
 */
export async function writeTogether(db: Knex, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const script = db.client.config.client === 'sqlite3' ? scriptOf(statements) : undefined;
  if (script === undefined) return db.transaction((trx) => sendTogether(trx, statements));
  await withRaw(db, async (conn) => {
    try {
      await exec(conn, script);
    } catch (error) {
      // A statement failed part way: undo what the script did (no transaction is open when BEGIN itself failed).
      await exec(conn, 'ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Sends `statements` inside the transaction `trx` holds, in the order given: on SQLite as one
 * script on its connection, elsewhere (or with a value that cannot be inlined) one by one. A
 * failure fails the call part way, and the caller's transaction, rolled back, takes it all back.
 */
export async function sendTogether(trx: Knex.Transaction, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const script = trx.client.config.client === 'sqlite3' ? scriptOf(statements, false) : undefined;
  if (script === undefined) {
    for (const s of statements) await trx.raw(s.sql, s.bindings as readonly Knex.RawBinding[]);
    return;
  }
  // A transaction's client hands out the transaction's own connection.
  const conn = (await (trx.client as { acquireConnection(): Promise<RawDb> }).acquireConnection()) as RawDb;
  await exec(conn, script);
}

function scriptOf(statements: readonly Statement[], transaction = true): string | undefined {
  try {
    const body = statements.map(inline).join(';\n');
    return transaction ? `BEGIN IMMEDIATE;\n${body};\nCOMMIT;` : `${body};`;
  } catch (error) {
    if (error instanceof NotInlinable) return undefined;
    throw error;
  }
}
