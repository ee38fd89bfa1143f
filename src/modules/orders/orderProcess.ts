import { command, defineProcess, react, type ProcessStep, type ProcessTx } from '../../kernel/index.js';
import { CreditLimitExceeded, CreditReserved, CustomerDeleted, CustomerRegistered, ReleaseCredit, ReserveCredit } from '../customers/contracts.js';
import { OrderCancellationRequested, OrderPlaced, type InvalidReason } from './order.js';
import { knownCustomer, orderTotal } from './replicas.js';
import { CompleteCancellation, ConfirmOrder, InvalidateOrder, RejectOrder } from './statusCommands.js';

export const DEFAULT_CUSTOMER_WAIT_MS = 2000;

/** Timers: the wait for an unknown customer, and a second look after customers refused a reservation. */
const CUSTOMER_WAIT = 'customer-wait';
const RESERVE_REFUSED = 'reserve-refused';

/**
 * Where an order's process is:
 * - `awaiting-customer`: the customer is not (yet) in the replica; a timer ends the wait;
 * - `reserving`: customers was asked to reserve the total;
 * - `confirmed`: credit reserved (remembered, with ReleaseCredit as its undo) and confirmation recorded;
 * - `cancelling` / `invalidating`: compensating (releasing the credit) before the final status;
 * - `ended`: the final status was handed to the outbox.
 */
type Phase = 'awaiting-customer' | 'reserving' | 'confirmed' | 'cancelling' | 'invalidating' | 'ended';

export interface OrderSaga {
  orderId: string;
  customerId: string;
  totalCents: number;
  phase: Phase;
}

type Step = ProcessStep<OrderSaga>;

const invalidate = (state: OrderSaga, reason: InvalidReason): Step => ({
  state: { ...state, phase: 'ended' },
  step: `invalid: ${reason}`,
  send: [command(InvalidateOrder, { orderId: state.orderId, reason })],
  cancel: [CUSTOMER_WAIT, RESERVE_REFUSED],
  end: 'completed',
});

const reserve = (state: OrderSaga): Step => ({
  state: { ...state, phase: 'reserving' },
  step: 'reserving credit',
  send: [command(ReserveCredit, { customerId: state.customerId, orderId: state.orderId, amountCents: state.totalCents })],
  cancel: [CUSTOMER_WAIT],
});

/** The customer as the replica knows it now: go on, or end the order. */
async function decideOnCustomer(state: OrderSaga, tx: ProcessTx, otherwise: () => Step): Promise<Step> {
  const customer = await knownCustomer(tx, state.customerId);
  if (customer?.deleted) return invalidate(state, 'customer-deleted');
  if (customer) return reserve(state);
  return otherwise();
}

/**
 * The order process (a saga). It starts when an order is placed and moves it from `pending` to
 * exactly one of `invalid` (unknown item, unknown customer after the configured wait, customer
 * deleted), `rejected` (customers refused the credit) or `confirmed`. A confirmed order's
 * process lives on: a cancellation or the deletion of its customer compensates the reservation
 * (ReleaseCredit) before the order ends `cancelled` or `invalid`. Statuses are recorded by orders'
 * own commands (statusCommands.ts), sent through the process's outbox.
 */
