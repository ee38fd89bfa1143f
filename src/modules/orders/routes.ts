import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, accepted, ok, route } from '../../kernel/index.js';
import { handleOrder } from './order.js';
import { findOrder, orderView } from './views/orderViews.js';

const params = z.object({ orderId: z.uuid() });

export const placeOrderRoute = route.post('', {
  summary: 'place an order: 202 pending; nothing is checked now, the order process decides (GET it to see the outcome)',
  body: z.object({
    customerId: z.uuid(),
    lines: z.array(z.object({ itemId: z.uuid(), quantity: z.number().int().min(1).max(10_000) })).min(1).max(100),
  }),
  responses: { 202: z.object({ orderId: z.uuid(), status: z.literal('pending') }) },
  async handle({ ctx, body }) {
    const orderId = randomUUID();
    const { result } = await handleOrder(ctx.events, { kind: 'place', orderId, customerId: body.customerId, lines: body.lines });
    return accepted({ orderId, status: 'pending' }, { position: result!.position, revision: 0 });
  },
});

export const getOrderRoute = route.get('/:orderId', {
  summary: 'an order: pending, then invalid (reason), rejected (reason), confirmed (totalCents), or cancelled',
  params,
  responses: { 200: orderView },
  async handle({ ctx, params }) {
    const found = await findOrder(ctx, params.orderId);
    if (!found) throw new NotFoundError(`no order ${params.orderId}`);
    return ok(found.view, { revision: found.revision });
  },
});

export const cancelOrderRoute = route.post('/:orderId/cancellation', {
  summary: 'cancel a confirmed order: 202, its credit is released and it ends cancelled; 409 when it is not confirmed',
  params,
  responses: { 202: z.object({ orderId: z.uuid() }) },
  async handle({ ctx, params }) {
    // Decided on the order's own stream: the read model may not show a confirmation that just happened.
    const { result } = await handleOrder(ctx.events, { kind: 'requestCancellation', orderId: params.orderId });
    return accepted({ orderId: params.orderId }, result ? { position: result.position } : {});
  },
});

export const routes = [placeOrderRoute, getOrderRoute, cancelOrderRoute];
