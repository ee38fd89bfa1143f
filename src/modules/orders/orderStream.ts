import { decideAndAppend, type Decision, type EventMetadata, type ModuleEvents } from '../../kernel/index.js';
import { order, type Order, type OrderCommand } from './order.js';

/**
 * Decides a command on the order's stream. A concurrent write (a client's cancellation racing a
 * status the order process records) is a revision conflict: the decision is taken again.
 */
export async function changeOrder(events: ModuleEvents, command: OrderCommand, metadata: Omit<EventMetadata, 'module'> = {}): Promise<Decision<Order>> {
  return decideAndAppend(events, events.stream('order', command.orderId), order, command, { metadata, conflictRetries: 4 });
}
