import { decideAndAppend, type Decision, type EventMetadata, type ModuleEvents } from '../../kernel/index.js';
import { customer, type Customer, type CustomerCommand } from './customer.js';

/**
 * Decides a command on the customer's stream. A concurrent write to the same stream (an HTTP
 * delete racing a reservation) is a revision conflict: the decision is taken again on the new state.
 */
export async function changeCustomer(events: ModuleEvents, command: CustomerCommand, metadata: Omit<EventMetadata, 'module'> = {}): Promise<Decision<Customer>> {
  return decideAndAppend(events, events.stream('customer', command.customerId), customer, command, { metadata, conflictRetries: 4 });
}
