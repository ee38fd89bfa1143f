import type { RecordedEventOf } from '../../kernel/index.js';
import { ItemCreated } from './contracts.js';

/** Every event of catalog: ItemCreated (public, in contracts.ts), on one stream per item (`catalog.item-<itemId>`). */
export const itemEvents = [ItemCreated];
export type ItemEvent = RecordedEventOf<(typeof itemEvents)[number]>;
