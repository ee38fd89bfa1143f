import { z } from 'zod';
import { NotFoundError, accepted, isOperator, ok, route, type MemberCaller } from '../../kernel/index.js';
import { handleOrder } from './order.js';
import { findOrder, orderView } from './views/orderViews.js';

const params = z.object({ orderId: z.uuid() });

/** An order is its placer's and the operators' business: to anyone else it does not exist. */
const visibleTo = (caller: MemberCaller) => (order: { placedBy: string | null }) => isOperator(caller) || order.placedBy === caller.userId;

export const placeOrderRoute = route.post('', {
  summary: 'place an order for one of your customers: 202 pending; nothing is checked now, the order process decides (a customer not yours counts as unknown)',
  access: ['member'],
  body: z.object({
    customerId: z.uuid(),
    lines: z.array(z.object({ itemId: z.uuid(), quantity: z.number().int().min(1).max(10_000) })).min(1).max(100),
  }),
  responses: { 202: z.object({ orderId: z.uuid(), status: z.literal('pending') }) },
  async handle({ ctx, body, caller }) {
    const orderId = ctx.newId();
    const { result } = await handleOrder(ctx.events, { kind: 'place', orderId, customerId: body.customerId, placedBy: caller.userId, lines: body.lines });
    return accepted({ orderId, status: 'pending' }, { position: result!.position, revision: 0 });
  },
});

export const getOrderRoute = route.get('/:orderId', {
  summary: 'your order (any, for operators): pending, then invalid (reason), rejected (reason), confirmed (totalCents), or cancelled; 404 for anyone else’s',
  access: ['member'],
  params,
  responses: { 200: orderView },
  async handle({ ctx, params, caller }) {
    const found = await findOrder(ctx, params.orderId);
    if (!found || !visibleTo(caller)(found)) throw new NotFoundError(`no order ${params.orderId}`);
    return ok(found.view, { revision: found.revision });
  },
});

export const cancelOrderRoute = route.post('/:orderId/cancellation', {
  summary: 'cancel your confirmed order (If-Match: its revision): 202, its credit is released and it ends cancelled; 409 when it is not confirmed',
  access: ['member'],
  params,
  responses: { 202: z.object({ orderId: z.uuid() }) },
  async handle({ ctx, params, caller, ifMatch }) {
    // Decided on the order's own stream: the read model may not show a confirmation that just happened.
    const { result } = await handleOrder(ctx.events, { kind: 'requestCancellation', orderId: params.orderId }, { visible: visibleTo(caller), ifMatch });
    return accepted({ orderId: params.orderId }, result ? { position: result.position } : {});
  },
});

export const routes = [placeOrderRoute, getOrderRoute, cancelOrderRoute];
