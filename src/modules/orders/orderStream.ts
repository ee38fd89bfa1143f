import { WrongExpectedRevisionError, decideAndAppend, type Decision, type EventMetadata, type ModuleEvents } from '../../kernel/index.js';
import { order, type Order, type OrderCommand } from './order.js';

const ATTEMPTS = 5;

/**
 * Decides a command on the order's stream. A concurrent write (a client's cancellation racing a
 * status the order process records) is a revision conflict: the decision is taken again.
 */
export async function changeOrder(events: ModuleEvents, command: OrderCommand, metadata: Omit<EventMetadata, 'module'> = {}): Promise<Decision<Order>> {
  const stream = events.stream('order', command.orderId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await decideAndAppend(events, stream, order, command, { metadata });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
