import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { DuplicateEventIdError } from '../errors.js';
import type { ModuleContext, ModuleEvents } from '../types/module.js';

const EVENT_IDS = 'c3a1f7e2-8b4d-4e6f-9a1b-2c3d4e5f6a7b';
const NEW_IDS = '9d6f2b1e-4c3a-4f8e-b7d5-1a2e3c4b5d6f';

/** The first append found its events already in the log with other content: the work was done before. */
export class AlreadyHandled extends Error {}

/**
 * The module's events as a piece of work sees them when it may be done again (a command delivered
 * again, a POST repeated under its Idempotency-Key): the k-th event it appends gets an id derived
 * from (scope, k). Doing the same work again writes the same ids, which the store takes as a
 * retry (the same content: a no-op) or refuses (other content: AlreadyHandled on the first
 * append): the work acts once in the log.
 */
export function scopedEvents(events: ModuleEvents, scope: string): ModuleEvents {
  let k = 0;
  return {
    ...events,
    async append(stream, list, options) {
      const first = k === 0;
      const withIds = list.map((e) => ({ ...e, id: uuidv5(`${scope}/${k++}`, EVENT_IDS) }));
      try {
        return await events.append(stream, withIds, options);
      } catch (error) {
        if (first && error instanceof DuplicateEventIdError) throw new AlreadyHandled(error.message);
        throw error;
      }
    },
  };
}

/** Random ids, for work done once. */
export const randomIds = (): (() => string) => randomUUID;

/** The n-th id this work makes, derived from its scope: doing the work again makes the same ids (and so the same events). */
export function scopedIds(scope: string): () => string {
  let n = 0;
  return () => uuidv5(`${scope}/${n++}`, NEW_IDS);
}

/** A context whose appends and new ids are the same each time this work (`scope`) is done again. */
export function repeatableContext(ctx: ModuleContext, scope: string): ModuleContext {
  return { ...ctx, events: scopedEvents(ctx.events, scope), newId: scopedIds(scope) };
}
