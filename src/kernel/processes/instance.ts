import type { ProcessDefinition, ProcessInput, ProcessStep } from '../types/process.js';

/**
 * A process instance and what one step does to it, without I/O: the same code runs in the
 * engine (advance.ts writes the result in the batch's transaction) and in process specs.
 */
export interface Instance {
  id: string;
  status: 'running' | 'compensating' | 'completed' | 'failed' | 'compensated';
  step: string | null;
  state: unknown;
  correlation: string | null;
  /** Remembered steps with their undo commands, oldest first. */
  completed: Remembered[];
  /** Commands sent so far: the next command id is derived from it, so a replay sends the same ids. */
  commandsSent: number;
  /** Position of the last event it took: an event delivered again (at or below it) is ignored. */
  lastPosition: number;
}

export interface Remembered {
  step: string;
  undo: { type: string; data: unknown };
}

/** What a step asks of the outbox and the timers, besides the instance's new row. */
export interface Effects {
  /** Commands to enqueue; `n` numbers them within the instance (their ids derive from it). */
  commands: { n: number; type: string; data: unknown; purpose: 'step' | 'undo' }[];
  /** In order: timers set (or moved) to a time in ms, cancelled by name, or all cleared (the instance ended). */
  timers: TimerChange[];
}

export type TimerChange = { set: string; at: number } | { cancel: string } | { clear: true };

export const RUNNING: readonly Instance['status'][] = ['running', 'compensating'];

export function newInstance(definition: ProcessDefinition, id: string): Instance {
  return { id, status: 'running', step: null, state: definition.initialState(id), correlation: null, completed: [], commandsSent: 0, lastPosition: 0 };
}

const noEffects = (): Effects => ({ commands: [], timers: [] });

/** The decision for an input, given what was read for it. */
export function decideInput(definition: ProcessDefinition, state: unknown, input: ProcessInput, facts: unknown): ProcessStep<unknown> {
  switch (input.kind) {
    case 'event':
      return definition.reactions.find((r) => r.contract.type === input.event.type)!.decide(state, input.event, facts);
    case 'timer':
      return definition.onTimer ? definition.onTimer.decide(state, input.name, facts) : {};
    case 'commandFailed':
      return definition.onCommandFailed ? definition.onCommandFailed(state, input) : { end: 'failed', step: `${input.command} failed: ${input.error}` };
    case 'compensated':
      return definition.onCompensated ? definition.onCompensated(state) : { end: 'compensated' };
  }
}

/**
 * Applies a decided step: new state, commands, remembered steps, timers, the start of a
 * compensation (its first undo command) and the end. A compensation with nothing to undo is
 * complete at once: `onCompensated` decides next, in the same step.
 */
export function takeStep(definition: ProcessDefinition, before: Instance, step: ProcessStep<unknown>, now: Date, effects = noEffects()): { instance: Instance; effects: Effects } {
  const instance: Instance = { ...before, completed: [...before.completed] };
  const enqueue = (type: string, data: unknown, purpose: 'step' | 'undo') => effects.commands.push({ n: ++instance.commandsSent, type, data, purpose });
  if (step.state !== undefined) instance.state = step.state;
  for (const out of step.send ?? []) enqueue(out.command.type, out.data, 'step');
  if (step.remember) instance.completed.push({ step: step.remember.step, undo: { type: step.remember.undo.command.type, data: step.remember.undo.data } });
  for (const name of step.cancel ?? []) effects.timers.push({ cancel: name });
  for (const timer of step.schedule ?? []) effects.timers.push({ set: timer.name, at: 'at' in timer ? timer.at.getTime() : now.getTime() + timer.afterMs });
  let compensatedNow = false;
  if (step.compensate && instance.status !== 'compensating') {
    instance.status = 'compensating';
    const last = instance.completed.at(-1);
    if (last) enqueue(last.undo.type, last.undo.data, 'undo');
    else compensatedNow = true;
  }
  if (step.end) {
    instance.status = step.end;
    effects.timers.push({ clear: true });
  }
  if (step.step !== undefined) instance.step = step.step;
  instance.correlation = definition.correlationKey?.(instance.state) ?? instance.correlation;
  if (!compensatedNow) return { instance, effects };
  return takeStep(definition, instance, decideInput(definition, instance.state, { kind: 'compensated' }, undefined), now, effects);
}

/** An undo command was delivered: forget its step and send the next undo, or, when none is left, let `onCompensated` decide. */
export function afterUndo(definition: ProcessDefinition, before: Instance, now: Date): { instance: Instance; effects: Effects } {
  const completed = before.completed.slice(0, -1);
  const next = completed.at(-1);
  if (next) {
    const instance = { ...before, completed, commandsSent: before.commandsSent + 1 };
    return { instance, effects: { ...noEffects(), commands: [{ n: instance.commandsSent, type: next.undo.type, data: next.undo.data, purpose: 'undo' }] } };
  }
  const instance = { ...before, completed: [] };
  return takeStep(definition, instance, decideInput(definition, instance.state, { kind: 'compensated' }, undefined), now);
}
