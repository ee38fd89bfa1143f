import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { formatPosition, parsePositions, SEEN_POSITIONS_HEADER } from '../http/positionTokens.js';

/**
 * Read-your-writes through the gateway when modules are split over stores. A client of the
 * single application reads its own writes without sending `Min-Position` (one log: whatever a
 * module reads after the write's commit includes it). Split, another store's write reaches a
 * deployable through its inbox, a moment later. So the gateway remembers the newest position
 * each store has answered (`Event-Position: <store>:<n>`) and hands them to every request it
 * forwards (`Seams-Seen-Positions`); a deployable waits only for those of stores it receives
 * from, by its inbox (a few milliseconds after a write elsewhere, nothing otherwise). Bare
 * integer positions (one shared store) are never recorded: nothing changes there.
 */
export class SeenPositions {
  private readonly newest = new Map<string, number>();

  /** Notes a response's `Event-Position`, when it names a store. */
  record(headers: IncomingHttpHeaders): void {
    const header = headers['event-position'];
    if (typeof header !== 'string') return;
    let tokens;
    try {
      tokens = parsePositions(header, 'Event-Position');
    } catch {
      return;
    }
    for (const { store, position } of tokens) if (store !== undefined && position > (this.newest.get(store) ?? -1)) this.newest.set(store, position);
  }

  /** Replaces whatever a client sent in the header with what this gateway has seen. */
  stamp(req: IncomingMessage, setHeader: (name: string, value: string) => void, removeHeader: (name: string) => void): void {
    if (req.headers[SEEN_POSITIONS_HEADER] !== undefined) removeHeader(SEEN_POSITIONS_HEADER);
    if (this.newest.size === 0) return;
    setHeader(SEEN_POSITIONS_HEADER, [...this.newest].map(([store, position]) => formatPosition(position, store)).join(','));
  }
}
