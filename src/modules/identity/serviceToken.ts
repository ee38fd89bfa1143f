import { ConflictError, NotFoundError, decideAndAppend, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { ServiceTokenRevoked } from './contracts.js';
import { ServiceTokenIssued, type ServiceTokenEvent } from './events.js';

/** What a service token may be allowed (API.md, "Who may do what"): the end systems' work on jobs. */
export const SERVICE_SCOPES = ['jobs:submit', 'jobs:read', 'jobs:report'] as const;

/** A service token's stream (`identity.serviceToken-<tokenId>`): issued once, revoked once. */
export interface ServiceToken {
  issued: boolean;
  revoked: boolean;
}

export type ServiceTokenCommand =
  | { kind: 'issue'; tokenId: string; name: string; scopes: string[]; expiresAt: string; issuedBy: string }
  | { kind: 'revoke'; tokenId: string };

export const serviceToken: Decider<ServiceToken, ServiceTokenCommand, ServiceTokenEvent> = {
  initialState: () => ({ issued: false, revoked: false }),
  evolve: (state, event) => (event.type === ServiceTokenIssued.type ? { ...state, issued: true } : { ...state, revoked: true }),
  decide(command, state) {
    if (command.kind === 'issue') {
      if (state.issued) throw new ConflictError(`service token ${command.tokenId} exists already`);
      const { kind: _kind, ...data } = command;
      return [newEvent(ServiceTokenIssued, data)];
    }
    if (!state.issued) throw new NotFoundError(`no service token ${command.tokenId}`);
    return state.revoked ? [] : [newEvent(ServiceTokenRevoked, { tokenId: command.tokenId })];
  },
};

export const handleServiceToken = (events: ModuleEvents, command: ServiceTokenCommand) =>
  decideAndAppend(events, events.stream('serviceToken', command.tokenId), serviceToken, command);
