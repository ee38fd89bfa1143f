import { z } from 'zod';
import { defineEvent, defineModule, defineProjection, defineQuery, answerQuery, on, type ModuleDefinition } from '../../src/kernel/host.js';

/**
 * Two small modules for kernel tests: `shop` owns items; `mirror` keeps a replica of shop's
 * items from its public events (the pattern catalog uses for users).
 */
export const ItemAdded = defineEvent('shop.ItemAdded', 1, z.object({ itemId: z.string(), title: z.string(), priceCents: z.number().int() }));
export const ItemRenamed = defineEvent('shop.ItemRenamed', 1, z.object({ itemId: z.string(), title: z.string() }));
export const StockCounted = defineEvent('shop.StockCounted', 1, z.object({ itemId: z.string(), count: z.number().int() }));
export const GetItem = defineQuery('shop.GetItem', z.object({ itemId: z.string() }), z.object({ title: z.string() }).nullable());

export const itemsProjection = defineProjection({
  name: 'items',
  version: 1,
  // The tests of a stopped projection (retry, skip, readiness) use its poison event; parking has tests of its own.
  onFailure: 'stop',
  tables: {
    items: (t) => {
      t.string('item_id').primary();
      t.string('title').notNullable();
      t.integer('price_cents').notNullable();
      t.integer('renames').notNullable().defaultTo(0);
    },
  },
  handlers: [
    on(ItemAdded, async (e, { db, tables }) => {
      if (e.data.title === 'poison') throw new Error(`cannot project item ${e.data.itemId}`);
      await db(tables.items).insert({ item_id: e.data.itemId, title: e.data.title, price_cents: e.data.priceCents });
    }),
    on(ItemRenamed, async (e, { db, tables }) => {
      // Not idempotent on purpose: a replayed batch would count a rename twice.
      await db(tables.items).where({ item_id: e.data.itemId }).update({ title: e.data.title }).increment('renames', 1);
    }),
  ],
});

export const countsProjection = defineProjection({
  name: 'counts',
  version: 1,
  tables: { counts: (t) => { t.string('kind').primary(); t.integer('n').notNullable(); } },
  events: [ItemAdded, ItemRenamed, StockCounted],
  async applyBatch(events, { db, tables }) {
    for (const kind of ['added', 'renamed', 'counted']) {
      const n = events.filter((e) => e.type.toLowerCase().endsWith(kind)).length;
      if (n > 0) await db(tables.counts).insert({ kind, n }).onConflict('kind').merge({ n: db.raw('n + ?', [n]) });
    }
  },
});

export const shop = defineModule({
  name: 'shop',
  publicEvents: [ItemAdded, ItemRenamed],
  privateEvents: [StockCounted],
  streams: ['item'],
  projections: [itemsProjection, countsProjection],
  queries: [
    answerQuery(GetItem, async (ctx, { itemId }) => {
      const row = await ctx.db(ctx.tables('items').items).where({ item_id: itemId }).first();
      return row ? { title: row.title } : null;
    }),
  ],
});

export const mirror = defineModule({
  name: 'mirror',
  asks: [GetItem],
  projections: [
    defineProjection({
      name: 'shop_items',
      version: 1,
      tables: { shop_items: (t) => { t.string('item_id').primary(); t.string('title'); } },
      handlers: [
        on(ItemAdded, async (e, { db, tables }) => { await db(tables.shop_items).insert({ item_id: e.data.itemId, title: e.data.title }).onConflict('item_id').merge(); }),
        on(ItemRenamed, async (e, { db, tables }) => { await db(tables.shop_items).where({ item_id: e.data.itemId }).update({ title: e.data.title }); }),
      ],
    }),
  ],
});

export const fixtureModules: ModuleDefinition[] = [shop, mirror];
