import { command, defineProcess, react, type ProcessStep } from '../../../kernel/index.js';
import { CreditLimitExceeded, CreditReserved, CustomerDeleted, CustomerRegistered, ReleaseCredit, ReserveCredit } from '../../customers/contracts.js';
import { CompleteCancellation, ConfirmOrder, InvalidateOrder, RejectOrder } from '../commands.js';
import { ordersConfig } from '../config.js';
import { OrderCancellationRequested, OrderPlaced, type InvalidReason, type OrderStatus } from '../events.js';
import { customersReplica } from '../replicas/customers.js';
import { itemPrices, orderTotal } from '../replicas/itemPrices.js';

/** Timers: the wait for an unknown customer, and a second look after customers refused a reservation. */
const CUSTOMER_WAIT = 'customer-wait';
const RESERVE_REFUSED = 'reserve-refused';

/**
 * The order as its process sees it: the status it has decided for the order (the order's own
 * vocabulary), and, while `pending`, what it waits for — the customer to appear in the replica,
 * or customers' answer about credit (null: it gave up, and the order stays pending).
 */
export interface OrderSaga {
  orderId: string;
  customerId: string;
  /** Who placed the order: its customer must be theirs (null: placed before orders had owners, not checked). */
  placedBy: string | null;
  totalCents: number;
  status: OrderStatus;
  waitingFor: 'customer' | 'credit' | null;
}

/** The customer as orders' replica knows it (undefined: not yet). */
type Customer = { deleted: boolean; ownerId: string | null } | undefined;

/** May this order use the customer? Only the placer's own customer: anyone else's counts as unknown. */
const owns = (state: OrderSaga, ownerId: string | null) => state.placedBy === null || ownerId === state.placedBy;

type Step = ProcessStep<OrderSaga>;

const invalidate = (state: OrderSaga, reason: InvalidReason): Step => ({
  state: { ...state, status: 'invalid', waitingFor: null },
  step: `invalid: ${reason}`,
  send: [command(InvalidateOrder, { orderId: state.orderId, reason })],
  cancel: [CUSTOMER_WAIT, RESERVE_REFUSED],
  end: 'completed',
});

const reserve = (state: OrderSaga): Step => ({
  state: { ...state, waitingFor: 'credit' },
  step: 'reserving credit',
  send: [command(ReserveCredit, { customerId: state.customerId, orderId: state.orderId, amountCents: state.totalCents })],
  cancel: [CUSTOMER_WAIT],
});

/** With the customer as the replica knows it now: go on, end the order, or `otherwise`. */
const onCustomer = (state: OrderSaga, customer: Customer, otherwise: () => Step): Step => {
  if (!customer) return otherwise();
  if (!owns(state, customer.ownerId)) return invalidate(state, 'unknown-customer');
  return customer.deleted ? invalidate(state, 'customer-deleted') : reserve(state);
};

const pendingFor = (state: OrderSaga, what: OrderSaga['waitingFor']) => state.status === 'pending' && state.waitingFor === what;

/**
 * The order process (a saga). It starts when an order is placed and moves it from `pending` to
 * exactly one of `invalid` (unknown item, unknown customer after the configured wait, customer
 * deleted), `rejected` (customers refused the credit) or `confirmed`. A confirmed order's
 * process lives on: a cancellation or the deletion of its customer compensates the reservation
 * (ReleaseCredit) before the order ends `cancelled` or `invalid`. Statuses are recorded by orders'
 * own commands (commands.ts), sent through the process's outbox.
 */
