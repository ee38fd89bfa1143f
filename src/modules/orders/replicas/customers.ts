import { z } from 'zod';
import { copy, replica } from '../../../kernel/index.js';
import { CustomerDeleted, CustomerRegistered } from '../../customers/contracts.js';

/**
 * Which customers exist, with their email (for the confirmation mail): orders' own copy, fed by
 * customers' public events. The order process reads it (it `waitsFor` it, so it is never behind
 * the event the process handles). A deletion keeps the row, marked.
 */
export const customersReplica = replica({
  name: 'customers_replica',
  table: 'known_customers',
  row: z.object({ customerId: z.string(), email: z.string(), deleted: z.boolean() }),
  key: 'customerId',
  from: [
    copy(CustomerRegistered, (e) => ({ customerId: e.data.customerId, email: e.data.email, deleted: false }), 'ignore'),
    copy(CustomerDeleted, (e) => ({ customerId: e.data.customerId, email: '', deleted: true }), { merge: ['deleted'] }),
  ],
});
