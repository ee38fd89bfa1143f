import { z } from 'zod';
import { ForbiddenError, NotFoundError, UnprocessableError, created, isOperator, newEvent, ok, route, wholeNumber } from '../../kernel/index.js';
import { GetProfile } from '../users/contracts.js';
import { ItemCreated } from './contracts.js';
import { knownUser } from './replicas/users.js';
import { findItem, itemView, listItems } from './views/items.js';

const itemParams = z.object({ itemId: z.uuid() });

export const createItemRoute = route.post('/items', {
  summary: 'create an item; ownerId (default: you; another user only for operators) must be known to catalog’s replica of users (422 otherwise)',
  access: ['member'],
  body: z.object({ title: z.string().trim().min(1).max(200), priceCents: z.number().int().min(0).max(1_000_000_000), ownerId: z.uuid().optional() }),
  responses: { 201: z.object({ itemId: z.uuid() }) },
  async handle({ ctx, body, caller }) {
    const ownerId = body.ownerId ?? caller.userId;
    if (ownerId !== caller.userId && !isOperator(caller)) throw new ForbiddenError('only operators create items owned by another user');
    if (!(await knownUser(ctx, ownerId))) throw new UnprocessableError(`owner ${ownerId} is not a known user`);
    const itemId = ctx.newId();
    // An item is created once and never changed: its new stream needs no decision, only `no_stream`.
    const { position } = await ctx.events.append(ctx.events.stream('item', itemId), [newEvent(ItemCreated, { itemId, title: body.title, priceCents: body.priceCents, ownerId })], {
      expectedRevision: 'no_stream',
    });
    return created({ itemId }, { position, revision: 0 });
  },
});

export const getItemRoute = route.get('/items/:itemId', {
  summary: 'one item, with its owner’s current display name',
  access: 'anyone',
  params: itemParams,
  responses: { 200: itemView },
  async handle({ ctx, params }) {
    const found = await findItem(ctx, params.itemId);
    if (!found) throw new NotFoundError(`no item ${params.itemId}`);
    return ok(found.view, { revision: found.revision });
  },
});

export const listItemsRoute = route.get('/items', {
  summary: 'items, optionally of one owner',
  access: 'anyone',
  query: z.object({ ownerId: z.uuid().optional(), limit: wholeNumber(1, 500).default(100) }),
  responses: { 200: z.object({ items: z.array(itemView) }) },
  async handle({ ctx, query }) {
    return ok({ items: await listItems(ctx, query) });
  },
});

export const ownerCheckRoute = route.post('/items/:itemId/owner-check', {
  summary: 'does the item’s owner exist? mode=strict asks users now (503 when users is unavailable); mode=replica reads catalog’s replica',
  access: 'anyone',
  params: itemParams,
  query: z.object({ mode: z.enum(['strict', 'replica']).default('replica') }),
  responses: { 200: z.object({ itemId: z.uuid(), ownerId: z.uuid(), ownerExists: z.boolean(), source: z.enum(['users', 'replica']) }) },
  async handle({ ctx, params, query }) {
    const found = await findItem(ctx, params.itemId);
    if (!found) throw new NotFoundError(`no item ${params.itemId}`);
    const { itemId, ownerId } = found.view;
    const ownerExists = query.mode === 'strict' ? (await ctx.query(GetProfile, { userId: ownerId })) !== null : await knownUser(ctx, ownerId);
    return ok({ itemId, ownerId, ownerExists, source: query.mode === 'strict' ? 'users' : 'replica' });
  },
});

export const routes = [createItemRoute, getItemRoute, listItemsRoute, ownerCheckRoute];
