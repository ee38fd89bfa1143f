import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, created, noContent, ok, route } from '../../kernel/index.js';
import { handleCustomer } from './customer.js';
import { customerView, findCustomer } from './views/customerAccounts.js';

export const DEFAULT_CREDIT_LIMIT_CENTS = 100_000;

const params = z.object({ customerId: z.uuid() });

export const registerCustomerRoute = route.post('', {
  summary: 'register a customer with a credit limit (default 100000 cents): 201 with the new customerId',
  body: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(254),
    creditLimitCents: z.number().int().min(0).max(1_000_000_000_000).default(DEFAULT_CREDIT_LIMIT_CENTS),
  }),
  responses: { 201: z.object({ customerId: z.uuid() }) },
  async handle({ ctx, body, meta }) {
    const customerId = randomUUID();
    // An anonymous registration acts as the customer itself.
    const { result } = await handleCustomer(ctx.events, { kind: 'register', customerId, ...body }, { metadata: { actor: meta.actor ?? customerId } });
    return created({ customerId }, { position: result!.position, revision: 0 });
  },
});

export const getCustomerRoute = route.get('/:customerId', {
  summary: 'a customer with its credit limit and what is reserved of it (ETag: its revision)',
  params,
  responses: { 200: customerView },
  async handle({ ctx, params }) {
    const found = await findCustomer(ctx, params.customerId);
    if (!found) throw new NotFoundError(`no customer ${params.customerId}`);
    return ok(found.view, { revision: found.revision });
  },
});

export const deleteCustomerRoute = route.delete('/:customerId', {
  summary: 'delete a customer: its reservations are released, and orders invalidates its pending and confirmed orders',
  params,
  responses: { 204: null },
  async handle({ ctx, params }) {
    // Decided on the customer's own stream, not the read model: a customer registered a moment ago can be deleted.
    const { result } = await handleCustomer(ctx.events, { kind: 'delete', customerId: params.customerId });
    return noContent(result ? { position: result.position } : {});
  },
});

export const routes = [registerCustomerRoute, getCustomerRoute, deleteCustomerRoute];
