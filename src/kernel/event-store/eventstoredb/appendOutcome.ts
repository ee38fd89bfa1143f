import { DuplicateEventIdError, SeamsError } from '../../errors.js';
import type { PreparedEvent } from '../prepare.js';
import type { AppendResult } from '../../types/eventStore.js';

/** An event as read back from the stream after an acknowledged append. */
export interface StoredEvent {
  id: string;
  type: string;
  /** As the client parsed it. */
  data: unknown;
  revision: number;
  position: number;
}

/**
 * Decides what an acknowledged append did, from the events at the revisions the server named.
 *
 * EventStoreDB recognises a retried append by its event ids alone and answers success without
 * writing, whatever the content; older servers also leave out the position then. Reading the
 * revisions back tells a faithful retry (same ids, same content: the original's result) from an
 * id reused with other content (DuplicateEventIdError, and indeed nothing was written).
 */
export function appendOutcome(stream: string, sent: readonly PreparedEvent[], found: readonly StoredEvent[]): AppendResult {
  const sameIds = found.length === sent.length && found.every((e, i) => e.id.toLowerCase() === sent[i]!.id.toLowerCase());
  if (!sameIds) {
    throw new SeamsError(
      `EventStoreDB acknowledged the append of ${sent.length} event(s) to ${stream}, but the revisions it named hold ${found.map((e) => e.id).join(', ') || 'nothing'}`,
    );
  }
  found.forEach((e, i) => {
    const mine = sent[i]!;
    // The client wrote JSON.stringify(JSON.parse(mine.data)), which is mine.data again.
    if (e.type !== mine.type || JSON.stringify(e.data) !== mine.data) {
      throw new DuplicateEventIdError(mine.id, `in stream ${stream} with other content`);
    }
  });
  const last = found[found.length - 1]!;
  return { nextRevision: last.revision, position: last.position };
}
