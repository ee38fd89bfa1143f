import { defineModule, revokedSessions } from '../../kernel/index.js';
import { LoggedOut, publicEvents } from './contracts.js';
import { PasswordSet } from './privateEvents.js';
import { loginRoute, logoutRoute, registerRoute } from './routes.js';

/** identity: registration, login, logout. Issues the tokens every module verifies on its own. */
export const identity = defineModule({
  name: 'identity',
  publicEvents,
  privateEvents: [PasswordSet],
  streams: ['account', 'session'],
  projections: [revokedSessions(LoggedOut)],
  routes: [registerRoute, loginRoute, logoutRoute],
});
