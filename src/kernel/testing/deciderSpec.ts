import assert from 'node:assert/strict';
import type { EventOf } from '../types/contracts.js';
import type { Decider } from '../types/module.js';
import { recorded } from './specEvents.js';

type Given = EventOf | { id?: string; type: string; data: unknown };

/**
 * Specifications of an aggregate's rules, without I/O:
 *   deciderSpec(order).given([...past events]).when(command).then([...new events])
 *   deciderSpec(order).given([...]).when(command).thenThrows(ConflictError, /already/)
 */
export function deciderSpec<State, Command>(decider: Decider<State, Command, any>) {
  return {
    given(past: readonly Given[] = []) {
      const state = recorded(past).reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly Given[]) {
              assert.deepStrictEqual(
                run().map(({ type, data }) => ({ type, data })),
                expected.map(({ type, data }) => ({ type, data })),
              );
            },
            thenThrows(errorClass: new (...args: any[]) => Error, message?: RegExp) {
              assert.throws(run, (error: unknown) => error instanceof errorClass && (!message || message.test((error as Error).message)));
            },
          };
        },
      };
    },
  };
}
