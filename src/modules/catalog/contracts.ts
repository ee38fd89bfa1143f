import { z } from 'zod';
import { defineEvent } from '../../kernel/index.js';

/** catalog's public face: items and their prices (orders keeps a replica of prices). */
export const ItemCreated = defineEvent(
  'catalog.ItemCreated',
  1,
  z.object({ itemId: z.uuid(), title: z.string(), priceCents: z.number().int(), ownerId: z.uuid() }),
);

export const publicEvents = [ItemCreated];
