import type { EventContract } from '../../kernel/index.js';

/**
 * chat publishes nothing and answers no other module: its events are private (events.ts).
 * It consumes identity's and users' public events for its replicas.
 */
export const publicEvents: EventContract[] = [];
