import type { Knex } from 'knex';

/** A write refused because a newer leader raised the module's fence: this process was deposed. */
export class Fenced extends Error {
  constructor(
    readonly mine: number,
    readonly current: number,
  ) {
    super(`fenced: this process writes under lease number ${mine}, the module's fence is at ${current} (a newer leader took over)`);
  }
}

/**
 * The module's fence as its leader sees it (table `fence`, one row). Modules not in a cluster
 * have no lease and write unfenced. A leader raises the fence to its lease's number before it
 * starts work; each of its write transactions checks the fence still has that number, so the
 * late writes of a deposed leader (paused past its lease, then resumed) are refused, not merged.
 */
export class Fence {
  /** The lease number this process writes under; undefined before it leads. */
  private epoch: number | undefined;
  /** Whether writes check it: in a cluster; a single process has no one to be fenced from. */
  private checking = false;

  constructor(private readonly db: Knex) {}

  /** The number this process does the module's work under (undefined while it does not). */
  get current(): number | undefined {
    return this.epoch;
  }

  /**
   * A single process (no cluster) starting the module's work: the next number, unchecked. Each
   * start is an epoch of its own, so an effect recorded per epoch may happen again after a restart.
   */
  async begin(): Promise<void> {
    await this.db('fence').insert({ id: 1, epoch: 0 }).onConflict('id').ignore();
    await this.db('fence').where({ id: 1 }).increment('epoch', 1);
    this.epoch = Number(((await this.db('fence').where({ id: 1 }).first('epoch')) as { epoch: number | string }).epoch);
    this.checking = false;
  }

  /** Whether a write transaction must check the fence (check() reads it): only a cluster's leader's do. */
  get checked(): boolean {
    return this.epoch !== undefined && this.checking;
  }

  /** The module's work stopped here (following another leader): no number until it leads again. */
  end(): void {
    this.epoch = undefined;
    this.checking = false;
  }

  /** Raises the fence to `epoch` (never lowers it); throws Fenced when a newer leader raised it further already. */
  async raise(epoch: number): Promise<void> {
    await this.db('fence').insert({ id: 1, epoch: 0 }).onConflict('id').ignore();
    await this.db('fence').where({ id: 1 }).andWhere('epoch', '<', epoch).update({ epoch });
    this.epoch = epoch;
    this.checking = true;
    await this.check(this.db);
  }

  /**
   * Inside a write transaction: refuses it (throws Fenced) when the fence moved past this
   * process's number. On PostgreSQL the row is read FOR SHARE, so a raise waits for this
   * transaction: what commits before a new leader's raise is older than it, never later.
   */
  async check(trx: Knex | Knex.Transaction): Promise<void> {
    if (this.epoch === undefined || !this.checking) return;
    const pg = this.db.client.config.client === 'pg';
    const q = trx('fence').where({ id: 1 }).first('epoch');
    const row = (await (pg ? q.forShare() : q)) as { epoch: number | string } | undefined;
    const current = Number(row?.epoch ?? 0);
    if (current !== this.epoch) throw new Fenced(this.epoch, current);
  }
}
