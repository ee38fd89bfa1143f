import { ConflictError, NotFoundError, decideAndAppend, newEvent, type DecideOptions, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerDeleted, CustomerRegistered } from './contracts.js';
import type { CustomerEvent } from './events.js';

/**
 * One customer's stream (`customers.customer-<id>`): its credit limit and the open reservations,
 * one per order. Every decision about a reservation is taken once per order id.
 */
export interface Customer {
  customerId: string | null;
  /** The member who opened it (null: opened before accounts had owners). */
  ownerId: string | null;
  deleted: boolean;
  creditLimitCents: number;
  /** Open reservations: order id → amount. */
  reservations: Record<string, number>;
  /** Orders whose reservation was decided (reserved or refused), released or not. */
  decided: Record<string, true>;
}

export type CustomerCommand =
  | { kind: 'register'; customerId: string; ownerId: string; name: string; email: string; creditLimitCents: number }
  | { kind: 'reserve'; customerId: string; orderId: string; amountCents: number }
  | { kind: 'release'; customerId: string; orderId: string }
  | { kind: 'delete'; customerId: string };

export const reservedCents = (state: Customer) => Object.values(state.reservations).reduce((sum, amount) => sum + amount, 0);

export const customer: Decider<Customer, CustomerCommand, CustomerEvent> = {
  initialState: () => ({ customerId: null, ownerId: null, deleted: false, creditLimitCents: 0, reservations: {}, decided: {} }),
  evolve(state, event) {
    switch (event.type) {
      case CustomerRegistered.type:
        return { ...state, customerId: event.data.customerId, ownerId: event.data.ownerId, creditLimitCents: event.data.creditLimitCents };
      case CustomerDeleted.type:
        return { ...state, deleted: true };
      case CreditReserved.type:
        return { ...state, reservations: { ...state.reservations, [event.data.orderId]: event.data.amountCents }, decided: { ...state.decided, [event.data.orderId]: true } };
      case CreditLimitExceeded.type:
        return { ...state, decided: { ...state.decided, [event.data.orderId]: true } };
      case CreditReleased.type: {
        const { [event.data.orderId]: _released, ...open } = state.reservations;
        return { ...state, reservations: open };
      }
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'register':
        if (state.customerId) throw new ConflictError(`customer ${command.customerId} exists already`);
        const { customerId, ownerId, name, email, creditLimitCents } = command;
        return [newEvent(CustomerRegistered, { customerId, ownerId, name, email, creditLimitCents })];
      case 'reserve': {
        if (!state.customerId) throw new NotFoundError(`no customer ${command.customerId}`);
        // Decided before (the command delivered again): nothing new, even if the customer is gone since.
        if (state.decided[command.orderId]) return [];
        if (state.deleted) throw new ConflictError(`customer ${command.customerId} was deleted`);
        const available = state.creditLimitCents - reservedCents(state);
        const { customerId, orderId, amountCents } = command;
        return amountCents > available
          ? [newEvent(CreditLimitExceeded, { customerId, orderId, amountCents, availableCents: available })]
          : [newEvent(CreditReserved, { customerId, orderId, amountCents })];
      }
      case 'release': {
        const amountCents = state.reservations[command.orderId];
        if (!state.customerId || state.deleted || amountCents === undefined) return [];
        return [newEvent(CreditReleased, { customerId: command.customerId, orderId: command.orderId, amountCents })];
      }
      case 'delete':
        // A deleted customer is gone: deleting it again finds nothing (404), as for an unknown id.
        if (!state.customerId || state.deleted) throw new NotFoundError(`no customer ${command.customerId}`);
        // Deleting a customer releases what it had reserved, so no credit stays held by nobody.
        return [
          ...Object.entries(state.reservations).map(([orderId, amountCents]) => newEvent(CreditReleased, { customerId: command.customerId, orderId, amountCents })),
          newEvent(CustomerDeleted, { customerId: command.customerId }),
        ];
    }
  },
};

/**
 * Decides a command on the customer's stream. A concurrent write to the same stream (an HTTP
 * delete racing a reservation) is a revision conflict: the decision is taken again on the new state.
 */
export const handleCustomer = (events: ModuleEvents, command: CustomerCommand, options: DecideOptions<Customer> = {}) =>
  decideAndAppend(events, events.stream('customer', command.customerId), customer, command, { conflictRetries: 4, ...options });
