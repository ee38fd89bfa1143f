import { join } from 'node:path';
import type { Knex } from 'knex';
import { usesPostgres } from '../config.js';
import type { SeamsConfig } from '../types/config.js';
import { openPostgres, ensureSchema, withAdvisoryLock } from '../event-store/postgres/connection.js';
import { migrateLatest } from '../migrate.js';
import { privateDir, privateSqliteFile } from '../privateFiles.js';
import { openSqlite } from '../sqlite/connection.js';
import { databaseNow } from './databaseClock.js';
import { UnavailableError } from '../errors.js';

/** A lease held: its fencing number grows with every new holder. */
export interface Lease {
  module: string;
  holder: string;
  epoch: number;
}

export interface Peer {
  processId: string;
  url: string;
  modules: string[];
}

/**
 * The shared record of which process serves which module (peers) and which one runs a module's
 * projections and processes (leases). It lives beside the log: in the store's schema on
 * PostgreSQL, in `cluster.sqlite` of the shared data directory on SQLite.
 */
export class Coordination {
  /** Its database: the broker link keeps its relay checkpoints and inbox progress here, beside the leases they are fenced by. */
  private constructor(readonly db: Knex) {}

  static async open(config: Pick<SeamsConfig, 'store' | 'dataDir' | 'databaseUrl' | 'pgSchemaPrefix' | 'clusterDir' | 'clusterSchema'>): Promise<Coordination> {
    let db: Knex;
    if (usesPostgres(config) && !config.clusterDir) {
      const schema = config.clusterSchema ?? `${config.pgSchemaPrefix ?? ''}event_store`;
      // One connection holds the advisory lock while the migrations use another.
      db = openPostgres(config.databaseUrl!, schema, 3);
      // Members starting together take turns, as on the event store's schema.
      await withAdvisoryLock(db, `seams.cluster.${schema}`, async () => {
        await ensureSchema(db, schema);
        await migrateLatest(db, 'cluster', 'cluster_migrations');
      });
    } else {
      db = openSqlite({ filename: privateSqliteFile(join(privateDir(config.clusterDir ?? config.dataDir), 'cluster.sqlite')), cacheKiB: 512 });
      await migrateLatest(db, 'cluster', 'cluster_migrations');
    }
    return new Coordination(db);
  }

  async announce(peer: Peer, now = Date.now()): Promise<void> {
    await this.db('cluster_peers')
      .insert({ process_id: peer.processId, url: peer.url, modules: JSON.stringify(peer.modules), seen_at: now })
      .onConflict('process_id')
      .merge();
  }

  async leave(processId: string): Promise<void> {
    await this.db('cluster_peers').where({ process_id: processId }).delete();
    await this.db('cluster_leases').where({ holder: processId }).delete();
  }

  /** Processes seen within `freshMs` that serve `module` (all live peers without one). */
  async peers(freshMs: number, module?: string, now = Date.now()): Promise<Peer[]> {
    const rows = (await this.db('cluster_peers').where('seen_at', '>', now - freshMs).orderBy('process_id')) as { process_id: string; url: string; modules: string }[];
    return rows
      .map((r) => ({ processId: r.process_id, url: r.url, modules: JSON.parse(r.modules) as string[] }))
      .filter((p) => !module || p.modules.includes(module));
  }

  /**
   * Takes or renews the lease on `module` for `holder`; the lease when `holder` has it now. The
   * upsert only overwrites a lease that is ours or expired, so two processes cannot both win;
   * expiry is judged by the database's clock. Only a renewal in time (`renewing`: the caller holds
   * the lease in memory under its number) keeps the fencing number (`epoch`); any other take gets
   * the next one — a new holder, ours taken back after it expired, and ours taken again by a
   * restarted process (same holder id, lease not yet expired): the new incarnation's work is not
   * the dead one's, so what that one left unfinished under its number (an SMTP hand-over without
   * an answer) may be done again under the new one.
   */
  async take(module: string, holder: string, ttlMs: number, { renewing = false } = {}): Promise<Lease | undefined> {
    const now = databaseNow(this.db);
    const epoch = renewing ? `CASE WHEN cluster_leases.holder = excluded.holder AND cluster_leases.expires_at >= ${now} THEN cluster_leases.epoch ELSE cluster_leases.epoch + 1 END` : 'cluster_leases.epoch + 1';
    await this.db.raw(
      `INSERT INTO cluster_leases (module, holder, expires_at, epoch) VALUES (?, ?, ${now} + ?, 1)
       ON CONFLICT (module) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, epoch = ${epoch}
       WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at < ${now}`,
      [module, holder, ttlMs],
    );
    const row = (await this.db('cluster_leases').where({ module }).first()) as { holder: string; epoch: number | string } | undefined;
    return row?.holder === holder ? { module, holder, epoch: Number(row.epoch) } : undefined;
  }

  async release(module: string, holder: string): Promise<void> {
    await this.db('cluster_leases').where({ module, holder }).delete();
  }

  /** Who holds the lease now, by the database's clock. */
  async holder(module: string): Promise<string | undefined> {
    const row = (await this.db('cluster_leases').where({ module }).andWhereRaw(`expires_at >= ${databaseNow(this.db)}`).first()) as { holder: string } | undefined;
    return row?.holder;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

/**
 * The live peers as a caller on a hot path wants them: read from the shared record at most every
 * 500 ms, and read again at once after a peer failed to answer (`forget`).
 */
export class LivePeers {
  private cache: { at: number; peers: Peer[] } | undefined;

  constructor(
    private readonly coordination: Coordination,
    private readonly freshMs: number,
  ) {}

  /**
   * The live peers, read at most twice a second. When they cannot be read (the coordination
   * database is down) the last known list serves on: the peers themselves may well still answer.
   * With none known yet, an UnavailableError (503).
   */
  async list(): Promise<Peer[]> {
    if (this.cache && Date.now() - this.cache.at <= 500) return this.cache.peers;
    try {
      this.cache = { at: Date.now(), peers: await this.coordination.peers(this.freshMs) };
    } catch (error) {
      if (!this.cache) throw new UnavailableError(`the cluster's peers cannot be read: ${(error as Error).message}`, 2);
      this.cache = { at: Date.now(), peers: this.cache.peers };
      this.onStale?.(error);
    }
    return this.cache.peers;
  }

  /** Told each time the last known list serves because the peers could not be read. */
  onStale?: (error: unknown) => void;

  /** Reads the peers again at the next request (kept meanwhile, in case they cannot be read). */
  forget(): void {
    if (this.cache) this.cache.at = 0;
  }
}
