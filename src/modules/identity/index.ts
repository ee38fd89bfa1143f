import { defineModule } from '../../kernel/index.js';
import { cli } from './cli.js';
import { identityConfig } from './config.js';
import { LoggedOut, OperatorRevoked, ServiceTokenRevoked, publicEvents } from './contracts.js';
import { privateEvents } from './events.js';
import { routes } from './routes.js';
import { registeredUsers } from './views/users.js';

/** identity: registration, login, logout, operators and service tokens. Issues the tokens every module verifies on its own. */
export const identity = defineModule({
  name: 'identity',
  publicEvents,
  privateEvents,
  streams: ['account', 'session', 'roles', 'serviceToken'],
  config: identityConfig,
  // Every module with routes that need a credential keeps its own access replica, from these events.
  credentials: { endsSession: LoggedOut, revokesServiceToken: ServiceTokenRevoked, revokesRoles: OperatorRevoked },
  projections: [registeredUsers],
  routes,
  cli,
  migrations: new URL('../../../migrations/identity/', import.meta.url),
});
