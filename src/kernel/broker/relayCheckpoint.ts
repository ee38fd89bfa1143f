import type { Knex } from 'knex';
import { databaseNow } from '../cluster/databaseClock.js';

/**
 * Where a store's relay has published up to, kept beside the leases (the coordination database).
 * It moves only while its mover holds the relay's lease under the same fencing number, in the same
 * statement: a relay that lost its lease (paused, partitioned) cannot move the checkpoint of the
 * one that took over, nor can it after taking its own expired lease back before it re-read it.
 */
export class RelayCheckpoint {
  /** The fencing number of the lease the relay holds: the checkpoint moves only under it. */
  epoch: number | undefined;

  constructor(
    private readonly db: Knex,
    readonly store: string,
    readonly lease: string,
    private readonly holder: string,
  ) {}

  async read(): Promise<number> {
    const row = (await this.db('relay_checkpoints').where({ store: this.store }).first()) as { position: number | string } | undefined;
    return Number(row?.position ?? 0);
  }

  /** Moves the checkpoint from `from` to `to`; false when the lease is not ours (any more) or someone else moved it. */
  async advance(from: number, to: number, now = Date.now()): Promise<boolean> {
    if (from === 0) await this.db('relay_checkpoints').insert({ store: this.store, position: 0, updated_at: now }).onConflict('store').ignore();
    const moved = await this.db('relay_checkpoints')
      .where({ store: this.store, position: from })
      // Judged by the database's clock, like the lease itself.
      .whereExists((q) =>
        q
          .select(1)
          .from('cluster_leases')
          .where({ module: this.lease, holder: this.holder, ...(this.epoch !== undefined ? { epoch: this.epoch } : {}) })
          .andWhereRaw(`expires_at >= ${databaseNow(this.db)}`),
      )
      .update({ position: to, updated_at: now });
    return moved === 1;
  }
}
