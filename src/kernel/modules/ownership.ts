import { OwnershipError } from '../errors.js';
import { findContractsViolations, type PublishedContracts } from './contractsOwnership.js';
import type { ModuleDefinition, Violation } from '../types/module.js';
import { ownEvents, readers } from './defineModule.js';

/**
 * Checks what imports cannot show: every event type, stream, command and query has exactly one
 * owner, named by its prefix; a module consumes only its own events and others' public ones.
 * Given what each module's contracts.ts exports (the boundary linter loads them), it also checks
 * that a module's public face and its definition agree (contractsOwnership.ts).
 */
export function findOwnershipViolations(modules: readonly ModuleDefinition[], published?: PublishedContracts): Violation[] {
  const violations: Violation[] = [];
  const add = (module: string, rule: string, message: string, subject?: string) =>
    violations.push(subject === undefined ? { module, rule, message } : { module, rule, message, subject });
  const byName = new Map<string, ModuleDefinition>();
  for (const m of modules) {
    if (byName.has(m.name)) add(m.name, 'unique-module', `two modules are named ${m.name}`);
    byName.set(m.name, m);
  }

  const eventOwners = new Map<string, string>();
  for (const m of modules) {
    const publicTypes = new Set(m.publicEvents.map((e) => e.type));
    for (const e of m.privateEvents) {
      if (publicTypes.has(e.type)) add(m.name, 'event-visibility', `event ${e.type} is listed as both public and private; pick one`, e.type);
    }
    for (const e of ownEvents(m)) {
      if (e.module !== m.name) {
        add(m.name, 'own-event-types', `module ${m.name} declares event ${e.type}, but a module may append only its own event types (${m.name}.<Name>); ${e.module} owns ${e.type}`, e.type);
      }
      const owner = eventOwners.get(e.type);
      if (owner && owner !== m.name) add(m.name, 'one-owner-per-event', `event ${e.type} is claimed by both ${owner} and ${m.name}`, e.type);
      eventOwners.set(e.type, m.name);
    }
    for (const { command } of m.commands) {
      if (command.module !== m.name) add(m.name, 'own-commands', `module ${m.name} handles command ${command.type}, which belongs to ${command.module}`, command.type);
    }
    for (const { query } of m.queries) {
      if (query.module !== m.name) add(m.name, 'own-queries', `module ${m.name} answers query ${query.type}, which belongs to ${query.module}`, query.type);
    }
    // A stream prefix `<module>.<kind>-` names its owner, so only a kind declared twice can blur it.
    const kinds = new Set<string>();
    for (const kind of m.streams) {
      if (kinds.has(kind)) add(m.name, 'one-owner-per-stream', `module ${m.name} declares stream kind ${kind} twice`, kind);
      kinds.add(kind);
    }
  }
  for (const kind of ['commands', 'queries'] as const) {
    const seen = new Map<string, string>();
    for (const m of modules) {
      for (const handler of m[kind]) {
        const type = 'command' in handler ? handler.command.type : handler.query.type;
        const other = seen.get(type);
        if (other && other !== m.name) add(m.name, `one-owner-per-${kind === 'commands' ? 'command' : 'query'}`, `${type} is handled by both ${other} and ${m.name}`, type);
        else if (other === m.name) add(m.name, `one-handler-per-${kind === 'commands' ? 'command' : 'query'}`, `${m.name} handles ${type} twice`, type);
        seen.set(type, m.name);
      }
    }
  }

  for (const m of modules) {
    const own = new Set(ownEvents(m).map((e) => e.type));
    for (const projection of readers(m)) {
      for (const contract of projection.consumes) {
        const where = `${projection.kind} ${m.name}/${projection.name}`;
        if (contract.module === m.name) {
          if (!own.has(contract.type)) add(m.name, 'consume-existing', `${where} consumes ${contract.type}, which ${m.name} does not declare among its events`, projection.name);
          continue;
        }
        const owner = byName.get(contract.module);
        if (!owner) {
          add(m.name, 'consume-existing', `${where} consumes ${contract.type}, but there is no module ${contract.module}`, projection.name);
        } else if (owner.publicEvents.some((e) => e.type === contract.type)) {
          continue;
        } else if (owner.privateEvents.some((e) => e.type === contract.type)) {
          add(m.name, 'consume-public-only', `${where} consumes ${contract.type}, a private event of ${owner.name}; only public events may cross modules`, projection.name);
        } else {
          add(m.name, 'consume-existing', `${where} consumes ${contract.type}, which ${owner.name} does not publish`, projection.name);
        }
      }
    }
  }
  for (const m of modules) {
    const allowed = new Set([...m.commands.map((h) => h.command.type), ...m.sends.map((c) => c.type)]);
    for (const process of m.processes) {
      for (const command of process.sends) {
        if (!allowed.has(command.type)) {
          add(m.name, 'declared-sends', `process ${m.name}/${process.name} sends ${command.type}, which ${m.name} neither handles nor declares in \`sends\``, process.name);
        }
      }
    }
  }
  if (published) violations.push(...findContractsViolations(modules, published));
  return violations;
}

/** Stops start-up on any violation, naming module, event and rule. */
export function assertOwnership(modules: readonly ModuleDefinition[]): void {
  const violations = findOwnershipViolations(modules);
  if (violations.length > 0) {
    throw new OwnershipError(
      `rules of ownership broken:\n${violations.map((v) => `  - [${v.rule}] ${v.message}`).join('\n')}`,
      violations,
    );
  }
}
