import { ItemCreated } from '../catalog/contracts.js';
import { CustomerDeleted, CustomerRegistered } from '../customers/contracts.js';
import { defineProjection, on, type EventData, type ProcessTx, type RecordedEvent } from '../../kernel/index.js';

/**
 * orders' own copies of what it needs from other modules, fed by their public events: which
 * customers exist (with their email, for the confirmation mail) and what items cost. The order
 * process reads them (it `waitsFor` them, so they are never behind the event it handles).
 */
export const customersReplica = defineProjection({
  name: 'customers_replica',
  version: 1,
  tables: {
    known_customers: (t) => {
      t.string('customer_id').primary();
      t.string('email').notNullable();
      t.boolean('deleted').notNullable();
    },
  },
  handlers: [
    on(CustomerRegistered, async (e, { db, tables }) => {
      await db(tables.known_customers).insert({ customer_id: e.data.customerId, email: e.data.email, deleted: false }).onConflict('customer_id').ignore();
    }),
    on(CustomerDeleted, async (e, { db, tables }) => {
      await db(tables.known_customers).insert({ customer_id: e.data.customerId, email: '', deleted: true }).onConflict('customer_id').merge(['deleted']);
    }),
  ],
});

export const itemPrices = defineProjection({
  name: 'item_prices',
  version: 1,
  tables: {
    item_prices: (t) => {
      t.string('item_id').primary();
      t.string('title').notNullable();
      t.bigInteger('price_cents').notNullable();
    },
  },
  events: [ItemCreated],
  // One multi-row insert per batch: catalog may create items faster than one statement per event.
  async applyBatch(events: RecordedEvent<EventData<typeof ItemCreated>>[], { db, tables }) {
    const rows = events.map((e) => ({ item_id: e.data.itemId, title: e.data.title, price_cents: e.data.priceCents }));
    for (let i = 0; i < rows.length; i += 100) await db(tables.item_prices).insert(rows.slice(i, i + 100)).onConflict('item_id').ignore();
  },
});

type ReplicaReader = Pick<ProcessTx, 'db' | 'tables'>;

export interface KnownCustomer {
  email: string;
  deleted: boolean;
}

export async function knownCustomer(tx: ReplicaReader, customerId: string): Promise<KnownCustomer | undefined> {
  const row = await tx.db(tx.tables('customers_replica').known_customers).where({ customer_id: customerId }).first();
  return row ? { email: row.email, deleted: Boolean(row.deleted) } : undefined;
}

/** Σ price × quantity over the lines, or undefined when an item is not in the replica. */
export async function orderTotal(tx: ReplicaReader, lines: readonly { itemId: string; quantity: number }[]): Promise<number | undefined> {
  const ids = [...new Set(lines.map((l) => l.itemId))];
  const rows = (await tx.db(tx.tables('item_prices').item_prices).whereIn('item_id', ids).select('item_id', 'price_cents')) as { item_id: string; price_cents: number }[];
  const prices = new Map(rows.map((r) => [r.item_id, Number(r.price_cents)]));
  let total = 0;
  for (const line of lines) {
    const price = prices.get(line.itemId);
    if (price === undefined) return undefined;
    total += price * line.quantity;
  }
  return total;
}
