import { defineProjection, findCaughtUp, on, type ModuleContext } from '../../kernel/index.js';
import { OrderCancellationRequested, OrderCancelled, OrderConfirmed, OrderInvalidated, OrderPlaced, OrderRejected } from './order.js';

/** What clients read of an order (GET /orders/:orderId). */
export const orderViews = defineProjection({
  name: 'order_views',
  version: 1,
  tables: {
    order_views: (t) => {
      t.string('order_id').primary();
      t.string('customer_id').notNullable().index();
      t.string('status', 20).notNullable();
      t.bigInteger('total_cents');
      t.string('reason', 50);
      t.boolean('cancellation_requested').notNullable();
      t.integer('revision').notNullable();
    },
  },
  handlers: [
    on(OrderPlaced, async (e, { db, tables }) => {
      await db(tables.order_views)
        .insert({ order_id: e.data.orderId, customer_id: e.data.customerId, status: 'pending', cancellation_requested: false, revision: e.revision })
        .onConflict('order_id')
        .ignore();
    }),
    on(OrderConfirmed, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update({ status: 'confirmed', total_cents: e.data.totalCents, revision: e.revision });
    }),
    on(OrderInvalidated, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update({ status: 'invalid', reason: e.data.reason, revision: e.revision });
    }),
    on(OrderRejected, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update({ status: 'rejected', reason: e.data.reason, total_cents: e.data.totalCents, revision: e.revision });
    }),
    // The order stays `confirmed` for clients until its credit is released and it is `cancelled`.
    on(OrderCancellationRequested, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update({ cancellation_requested: true, revision: e.revision });
    }),
    on(OrderCancelled, async (e, { db, tables }) => {
      await db(tables.order_views).where({ order_id: e.data.orderId }).update({ status: 'cancelled', revision: e.revision });
    }),
  ],
});

export interface OrderView {
  orderId: string;
  customerId: string;
  status: string;
  totalCents?: number;
  reason?: string;
  cancellationRequested?: true;
}

/** An order as clients see it; lets the read model catch up once before saying it does not exist. */
export async function findOrder(ctx: ModuleContext, orderId: string): Promise<{ view: OrderView; revision: number } | undefined> {
  const find = () => ctx.db(ctx.tables('order_views').order_views).where({ order_id: orderId }).first();
  const row = await findCaughtUp(ctx, 'order_views', find);
  if (!row) return undefined;
  const view: OrderView = { orderId: row.order_id, customerId: row.customer_id, status: row.status };
  if (row.total_cents !== null && row.total_cents !== undefined) view.totalCents = Number(row.total_cents);
  if (row.reason) view.reason = row.reason;
  if (row.cancellation_requested && row.status === 'confirmed') view.cancellationRequested = true;
  return { view, revision: Number(row.revision) };
}
