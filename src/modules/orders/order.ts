import { ConflictError, NotFoundError, decideAndAppend, newEvent, type Decider, type DecideOptions, type ModuleEvents } from '../../kernel/index.js';
import {
  OrderCancellationRequested,
  OrderCancelled,
  OrderConfirmed,
  OrderInvalidated,
  OrderPlaced,
  OrderRejected,
  STATUS_AFTER,
  type InvalidReason,
  type OrderEvent,
  type OrderLine,
  type OrderStatus,
  type RejectedReason,
} from './events.js';

export interface Order {
  orderId: string | null;
  /** The member who placed it: only they and operators see it (null: placed before orders had owners). */
  placedBy: string | null;
  status: OrderStatus | null;
  /** Was it ever confirmed? A confirmation delivered again after the order moved on is a no-op. */
  confirmed: boolean;
}

export type OrderCommand =
  | { kind: 'place'; orderId: string; customerId: string; placedBy: string; lines: OrderLine[] }
  | { kind: 'confirm'; orderId: string; customerId: string; totalCents: number }
  | { kind: 'invalidate'; orderId: string; reason: InvalidReason }
  | { kind: 'reject'; orderId: string; reason: RejectedReason; totalCents: number }
  | { kind: 'requestCancellation'; orderId: string }
  | { kind: 'completeCancellation'; orderId: string };

/**
 * An order's lifecycle: pending → confirmed | invalid | rejected; confirmed → cancelling →
 * cancelled; pending, confirmed or cancelling → invalid when its customer is deleted. Each
 * status is reached once: asking for the status it already has (or, for a confirmation, had) is
 * a no-op (a command delivered again); asking for one it cannot reach is a conflict.
 */
export const order: Decider<Order, OrderCommand, OrderEvent> = {
  initialState: () => ({ orderId: null, placedBy: null, status: null, confirmed: false }),
  evolve(state, event) {
    const status = STATUS_AFTER[event.type];
    const placedBy = event.type === OrderPlaced.type ? event.data.placedBy : state.placedBy;
    return { orderId: event.data.orderId, placedBy, status, confirmed: state.confirmed || status === 'confirmed' };
  },
  decide(command, state) {
    if (command.kind === 'place') {
      if (state.orderId) throw new ConflictError(`order ${command.orderId} exists already`);
      return [newEvent(OrderPlaced, { orderId: command.orderId, customerId: command.customerId, placedBy: command.placedBy, lines: command.lines })];
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
        return [newEvent(OrderConfirmed, { orderId, customerId: command.customerId, totalCents: command.totalCents })];
      case 'invalidate':
        if (state.status === 'invalid') return [];
        if (!['pending', 'confirmed', 'cancelling'].includes(state.status)) refuse('become invalid');
        return [newEvent(OrderInvalidated, { orderId, reason: command.reason })];
      case 'reject':
        if (state.status === 'rejected') return [];
        if (state.status !== 'pending') refuse('be rejected');
        return [newEvent(OrderRejected, { orderId, reason: command.reason, totalCents: command.totalCents })];
      case 'requestCancellation':
        if (state.status === 'cancelling') return [];
        if (state.status !== 'confirmed') refuse('be cancelled; only a confirmed order can');
        return [newEvent(OrderCancellationRequested, { orderId })];
      case 'completeCancellation':
        if (state.status === 'cancelled') return [];
        if (state.status !== 'cancelling') refuse('end cancelled');
        return [newEvent(OrderCancelled, { orderId })];
    }
  },
};

/**
 * Decides a command on the order's stream. A concurrent write (a client's cancellation racing a
 * status the order process records) is a revision conflict: the decision is taken again.
 */
export const handleOrder = (events: ModuleEvents, command: OrderCommand, options: DecideOptions<Order> = {}) =>
  decideAndAppend(events, events.stream('order', command.orderId), order, command, { conflictRetries: 4, ...options });
