import { expect } from 'chai';
import type { Decider, ModuleEvent, RecordedEvent } from '../../src/kernel/index.js';

/**
 * Specifications for business logic, without I/O:
 *   spec(decider).given([...past events]).when(command).then([...new events])
 *   spec(decider).given([...]).when(command).thenThrows(ConflictError, /already/)
 */
export function spec<State, Command>(decider: Decider<State, Command>) {
  return {
    given(past: ModuleEvent[] = []) {
      const recorded: RecordedEvent[] = past.map((e, i) => ({
        id: e.id ?? `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        stream: 'spec.stream-1',
        revision: i,
        position: i + 1,
        type: e.type,
        schemaVersion: 1,
        data: e.data,
        metadata: {},
        recordedAt: new Date(0).toISOString(),
      }));
      const state = recorded.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: ModuleEvent[]) {
              expect(run().map(({ type, data }) => ({ type, data }))).to.deep.equal(expected.map(({ type, data }) => ({ type, data })));
            },
            thenThrows(errorClass: new (...args: any[]) => Error, message?: RegExp) {
              expect(run).to.throw(errorClass, message);
            },
          };
        },
      };
    },
  };
}
