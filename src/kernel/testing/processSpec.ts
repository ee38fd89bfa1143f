import assert from 'node:assert/strict';
import { afterUndo, decideInput, newInstance, RUNNING, takeStep, type Effects, type Instance } from '../processes/instance.js';
import type { CommandContract, EventContract, EventData } from '../types/contracts.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { OutgoingCommand, ProcessDefinition, ProcessInput } from '../types/process.js';
import { recorded } from './specEvents.js';

/** What happens to an instance in a spec: an event (with what its `read` would find), a due timer, a failed command, a delivered undo. */
export type SpecInput =
  | { kind: 'event'; event: RecordedEvent; facts?: unknown }
  | { kind: 'timer'; name: string; facts?: unknown }
  | { kind: 'commandFailed'; command: string; error: string }
  | { kind: 'undoDelivered' };

let positions = 0;

export const input = {
  event: <C extends EventContract>(contract: C, data: EventData<C>, facts?: unknown): SpecInput => ({ kind: 'event', event: recorded([{ type: contract.type, data }], positions++)[0]!, facts }),
  timer: (name: string, facts?: unknown): SpecInput => ({ kind: 'timer', name, facts }),
  commandFailed: (command: CommandContract, error: string): SpecInput => ({ kind: 'commandFailed', command: command.type, error }),
  undoDelivered: (): SpecInput => ({ kind: 'undoDelivered' }),
};

/** What the last input did: the commands it put in the outbox, and the instance after it. */
export interface Expected<State> {
  send?: (OutgoingCommand | { type: string; data: unknown })[];
  status?: Instance['status'];
  step?: string | null;
  /** Fields the state must have (others are not compared). */
  state?: Partial<State>;
  /** Names of the timers it set, and of those it cancelled. */
  scheduled?: string[];
  cancelled?: string[];
}

/**
 * Specifications of a process manager, without I/O, through the same step logic the engine runs:
 *   processSpec(orderProcess).given([input.event(OrderPlaced, data, facts)]).when(input.event(CreditReserved, data)).then({ send: [...] })
 * `facts` stand for what the reaction's `read` finds in the module's tables.
 */
export function processSpec<State>(definition: ProcessDefinition<State>, id = 'spec-instance') {
  const now = new Date(0);
  const apply = (instance: Instance | undefined, given: SpecInput): { instance: Instance | undefined; effects?: Effects } => {
    if (given.kind === 'undoDelivered') return instance?.status === 'compensating' ? afterUndo(definition, instance, now) : { instance };
    if (given.kind === 'event') {
      const reaction = definition.reactions.find((r) => r.contract.type === given.event.type);
      if (!reaction) throw new Error(`process ${definition.name} does not react to ${given.event.type}`);
      if (reaction.start ? instance : !instance || (reaction.correlate && !RUNNING.includes(instance.status))) return { instance };
    } else if (!instance) {
      return { instance };
    }
    const current = instance ?? newInstance(definition, id);
    const kernelInput: ProcessInput = given.kind === 'event' ? { kind: 'event', event: given.event } : given;
    const facts = 'facts' in given ? given.facts : undefined;
    return takeStep(definition, current, decideInput(definition, current.state, kernelInput, facts), now);
  };
  return {
    given(past: readonly SpecInput[] = []) {
      const before = past.reduce<Instance | undefined>((instance, given) => apply(instance, given).instance, undefined);
      return {
        when(next: SpecInput) {
          const { instance, effects } = apply(before, next);
          return {
            then(expected: Expected<State>) {
              const sent = effects?.commands.map(({ type, data }) => ({ type, data })) ?? [];
              if (expected.send) assert.deepStrictEqual(sent, expected.send.map((c) => ('command' in c ? { type: c.command.type, data: c.data } : c)), 'commands sent');
              if (expected.status) assert.equal(instance?.status, expected.status, 'status');
              if (expected.step !== undefined) assert.equal(instance?.step, expected.step, 'step');
              if (expected.state) assert.deepStrictEqual(pick(instance?.state, Object.keys(expected.state)), expected.state, 'state');
              const timers = effects?.timers ?? [];
              if (expected.scheduled) assert.deepStrictEqual(timers.flatMap((t) => ('set' in t ? [t.set] : [])), expected.scheduled, 'timers set');
              if (expected.cancelled) assert.deepStrictEqual(timers.flatMap((t) => ('cancel' in t ? [t.cancel] : [])), expected.cancelled, 'timers cancelled');
            },
            /** The instance after the step, for what `then` does not cover. */
            instance: () => instance,
          };
        },
      };
    },
  };
}

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const source = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}
