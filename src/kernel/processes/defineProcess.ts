import type { CommandContract, CommandData, EventContract } from '../types/contracts.js';
import type { EventReaction, OutgoingCommand, ProcessDefinition, RetryPolicy, TimerReaction, TypedReaction } from '../types/process.js';

/**
 * A reaction to one event type: how it finds its instance (`start`, `id` or `correlate`), what
 * it reads (optional) and how it decides, purely, from the state, the event and what it read.
 */
export function react<C extends EventContract, State, Facts = undefined>(contract: C, reaction: TypedReaction<C, State, Facts>): EventReaction<State, Facts> {
  const ways = [reaction.start, reaction.id, reaction.correlate].filter(Boolean).length;
  if (ways !== 1) throw new TypeError(`reaction to ${contract.type}: give exactly one of start, id, correlate`);
  return { contract, ...reaction } as EventReaction<State, Facts>;
}

/** A typed outgoing command. */
export function command<C extends CommandContract>(contract: C, data: CommandData<C>): OutgoingCommand<C> {
  return { command: contract, data };
}

export function defineProcess<State>(definition: {
  name: string;
  version?: number;
  initialState(id: string): State;
  correlationKey?(state: State): string | undefined;
  reactions: EventReaction<State>[];
  onTimer?: TimerReaction<State>;
  onCommandFailed?: ProcessDefinition<State>['onCommandFailed'];
  onCompensated?: ProcessDefinition<State>['onCompensated'];
  waitsFor?: string[];
  concurrency?: number;
  retry?: RetryPolicy;
  sends: CommandContract[];
}): ProcessDefinition<State> {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name)) throw new TypeError(`process name "${definition.name}" must be lower_snake_case`);
  const types = definition.reactions.map((r) => r.contract.type);
  if (new Set(types).size !== types.length) throw new TypeError(`process ${definition.name}: two reactions to one event type`);
  if (definition.concurrency !== undefined && (!Number.isInteger(definition.concurrency) || definition.concurrency < 1)) {
    throw new TypeError(`process ${definition.name}: concurrency must be a whole number >= 1`);
  }
  for (const [key, value] of Object.entries(definition.retry ?? {})) {
    const least = key === 'maxAttempts' ? 1 : 0;
    if (!Number.isInteger(value) || value < least) throw new TypeError(`process ${definition.name}: retry.${key} must be a whole number >= ${least}`);
  }
  return { version: 1, waitsFor: [], concurrency: 1, ...definition };
}