export const orderProcess = defineProcess<OrderSaga>({
  name: 'order_process',
  initialState: (orderId) => ({ orderId, customerId: '', totalCents: 0, phase: 'awaiting-customer' }),
  correlationKey: (state) => state.customerId || undefined,
  waitsFor: ['customers_replica', 'item_prices'],
  sends: [ReserveCredit, ReleaseCredit, ConfirmOrder, InvalidateOrder, RejectOrder, CompleteCancellation],
  reactions: [
    react(OrderPlaced, { start: (e) => e.data.orderId }, async (initial, e, tx) => {
      const total = await orderTotal(tx, e.data.lines);
      const state: OrderSaga = { ...initial, customerId: e.data.customerId, totalCents: total ?? 0 };
      if (total === undefined) return invalidate(state, 'unknown-item');
      const wait = tx.config.ordersCustomerWaitMs ?? DEFAULT_CUSTOMER_WAIT_MS;
      return decideOnCustomer(state, tx, () => ({
        state: { ...state, phase: 'awaiting-customer' },
        step: `waiting ${wait} ms for the customer`,
        schedule: [{ name: CUSTOMER_WAIT, at: new Date(tx.now.getTime() + wait) }],
      }));
    }),
    react(CustomerRegistered, { correlate: (e) => e.data.customerId }, (state) => (state.phase === 'awaiting-customer' ? reserve(state) : {})),
    react(CreditReserved, { id: (e) => e.data.orderId }, (state) => {
      if (state.phase === 'reserving') {
        return {
          state: { ...state, phase: 'confirmed' },
          step: 'confirmed',
          remember: { step: 'credit reserved', undo: command(ReleaseCredit, { customerId: state.customerId, orderId: state.orderId }) },
          send: [command(ConfirmOrder, { orderId: state.orderId, customerId: state.customerId, totalCents: state.totalCents })],
        };
      }
      // A reservation the order no longer wants (it ended meanwhile): give the credit back.
      if (state.phase === 'ended' || state.phase === 'invalidating') return { send: [command(ReleaseCredit, { customerId: state.customerId, orderId: state.orderId })] };
      return {};
    }),
    react(CreditLimitExceeded, { id: (e) => e.data.orderId }, (state) =>
      state.phase === 'reserving'
        ? {
            state: { ...state, phase: 'ended' },
            step: 'rejected: credit-limit-exceeded',
            send: [command(RejectOrder, { orderId: state.orderId, reason: 'credit-limit-exceeded', totalCents: state.totalCents })],
            cancel: [RESERVE_REFUSED],
            end: 'completed',
          }
        : {},
    ),
    react(CustomerDeleted, { correlate: (e) => e.data.customerId }, (state) =>
      ['awaiting-customer', 'reserving', 'confirmed'].includes(state.phase)
        ? { state: { ...state, phase: 'invalidating' }, step: 'customer deleted: releasing credit', cancel: [CUSTOMER_WAIT, RESERVE_REFUSED], compensate: true }
        : {},
    ),
    react(OrderCancellationRequested, { id: (e) => e.data.orderId }, (state) =>
      state.phase === 'confirmed' ? { state: { ...state, phase: 'cancelling' }, step: 'cancelling: releasing credit', compensate: true } : {},
    ),
  ],
  async onTimer(state, name, tx) {
    if (name === CUSTOMER_WAIT && state.phase === 'awaiting-customer') {
      // The engine caught the replicas up first: a customer registered just now counts.
      return decideOnCustomer(state, tx, () => invalidate(state, 'unknown-customer'));
    }
    if (name === RESERVE_REFUSED && state.phase === 'reserving') {
      // customers refused the reservation; with the replica caught up, a deletion explains it.
      const customer = await knownCustomer(tx, state.customerId);
      if (customer?.deleted) return invalidate(state, 'customer-deleted');
      return { state: { ...state, phase: 'ended' }, step: 'credit reservation failed: the order stays pending', end: 'failed' };
    }
    return {};
  },
  onCompensated(state) {
    if (state.phase === 'cancelling') {
      return { state: { ...state, phase: 'ended' }, step: 'cancelled', send: [command(CompleteCancellation, { orderId: state.orderId })], end: 'compensated' };
    }
    if (state.phase === 'invalidating') return { ...invalidate(state, 'customer-deleted'), end: 'compensated' };
    return { end: 'compensated' };
  },
  onCommandFailed(state, failure, tx) {
    if (failure.command === ReserveCredit.type) {
      if (state.phase !== 'reserving') return {};
      // Refused (an unknown or deleted customer) or given up: look again once the replicas caught up.
      return { step: `credit reservation refused: ${failure.error}`, schedule: [{ name: RESERVE_REFUSED, at: tx.now }] };
    }
    return { step: `${failure.command} failed: ${failure.error}`, end: 'failed' };
  },
});