export const orderProcess = defineProcess<OrderSaga>({
  name: 'order_process',
  // Orders of different customers go out side by side (one order's commands stay in order); two
  // for one customer meet in its stream, where customers decides the later again on the new state.
  // Every command a look of the engine finds at once (it takes up to 100): sixteen at a time went
  // out in waves, each waiting for its appends to reach the disk.
  concurrency: 100,
  initialState: (orderId) => ({ orderId, customerId: '', placedBy: null, totalCents: 0, status: 'pending', waitingFor: 'customer' }),
  correlationKey: (state) => state.customerId || undefined,
  waitsFor: [customersReplica.name, itemPrices.name],
  sends: [ReserveCredit, ReleaseCredit, ConfirmOrder, InvalidateOrder, RejectOrder, CompleteCancellation],
  reactions: [
    react(OrderPlaced, {
      start: (e) => e.data.orderId,
      read: async (e, tx) => ({
        total: await orderTotal(tx, e.data.lines),
        customer: await customersReplica.find(tx, e.data.customerId),
        waitMs: ordersConfig.of(tx).ORDERS_CUSTOMER_WAIT_MS,
      }),
      decide: (initial, e, { total, customer, waitMs }) => {
        const state: OrderSaga = { ...initial, customerId: e.data.customerId, placedBy: e.data.placedBy, totalCents: total ?? 0 };
        if (total === undefined) return invalidate(state, 'unknown-item');
        return onCustomer(state, customer, () => ({ state, step: `waiting ${waitMs} ms for the customer`, schedule: [{ name: CUSTOMER_WAIT, afterMs: waitMs }] }));
      },
    }),
    react(CustomerRegistered, {
      correlate: (e) => e.data.customerId,
      decide: (state, e) => (pendingFor(state, 'customer') ? onCustomer(state, { deleted: false, ownerId: e.data.ownerId }, () => ({})) : {}),
    }),
    react(CreditReserved, {
      id: (e) => e.data.orderId,
      decide: (state) => {
        if (pendingFor(state, 'credit')) {
          return {
            state: { ...state, status: 'confirmed', waitingFor: null },
            step: 'confirmed',
            remember: { step: 'credit reserved', undo: command(ReleaseCredit, { customerId: state.customerId, orderId: state.orderId }) },
            send: [command(ConfirmOrder, { orderId: state.orderId, customerId: state.customerId, totalCents: state.totalCents })],
          };
        }
        // A reservation the order no longer wants (it ended, or is ending, meanwhile): give the credit back.
        const unwanted = ['invalid', 'rejected', 'cancelled'].includes(state.status) || pendingFor(state, null);
        return unwanted ? { send: [command(ReleaseCredit, { customerId: state.customerId, orderId: state.orderId })] } : {};
      },
    }),
    react(CreditLimitExceeded, {
      id: (e) => e.data.orderId,
      decide: (state) =>
        pendingFor(state, 'credit')
          ? {
              state: { ...state, status: 'rejected', waitingFor: null },
              step: 'rejected: credit-limit-exceeded',
              send: [command(RejectOrder, { orderId: state.orderId, reason: 'credit-limit-exceeded', totalCents: state.totalCents })],
              cancel: [RESERVE_REFUSED],
              end: 'completed',
            }
          : {},
    }),
    react(CustomerDeleted, {
      correlate: (e) => e.data.customerId,
      decide: (state) =>
        pendingFor(state, 'customer') || pendingFor(state, 'credit') || state.status === 'confirmed'
          ? { state: { ...state, status: 'invalid', waitingFor: null }, step: 'customer deleted: releasing credit', cancel: [CUSTOMER_WAIT, RESERVE_REFUSED], compensate: true }
          : {},
    }),
    react(OrderCancellationRequested, {
      id: (e) => e.data.orderId,
      decide: (state) => (state.status === 'confirmed' ? { state: { ...state, status: 'cancelling' }, step: 'cancelling: releasing credit', compensate: true } : {}),
    }),
  ],
  onTimer: {
    // The engine caught the replicas up first: a customer registered (or deleted) just now counts.
    read: (state, _name, tx) => customersReplica.find(tx, state.customerId),
    decide(state, name, customer: Customer) {
      if (name === CUSTOMER_WAIT && pendingFor(state, 'customer')) return onCustomer(state, customer, () => invalidate(state, 'unknown-customer'));
      if (name === RESERVE_REFUSED && pendingFor(state, 'credit')) {
        // customers refused the reservation; with the replica caught up, a deletion explains it.
        if (customer?.deleted) return invalidate(state, 'customer-deleted');
        return { state: { ...state, waitingFor: null }, step: 'credit reservation failed: the order stays pending', end: 'failed' };
      }
      return {};
    },
  },
  onCompensated(state) {
    if (state.status === 'cancelling') {
      return { state: { ...state, status: 'cancelled' }, step: 'cancelled', send: [command(CompleteCancellation, { orderId: state.orderId })], end: 'compensated' };
    }
    if (state.status === 'invalid') return { ...invalidate(state, 'customer-deleted'), end: 'compensated' };
    return { end: 'compensated' };
  },
  onCommandFailed(state, failure) {
    if (failure.command === ReserveCredit.type) {
      if (!pendingFor(state, 'credit')) return {};
      // Refused (an unknown or deleted customer) or given up: look again once the replicas caught up.
      return { step: `credit reservation refused: ${failure.error}`, schedule: [{ name: RESERVE_REFUSED, afterMs: 0 }] };
    }
    return { step: `${failure.command} failed: ${failure.error}`, end: 'failed' };
  },
});
