import type { Logger } from 'pino';
import { z } from 'zod';
import type { Coordination } from '../cluster/coordination.js';
import type { EventRegistry } from '../contracts/registry.js';
import { ValidationError } from '../errors.js';
import { ok } from '../http/responses.js';
import { ADMIN } from '../http/access.js';
import { route } from '../http/route.js';
import { ownEvents } from '../modules/defineModule.js';
import type { SeamsConfig } from '../types/config.js';
import type { EventStore } from '../types/eventStore.js';
import type { RouteDefinition } from '../types/http.js';
import type { ModuleDefinition } from '../types/module.js';
import type { Positions } from '../types/positions.js';
import { BrokerConnection } from './connection.js';
import { Inbox, type InboxOptions, type InboxStatus } from './inbox.js';
import { Relay, type RelayOptions, type RelayStatus } from './relay.js';
import { StorePositions } from './storePositions.js';
import { consumedFromElsewhere, relayedTypes } from './subscriptions.js';
import { topology } from './topology.js';

export interface BrokerLinkOptions {
  config: Pick<SeamsConfig, 'brokerUrl' | 'brokerPrefix' | 'storeName' | 'ownStore' | 'storeModules' | 'leaseTtlMs'>;
  store: EventStore;
  coordination: Coordination;
  registry: EventRegistry;
  /** Every module of the application, as the kernel runs them (with the replicas it attaches). */
  modules: readonly ModuleDefinition[];
  /** The modules running in this process. */
  running: readonly string[];
  processId: string;
  log: Logger;
  /** Test hooks and tuning. */
  relay?: Partial<Pick<RelayOptions, 'afterConfirm' | 'heartbeatMs' | 'batchSize' | 'maxBackoffMs'>>;
  inbox?: Partial<Pick<InboxOptions, 'afterCommit' | 'prefetch' | 'redeclareMs' | 'maxBackoffMs'>>;
}

export interface BrokerStatus {
  store: string;
  broker: string;
  storeModules: readonly string[];
  relay: RelayStatus | null;
  inbox: InboxStatus | null;
}

/** The name of a deployable's store in tokens and on the broker. */
export function storeNameOf(config: Pick<SeamsConfig, 'storeName' | 'ownStore'>, running: readonly string[]): string {
  return config.storeName ?? (config.ownStore ? running.join('+') : 'main');
}

/**
 * A deployable's link to the others when each has a store of its own (DESIGN.md, "Scaling out"
 * 4): its relay publishes what modules of other stores consume from its store; its inbox takes
 * in what its modules consume from theirs; its positions name its store. Commands and queries
 * across deployables stay on HTTP (the cluster's peers), as between the processes of one store.
 */
export class BrokerLink {
  private constructor(
    readonly storeName: string,
    readonly storeModules: readonly string[],
    private readonly connection: BrokerConnection,
    readonly relay: Relay | undefined,
    readonly inbox: Inbox | undefined,
    readonly positions: Positions,
  ) {}

  static async start(options: BrokerLinkOptions): Promise<BrokerLink> {
    const { config, store, modules, running, log } = options;
    const storeName = storeNameOf(config, running);
    const storeModules = config.storeModules ?? running;
    if (config.ownStore) await assertOwnStore(store, modules, storeModules, storeName);
    const connection = new BrokerConnection(config.brokerUrl!, `seams ${storeName} ${options.processId}`, log.child({ broker: storeName }));
    const names = topology(config.brokerPrefix ?? 'seams');
    const common = { store, storeName, connection, topology: names, coordination: options.coordination };
    const published = relayedTypes(modules, storeModules);
    const relay = published.length > 0 ? new Relay({ ...common, ...options.relay, types: published, holder: options.processId, leaseTtlMs: config.leaseTtlMs, log: log.child({ relay: storeName }) }) : undefined;
    const consumers = modules.filter((m) => running.includes(m.name)).map((m) => ({ module: m.name, types: consumedFromElsewhere(m, modules, storeModules) })).filter((c) => c.types.length > 0);
    const received = [...new Set(consumers.flatMap((c) => c.types))].sort();
    const inbox = consumers.length > 0 ? new Inbox({ ...common, ...options.inbox, registry: options.registry, modules: consumers.map((c) => c.module), types: received, log: log.child({ inbox: storeName }) }) : undefined;
    await inbox?.start();
    relay?.start();
    log.info({ store: storeName, broker: connection.address, publishes: published, receives: received }, 'broker link started');
    return new BrokerLink(storeName, storeModules, connection, relay, inbox, new StorePositions(storeName, store, inbox));
  }

  status(): BrokerStatus {
    return { store: this.storeName, broker: this.connection.address, storeModules: this.storeModules, relay: this.relay?.status() ?? null, inbox: this.inbox?.status() ?? null };
  }

  /** What keeps it from doing its work right now (for /health/ready). */
  degraded(): string[] {
    const { relay, inbox } = this.status();
    return [
      ...(relay?.state === 'blocked' ? [`relay of store ${relay.store} held back since ${relay.since}: ${relay.error}`] : []),
      ...(inbox?.state === 'blocked' || inbox?.state === 'connecting' ? [`inbox of store ${inbox.store} not receiving since ${inbox.since}${inbox.error ? `: ${inbox.error}` : ''}`] : []),
    ];
  }

  /** `GET /admin/broker`: the relay's and the inbox's state. */
  adminRoutes(): RouteDefinition[] {
    return [
      route.get('/broker', {
        summary: "this deployable's broker link: its store, its relay (position, lag, state) and its inbox (queues, progress per store)",
        access: ADMIN,
        responses: { 200: z.object({ store: z.string(), broker: z.string(), storeModules: z.array(z.string()), relay: z.record(z.string(), z.unknown()).nullable(), inbox: z.record(z.string(), z.unknown()).nullable() }) },
        handle: async () => ok(this.status()),
      }),
    ];
  }

  async stop(): Promise<void> {
    await this.relay?.stop();
    await this.inbox?.stop();
    await this.connection.close();
  }
}

/**
 * An extracted module's store must be its own: events of other modules in it may only be what
 * its inbox took in (they say where they came from). Anything else means it was started on a
 * shared store by mistake. Looks at the first events of other modules' types only.
 */
async function assertOwnStore(store: EventStore, modules: readonly ModuleDefinition[], storeModules: readonly string[], storeName: string): Promise<void> {
  const others = modules.filter((m) => !storeModules.includes(m.name)).flatMap((m) => ownEvents(m).map((e) => e.type));
  if (others.length === 0) return;
  const sample = await store.readAll({ filter: { eventTypes: others }, maxCount: 500 });
  const written = sample.find((e) => e.metadata.source === undefined);
  if (written) {
    throw new ValidationError(
      `store ${storeName} is not a store of its own: it holds ${written.type} (position ${written.position}) written there, not received; ` +
        `give --own-store a data directory or database of its own (and copy the module's history into it: seams history copy)`,
    );
  }
}
