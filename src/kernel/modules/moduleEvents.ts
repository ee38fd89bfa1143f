import { OwnershipError } from '../errors.js';
import { traceparentOf } from '../telemetry/tracing.js';
import type { EventMetadata, EventStore } from '../types/eventStore.js';
import type { ModuleContext, ModuleDefinition, ModuleEvents } from '../types/module.js';
import { ownEvents, streamPrefix } from './defineModule.js';

/** The event store as one module sees it (ModuleEvents): its own event types, its own streams. */
export function moduleEvents(module: ModuleDefinition, store: EventStore): ModuleEvents {
  const own = new Set(ownEvents(module).map((e) => e.type));
  const prefixes = module.streams.map((kind) => streamPrefix(module.name, kind));
  const checkStream = (stream: string) => {
    if (!prefixes.some((p) => stream.startsWith(p) && stream.length > p.length)) {
      throw new OwnershipError(
        `module ${module.name} may use only its own streams (${prefixes.map((p) => `${p}<id>`).join(', ') || 'it declares none'}), not ${stream}`,
      );
    }
  };
  return {
    async append(stream, events, options = {}) {
      checkStream(stream);
      for (const e of events) {
        if (!own.has(e.type)) throw new OwnershipError(`module ${module.name} may append only its own event types, not ${e.type}`);
      }
      // With tracing on, what reacts to these events continues the trace of the work appending them.
      const traceparent = traceparentOf();
      const metadata = { ...options.metadata, ...(traceparent ? { traceparent } : {}), module: module.name };
      return store.append(
        stream,
        events.map((e) => ({ ...e, metadata })),
        { expectedRevision: options.expectedRevision },
      );
    },
    async readStream(stream, options) {
      checkStream(stream);
      return store.readStream(stream, options);
    },
    stream(kind, id) {
      if (!module.streams.includes(kind)) throw new OwnershipError(`module ${module.name} declares no stream kind ${kind}`);
      return `${streamPrefix(module.name, kind)}${id}`;
    },
  };
}

/**
 * The same events, stamping every append with the metadata of what is being handled (a request,
 * a command): handlers need not pass it on. What an append gives itself wins.
 */
export function stamped(events: ModuleEvents, stamp: Omit<EventMetadata, 'module'>): ModuleEvents {
  return {
    ...events,
    append: (stream, list, options = {}) => events.append(stream, list, { ...options, metadata: { ...stamp, ...options.metadata } }),
  };
}

/**
 * A module context for one request or command: its appends are stamped with `stamp` (the
 * conversation's correlation id, the cause, the actor), and the commands it sends carry the same
 * conversation, so a request's id reaches everything it sets off.
 */
export function stampedContext(ctx: ModuleContext, stamp: { correlationId?: string; causationId?: string; actor?: string }): ModuleContext {
  return {
    ...ctx,
    events: stamped(ctx.events, stamp),
    send: (command, data, options = {}) => ctx.send(command, data, { correlationId: stamp.correlationId, causationId: stamp.causationId, actor: stamp.actor, ...options }),
  };
}
