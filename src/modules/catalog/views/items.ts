import { z } from 'zod';
import { batchedReads, chunks, defineProjection, defineRow, findCaughtUp, type ModuleContext } from '../../../kernel/index.js';
import { ItemCreated } from '../contracts.js';
import { usersReplica } from '../replicas/users.js';

export const itemRow = defineRow(
  z.object({ itemId: z.uuid(), title: z.string(), priceCents: z.number().int(), ownerId: z.uuid(), revision: z.number().int() }),
  { primary: ['itemId'], indexes: [['ownerId']] },
);

/** What clients read of an item: the owner's name comes from the users replica, so it follows profile changes. */
export const itemView = itemRow.schema.omit({ revision: true }).extend({ ownerDisplayName: z.string().nullable() });
export type ItemView = z.output<typeof itemView>;
type ItemRow = ItemView & { revision: number };

/** The items read model. Owner names are not copied here: reads join the users replica. */
export const items = defineProjection({
  name: 'items',
  version: 1,
  tables: { items: itemRow.table },
  events: [ItemCreated],
  // One multi-row insert per batch: under a write load one statement per event cannot keep up.
  async applyBatch(events, { db, tables }) {
    const rows = events.map((e) => itemRow.toDb({ ...e.data, revision: e.revision }));
    for (const chunk of chunks(rows, 100)) await db(tables.items).insert(chunk).onConflict('item_id').ignore();
  },
});

/** Items with their owner's current name, and each one's revision (the ETag). */
function selectItems(ctx: ModuleContext) {
  const item = ctx.tables(items).items;
  const users = usersReplica.table(ctx);
  return ctx
    .db(item)
    .leftJoin(users, `${users}.user_id`, `${item}.owner_id`)
    .select(`${item}.item_id as itemId`, `${item}.title`, `${item}.price_cents as priceCents`, `${item}.owner_id as ownerId`, `${users}.display_name as ownerDisplayName`, `${item}.revision`);
}

// PostgreSQL answers bigint columns as strings.
const toView = ({ itemId, title, priceCents, ownerId, ownerDisplayName, revision }: ItemRow) => ({
  view: { itemId, title, priceCents: Number(priceCents), ownerId, ownerDisplayName },
  revision: Number(revision),
});

// An item read is the API's most frequent request: the reads of one turn go as one query.
const itemsById = batchedReads(
  (ctx, ids: readonly string[]) => selectItems(ctx).whereIn(`${ctx.tables(items).items}.item_id`, ids) as Promise<ItemRow[]>,
  (row) => row.itemId,
);

export async function findItem(ctx: ModuleContext, itemId: string): Promise<{ view: ItemView; revision: number } | undefined> {
  const found = await findCaughtUp(ctx, items, () => itemsById(ctx, itemId));
  return found && toView(found);
}

export async function listItems(ctx: ModuleContext, filter: { ownerId?: string; limit: number }): Promise<ItemView[]> {
  const table = ctx.tables(items).items;
  const rows = (await selectItems(ctx)
    .modify((q) => (filter.ownerId ? q.where(`${table}.owner_id`, filter.ownerId) : q))
    .orderBy(`${table}.item_id`)
    .limit(filter.limit)) as ItemRow[];
  return rows.map((r) => toView(r).view);
}
