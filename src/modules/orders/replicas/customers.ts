import { z } from 'zod';
import { copy, replica } from '../../../kernel/index.js';
import { CustomerDeleted, CustomerRegistered } from '../../customers/contracts.js';

/**
 * Which customers exist, whose they are (an order's customer must be its placer's) and their email
 * (for the confirmation mail): orders' own copy, fed by customers' public events. The order
 * process reads it (it `waitsFor` it, so it is never behind the event the process handles). A
 * deletion keeps the row, marked.
 */
export const customersReplica = replica({
  name: 'customers_replica',
  // 2: the owner of each customer.
  version: 2,
  table: 'known_customers',
  row: z.object({ customerId: z.string(), ownerId: z.string().nullable(), email: z.string(), deleted: z.boolean() }),
  key: 'customerId',
  from: [
    copy(CustomerRegistered, (e) => ({ customerId: e.data.customerId, ownerId: e.data.ownerId, email: e.data.email, deleted: false }), 'ignore'),
    copy(CustomerDeleted, (e) => ({ customerId: e.data.customerId, ownerId: null, email: '', deleted: true }), { merge: ['deleted'] }),
  ],
});
