import { z } from 'zod';
import { defineCommand, handleCommand } from '../../kernel/index.js';
import { INVALID_REASONS, REJECTED_REASONS } from './events.js';
import { handleOrder } from './order.js';

/**
 * orders' own, private commands: how the order process records an order's status on the order's
 * stream. Sent through the process's outbox (retried, acted on once per command id); each is a
 * no-op for an order that already has the status it asks for.
 */
export const ConfirmOrder = defineCommand('orders.ConfirmOrder', z.object({ orderId: z.uuid(), customerId: z.uuid(), totalCents: z.number().int().min(0) }));
export const InvalidateOrder = defineCommand('orders.InvalidateOrder', z.object({ orderId: z.uuid(), reason: z.enum(INVALID_REASONS) }));
export const RejectOrder = defineCommand('orders.RejectOrder', z.object({ orderId: z.uuid(), reason: z.enum(REJECTED_REASONS), totalCents: z.number().int().min(0) }));
export const CompleteCancellation = defineCommand('orders.CompleteCancellation', z.object({ orderId: z.uuid() }));

export const commands = [
  handleCommand(ConfirmOrder, async (ctx, data) => void (await handleOrder(ctx.events, { kind: 'confirm', ...data }))),
  handleCommand(InvalidateOrder, async (ctx, data) => void (await handleOrder(ctx.events, { kind: 'invalidate', ...data }))),
  handleCommand(RejectOrder, async (ctx, data) => void (await handleOrder(ctx.events, { kind: 'reject', ...data }))),
  handleCommand(CompleteCancellation, async (ctx, data) => void (await handleOrder(ctx.events, { kind: 'completeCancellation', ...data }))),
];
