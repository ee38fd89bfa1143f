import type { EventContract } from '../../kernel/index.js';

/**
 * orders publishes nothing yet: its events (order.ts) are private. It consumes customers' and
 * catalog's public events for its replicas and its order process, and sends customers'
 * credit commands and communications' SendMail.
 */
export const publicEvents: EventContract[] = [];
