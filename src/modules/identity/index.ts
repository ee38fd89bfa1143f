import { defineModule } from '../../kernel/index.js';
import { LoggedOut, publicEvents } from './contracts.js';
import { privateEvents } from './events.js';
import { routes } from './routes.js';

/** identity: registration, login, logout. Issues the tokens every module verifies on its own. */
export const identity = defineModule({
  name: 'identity',
  publicEvents,
  privateEvents,
  streams: ['account', 'session'],
  // Every module with authenticated routes keeps its own replica of ended sessions, from this event.
  endsSessions: LoggedOut,
  routes,
});
