import { defineProjection, findCaughtUp, type EventData, type ModuleContext, type RecordedEvent } from '../../kernel/index.js';
import { ItemCreated } from './contracts.js';

/** The items read model. Owner names are not copied here: reads join the users replica, so they follow profile changes. */
export const items = defineProjection({
  name: 'items',
  version: 1,
  tables: {
    items: (t) => {
      t.string('item_id').primary();
      t.string('title').notNullable();
      t.integer('price_cents').notNullable();
      t.string('owner_id').notNullable().index();
      t.integer('revision').notNullable();
    },
  },
  events: [ItemCreated],
  // One multi-row insert per batch: under a write load one statement per event cannot keep up.
  async applyBatch(events: RecordedEvent<EventData<typeof ItemCreated>>[], { db, tables }) {
    const rows = events.map((e) => ({ item_id: e.data.itemId, title: e.data.title, price_cents: e.data.priceCents, owner_id: e.data.ownerId, revision: e.revision }));
    for (let i = 0; i < rows.length; i += 100) await db(tables.items).insert(rows.slice(i, i + 100)).onConflict('item_id').ignore();
  },
});

export interface ItemView {
  itemId: string;
  title: string;
  priceCents: number;
  ownerId: string;
  ownerDisplayName: string | null;
  revision: number;
}

export function selectItems(ctx: ModuleContext) {
  const item = ctx.tables('items').items;
  const users = ctx.tables('users_replica').user_names;
  return ctx
    .db(item)
    .leftJoin(users, `${users}.user_id`, `${item}.owner_id`)
    .select(`${item}.item_id as itemId`, `${item}.title`, `${item}.price_cents as priceCents`, `${item}.owner_id as ownerId`, `${users}.display_name as ownerDisplayName`, `${item}.revision`);
}

export async function findItem(ctx: ModuleContext, itemId: string): Promise<ItemView | undefined> {
  const find = () => selectItems(ctx).where(`${ctx.tables('items').items}.item_id`, itemId).first() as Promise<ItemView | undefined>;
  return findCaughtUp(ctx, 'items', find);
}
