import { z } from 'zod';
import { batchedReads, defineProjection, defineRow, findCaughtUp, on, type ModuleContext } from '../../../kernel/index.js';
import { ORDER_STATUSES, OrderCancellationRequested, OrderCancelled, OrderConfirmed, OrderInvalidated, OrderPlaced, OrderRejected } from '../events.js';

/** An order's row: its status as the log has it, written by its events. */
export const orderRow = defineRow(
  z.object({
    orderId: z.uuid(),
    customerId: z.uuid(),
    /** The member who placed it (null: before orders had owners; operators only). */
    placedBy: z.uuid().nullable(),
    status: z.enum(ORDER_STATUSES),
    totalCents: z.number().int().optional(),
    reason: z.string().optional(),
    /** The stream revision of its last event: the ETag. */
    revision: z.number().int(),
  }),
  { primary: ['orderId'], indexes: [['customerId']] },
);

/**
 * What clients read of an order (GET /orders/:orderId): a cancelling order is still `confirmed`
 * for them, with `cancellationRequested`, until its credit is released and it is `cancelled`.
 */
export const orderView = orderRow.schema.omit({ revision: true, placedBy: true }).extend({
  status: z.enum(ORDER_STATUSES).exclude(['cancelling']),
  cancellationRequested: z.literal(true).optional(),
});
export type OrderView = z.output<typeof orderView>;

export const orderViews = defineProjection({
  name: 'order_views',
  // 2: the status column says `cancelling` (no cancellation_requested column); 3: who placed it.
  version: 3,
  tables: { order_views: orderRow.table },
  handlers: [
    on(OrderPlaced, async (e, { db, tables }) => {
      const row = orderRow.toDb({ orderId: e.data.orderId, customerId: e.data.customerId, placedBy: e.data.placedBy, status: 'pending', revision: e.revision });
      await db(tables.order_views).insert(row).onConflict('order_id').ignore();
    }),
    on(OrderConfirmed, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update(orderRow.toDb({ status: 'confirmed', totalCents: e.data.totalCents, revision: e.revision }));
    }),
    on(OrderInvalidated, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update(orderRow.toDb({ status: 'invalid', reason: e.data.reason, revision: e.revision }));
    }),
    on(OrderRejected, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update(orderRow.toDb({ status: 'rejected', reason: e.data.reason, totalCents: e.data.totalCents, revision: e.revision }));
    }),
    on(OrderCancellationRequested, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update(orderRow.toDb({ status: 'cancelling', revision: e.revision }));
    }),
    on(OrderCancelled, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update(orderRow.toDb({ status: 'cancelled', revision: e.revision }));
    }),
  ],
});

const ordersById = batchedReads(
  (ctx, ids: readonly string[]) => ctx.db(ctx.tables(orderViews).order_views).whereIn('order_id', ids) as Promise<{ order_id: string }[]>,
  (row) => row.order_id,
);

/** An order as clients see it, with its revision and placer; lets the read model catch up once before saying it does not exist. */
export async function findOrder(ctx: ModuleContext, orderId: string): Promise<{ view: OrderView; revision: number; placedBy: string | null } | undefined> {
  const found = await findCaughtUp(ctx, orderViews, () => ordersById(ctx, orderId));
  if (!found) return undefined;
  const { revision, status, placedBy, ...rest } = orderRow.fromDb(found);
  const view: OrderView = status === 'cancelling' ? { ...rest, status: 'confirmed', cancellationRequested: true } : { ...rest, status };
  return { view, revision, placedBy };
}
