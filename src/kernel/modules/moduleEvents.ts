import type { EventContract, EventData } from '../contracts/events.js';
import { OwnershipError } from '../errors.js';
import type { AppendResult, EventMetadata, EventStore, ExpectedRevision, ReadStreamOptions, RecordedEvent } from '../event-store/types.js';
import { ownEvents, streamPrefix, type ModuleDefinition } from './defineModule.js';

export interface ModuleAppendOptions {
  expectedRevision?: ExpectedRevision;
  metadata?: Omit<EventMetadata, 'module'>;
}

export interface ModuleEvent {
  id?: string;
  type: string;
  data: unknown;
}

/**
 * The event store as one module sees it: it appends only its own event types, only to its own
 * streams, and reads back only its own streams. Everything else it learns from projections.
 */
export interface ModuleEvents {
  append(stream: string, events: readonly ModuleEvent[], options?: ModuleAppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The stream name of one of this module's stream kinds and an id: `catalog.item-<id>`. */
  stream(kind: string, id: string): string;
}

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
      const metadata = { ...options.metadata, module: module.name };
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

/** A typed event value to append. */
export function newEvent<C extends EventContract>(contract: C, data: EventData<C>, id?: string): ModuleEvent {
  return id ? { id, type: contract.type, data } : { type: contract.type, data };
}
