import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeWithService } from './services.js';

/** The PostgreSQL server tests use; each run works in a schema of its own and drops it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const randomSchema = (prefix = 'seams_test_') => `${prefix}${randomBytes(6).toString('hex')}`;

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Why the server cannot be used, or null when it can. */
async function unreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Declares a suite that needs the server. Without one it is skipped with the reason, except
 * on CI (CI=true), where a missing database must fail the run rather than pass it silently.
 */
export async function describePostgres(title: string, body: (url: string) => void): Promise<void> {
  const url = TEST_DATABASE_URL;
  const reason = await unreachable(url);
  describeWithService(title, 'PostgreSQL', reason && `PostgreSQL at ${redacted(url)} is unreachable (${reason}); set TEST_DATABASE_URL to a server`, () => body(url));
}

/** A raw client for tests that need to hold transactions open. */
export async function rawClient(url = TEST_DATABASE_URL): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
