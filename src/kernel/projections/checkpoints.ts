import type { Knex } from 'knex';
import type { ProjectionState } from '../types/projection.js';
import type { Fence } from './fence.js';
import { advance, type Generation } from './generations.js';

/**
 * Where each generation's checkpoint row is. A batch with none of the projection's events (the
 * log moved on with other events) moves the position in memory at once but writes the row at
 * most every `idleMs` (and on stop): otherwise every runner would commit a write for every
 * append anywhere in the log. A restart in between re-reads only events it skips anyway.
 */
export class Checkpoints {
  private readonly written = new WeakMap<Generation, { position: number; at: number }>();

  constructor(
    private readonly db: Knex,
    private readonly idleMs = 1000,
    private readonly fence?: Fence,
  ) {}

  /** The position the generation's row holds: a batch's transaction moves it from there. */
  rowPosition(g: Generation): number {
    return this.written.get(g)?.position ?? g.position;
  }

  /** True when an empty batch that leaves the state as it is may move `g` in memory only. */
  mayDefer(g: Generation, next: ProjectionState): boolean {
    const written = this.written.get(g) ?? { position: g.position, at: 0 };
    this.written.set(g, written);
    return next === g.state && Date.now() - written.at < this.idleMs;
  }

  /** The row now holds `position` (a batch's transaction wrote it). */
  committed(g: Generation, position: number): void {
    this.written.set(g, { position, at: Date.now() });
  }

  /**
   * A caught-up projection writes a position it moved in memory only once no write happened for
   * `idleMs`: so an idle system's checkpoints reach the head (and `seams projections status`,
   * which reads the rows, says live, lag 0), while a busy log still costs no write per append.
   */
  async flushIfIdle(g: Generation): Promise<void> {
    const written = this.written.get(g);
    if (written && written.position !== g.position && Date.now() - written.at >= this.idleMs) await this.flush(g);
  }

  /** Writes a checkpoint that only moved in memory. A row someone else moved meanwhile stays as it is: the next load sees theirs. */
  async flush(g: Generation): Promise<void> {
    const written = this.written.get(g);
    if (!written || written.position === g.position || !['catching-up', 'live', 'building'].includes(g.state)) return;
    const moved = await this.db.transaction(async (trx) => {
      await this.fence?.check(trx);
      return advance(trx, g, written.position, g.position, g.state);
    });
    if (moved) this.committed(g, g.position);
  }
}
