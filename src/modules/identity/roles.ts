import { decideAndAppend, loadState, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { OperatorGranted, OperatorRevoked } from './contracts.js';
import type { RolesEvent } from './events.js';

/**
 * A user's roles (`identity.roles-<userId>`). A login signs the roles and this stream's revision
 * into the token; a revocation at a later revision makes every module reject the older tokens.
 */
export interface Roles {
  operator: boolean;
}

export type RolesCommand = { kind: 'grant' | 'revoke'; userId: string };

export const roles: Decider<Roles, RolesCommand, RolesEvent> = {
  initialState: () => ({ operator: false }),
  evolve: (_state, event) => ({ operator: event.type === OperatorGranted.type }),
  decide(command, state) {
    // Granting an operator or revoking a member again is a no-op.
    if (command.kind === 'grant') return state.operator ? [] : [newEvent(OperatorGranted, { userId: command.userId })];
    return state.operator ? [newEvent(OperatorRevoked, { userId: command.userId })] : [];
  },
};

export const handleRoles = (events: ModuleEvents, command: RolesCommand, actor: string) =>
  decideAndAppend(events, events.stream('roles', command.userId), roles, command, { conflictRetries: 2, metadata: { actor } });

/** The roles a token issued now carries, and the revision it is issued at (-1: never changed). */
export async function currentRoles(events: ModuleEvents, userId: string): Promise<{ roles: string[]; revision: number }> {
  const { state, revision } = await loadState(events, events.stream('roles', userId), roles);
  return { roles: state.operator ? ['operator'] : [], revision };
}
