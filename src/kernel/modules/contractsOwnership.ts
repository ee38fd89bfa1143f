import type { CommandContract, EventContract, QueryContract } from '../types/contracts.js';
import type { ModuleDefinition, Violation } from '../types/module.js';

/** Module name → the values its contracts.ts exports (a module without one maps to []). */
export type PublishedContracts = ReadonlyMap<string, readonly unknown[]>;

type Contract = EventContract | CommandContract | QueryContract;

const isContract = (value: unknown): value is Contract =>
  typeof value === 'object' && value !== null && ['event', 'command', 'query'].includes((value as { kind?: unknown }).kind as string) &&
  typeof (value as { type?: unknown }).type === 'string' && typeof (value as { module?: unknown }).module === 'string';

/**
 * A module's contracts.ts is its public face and its definition says what it owns; the two must
 * agree, or a message ends up with no owner (a command nobody handles) or a public event nobody
 * can import. Only modules present in `published` are checked.
 */
export function findContractsViolations(modules: readonly ModuleDefinition[], published: PublishedContracts): Violation[] {
  const violations: Violation[] = [];
  const add = (module: string, rule: string, message: string, subject: string) => violations.push({ module, rule, message, subject });
  for (const m of modules) {
    const exported = published.get(m.name);
    if (!exported) continue;
    const contracts = [...new Set(exported.filter(isContract))];
    const ofKind = (kind: Contract['kind']) => new Set(contracts.filter((c) => c.kind === kind && c.module === m.name).map((c) => c.type));
    for (const c of contracts) {
      if (c.module !== m.name) {
        add(m.name, 'contracts-own-only', `contracts.ts of ${m.name} exports ${c.kind} ${c.type}, which belongs to ${c.module}`, c.type);
      }
    }
    const events = ofKind('event');
    const publicTypes = new Set(m.publicEvents.map((e) => e.type));
    const privateTypes = new Set(m.privateEvents.map((e) => e.type));
    for (const type of events) {
      if (privateTypes.has(type)) add(m.name, 'public-events-listed', `contracts.ts of ${m.name} exports ${type}, which ${m.name} lists as private`, type);
      else if (!publicTypes.has(type)) add(m.name, 'public-events-listed', `contracts.ts of ${m.name} exports event ${type}, which ${m.name} does not list in publicEvents`, type);
    }
    for (const type of publicTypes) {
      if (!events.has(type)) add(m.name, 'public-events-exported', `${m.name} lists ${type} as public, but its contracts.ts does not export it`, type);
    }
    const handled = { command: new Set(m.commands.map((h) => h.command.type)), query: new Set(m.queries.map((h) => h.query.type)) };
    for (const kind of ['command', 'query'] as const) {
      for (const type of ofKind(kind)) {
        if (!handled[kind].has(type)) add(m.name, `${kind}-has-owner`, `contracts.ts of ${m.name} publishes ${kind} ${type}, but ${m.name} has no handler for it`, type);
      }
    }
  }
  return violations;
}
