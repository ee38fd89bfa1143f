import { z } from 'zod';
import { copy, replica, type TableReader } from '../../../kernel/index.js';
import { ItemCreated } from '../../catalog/contracts.js';

/** What items cost: orders' own copy of catalog's prices, fed by ItemCreated. */
export const itemPrices = replica({
  name: 'item_prices',
  table: 'item_prices',
  row: z.object({ itemId: z.string(), title: z.string(), priceCents: z.number().int() }),
  key: 'itemId',
  from: [copy(ItemCreated, (e) => ({ itemId: e.data.itemId, title: e.data.title, priceCents: e.data.priceCents }), 'ignore')],
});

/** Σ price × quantity over the lines, or undefined when an item is not in the replica. */
export async function orderTotal(reader: TableReader, lines: readonly { itemId: string; quantity: number }[]): Promise<number | undefined> {
  const prices = new Map((await itemPrices.findMany(reader, [...new Set(lines.map((l) => l.itemId))])).map((r) => [r.itemId, r.priceCents]));
  let total = 0;
  for (const line of lines) {
    const price = prices.get(line.itemId);
    if (price === undefined) return undefined;
    total += price * line.quantity;
  }
  return total;
}
