import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The data directory holds password hashes, emails, chats, mail and the signing secret: it is
 * 0700 and every file in it 0600 (API.md, "Configuration"), whoever creates it — the server or
 * the CLI — and whatever the umask. What an earlier version left wider is tightened on open.
 */

/** Creates the directory (and missing parents) for its owner only, or tightens it; returns it. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Creates an empty file for its owner only, or tightens it; returns its path. */
export function privateFile(path: string): string {
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  return path;
}

/**
 * A SQLite database file made private before SQLite opens it: SQLite gives the `-wal` and `-shm`
 * files it creates the mode of the database file; those an earlier version left are tightened.
 */
export function privateSqliteFile(path: string): string {
  privateFile(path);
  for (const companion of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(companion)) chmodSync(companion, 0o600);
  return path;
}
