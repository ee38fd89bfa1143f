import { z } from 'zod';
import { ConflictError, NotFoundError, defineEvent, type Decider, type ModuleEvent, type RecordedEvent } from '../../kernel/index.js';

export const INVALID_REASONS = ['unknown-customer', 'unknown-item', 'customer-deleted'] as const;
export const REJECTED_REASONS = ['credit-limit-exceeded'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];
export type RejectedReason = (typeof REJECTED_REASONS)[number];

const line = z.object({ itemId: z.uuid(), quantity: z.number().int().min(1) });
export type OrderLine = z.output<typeof line>;

/** An order as placed: nothing about it was checked yet (the order process decides). */
export const OrderPlaced = defineEvent('orders.OrderPlaced', 1, z.object({ orderId: z.uuid(), customerId: z.uuid(), lines: z.array(line).min(1) }));
export const OrderConfirmed = defineEvent('orders.OrderConfirmed', 1, z.object({ orderId: z.uuid(), customerId: z.uuid(), totalCents: z.number().int().min(0) }));
export const OrderInvalidated = defineEvent('orders.OrderInvalidated', 1, z.object({ orderId: z.uuid(), reason: z.enum(INVALID_REASONS) }));
export const OrderRejected = defineEvent('orders.OrderRejected', 1, z.object({ orderId: z.uuid(), reason: z.enum(REJECTED_REASONS), totalCents: z.number().int().min(0) }));
export const OrderCancellationRequested = defineEvent('orders.OrderCancellationRequested', 1, z.object({ orderId: z.uuid() }));
export const OrderCancelled = defineEvent('orders.OrderCancelled', 1, z.object({ orderId: z.uuid() }));

export const orderEvents = [OrderPlaced, OrderConfirmed, OrderInvalidated, OrderRejected, OrderCancellationRequested, OrderCancelled];

/** `cancelling`: a cancellation was requested and the credit is being released; shown as `confirmed` until it is `cancelled`. */
export type OrderStatus = 'pending' | 'confirmed' | 'cancelling' | 'invalid' | 'rejected' | 'cancelled';

export interface Order {
  orderId: string | null;
  status: OrderStatus | null;
  /** Was it ever confirmed? A confirmation delivered again after the order moved on is a no-op. */
  confirmed: boolean;
}

export type OrderCommand =
  | { kind: 'place'; orderId: string; customerId: string; lines: OrderLine[] }
  | { kind: 'confirm'; orderId: string; customerId: string; totalCents: number }
  | { kind: 'invalidate'; orderId: string; reason: InvalidReason }
  | { kind: 'reject'; orderId: string; reason: RejectedReason; totalCents: number }
  | { kind: 'requestCancellation'; orderId: string }
  | { kind: 'completeCancellation'; orderId: string };

const STATUS_AFTER: Record<string, OrderStatus> = {
  [OrderPlaced.type]: 'pending',
  [OrderConfirmed.type]: 'confirmed',
  [OrderInvalidated.type]: 'invalid',
  [OrderRejected.type]: 'rejected',
  [OrderCancellationRequested.type]: 'cancelling',
  [OrderCancelled.type]: 'cancelled',
};

/**
 * An order's lifecycle on its own stream (`orders.order-<id>`): pending → confirmed | invalid |
 * rejected; confirmed → cancelling → cancelled; pending, confirmed or cancelling → invalid when
 * its customer is deleted. Each status is reached once: asking for the status it already has (or,
 * for a confirmation, had) is a no-op (a command delivered again); asking for one it cannot
 * reach is a conflict.
 */
export const order: Decider<Order, OrderCommand> = {
  initialState: () => ({ orderId: null, status: null, confirmed: false }),
  evolve(state, event: RecordedEvent<any>) {
    const status = STATUS_AFTER[event.type];
    return status ? { orderId: event.data.orderId, status, confirmed: state.confirmed || status === 'confirmed' } : state;
  },
  decide(command, state): ModuleEvent[] {
    if (command.kind === 'place') {
      if (state.orderId) throw new ConflictError(`order ${command.orderId} exists already`);
      return [{ type: OrderPlaced.type, data: { orderId: command.orderId, customerId: command.customerId, lines: command.lines } }];
    }
    if (!state.orderId || !state.status) throw new NotFoundError(`no order ${command.orderId}`);
    const { orderId } = command;
    const refuse = (what: string) => {
      throw new ConflictError(`order ${orderId} is ${state.status === 'cancelling' ? 'being cancelled' : state.status}: it cannot ${what}`);
    };
    switch (command.kind) {
      case 'confirm':
        if (state.confirmed) return [];
        if (state.status !== 'pending') refuse('be confirmed');
        return [{ type: OrderConfirmed.type, data: { orderId, customerId: command.customerId, totalCents: command.totalCents } }];
      case 'invalidate':
        if (state.status === 'invalid') return [];
        if (!['pending', 'confirmed', 'cancelling'].includes(state.status)) refuse('become invalid');
        return [{ type: OrderInvalidated.type, data: { orderId, reason: command.reason } }];
      case 'reject':
        if (state.status === 'rejected') return [];
        if (state.status !== 'pending') refuse('be rejected');
        return [{ type: OrderRejected.type, data: { orderId, reason: command.reason, totalCents: command.totalCents } }];
      case 'requestCancellation':
        if (state.status === 'cancelling') return [];
        if (state.status !== 'confirmed') refuse('be cancelled; only a confirmed order can');
        return [{ type: OrderCancellationRequested.type, data: { orderId } }];
      case 'completeCancellation':
        if (state.status === 'cancelled') return [];
        if (state.status !== 'cancelling') refuse('end cancelled');
        return [{ type: OrderCancelled.type, data: { orderId } }];
    }
  },
};
