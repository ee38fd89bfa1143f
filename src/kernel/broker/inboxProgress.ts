import type { Knex } from 'knex';

/**
 * How far a store's inbox has taken in each store it receives from, kept beside the leases. It
 * is a lower bound, written lazily: after a restart the inbox knows at once which stores it
 * hears from and resolves their positions from there, and the broker's redeliveries only raise it.
 */
export class InboxProgress {
  constructor(
    private readonly db: Knex,
    private readonly store: string,
  ) {}

  async load(): Promise<Map<string, number>> {
    const rows = (await this.db('inbox_progress').where({ store: this.store })) as { source: string; position: number | string }[];
    return new Map(rows.map((r) => [r.source, Number(r.position)]));
  }

  async save(progress: ReadonlyMap<string, number>): Promise<void> {
    for (const [source, position] of progress) {
      await this.db('inbox_progress').insert({ store: this.store, source, position }).onConflict(['store', 'source']).merge({ position });
    }
  }
}
