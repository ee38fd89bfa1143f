import { OwnershipError } from '../errors.js';
import { ACCESS, accessReplica } from '../http/accessReplica.js';
import type { ModuleDefinition } from '../types/module.js';

/** Does the module have a route that needs a credential? */
const needsCredentials = (m: ModuleDefinition) => m.routes.some((r) => r.access !== 'anyone');

/**
 * The application's modules as the kernel runs them: every module with routes that need a
 * credential gets its own access replica (revoked sessions, roles and service tokens), fed by
 * the events of the module that issues credentials (the one that declares `credentials`,
 * identity here). So each module rejects a revoked token on its own, and no module wires this by hand.
 */
export function assembleModules(modules: readonly ModuleDefinition[]): ModuleDefinition[] {
  const issuers = modules.filter((m) => m.credentials);
  if (issuers.length > 1) throw new OwnershipError(`only one module may issue credentials (credentials); ${issuers.map((m) => m.name).join(' and ')} both do`);
  const events = issuers[0]?.credentials;
  return modules.map((m) => {
    if (!needsCredentials(m) || m.projections.some((p) => p.name === ACCESS)) return m;
    if (!events) throw new OwnershipError(`module ${m.name} has routes that need a credential, but no module issues credentials (declares \`credentials\`)`);
    return { ...m, projections: [...m.projections, accessReplica(events)] };
  });
}
