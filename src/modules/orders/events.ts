import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';

/**
 * Every event of orders, all private: an order's life on its own stream (`orders.order-<id>`).
 * orders publishes nothing; it consumes customers' and catalog's public events (replicas/).
 */

/** An order's statuses, in the order they are reached; each event below sets one. */
export const ORDER_STATUSES = ['pending', 'confirmed', 'cancelling', 'invalid', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const INVALID_REASONS = ['unknown-customer', 'unknown-item', 'customer-deleted'] as const;
export const REJECTED_REASONS = ['credit-limit-exceeded'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];
export type RejectedReason = (typeof REJECTED_REASONS)[number];

export const orderLine = z.object({ itemId: z.uuid(), quantity: z.number().int().min(1) });
export type OrderLine = z.output<typeof orderLine>;

/**
 * An order as placed by a member (`placedBy`): nothing about it was checked yet (the order process
 * decides; a customer that is not the placer's counts as unknown). → pending. Version 2 added
 * `placedBy`; orders placed before (version 1) have null, and only operators see them.
 */
export const OrderPlaced = defineEvent(
  'orders.OrderPlaced',
  2,
  z.object({ orderId: z.uuid(), customerId: z.uuid(), placedBy: z.uuid().nullable(), lines: z.array(orderLine).min(1) }),
  { upcasters: { 1: (data: object) => ({ ...data, placedBy: null }) } },
);
/** Credit reserved in customers. → confirmed */
export const OrderConfirmed = defineEvent('orders.OrderConfirmed', 1, z.object({ orderId: z.uuid(), customerId: z.uuid(), totalCents: z.number().int().min(0) }));
/** → invalid */
export const OrderInvalidated = defineEvent('orders.OrderInvalidated', 1, z.object({ orderId: z.uuid(), reason: z.enum(INVALID_REASONS) }));
/** customers refused the credit. → rejected */
export const OrderRejected = defineEvent('orders.OrderRejected', 1, z.object({ orderId: z.uuid(), reason: z.enum(REJECTED_REASONS), totalCents: z.number().int().min(0) }));
/** A client asked to cancel a confirmed order; its credit is being released. → cancelling */
export const OrderCancellationRequested = defineEvent('orders.OrderCancellationRequested', 1, z.object({ orderId: z.uuid() }));
/** → cancelled */
export const OrderCancelled = defineEvent('orders.OrderCancelled', 1, z.object({ orderId: z.uuid() }));

export const orderEvents = [OrderPlaced, OrderConfirmed, OrderInvalidated, OrderRejected, OrderCancellationRequested, OrderCancelled];
export type OrderEvent = RecordedEventOf<(typeof orderEvents)[number]>;

/** The status each event of an order's stream sets. */
export const STATUS_AFTER: Record<OrderEvent['type'], OrderStatus> = {
  [OrderPlaced.type]: 'pending',
  [OrderConfirmed.type]: 'confirmed',
  [OrderInvalidated.type]: 'invalid',
  [OrderRejected.type]: 'rejected',
  [OrderCancellationRequested.type]: 'cancelling',
  [OrderCancelled.type]: 'cancelled',
};
