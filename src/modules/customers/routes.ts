import { z } from 'zod';
import { ForbiddenError, NotFoundError, created, isOperator, noContent, ok, route, type MemberCaller } from '../../kernel/index.js';
import { handleCustomer, type Customer } from './customer.js';
import { customerView, findCustomer } from './views/customerAccounts.js';

export const DEFAULT_CREDIT_LIMIT_CENTS = 100_000;

const params = z.object({ customerId: z.uuid() });

/** A customer account is its owner's and the operators' business: to anyone else it does not exist. */
const visibleTo = (caller: MemberCaller) => (account: Pick<Customer, 'ownerId'>) => isOperator(caller) || account.ownerId === caller.userId;
/** Deleting: a deleted customer does not exist for anyone (404 before any If-Match). */
const deletableBy = (caller: MemberCaller) => (state: Customer) => !state.deleted && visibleTo(caller)(state);

export const registerCustomerRoute = route.post('', {
  summary: 'open a customer account, yours (a credit limit other than the default 100000 cents only for operators): 201 with the new customerId',
  access: ['member'],
  body: z.object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(254),
    creditLimitCents: z.number().int().min(0).max(1_000_000_000_000).optional(),
  }),
  responses: { 201: z.object({ customerId: z.uuid() }) },
  async handle({ ctx, body, caller }) {
    const creditLimitCents = body.creditLimitCents ?? DEFAULT_CREDIT_LIMIT_CENTS;
    if (creditLimitCents !== DEFAULT_CREDIT_LIMIT_CENTS && !isOperator(caller)) throw new ForbiddenError(`only operators set a credit limit other than ${DEFAULT_CREDIT_LIMIT_CENTS}`);
    const customerId = ctx.newId();
    const { result } = await handleCustomer(ctx.events, { kind: 'register', customerId, ownerId: caller.userId, name: body.name, email: body.email, creditLimitCents });
    return created({ customerId }, { position: result!.position, revision: 0 });
  },
});

export const getCustomerRoute = route.get('/:customerId', {
  summary: 'your customer (any, for operators) with its credit limit and what is reserved of it (ETag: its revision); 404 for anyone else’s',
  access: ['member'],
  params,
  responses: { 200: customerView },
  async handle({ ctx, params, caller }) {
    const found = await findCustomer(ctx, params.customerId);
    if (!found || !visibleTo(caller)(found.view)) throw new NotFoundError(`no customer ${params.customerId}`);
    return ok(found.view, { revision: found.revision });
  },
});

export const deleteCustomerRoute = route.delete('/:customerId', {
  summary: 'delete your customer (If-Match: its revision): its reservations are released, and orders invalidates its pending and confirmed orders; 404 when unknown, someone else’s or deleted',
  access: ['member'],
  params,
  responses: { 204: null },
  async handle({ ctx, params, caller, ifMatch }) {
    // Decided on the customer's own stream, not the read model: a customer registered a moment ago can be deleted.
    const { result } = await handleCustomer(ctx.events, { kind: 'delete', customerId: params.customerId }, { visible: deletableBy(caller), ifMatch });
    return noContent(result ? { position: result.position } : {});
  },
});

export const routes = [registerCustomerRoute, getCustomerRoute, deleteCustomerRoute];
