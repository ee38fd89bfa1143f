import { z } from 'zod';
import { defineCommand, defineEvent } from '../../kernel/index.js';

/**
 * customers' public face: customers and the credit they may spend. Other modules reserve and
 * release credit with commands, each answered by one of the events below; a reservation is
 * keyed by the order it is for, so sending a command again changes nothing.
 */
/**
 * A customer account, opened by a member: `ownerId` is who may see and change it (and its orders).
 * Version 2 added `ownerId`; customers opened before (version 1) belong to no member (null), so
 * only operators see them.
 */
export const CustomerRegistered = defineEvent(
  'customers.CustomerRegistered',
  2,
  z.object({ customerId: z.uuid(), ownerId: z.uuid().nullable(), name: z.string(), email: z.string(), creditLimitCents: z.number().int().min(0) }),
  { upcasters: { 1: (data: object) => ({ ...data, ownerId: null }) } },
);

/** The customer is gone; every open reservation was released just before (CreditReleased). */
export const CustomerDeleted = defineEvent('customers.CustomerDeleted', 1, z.object({ customerId: z.uuid() }));

export const CreditReserved = defineEvent(
  'customers.CreditReserved',
  1,
  z.object({ customerId: z.uuid(), orderId: z.uuid(), amountCents: z.number().int().min(0) }),
);

/** A reservation refused: the amount is more than the customer's limit minus what is reserved already. */
export const CreditLimitExceeded = defineEvent(
  'customers.CreditLimitExceeded',
  1,
  z.object({ customerId: z.uuid(), orderId: z.uuid(), amountCents: z.number().int().min(0), availableCents: z.number().int() }),
);

export const CreditReleased = defineEvent(
  'customers.CreditReleased',
  1,
  z.object({ customerId: z.uuid(), orderId: z.uuid(), amountCents: z.number().int().min(0) }),
);

/**
 * Reserve `amountCents` for an order: answered by CreditReserved or CreditLimitExceeded, once per
 * orderId (a second reserve for the same order emits nothing). Refused (404/409, not retried)
 * for an unknown or deleted customer.
 */
export const ReserveCredit = defineCommand(
  'customers.ReserveCredit',
  z.object({ customerId: z.uuid(), orderId: z.uuid(), amountCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
);

/**
 * Release an order's reservation: answered by CreditReleased. Releasing an unknown or already
 * released reservation, or one of a deleted customer, succeeds and emits nothing.
 */
export const ReleaseCredit = defineCommand('customers.ReleaseCredit', z.object({ customerId: z.uuid(), orderId: z.uuid() }));

export const publicEvents = [CustomerRegistered, CustomerDeleted, CreditReserved, CreditLimitExceeded, CreditReleased];
