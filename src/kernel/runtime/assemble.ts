import { OwnershipError } from '../errors.js';
import { REVOKED_SESSIONS, revokedSessions } from '../http/revokedSessions.js';
import type { ModuleDefinition } from '../types/module.js';

/**
 * The application's modules as the kernel runs them: every module with authenticated routes
 * gets its own replica of ended sessions, fed by the event the session issuer (the module that
 * declares `endsSessions`, identity here) publishes. So each module rejects a logged-out token
 * on its own, and no module wires this by hand.
 */
export function assembleModules(modules: readonly ModuleDefinition[]): ModuleDefinition[] {
  const issuers = modules.filter((m) => m.endsSessions);
  if (issuers.length > 1) throw new OwnershipError(`only one module may issue sessions (endsSessions); ${issuers.map((m) => m.name).join(' and ')} both do`);
  const ended = issuers[0]?.endsSessions;
  return modules.map((m) => {
    if (!m.routes.some((r) => r.auth) || m.projections.some((p) => p.name === REVOKED_SESSIONS)) return m;
    if (!ended) throw new OwnershipError(`module ${m.name} has authenticated routes, but no module issues sessions (declares endsSessions)`);
    return { ...m, projections: [...m.projections, revokedSessions(ended)] };
  });
}
