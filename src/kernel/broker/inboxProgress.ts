import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { sleep } from '../event-store/subscription.js';

/**
 * How far a store's inbox has taken in each store it receives from (everything that store sends
 * it up to that position is committed here), and when it last heard from each. Kept beside the
 * leases, written lazily: a lower bound, so after a restart the inbox knows at once which stores
 * it hears from and resolves their positions from there; redeliveries only raise it.
 */
export class InboxProgress {
  private readonly positions = new Map<string, number>();
  private readonly heardAt = new Map<string, number>();
  private readonly advanced = new EventEmitter();
  private saving: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly db: Knex,
    private readonly store: string,
    private readonly log: Logger,
  ) {
    this.advanced.setMaxListeners(0);
  }

  async load(): Promise<void> {
    const rows = (await this.db('inbox_progress').where({ store: this.store })) as { source: string; position: number | string }[];
    for (const r of rows) this.positions.set(r.source, Math.max(Number(r.position), this.positions.get(r.source) ?? -1));
  }

  /** Per store it receives from: how far it has taken in. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.positions);
  }

  knows(source: string): boolean {
    return this.positions.has(source);
  }

  heard(source: string): void {
    this.heardAt.set(source, Date.now());
  }

  heardWithin(source: string, ms: number): boolean {
    return Date.now() - (this.heardAt.get(source) ?? 0) < ms;
  }

  /** Everything `source` sends up to `position` is committed here now; saved within a second. */
  advance(source: string, position: number): void {
    if (position <= (this.positions.get(source) ?? -1)) return;
    this.positions.set(source, position);
    this.dirty = true;
    this.saving ??= sleep(1000).then(() => this.save()).finally(() => (this.saving = undefined));
    this.advanced.emit('advanced');
  }

  /** Resolves true once `source` has been taken in up to `position`; false after `timeoutMs`. */
  reached(source: string, position: number, timeoutMs: number): Promise<boolean> {
    const done = () => (this.positions.get(source) ?? -1) >= position;
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => done() && finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.advanced.off('advanced', check);
        resolve(ok);
      };
      this.advanced.on('advanced', check);
    });
  }

  /** Writes what moved since the last save (and waits for one in flight). */
  async flush(): Promise<void> {
    await this.saving;
    await this.save();
  }

  private async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      for (const [source, position] of this.positions) {
        await this.db('inbox_progress').insert({ store: this.store, source, position }).onConflict(['store', 'source']).merge({ position });
      }
    } catch (error) {
      this.dirty = true;
      this.log.warn({ err: error }, 'inbox could not save its progress; will try again');
    }
  }
}
