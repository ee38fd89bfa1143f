import { z } from 'zod';
import { defineCommand, handleCommand, type CommandMeta } from '../../kernel/index.js';
import { INVALID_REASONS, REJECTED_REASONS } from './order.js';
import { changeOrder } from './orderStream.js';

/**
 * orders' own, private commands: how the order process records an order's status on the order's
 * stream. Sent through the process's outbox (retried, once per command id); each is a no-op for
 * an order that already has the status it asks for.
 */
export const ConfirmOrder = defineCommand('orders.ConfirmOrder', z.object({ orderId: z.uuid(), customerId: z.uuid(), totalCents: z.number().int().min(0) }));
export const InvalidateOrder = defineCommand('orders.InvalidateOrder', z.object({ orderId: z.uuid(), reason: z.enum(INVALID_REASONS) }));
export const RejectOrder = defineCommand('orders.RejectOrder', z.object({ orderId: z.uuid(), reason: z.enum(REJECTED_REASONS), totalCents: z.number().int().min(0) }));
export const CompleteCancellation = defineCommand('orders.CompleteCancellation', z.object({ orderId: z.uuid() }));

const metadata = (meta: CommandMeta) => ({ correlationId: meta.correlationId, actor: meta.actor });

export const statusCommands = [
  handleCommand(ConfirmOrder, async (ctx, data, meta) => {
    await changeOrder(ctx.events, { kind: 'confirm', ...data }, metadata(meta));
  }),
  handleCommand(InvalidateOrder, async (ctx, data, meta) => {
    await changeOrder(ctx.events, { kind: 'invalidate', ...data }, metadata(meta));
  }),
  handleCommand(RejectOrder, async (ctx, data, meta) => {
    await changeOrder(ctx.events, { kind: 'reject', ...data }, metadata(meta));
  }),
  handleCommand(CompleteCancellation, async (ctx, data, meta) => {
    await changeOrder(ctx.events, { kind: 'completeCancellation', ...data }, metadata(meta));
  }),
];
