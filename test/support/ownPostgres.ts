/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port, that asks every
 * TCP client for a password (scram-sha-256): the shared test server trusts everyone, so it cannot
 * show that a password is needed and works. initdb refuses to run as root: as root, the server
 * runs as the `postgres` user. Stopped (by its own data directory's pid file) and removed by `stop`.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './serverProcess.js';
import { tempDir } from './tempDir.js';

const run = promisify(execFile);
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface OwnPostgres {
  /** The superuser's URL, with its password. */
  url: string;
  port: number;
  /** Stops the server as a crash would (`pg_ctl stop -m immediate`: no checkpoint, clients cut off). */
  crash(): Promise<void>;
  /** Starts it again on the same data directory and port (after `crash`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why no server of its own can be started here, or null. */
export function ownPostgresUnavailable(): string | null {
  return existsSync(join(PG_BIN, 'initdb')) ? null : `no PostgreSQL binaries in ${PG_BIN} (set PG_BIN)`;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await tempDir('seams-pg-');
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({ uid: Number(stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) })) : undefined;
  const as = (command: string, args: string[]) => (owner ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args]) : run(join(PG_BIN, command), args));
  const data = join(dir.path, 'data');
  const password = `super-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir.path, 'pw');
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (owner) {
    chownSync(dir.path, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  const port = await freePort();
  let started = false;
  const start = () => as('pg_ctl', ['start', '-D', data, '-w', '-l', join(dir.path, 'log'), '-o', `-p ${port} -k ${dir.path} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500`]);
  const crash = async () => void (await as('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']));
  const stop = async () => {
    if (started) await as('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
    await dir.cleanup();
  };
  try {
    await as('initdb', ['-D', data, '-U', 'super', `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--no-sync']);
    started = true;
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://super:${password}@127.0.0.1:${port}/postgres`, port, crash, restart: async () => void (await start()), stop };
}
