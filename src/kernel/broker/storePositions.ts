import { formatPosition } from '../http/positionTokens.js';
import type { ModuleContext } from '../types/context.js';
import type { EventStore } from '../types/eventStore.js';
import type { Positions, RequestedPositions } from '../types/positions.js';
import type { Inbox } from './inbox.js';

/**
 * Positions once modules are split over stores (API.md, "Min-Position"): writes answer
 * `<store>:<position>`; a request waits for every token it can resolve here — one of its own
 * store (or a bare integer) until the module's projections reached it; one of a store this
 * deployable receives from until its inbox has taken in that far, and then until the
 * projections reached what that brought here. A token of a store nothing comes here from cannot
 * be resolved and is passed over: nothing of that store can be missing here.
 */
export class StorePositions implements Positions {
  constructor(
    private readonly storeName: string,
    private readonly store: EventStore,
    private readonly inbox: Pick<Inbox, 'knows' | 'hears' | 'reached'> | undefined,
  ) {}

  format(position: number): string {
    return formatPosition(position, this.storeName);
  }

  async reached(ctx: ModuleContext, requested: RequestedPositions, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    let local: number | undefined;
    const asked = new Map<string, number>();
    for (const { store, position } of requested.client) {
      if (store === undefined || store === this.storeName) local = Math.max(local ?? 0, position);
      else asked.set(store, Math.max(position, asked.get(store) ?? 0));
    }
    for (const [source, position] of asked) {
      if (!this.inbox?.knows(source)) continue;
      if (!(await this.inbox.reached(source, position, left()))) return false;
      local = Math.max(local ?? 0, await this.store.headPosition());
    }
    // What a gateway saw written elsewhere is a courtesy, not the client's demand: waited for
    // while that store is heard from, never a reason to refuse (a broker outage must not stop
    // this deployable serving), and its own store's writes are this deployable's business.
    for (const { store, position } of requested.seen) {
      if (store === undefined || store === this.storeName || !this.inbox?.hears(store)) continue;
      if (await this.inbox.reached(store, position, left())) local = Math.max(local ?? 0, await this.store.headPosition());
    }
    return local === undefined || ctx.waitFor(local, left());
  }
}
