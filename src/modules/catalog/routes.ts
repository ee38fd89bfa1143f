import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, UnprocessableError, created, ok, route, wholeNumber } from '../../kernel/index.js';
import { GetProfile } from '../users/contracts.js';
import { ItemCreated } from './contracts.js';
import { findItem, selectItems, type ItemView } from './items.js';
import { knownUser } from './usersReplica.js';

const item = z.object({ itemId: z.uuid(), title: z.string(), priceCents: z.number().int(), ownerId: z.uuid(), ownerDisplayName: z.string().nullable() });
const view = ({ revision: _revision, ...rest }: ItemView) => rest;
const itemParams = z.object({ itemId: z.uuid() });

export const createItemRoute = route.post('/items', {
  summary: 'create an item; ownerId (default: you) must be known to catalog’s replica of users (422 otherwise)',
  auth: true,
  body: z.object({ title: z.string().trim().min(1).max(200), priceCents: z.number().int().min(0).max(1_000_000_000), ownerId: z.uuid().optional() }),
  responses: { 201: z.object({ itemId: z.uuid() }) },
  async handle({ ctx, body, caller, meta }) {
    const ownerId = body.ownerId ?? caller!.userId;
    if (!(await knownUser(ctx, ownerId))) throw new UnprocessableError(`owner ${ownerId} is not a known user`);
    const itemId = randomUUID();
    const { position } = await ctx.events.append(
      ctx.events.stream('item', itemId),
      [{ type: ItemCreated.type, data: { itemId, title: body.title, priceCents: body.priceCents, ownerId } }],
      { expectedRevision: 'no_stream', metadata: { correlationId: meta.correlationId, actor: caller!.userId } },
    );
    return created({ itemId }, { position, revision: 0 });
  },
});

export const getItemRoute = route.get('/items/:itemId', {
  summary: 'one item, with its owner’s current display name',
  params: itemParams,
  responses: { 200: item },
  async handle({ ctx, params }) {
    const found = await findItem(ctx, params.itemId);
    if (!found) throw new NotFoundError(`no item ${params.itemId}`);
    return ok(view(found), { revision: found.revision });
  },
});

export const listItemsRoute = route.get('/items', {
  summary: 'items, optionally of one owner',
  query: z.object({ ownerId: z.uuid().optional(), limit: wholeNumber(1, 500).default(100) }),
  responses: { 200: z.object({ items: z.array(item) }) },
  async handle({ ctx, query }) {
    const table = ctx.tables('items').items;
    const rows = (await selectItems(ctx)
      .modify((q) => (query.ownerId ? q.where(`${table}.owner_id`, query.ownerId) : q))
      .orderBy(`${table}.item_id`)
      .limit(query.limit)) as ItemView[];
    return ok({ items: rows.map(view) });
  },
});

export const ownerCheckRoute = route.post('/items/:itemId/owner-check', {
  summary: 'does the item’s owner exist? mode=strict asks users now (503 when users is unavailable); mode=replica reads catalog’s replica',
  params: itemParams,
  query: z.object({ mode: z.enum(['strict', 'replica']).default('replica') }),
  responses: { 200: z.object({ itemId: z.uuid(), ownerId: z.uuid(), ownerExists: z.boolean(), source: z.enum(['users', 'replica']) }) },
  async handle({ ctx, params, query }) {
    const found = await findItem(ctx, params.itemId);
    if (!found) throw new NotFoundError(`no item ${params.itemId}`);
    const ownerExists = query.mode === 'strict' ? (await ctx.query(GetProfile, { userId: found.ownerId })) !== null : await knownUser(ctx, found.ownerId);
    return ok({ itemId: found.itemId, ownerId: found.ownerId, ownerExists, source: query.mode === 'strict' ? 'users' : 'replica' });
  },
});
